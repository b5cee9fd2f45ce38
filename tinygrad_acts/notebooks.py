"""Make `notebooks/NN_name.ipynb` from every lesson, `lessons/NN_name.py`, with jupytext.

    python -m tinygrad_acts.notebooks            # write every notebook (outputs empty)
    python -m tinygrad_acts.notebooks --check    # exit 1 when one is missing or stale

A lesson not yet written in cells (no `# %%` marker) is skipped, and said so. jupytext is
a development dependency (the `dev` extra), imported only here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .lessons import LESSONS_DIR, is_percent_script, lesson_files

NOTEBOOKS_DIR = LESSONS_DIR.parent / "notebooks"

_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def notebook_text(lesson: Path) -> str:
    """The notebook made from `lesson`, as the text of an .ipynb file: no outputs, cell ids
    numbered (so that making it again changes nothing), Python 3's kernel."""
    import jupytext
    import nbformat

    notebook = jupytext.read(lesson, fmt="py:percent")
    notebook.metadata = {"kernelspec": dict(_KERNELSPEC),
                         "language_info": {"name": "python"}}
    for i, cell in enumerate(notebook.cells):
        cell.id = f"cell-{i:02d}"
        cell.metadata = {}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(notebook) + "\n"


def notebook_path(lesson: Path, folder: Path = NOTEBOOKS_DIR) -> Path:
    return Path(folder) / (Path(lesson).stem + ".ipynb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tinygrad_acts.notebooks",
        description="Make notebooks/NN_name.ipynb from each lessons/NN_name.py (jupytext).")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a notebook is missing or stale")
    args = parser.parse_args(argv)
    stale = []
    for lesson in lesson_files().values():
        if not is_percent_script(lesson):
            print(f"skipped {lesson.name}: not written in cells (no '# %%' marker)")
            continue
        path, text = notebook_path(lesson), notebook_text(lesson)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path.name)
            continue
        from .files import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, "wb") as file:
            file.write(text.encode("utf-8"))
        print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python -m tinygrad_acts.notebooks)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
