"""What the lessons share, and how `tinygrad-acts lesson N` runs one.

A lesson is a jupytext percent-format script, `lessons/NN_name.py`: `# %% [markdown]` cells
hold the prose (each line commented with `# `), `# %%` cells the code. The same file runs as
a plain script (`python lessons/03_broadcasting.py`), opens as a notebook
(`notebooks/03_broadcasting.ipynb`, made by `python -m tinygrad_acts.notebooks`), and runs
cell by cell here, each code cell printed before what it prints, so that a run in a terminal
shows the code it teaches.

Inside a lesson:

    from tinygrad_acts.lessons import begin, check, picture, show

    out = begin(3)                  # the folder for its pictures (--output-dir)
    check(claim, "what was expected, and what came out")
    path = picture(out, "name.png")  # a path in that folder, the folder created
    show(path)                      # says where it is; a notebook also shows it inline
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

#: `lessons/` at the root of a source checkout, next to the package folder.
LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"

_lesson = "lesson"  # "lesson 3" once begin(3) ran: the prefix of a failed check's message
_output_dir: Path | None = None  # set by `tinygrad-acts lesson N --output-dir DIR`


class ClaimFailed(AssertionError):
    """A lesson's claim did not hold: the engine broke what the lesson teaches."""


def _in_notebook() -> bool:
    return "ipykernel" in sys.modules


def begin(number: int, argv: list[str] | None = None) -> Path:
    """Start lesson `number` and return the folder for its pictures: `--output-dir` when the
    script was given one, else `./tinygrad_acts_output/lesson_NN` under the current folder
    (created only when a picture is written). As a script it also answers `--help`."""
    global _lesson
    _lesson = f"lesson {number}"
    default = Path("tinygrad_acts_output") / f"lesson_{number:02d}"
    if _output_dir is not None:
        return _output_dir
    if _in_notebook() and argv is None:  # a kernel's argv is the kernel's own
        return default
    script = Path(sys.argv[0])
    name = title(script) if script.suffix == ".py" and script.exists() else "tinygrad_acts"
    parser = argparse.ArgumentParser(description=f"Lesson {number}: {name}")
    parser.add_argument("--output-dir", type=Path, default=default,
                        help="folder for the lesson's pictures (default: %(default)s)")
    return parser.parse_args(sys.argv[1:] if argv is None else argv).output_dir


def check(claim: bool, message: str) -> None:
    """The lesson's claim must hold: print it as checked, or stop the lesson with
    `ClaimFailed` naming the lesson and the message."""
    if not claim:
        raise ClaimFailed(f"{_lesson}: CLAIM FAILED: {message}")
    print(f"  [ok] {message}")


def plots_or_none() -> ModuleType | None:
    """`tinygrad_acts.plots` when matplotlib is installed; otherwise None, after saying that
    the lesson skips its pictures (its checks still run)."""
    from . import plots

    try:
        plots.require_matplotlib()
    except ImportError as error:
        print(f"  (no pictures: {error})")
        return None
    return plots


def picture(output_dir: Path, name: str) -> Path:
    """`output_dir / name`, creating the folder the first time a picture is written."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    return output_dir / name


def show(path: Path) -> None:
    """Say where a picture was written; in a notebook, show it too."""
    path = Path(path)
    print(f"  picture: {path}")
    if _in_notebook():
        from IPython.display import SVG, Image, display

        if path.suffix == ".svg":
            display(SVG(filename=str(path)))
        elif path.suffix == ".png":
            display(Image(filename=str(path)))


# ---- reading a lesson -------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    source: str  # for markdown, the text without its comment marks
    line: int = 1  # the line of the file where the source starts


_CELL_MARKER = re.compile(r"^# %%(.*)$")


def read_cells(path: Path) -> list[Cell]:
    """The cells of a percent-format script, as jupytext reads them (a test checks that they
    agree): a marker line `# %%` opens a code cell, `# %% [markdown]` a markdown cell;
    blank lines around a cell's content are dropped."""
    cells: list[Cell] = []
    kind, lines, first = None, [], 1

    def close() -> None:
        if kind is None:
            return
        leading = next((i for i, line in enumerate(lines) if line.strip()), 0)
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                             for line in body.splitlines())
        if body.strip() or kind == "code":
            cells.append(Cell(kind, body, first + leading))

    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        marker = _CELL_MARKER.match(line)
        if marker:
            close()
            kind = "markdown" if "[markdown]" in marker.group(1) else "code"
            lines, first = [], number + 1
        elif kind is None:
            if line.strip():  # text before the first marker: a code cell of its own
                kind, lines, first = "code", [line], number
        else:
            lines.append(line)
    close()
    return cells


def is_percent_script(path: Path) -> bool:
    """Whether `path` is written in cells (`# %%` markers)."""
    return any(_CELL_MARKER.match(line) for line in
               Path(path).read_text(encoding="utf-8").splitlines())


def title(path: Path) -> str:
    """The lesson's title: the first heading of its first markdown cell (or, for a script
    not yet written in cells, the first line of its docstring), without `Lesson N:`."""
    try:
        if is_percent_script(path):
            for cell in read_cells(path):
                if cell.kind == "markdown":
                    for line in cell.source.splitlines():
                        if line.startswith("#"):
                            heading = line.lstrip("#").strip()
                            return re.sub(r"^Lesson \d+:\s*", "", heading)
            return "(no title)"
        docstring = ast.get_docstring(ast.parse(Path(path).read_text(encoding="utf-8")))
    except (OSError, SyntaxError, UnicodeDecodeError) as e:
        return f"(cannot read the title: {type(e).__name__})"
    return docstring.strip().splitlines()[0] if docstring else "(no title)"


def lesson_files(folder: Path = LESSONS_DIR) -> dict[int, Path]:
    """{number: file} of the lessons, `NN_name.py` in `folder`.

    Raises:
        FileNotFoundError: without a lessons folder, saying where it looked.
    """
    if not Path(folder).is_dir():
        raise FileNotFoundError(
            f"no lessons folder: looked in {folder}. The lessons come with the source "
            "checkout of tinygrad_acts (git clone the repository and run from there); a "
            "pip-installed package does not include them."
        )
    return {int(p.name[:2]): p for p in sorted(Path(folder).glob("[0-9][0-9]_*.py"))}


# ---- running a lesson cell by cell -------------------------------------------------------


def _markdown_for_terminal(text: str) -> str:
    """Headings underlined, the rest as written (the files are wrapped already)."""
    out = []
    for line in text.splitlines():
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            rule = "=" if len(heading.group(1)) == 1 else "-"
            out += [heading.group(2), rule * len(heading.group(2))]
        else:
            out.append(line)
    return "\n".join(out)


def _echo(code: str) -> str:
    """A code cell as at Python's prompt: `>>> ` before its first line, `... ` after."""
    lines = code.splitlines() or [""]
    return "\n".join((">>> " if i == 0 else "... ") + line if line else "..."
                     for i, line in enumerate(lines))


def run(path: Path, show_code: bool = True, output_dir: Path | None = None) -> int:
    """Run the lesson at `path` cell by cell in one namespace: each markdown cell printed as
    text, each code cell printed (unless `show_code` is False) and then run, and the value
    of its last line printed when it is an expression that is not None, as a notebook shows
    it. Returns 0, or 1 when a cell raised (a failed claim among them)."""
    global _output_dir
    path = Path(path)
    namespace = {"__name__": "__main__", "__file__": str(path)}
    _output_dir = None if output_dir is None else Path(output_dir)
    saved_argv = sys.argv
    sys.argv = [str(path)]
    try:
        for cell in read_cells(path):
            if cell.kind == "markdown":
                print(_markdown_for_terminal(cell.source))
                print()
                continue
            if show_code:
                print(_echo(cell.source))
            tree = ast.parse(cell.source, filename=str(path))
            ast.increment_lineno(tree, cell.line - 1)  # tracebacks name the file's lines
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            try:
                exec(compile(tree, str(path), "exec"), namespace)
                if last is not None:
                    value = eval(compile(last, str(path), "eval"), namespace)
                    if value is not None:
                        print(repr(value) if not isinstance(value, str) else value)
            except ClaimFailed as error:
                print(f"\n{error}", file=sys.stderr)
                return 1
            except Exception:  # the lesson's own error: its traceback, then stop
                traceback.print_exc()
                return 1
            print()
    finally:
        sys.argv = saved_argv
        _output_dir = None
    return 0
