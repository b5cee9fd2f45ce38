"""The exercises: every stub fails its check, every solution passes, classic mistakes fail
with the hint that names them, and the command line behaves as documented."""

from __future__ import annotations

import subprocess
import sys

import pytest
from test_lessons import run

from tinygrad_acts import exercises
from tinygrad_acts.exercises._checks import HINTS

ALL = exercises.all_exercises()


def grade_text(exercise, source):
    namespace = {}
    exec(compile(source, exercise.file_name, "exec"), namespace)
    return exercises.grade_namespace(exercise, namespace)


def test_there_are_at_least_twelve_exercises_numbered_from_one():
    assert len(ALL) >= 12
    assert list(ALL) == list(range(1, len(ALL) + 1))
    names = {exercise.name for exercise in ALL.values()}
    for topic in ("finite_differences", "sigmoid_backward", "tanh_backward", "softplus",
                  "elu_backward", "gelu_backward", "sum_to", "softmax_backward", "logsumexp",
                  "topological_sort", "backward_loop", "dense_forward", "sgd_momentum",
                  "selu_constants", "newton_step"):
        assert topic in names


@pytest.mark.parametrize("number", list(ALL))
def test_the_stub_fails_and_the_solution_passes(number):
    exercise = ALL[number]
    assert exercise.stub.startswith(f'"""Exercise {number}: ')
    assert "TODO" in exercise.stub and f"exercise check {number}" in exercise.stub
    stub = grade_text(exercise, exercise.stub)
    assert not stub.passed and "not written yet" in stub.text
    solution = grade_text(exercise, exercise.solution)
    assert solution.passed, solution.text
    assert "[ok]" in solution.text


# (exercise, what the solution's text becomes, the hint the grader must give)
MISTAKES = [
    (5, ("return grad * y * (1 - y)", "return 1.01 * grad * y * (1 - y)"),
     "1.01 times the expected one"),
    (5, ("return grad * y * (1 - y)", "return y * (1 - y)"), HINTS["chain rule"]),
    (6, ("return grad * (1 - y * y)", "return grad * ta.Tensor(1 - y.data**2)"),
     HINTS["numpy"]),
    (7, ("return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))",
         "return np.log(1 + np.exp(x))"), HINTS["unstable"]),
    (8, ("alpha * ta.minimum(x, 0.0).exp()", "1.0 * ta.minimum(x, 0.0).exp()"),
     "read the parameter from ctx.params"),
    (10, ("return y * (grad - (grad * y).sum(axis=-1, keepdims=True))",
          "return grad * y * (1 - y)"), "the diagonal of the Jacobian only"),
    (11, ("return (x - m).exp().sum(axis=-1).log() + m.squeeze(-1)",
          "return x.exp().sum(axis=-1).log()"), HINTS["unstable"]),
    (4, ("    shape = tuple(shape)\n", "    return grad\n"), HINTS["broadcast"]),
    (3, ("grads[parent] = grads[parent] + sent if parent in grads else sent",
         "grads[parent] = sent"), "add them up"),
    (1, ("return (f(x + h) - f(x - h)) / (2 * h)", "return (f(x + h) - f(x)) / h"),
     "forward difference"),
    (15, ("return float(x - first.item() / second.item())",
          "return float(x - 0.01 * first.item())"), "gradient-descent step"),
]


@pytest.mark.parametrize("number, change, hint", MISTAKES,
                         ids=[f"{n}-{h[:20]}" for n, _, h in MISTAKES])
def test_a_planted_mistake_fails_with_its_hint(number, change, hint):
    exercise = ALL[number]
    old, new = change
    assert old in exercise.solution
    result = grade_text(exercise, exercise.solution.replace(old, new))
    assert not result.passed
    assert "not yet right" in result.text
    flat = " ".join(result.text.split())
    assert " ".join(hint.split()) in flat, result.text
    if number in (5, 6, 7, 11):  # where the values are compared, the report shows them
        assert "expected" in result.text and "got" in result.text and "input" in result.text


def test_the_command_line(tmp_path):
    listing = run(["-m", "tinygrad_acts", "exercise", "list"], cwd=tmp_path)
    assert listing.returncode == 0
    rows = [line for line in listing.stdout.splitlines() if line[:3].strip().isdigit()]
    assert len(rows) == len(ALL) and rows[0].split()[0] == "1"

    work = tmp_path / "work"
    start = run(["-m", "tinygrad_acts", "exercise", "start", "5", "--dir", str(work)],
                cwd=tmp_path)
    assert start.returncode == 0
    path = work / "05_sigmoid_backward.py"
    assert start.stdout.strip() == str(path)
    assert path.read_text() == ALL[5].stub

    failed = run(["-m", "tinygrad_acts", "exercise", "check", "5", "--dir", str(work)],
                 cwd=tmp_path)
    assert failed.returncode == 1 and "not written yet" in failed.stdout

    path.write_text("# my work\n")  # start never overwrites the student's file
    again = run(["-m", "tinygrad_acts", "exercise", "start", "5", "--dir", str(work)],
                cwd=tmp_path)
    assert again.returncode == 0 and "exists already" in again.stderr
    assert path.read_text() == "# my work\n"

    solution = run(["-m", "tinygrad_acts", "exercise", "solution", "5"], cwd=tmp_path)
    assert solution.returncode == 0
    path.write_text(solution.stdout)
    passed = run(["-m", "tinygrad_acts", "exercise", "check", "5", "--dir", str(work)],
                 cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "passed" in passed.stdout

    # the current folder by default; a missing file and an unknown number say so
    (tmp_path / "05_sigmoid_backward.py").write_text(solution.stdout)
    here = run(["-m", "tinygrad_acts", "exercise", "check", "5"], cwd=tmp_path)
    assert here.returncode == 0
    missing = run(["-m", "tinygrad_acts", "exercise", "check", "6"], cwd=tmp_path)
    assert missing.returncode == 1 and "exercise start 6" in missing.stdout
    unknown = run(["-m", "tinygrad_acts", "exercise", "check", "99"], cwd=tmp_path)
    assert unknown.returncode == 1 and "no exercise 99" in unknown.stderr


def test_a_file_that_does_not_run_is_reported(tmp_path):
    (tmp_path / "13_sgd_momentum.py").write_text("def sgd_momentum_step(:\n")
    result = exercises.check(13, tmp_path)
    assert not result.passed and "SyntaxError" in result.text


def test_the_exercises_work_from_the_installed_package():
    """They live in the package (no file of the checkout is read)."""
    code = ("import tinygrad_acts.exercises as e; print(len(e.all_exercises()), "
            "e.get(1).file_name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.split() == [str(len(ALL)), "01_finite_differences.py"]
