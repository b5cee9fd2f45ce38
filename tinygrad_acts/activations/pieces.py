"""Small pieces the activation pages share.

- `indicator`: the piecewise-constant factor of a backward rule, such as `[x > 0]` for relu.
  It is computed in `backward` from the saved input's values and enters the rule as a
  constant: its derivative is 0, which is right everywhere but at the jumps themselves.
- `gated` and `finite`: a gate that vanishes at -inf (silu's sigmoid, gelu's Phi) multiplies
  an x that is infinite there, and -inf * 0 would be NaN; the limit is 0.
"""

from __future__ import annotations

import numpy as np

from ..engine import Tensor


def indicator(condition: np.ndarray, dtype: np.dtype, value: float = 1.0) -> np.ndarray:
    """`value` where `condition` holds, 0 elsewhere, as an array of `dtype` (a bool array
    times a Python float would be float64)."""
    return np.multiply(condition, value, dtype=dtype)


def gated(x: np.ndarray, gate: np.ndarray) -> np.ndarray:
    """x * gate, with x = -inf taken as the most negative finite number, so that where the
    gate is 0 the product is the limit, 0, not NaN (+inf is kept: the gate is 1 there)."""
    return np.clip(x, np.finfo(x.dtype).min, np.inf) * gate


def finite(t: Tensor) -> Tensor:
    """t with +-inf replaced by the largest finite numbers of its dtype (a clip: the gradient
    passes wherever t is finite), for a product whose other factor is 0 where t is infinite."""
    largest = float(np.finfo(t.dtype).max)
    return t.clip(-largest, largest)
