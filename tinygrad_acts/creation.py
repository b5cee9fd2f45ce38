"""Ways to make a Tensor from nothing: filled with zeros or ones, a range, random normals.

Each follows numpy's function of the same name; `dtype` defaults to `ta.floatx()` (float32),
as every float the library makes, and `randn` draws from the library's generator, so
`ta.set_seed` makes it reproducible.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import config
from .tensor import Tensor
from .validation import checked_dtype


def _shape(shape: Any, where: str) -> tuple[int, ...]:
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0
               for n in shape):
        raise ValueError(f"{where}: shape must be non-negative integers, received {shape!r}")
    return tuple(int(n) for n in shape)


def _filled(where: str, shape: Any, value: float, dtype: Any, requires_grad: bool) -> Tensor:
    dtype = checked_dtype(dtype or config.floatx(), where)
    return Tensor(np.full(_shape(shape, where), value, dtype=dtype), requires_grad=requires_grad)


def zeros(shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: `ta.zeros((2, 3))`."""
    return _filled("zeros", shape, 0, dtype, requires_grad)


def ones(shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: `ta.ones((2, 3))`."""
    return _filled("ones", shape, 1, dtype, requires_grad)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of `t`'s shape and (unless given) dtype."""
    array = np.asarray(t)
    return _filled("zeros_like", array.shape, 0, dtype or array.dtype, requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of `t`'s shape and (unless given) dtype."""
    array = np.asarray(t)
    return _filled("ones_like", array.shape, 1, dtype or array.dtype, requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop), as numpy's arange: `ta.arange(5)` is 0..4.
    Integer arguments give an integer tensor (as in numpy); pass a float dtype to get floats."""
    for name, value in (("start", start), ("stop", stop), ("step", step)):
        if value is not None and (isinstance(value, bool) or not isinstance(
                value, (int, float, np.integer, np.floating)) or not np.isfinite(value)):
            raise ValueError(f"arange: {name} must be a finite number, received {name}={value!r}")
    if step == 0:
        raise ValueError("arange: step must not be 0, received step=0")
    if dtype is None and any(isinstance(v, (float, np.floating)) for v in (start, stop, step)):
        dtype = config.floatx()
    dtype = None if dtype is None else checked_dtype(dtype, "arange")
    values = np.arange(start, stop, step, dtype=dtype) if stop is not None else np.arange(
        start, step=step, dtype=dtype)
    return Tensor(values, requires_grad=requires_grad)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples of the standard normal distribution: `ta.randn(2, 3)` or `ta.randn((2, 3))`,
    drawn from the library's generator (reproducible after `ta.set_seed`)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    dtype = checked_dtype(dtype or config.floatx(), "randn")
    if dtype.kind != "f":
        raise TypeError(f"randn: dtype must be a float type, received {dtype}")
    values = config.rng().standard_normal(_shape(shape, "randn")).astype(dtype)
    return Tensor(values, requires_grad=requires_grad)
