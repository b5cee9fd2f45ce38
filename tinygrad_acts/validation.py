"""Argument validation: every check of what a user passes, in one place.

Each check returns the value in the form the library works with, or raises a TypeError or
ValueError that names the argument, what was received and what was expected, before any
state changes (DESIGN.md).
"""

from __future__ import annotations

import math
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
    return len(shape) <= len(target) and all(
        n == m or n == 1 for n, m in zip(reversed(shape), reversed(target), strict=False)
    )


def python_number(value: Any) -> Any:
    """A numpy scalar as the Python number it holds: Python numbers are "weak" in numpy 2
    (they take the array's dtype), numpy float64 scalars are not."""
    return value.item() if isinstance(value, np.generic) else value
