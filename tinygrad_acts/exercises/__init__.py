"""Exercises with a grader: the student writes the rule, the grader says where it is wrong.

    tinygrad-acts exercise list                  one row per exercise
    tinygrad-acts exercise start 5 [--dir DIR]   writes DIR/05_sigmoid_backward.py, the stub
    tinygrad-acts exercise check 5 [--dir DIR]   grades it: exit 0 when it passes, else 1
    tinygrad-acts exercise solution 5            prints a reference solution

Each exercise is a module of this package, `exNN_name.py`, holding `TITLE`, `LESSON`,
`STUB` (the file the student starts from: a docstring with the task, a TODO and the
signature), `SOLUTION` (a complete file that can replace the stub) and `grade(namespace)`,
which runs the student's functions and raises `Wrong` at the first thing that is not right:
the input, what was expected, what came out, and a hint when the mistake is a classic one.
The grader relies on the library's own `gradcheck`/`gradgradcheck`, on property tests and on
the reference (`tinygrad_acts` itself, or the solution).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import traceback
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._checks import Wrong

__all__ = ["Exercise", "Wrong", "all_exercises", "get", "start", "check", "Result"]


@dataclass(frozen=True)
class Exercise:
    number: int
    name: str  # the file's name without NN_ and .py: "sigmoid_backward"
    title: str  # "sigmoid's backward rule"
    lesson: int  # the lesson it follows
    stub: str
    solution: str
    grade: Callable[[dict], list[str]]  # raises Wrong; returns what it checked

    @property
    def file_name(self) -> str:
        return f"{self.number:02d}_{self.name}.py"


def all_exercises() -> dict[int, Exercise]:
    """{number: Exercise}, from the modules `exNN_name` of this package."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        match = re.fullmatch(r"ex(\d\d)_(\w+)", info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        number = int(match.group(1))
        found[number] = Exercise(number, match.group(2), module.TITLE, module.LESSON,
                                 module.STUB, module.SOLUTION, module.grade)
    return dict(sorted(found.items()))


def get(number: int) -> Exercise:
    exercises = all_exercises()
    if not isinstance(number, int) or isinstance(number, bool) or number not in exercises:
        raise ValueError(f"no exercise {number!r}: the exercises are numbered "
                         f"{min(exercises)} to {max(exercises)} (tinygrad-acts exercise list)")
    return exercises[number]


def start(number: int, folder: str | Path = ".") -> tuple[Path, bool]:
    """Write exercise `number`'s stub to `folder/NN_name.py` unless that file exists (a
    student's work is never overwritten). Returns (path, whether it was written)."""
    exercise = get(number)
    path = Path(folder) / exercise.file_name
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    from ..files import atomic_write

    with atomic_write(path, "wb") as file:
        file.write(exercise.stub.encode("utf-8"))
    return path, True


@dataclass
class Result:
    passed: bool
    text: str


def load(path: Path) -> dict:
    """Run the student's file as a module of its own and return its namespace."""
    module = types.ModuleType(f"exercise_{path.stem}")
    module.__file__ = str(path)
    source = path.read_text(encoding="utf-8")
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module.__dict__


def grade_namespace(exercise: Exercise, namespace: dict) -> Result:
    heading = f"exercise {exercise.number} ({exercise.title})"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            checked = exercise.grade(namespace)
    except Wrong as wrong:
        return Result(False, f"{heading}: not yet right.\n{wrong.report()}")
    except NotImplementedError as error:
        return Result(False, f"{heading}: not written yet: {error or 'a TODO is left'}.\n"
                             "  Replace the TODO (the line that raises NotImplementedError) "
                             "with your code.")
    except Exception:  # the student's code raised: show where, in their file
        lines = traceback.format_exc().rstrip().splitlines()
        return Result(False, f"{heading}: your code raised an error:\n  "
                             + "\n  ".join(lines[-6:]))
    done = "\n".join(f"  [ok] {line}" for line in checked)
    return Result(True, f"{heading}: passed.\n{done}")


def check(number: int, folder: str | Path = ".") -> Result:
    """Grade `folder/NN_name.py`, the student's file for exercise `number`."""
    exercise = get(number)
    path = Path(folder) / exercise.file_name
    if not path.exists():
        return Result(False, f"no file {path}: start the exercise with "
                             f"`tinygrad-acts exercise start {number}`"
                             + (f" --dir {folder}" if str(folder) != "." else ""))
    try:
        namespace = load(path)
    except NotImplementedError as error:
        return Result(False, f"exercise {number}: not written yet: {error}")
    except Exception:
        kind, value, _ = sys.exc_info()
        return Result(False, f"exercise {number}: {path} does not run: "
                             f"{kind.__name__}: {value}")
    return grade_namespace(exercise, namespace)
