"""The lessons run, check their own claims, and write their pictures where they are told.

Each lesson runs as a separate program (`python lessons/NN_....py --output-dir DIR`, from a
temporary folder), as a student would run it: exit status 0 means that every claim it
checks held. A key line of its output is asserted too, so that a lesson cannot pass by
printing nothing.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

# number -> (file name, a line the lesson prints when its central claim holds, the pictures
# it writes when matplotlib is installed)
EXPECTED = {
    1: ("01_finite_differences.py", "the central error falls like h^2",
        ["finite_difference_errors.png"]),
    2: ("02_chain_rule.py", "the engine's gradients equal the hand-made ones",
        []),  # neuron.svg (or .dot without a renderer): checked in its own test
    3: ("03_broadcasting.py", "b.grad is the sum of its copies' gradients", []),
    4: ("04_activation_functions.py",
        "Tensor([ 1.  -0.1  1.5  2. ], shape=(4,), dtype=float32)",
        ["sigmoid.png", "relu_alpha_0.1.png", "selu.png"]),
    5: ("05_custom_activation.py", "the numpy backward passes gradcheck and fails gradgradcheck",
        ["isru.png"]),
    6: ("06_softmax_cross_entropy.py", "from logits: loss 200", ["cross_entropy_from_logits.png"]),
    7: ("07_dense_and_sequential.py", "test accuracy", ["decision_boundary_mlp.png"]),
    8: ("08_selu_self_normalization.py", "the deep SELU network learns",
        ["layer_statistics.png", "training_statistics_selu.png"]),
    9: ("09_higher_order_gradients.py", "Newton drives the gradient below 1e-12",
        ["second_derivatives.png"]),
}

# Lesson 8 trains two 32-layer networks (up to a minute); the others take seconds.
SLOW = {8}


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
    # lesson 10 and later are percent-format scripts, run as notebooks (the learn branch)
    files = sorted(LESSONS.glob("[0-9][0-9]_*.py"))[:len(EXPECTED)]
    assert [f.name for f in files] == [name for name, _, _ in EXPECTED.values()]
    for path in files:
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring, f"{path.name} has no module docstring"
        title, _, narrative = docstring.partition("\n")
        assert 10 < len(title) <= 100 and not title.endswith("."), title
        assert len(narrative.split()) > 30, f"{path.name}: the introduction is missing"


@pytest.mark.parametrize(
    "number",
    [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in EXPECTED],
)
def test_lesson_runs_and_its_claims_hold(number, tmp_path):
    name, key_line, pictures = EXPECTED[number]
    output_dir = tmp_path / "pictures"
    process = run([str(LESSONS / name), "--output-dir", str(output_dir)], cwd=tmp_path)
    assert_succeeded(process, key_line)
    assert process.stdout.startswith(f"Lesson {number}: ")
    assert process.stdout.count("[ok]") >= 3, "a lesson checks its claims"
    if HAS_MATPLOTLIB:
        for picture in pictures:
            assert (output_dir / picture).stat().st_size > 0, picture
    else:
        assert "no pictures" in process.stdout or not pictures
    # Nothing is written outside the folder it was given.
    assert sorted(p.name for p in tmp_path.iterdir()) == (["pictures"] if output_dir.exists()
                                                         else [])


def test_the_default_output_folder_is_under_the_current_directory(tmp_path):
    process = run([str(LESSONS / "02_chain_rule.py")], cwd=tmp_path)
    assert_succeeded(process, "the engine's gradients equal the hand-made ones")
    written = list((tmp_path / "tinygrad_acts_output" / "lesson_02").iterdir())
    assert [p.name for p in written] in (["neuron.svg"], ["neuron.dot"])
    assert written[0].stat().st_size > 0


def test_a_broken_claim_stops_the_lesson_loudly(tmp_path):
    """`check` is what every lesson uses: a false claim exits with a message naming the
    lesson, and a true one prints it as checked."""
    script = tmp_path / "07_demo.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(LESSONS)!r})\n"
        "from _common import check, start\n"
        "start(__file__, 'A demo\\nWith an introduction.')\n"
        "check(1 + 1 == 2, 'arithmetic holds')\n"
        "check(1 + 1 == 3, 'expected 3, got 2')\n"
        "print('not reached')\n",
        encoding="utf-8",
    )
    process = run([str(script)], cwd=tmp_path)
    assert process.returncode == 1
    assert "[ok] arithmetic holds" in process.stdout
    assert "lesson 7: CLAIM FAILED: expected 3, got 2" in process.stderr
    assert "not reached" not in process.stdout


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
    listing = run(["-m", "tinygrad_acts", "lessons"], cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    for number, (name, _, _) in EXPECTED.items():
        title = ast.get_docstring(ast.parse((LESSONS / name).read_text(encoding="utf-8")))
        assert title.splitlines()[0] in listing.stdout, number
    lesson = run(["-m", "tinygrad_acts", "lesson", "3", "--output-dir", str(tmp_path / "out")],
                 cwd=tmp_path)
    assert_succeeded(lesson, "b.grad is the sum of its copies' gradients")
