"""Argument checks shared by every module.

Each check takes the owner (the class or function the user called), the argument's name and
the value received, and either returns the value in its plain Python form or raises with one
message style:

    Dense: argument `units` must be a positive integer, received units=2.5

A value of the wrong kind raises TypeError, a value of the right kind outside what is allowed
raises ValueError (Keras's habit), and every check runs before any state changes.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "argument_error",
    "check_bool",
    "check_choice",
    "check_int",
    "check_number",
    "check_path",
    "check_positive_int",
    "check_str",
]


def argument_error(
    owner: str, name: str, value: Any, expected: str, error: type[Exception] = ValueError
) -> Exception:
    """The error every check raises: `owner: argument `name` must be EXPECTED, received
    name=VALUE`, as an instance of `error` (to be raised by the caller)."""
    return error(f"{owner}: argument `{name}` must be {expected}, received {name}={value!r}")


def check_bool(owner: str, name: str, value: Any) -> bool:
    """True or False (numpy's bool too); 0, 1 and None are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise argument_error(owner, name, value, "True or False", TypeError)
    return bool(value)


def check_int(
    owner: str,
    name: str,
    value: Any,
    minimum: int | None = None,
    maximum: int | None = None,
    *,
    allow_none: bool = False,
    type_error: type[Exception] = TypeError,
) -> int | None:
    """An integer (not a bool, not a float such as 2.0) within [minimum, maximum], or None
    when allowed. `type_error` is the error for a value that is not an integer at all (Keras
    raises ValueError for some arguments, such as Dense's `units`)."""
    if value is None and allow_none:
        return None
    expected = _bounds_text("an integer", minimum, maximum) + (" or None" if allow_none else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise argument_error(owner, name, value, expected, type_error)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise argument_error(owner, name, value, expected)
    return int(value)


def check_positive_int(
    owner: str,
    name: str,
    value: Any,
    *,
    allow_none: bool = False,
    type_error: type[Exception] = TypeError,
) -> int | None:
    """An integer >= 1 (not a bool), or None when allowed."""
    if value is None and allow_none:
        return None
    expected = "a positive integer" + (" or None" if allow_none else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise argument_error(owner, name, value, expected, type_error)
    if value < 1:
        raise argument_error(owner, name, value, expected)
    return int(value)


def check_number(
    owner: str,
    name: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool = False,
) -> float | None:
    """A finite real number (a bool is refused: `alpha=True` is a bug) within the bounds
    given, returned as a Python float (so that it keeps a float32 input float32), or None
    when allowed. `low_open`/`high_open` exclude the bound itself; an infinite bound is no
    bound."""
    if value is None and allow_none:
        return None
    minimum = None if minimum is not None and math.isinf(minimum) else minimum
    maximum = None if maximum is not None and math.isinf(maximum) else maximum
    expected = _bounds_text("a finite real number", minimum, maximum, low_open, high_open)
    expected += " or None" if allow_none else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise argument_error(owner, name, value, expected, TypeError)
    if not math.isfinite(value):
        raise argument_error(owner, name, value, expected)
    too_low = minimum is not None and (value <= minimum if low_open else value < minimum)
    too_high = maximum is not None and (value >= maximum if high_open else value > maximum)
    if too_low or too_high:
        raise argument_error(owner, name, value, expected)
    return float(value)


def check_str(owner: str, name: str, value: Any) -> str:
    """A non-empty str."""
    if not isinstance(value, str) or not value:
        raise argument_error(owner, name, value, "a non-empty str", TypeError)
    return value


def check_choice(owner: str, name: str, value: Any, allowed: Sequence[str]) -> str:
    """One of the strings in `allowed`; a near miss is named in the error."""
    expected = f"one of {list(allowed)}"
    if not isinstance(value, str):
        raise argument_error(owner, name, value, expected, TypeError)
    if value not in allowed:
        close = difflib.get_close_matches(value, allowed, n=3, cutoff=0.6)
        hint = f". Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(str(argument_error(owner, name, value, expected)) + hint)
    return value


def check_path(owner: str, name: str, value: Any) -> str:
    """A file path (a non-empty str or os.PathLike), returned as a str."""
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise argument_error(owner, name, value, "a file path (str or Path)", TypeError)
    return os.fspath(value)


def _bounds_text(
    kind: str,
    minimum: float | None,
    maximum: float | None,
    low_open: bool = False,
    high_open: bool = False,
) -> str:
    """'a finite number in [0, 1)', 'an integer >= 1', ... for the error messages."""
    if minimum is not None and maximum is not None:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        return f"{kind} in {left}{minimum:g}, {maximum:g}{right}"
    if minimum is not None:
        return f"{kind} {'>' if low_open else '>='} {minimum:g}"
    if maximum is not None:
        return f"{kind} {'<' if high_open else '<='} {maximum:g}"
    return kind
