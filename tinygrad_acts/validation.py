"""Argument validation: every check of what a user passes, in one place.

Each check returns the value in the form the library works with, or raises a TypeError or
ValueError that names the argument, what was received and what was expected, before any
state changes (DESIGN.md).
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import config

_DTYPE_KINDS = "fiub"  # float, signed and unsigned integer, bool


def checked_dtype(dtype: Any, where: str) -> np.dtype:
    """`dtype` as a numpy dtype, which must be a float, integer or bool type."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{where}: dtype must be a numpy dtype or its name, received {dtype!r}"
        ) from None
    if dtype.kind not in _DTYPE_KINDS:
        raise TypeError(f"{where}: dtype must be a float, int or bool type, received {dtype}")
    return dtype


def to_array(data: Any, dtype: Any) -> np.ndarray:
    """Tensor data from what a user passes, following the dtype policy (DESIGN.md): Python
    numbers and lists become floatx, numpy arrays keep their dtype."""
    if dtype is not None:
        dtype = checked_dtype(dtype, "Tensor")
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data, dtype=dtype)
    elif isinstance(data, (bool, int, float, list, tuple)):
        array = _array_from_python(data, dtype or config.floatx())
    else:
        raise TypeError(
            "Tensor: data must be a number, a (nested) list of numbers, a numpy array or a "
            f"Tensor, received {type(data).__name__}: {data!r:.80}"
        )
    if array.dtype.kind not in _DTYPE_KINDS:
        raise TypeError(
            f"Tensor: data must be numeric (float, int or bool), received dtype {array.dtype}"
        )
    return array


def _array_from_python(data: Any, dtype: np.dtype) -> np.ndarray:
    try:
        return np.array(data, dtype=dtype)
    except ValueError as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            raise ValueError(
                f"Tensor: data must be rectangular (every row the same length), "
                f"received a ragged list: {data!r:.80}"
            ) from None
        raise TypeError(f"Tensor: data must hold numbers, received {data!r:.80} ({e})") from None
    except TypeError as e:
        raise TypeError(f"Tensor: data must hold numbers, received {data!r:.80} ({e})") from None


def normalize_axis(axis: Any, ndim: int, argname: str = "axis") -> tuple[int, ...] | None:
    """None, an int or a tuple of ints, checked against `ndim`, as a tuple of axes >= 0."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    result = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{argname} must be an int, a tuple of ints or None, received {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{argname}={axis!r} is out of range for a tensor with {ndim} dimensions"
            )
        result.append(int(a) % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"{argname}={axis!r} repeats an axis")
    return tuple(result)


def reshaped(shape: tuple[int, ...], new: tuple[Any, ...]) -> tuple[int, ...]:
    """`new` with its -1 (if any) filled in, checked to hold as many elements as `shape`."""
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in new):
        raise TypeError(f"reshape: the shape must be integers, received {new!r}")
    new = tuple(int(n) for n in new)
    size, known = math.prod(shape), math.prod(n for n in new if n != -1)
    if new.count(-1) > 1 or any(n < -1 for n in new):
        raise ValueError(f"reshape: invalid shape {new}: at most one -1 and no other negatives")
    if -1 in new:
        if known == 0 or size % known:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {shape} ({size} elements) to {new}"
            )
        new = tuple(size // known if n == -1 else n for n in new)
    elif known != size:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {shape} ({size} elements) to {new} "
            f"({known} elements)"
        )
    return new


def broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """True when numpy broadcasting stretches `shape` to exactly `target`."""
    if len(shape) > len(target):
        return False
    for n, m in zip(shape[::-1], target[::-1], strict=False):  # from the last axis on
        if n != m and n != 1:
            return False
    return True


def python_number(value: Any) -> Any:
    """A numpy scalar as the Python number it holds: Python numbers are "weak" in numpy 2
    (they take the array's dtype), numpy float64 scalars are not."""
    return value.item() if isinstance(value, np.generic) else value



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
