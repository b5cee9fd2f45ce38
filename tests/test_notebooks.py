"""The notebooks: made from the lessons, in step with them, and each one runs in a Jupyter
kernel, checks its claims and draws its pictures.

Running the notebooks is how the lessons are run in the test suite (not a second time as
scripts): every notebook of `notebooks/` runs in its own kernel, two at a time, from a
temporary folder, with this checkout's package first on the path.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tinygrad_acts.lessons import is_percent_script, read_cells

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))
CELL_LESSONS = [path for path in LESSONS if is_percent_script(path)]
NOTEBOOKS = ROOT / "notebooks"

# lesson number -> (a line it prints when its central claim holds, pictures it writes);
# a lesson not listed (8, and lessons added later) must still run and check 3 claims.
EXPECTED = {
    1: ("the central error falls like h^2", ["finite_difference_errors.png"]),
    2: ("the engine's gradients equal the hand-made ones", []),  # .svg or .dot
    3: ("b.grad is the sum of its copies' gradients", []),
    4: ("Tensor([ 1.  -0.1  1.5  2. ], shape=(4,), dtype=float32)",
        ["sigmoid.png", "relu_alpha_0.1.png", "relu_max_value_6.png", "selu.png"]),
    5: ("the numpy backward passes gradcheck and fails gradgradcheck", ["isru.png"]),
    6: ("from logits: loss 200", ["cross_entropy_from_logits.png"]),
    7: ("test accuracy", ["decision_boundary_mlp.png", "training_history.png"]),
    9: ("Newton drives the gradient below 1e-12", ["newton.png", "second_derivatives.png"]),
}
SLOW = {8}  # trains deep networks


def _code(cells) -> list[str]:
    return [cell.source for cell in cells if cell.cell_type == "code"]


@pytest.mark.parametrize("lesson", CELL_LESSONS, ids=lambda p: p.stem)
def test_each_notebook_holds_its_lessons_code(lesson):
    notebook_file = NOTEBOOKS / f"{lesson.stem}.ipynb"
    assert notebook_file.exists(), f"run python -m tinygrad_acts.notebooks ({notebook_file.name})"
    notebook = nbformat.read(notebook_file, as_version=4)
    script = jupytext.read(lesson, fmt="py:percent")
    assert _code(notebook.cells) == _code(script.cells)
    assert [c.cell_type for c in notebook.cells] == [c.cell_type for c in script.cells]
    assert all(not c.get("outputs") for c in notebook.cells), "committed without outputs"
    # The command line reads the cells as jupytext does.
    ours = read_cells(lesson)
    assert [(c.kind, c.source) for c in ours] == [(c.cell_type, c.source) for c in script.cells]


def test_every_notebook_comes_from_a_lesson():
    stems = {path.stem for path in CELL_LESSONS}
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(stems)


# ---- running them ------------------------------------------------------------------------

_runs: dict[str, Future] = {}
_lock = threading.Lock()


def _execute(notebook_file: Path, folder: Path):
    """Run the notebook in a fresh kernel whose current folder is `folder`; return the
    executed notebook, or the exception that stopped it."""
    from nbclient import NotebookClient

    notebook = nbformat.read(notebook_file, as_version=4)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env=env, cwd=str(folder))
    return notebook


def _run(lesson: Path, tmp_root: Path, selected: list[Path]) -> Future:
    """The run of `lesson`'s notebook: on the first call, every selected notebook starts,
    two kernels at a time, and each test waits for its own."""
    with _lock:
        if not _runs:
            pool = ThreadPoolExecutor(max_workers=2)
            for path in selected:
                folder = tmp_root / path.stem
                folder.mkdir()
                _runs[path.stem] = pool.submit(_execute, NOTEBOOKS / f"{path.stem}.ipynb",
                                               folder)
            pool.shutdown(wait=False)
        return _runs[lesson.stem]


def _text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            elif "data" in output and "text/plain" in output["data"]:
                parts.append(output["data"]["text/plain"])
    return "".join(parts)


@pytest.mark.parametrize(
    "lesson",
    [pytest.param(p, marks=pytest.mark.slow) if int(p.name[:2]) in SLOW else p
     for p in CELL_LESSONS],
    ids=lambda p: p.stem,
)
def test_each_notebook_runs_in_a_kernel(lesson, request, tmp_path_factory):
    selected = [item.callspec.params["lesson"] for item in request.session.items
                if getattr(item, "originalname", None) == "test_each_notebook_runs_in_a_kernel"]
    root = tmp_path_factory.getbasetemp() / "notebook_runs"
    with _lock:
        root.mkdir(exist_ok=True)
    notebook = _run(lesson, root, selected).result()  # raises CellExecutionError on failure
    text = _text(notebook)
    number = int(lesson.name[:2])
    key_line, pictures = EXPECTED.get(number, ("", []))
    assert key_line in text
    assert text.count("[ok]") >= 3, "a lesson checks its claims"
    assert "CLAIM FAILED" not in text
    folder = root / lesson.stem / "tinygrad_acts_output" / f"lesson_{number:02d}"
    for name in pictures:
        assert (folder / name).stat().st_size > 0, name
    if pictures:  # and the notebook shows them
        assert any("image/png" in output.get("data", {})
                   for cell in notebook.cells for output in cell.get("outputs", []))


def test_the_notebooks_are_up_to_date():
    from tinygrad_acts.notebooks import main

    assert main(["--check"]) == 0, "run python -m tinygrad_acts.notebooks"
