"""The lessons: their shape (title, objectives, time, "your turn"), the command line that
runs them cell by cell, and what a script run does (--output-dir, --help, no matplotlib).

The lessons' claims are checked by running their notebooks (tests/test_notebooks.py); a
lesson not yet written in cells runs here as a program, as a student would run it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_acts.lessons import is_percent_script, read_cells
from tinygrad_acts.lessons import run as run_cells

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"



def run(args: list[str], cwd: Path, first_on_path: Path | None = None
        ) -> subprocess.CompletedProcess:
    """Run `python args...` in `cwd` with this checkout's package importable (and
    `first_on_path` searched before anything else). Also used by test_examples.py."""
    env = dict(os.environ)
    folders = [str(first_on_path) if first_on_path else None, str(ROOT), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, folders))
    env["MPLBACKEND"] = "Agg"  # no display needed, whatever the machine's default
    # (conftest.py sets one BLAS thread in the environment, which subprocesses inherit)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def assert_succeeded(process: subprocess.CompletedProcess, key_line: str) -> None:
    assert process.returncode == 0, (
        f"exit status {process.returncode}\n--- stdout (end) ---\n{process.stdout[-3000:]}"
        f"\n--- stderr ---\n{process.stderr[-3000:]}"
    )
    assert key_line in process.stdout
    assert "CLAIM FAILED" not in process.stdout + process.stderr


def test_there_are_nine_numbered_lessons_each_with_a_title():
    numbers = [int(f.name[:2]) for f in sorted(LESSONS.glob("[0-9][0-9]_*.py"))]
    assert numbers[:9] == list(range(1, 10))


CELL_LESSONS = [p for p in sorted(LESSONS.glob("[0-9][0-9]_*.py")) if is_percent_script(p)]


@pytest.mark.parametrize("path", CELL_LESSONS, ids=lambda p: p.stem)
def test_a_lesson_opens_with_objectives_and_time_and_ends_with_your_turn(path):
    cells = read_cells(path)
    first, last = cells[0], cells[-1]
    assert first.kind == "markdown" and last.kind == "markdown"
    heading = first.source.splitlines()[0]
    assert heading.startswith(f"# Lesson {int(path.name[:2])}: ") and len(heading) < 100
    assert "Learning objectives" in first.source
    assert first.source.count("\n- ") >= 2, "objectives are a list"
    assert re.search(r"Estimated time: \d+ minutes", first.source)
    assert last.source.startswith("## Your turn")
    assert "tinygrad-acts exercise start" in last.source
    assert sum(c.kind == "code" for c in cells) >= 4


def test_the_default_output_folder_is_under_the_current_directory(tmp_path):
    process = run([str(LESSONS / "02_chain_rule.py")], cwd=tmp_path)
    assert_succeeded(process, "the engine's gradients equal the hand-made ones")
    written = list((tmp_path / "tinygrad_acts_output" / "lesson_02").iterdir())
    assert [p.name for p in written] in (["neuron.svg"], ["neuron.dot"])
    assert written[0].stat().st_size > 0


BROKEN = """# %% [markdown]
# # Lesson 7: A demo
#
# With an introduction.

# %%
from tinygrad_acts.lessons import begin, check

begin(7)
check(1 + 1 == 2, "arithmetic holds")

# %%
check(1 + 1 == 3, "expected 3, got 2")
print("not reached")
"""


def test_a_broken_claim_stops_the_lesson_loudly(tmp_path, capsys):
    """`check` is what every lesson uses: a false claim stops the lesson with a message
    naming it, as a script (exit status 1) and cell by cell (`lesson N` returns 1)."""
    script = tmp_path / "07_demo.py"
    script.write_text(BROKEN, encoding="utf-8")
    process = run([str(script)], cwd=tmp_path)
    assert process.returncode == 1
    assert "[ok] arithmetic holds" in process.stdout
    assert "lesson 7: CLAIM FAILED: expected 3, got 2" in process.stderr
    assert "not reached" not in process.stdout
    assert run_cells(script, output_dir=tmp_path / "out") == 1
    out, err = capsys.readouterr()
    assert "[ok] arithmetic holds" in out and "\nnot reached" not in out
    assert "lesson 7: CLAIM FAILED: expected 3, got 2" in err


def test_without_matplotlib_a_lesson_skips_its_pictures_and_still_checks(tmp_path):
    # A stand-in `matplotlib` found first on the path, whose import fails as a missing one does.
    blocker = tmp_path / "blocker" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named matplotlib')\n")
    work = tmp_path / "work"
    work.mkdir()
    process = run([str(LESSONS / "01_finite_differences.py"), "--output-dir", "pictures"],
                  cwd=work, first_on_path=blocker.parent)
    assert_succeeded(process, "the central error falls like h^2")
    assert "(no pictures: Plotting needs matplotlib" in process.stdout
    assert not (work / "pictures").exists()


def test_lessons_take_an_output_dir_option(tmp_path):
    process = run([str(LESSONS / "03_broadcasting.py"), "--help"], cwd=tmp_path)
    assert process.returncode == 0
    assert "--output-dir" in process.stdout
    assert "Tensors and broadcasting" in process.stdout


def test_the_command_line_lists_and_runs_the_lessons(tmp_path):
    from tinygrad_acts.lessons import title

    listing = run(["-m", "tinygrad_acts", "lessons"], cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    for path in sorted(LESSONS.glob("[0-9][0-9]_*.py")):
        assert title(path) in listing.stdout, path.name
    assert "  3  Tensors and broadcasting" in listing.stdout


def test_lesson_n_prints_each_code_cell_before_what_it_prints(tmp_path):
    lesson = run(["-m", "tinygrad_acts", "lesson", "3", "--output-dir", str(tmp_path / "out")],
                 cwd=tmp_path)
    assert_succeeded(lesson, "b.grad is the sum of its copies' gradients")
    text = lesson.stdout
    assert text.startswith("Lesson 3: Tensors and broadcasting")
    assert "Learning objectives" in text and "Your turn" in text
    code = ">>> x = ta.Tensor(rng.normal(size=(4, 3)), requires_grad=True, name=\"x\")"
    assert code in text
    assert text.index(code) < text.index("x.grad.shape = (4, 3)")  # the code, then its effect
    quiet = run(["-m", "tinygrad_acts", "lesson", "3", "--no-code"], cwd=tmp_path)
    assert_succeeded(quiet, "b.grad is the sum of its copies' gradients")
    assert ">>> " not in quiet.stdout and "... " not in quiet.stdout
    assert "Learning objectives" in quiet.stdout
    assert not (tmp_path / "tinygrad_acts_output").exists()  # lesson 3 draws nothing
