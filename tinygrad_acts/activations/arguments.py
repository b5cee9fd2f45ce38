"""What every activation does with its arguments before computing: the input becomes a float
Tensor, and each parameter is checked, with an error that names the function, the argument
and the value received (Keras style), before anything is computed."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..config import floatx
from ..tensor import Tensor
from ..validation import normalize_axis as _normalize_axis

#: What an activation accepts as input: a Tensor, a numpy array, a (nested) list or a number.
TensorLike = Tensor | np.ndarray | list | float | int


def as_float_tensor(x: TensorLike) -> Tensor:
    """`x` as a float Tensor: Tensors pass through, arrays, lists and numbers are wrapped,
    and integer (or bool) input becomes `floatx()`, since activations are real functions."""
    t = x if isinstance(x, Tensor) else Tensor(x)
    return t if t.data.dtype.kind == "f" else t.astype(floatx())


def check_number(
    fn: str, argname: str, value: Any, minimum: float | None = None, allow_none: bool = False
) -> float | None:
    """A finite real number (a bool is refused: `alpha=True` is a bug), at least `minimum`;
    returned as a Python float, so that it keeps a float32 input float32."""
    if value is None and allow_none:
        return None
    expected = "a finite real number"
    if minimum is not None:
        expected += f" >= {minimum:g}"
    if allow_none:
        expected += " or None"
    message = f"{fn}: argument `{argname}` must be {expected}, received {argname}={value!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(message)
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        raise ValueError(message)
    return float(value)


def check_axis(fn: str, axis: Any, ndim: int, allow_many: bool = True) -> int | tuple | None:
    """An axis of an `ndim`-dimensional input, returned as given (a list becomes a tuple), so
    that graph drawings show it as the user wrote it: `softmax(axis=-1)`. With `allow_many`,
    a tuple of axes or None (all axes) is accepted too."""
    if allow_many and isinstance(axis, list):
        axis = tuple(axis)
    if not allow_many and (isinstance(axis, bool) or not isinstance(axis, (int, np.integer))):
        raise TypeError(f"{fn}: argument `axis` must be an int, received axis={axis!r}")
    try:
        _normalize_axis(axis, ndim, argname="axis")
    except (TypeError, ValueError) as e:
        raise type(e)(f"{fn}: {e}") from None
    return int(axis) if isinstance(axis, np.integer) else axis


class Default(float):
    """A default argument that can tell that it was not given (`isinstance(v, Default)`), so
    that a value given under two names (`negative_slope` and tf.keras 2's `alpha`) is
    refused; it prints as its number, so that a signature reads like Keras's."""


def resolve_slope(fn: str, negative_slope: float, alpha: float | None) -> float:
    """The negative slope, given as `negative_slope` (Keras 3) or `alpha` (tf.keras 2), not
    both: `negative_slope` defaults to a `Default`, so that giving it is seen."""
    if alpha is None:
        return check_number(fn, "negative_slope", negative_slope, minimum=0)
    if not isinstance(negative_slope, Default):
        raise TypeError(
            f"{fn}: got the slope twice, negative_slope={negative_slope!r} and "
            f"alpha={alpha!r}; `alpha` is the tf.keras 2 name of `negative_slope`: give one"
        )
    return check_number(fn, "alpha", alpha, minimum=0)
