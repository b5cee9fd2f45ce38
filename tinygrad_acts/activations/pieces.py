"""Small pieces the activation pages share.

- `indicator`: the piecewise-constant factor of a backward rule, such as `[x > 0]` for relu.
  It is computed in `backward` from a comparison of the saved tensors and enters the rule
  as a constant: its derivative is 0, which is right everywhere but at the jumps
  themselves. A comparison is an operation (`ops.Compare`), so `ta.jit` records the mask
  as a kernel and a replay computes it afresh from the new values.
- `gated` and `finite`: a gate that vanishes at -inf (silu's sigmoid, gelu's Phi) multiplies
  an x that is infinite there, and -inf * 0 would be NaN; the limit is 0.
- `gate_from_output`: that gate again, read off the output (out / x), so that a backward rule
  needs no second sigmoid or erfc.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor


def indicator(condition: Tensor, dtype: np.dtype, value: float = 1.0) -> Tensor:
    """`value` where `condition` (a boolean Tensor, e.g. `x > 0`) holds, 0 elsewhere, as a
    Tensor of `dtype`: converted first, then scaled (a bool times a Python float would be
    float64)."""
    out = condition.astype(dtype)
    return out if value == 1.0 else out * value


def gated(x: np.ndarray, gate: np.ndarray) -> np.ndarray:
    """x * gate, with x = -inf taken as the most negative finite number, so that where the
    gate is 0 the product is the limit, 0, not NaN (+inf is kept: the gate is 1 there)."""
    out = np.clip(x, np.finfo(x.dtype).min, np.inf)
    out *= gate
    return out


def finite(t: Tensor) -> Tensor:
    """t with +-inf replaced by the largest finite numbers of its dtype (a clip: the gradient
    passes wherever t is finite), for a product whose other factor is 0 where t is infinite."""
    largest = float(np.finfo(t.dtype).max)
    return t.clip(-largest, largest)


def gate_from_output(x: np.ndarray, out: np.ndarray, at_zero: float) -> np.ndarray:
    """g(x), read off out = gated(x, g(x)): out / x, and the gate's limits where that is 0 / 0
    (`at_zero`, at x = 0) or inf / inf (1, at x = +inf); at x = -inf, out is 0 and so is
    0 / -inf. Rounding: two roundings of g(x), where computing g(x) again costs a sigmoid or
    an erfc."""
    with np.errstate(invalid="ignore", divide="ignore"):
        gate = out / x
    if np.isnan(gate).any():  # 0 / 0 at x = 0, inf / inf at x = +inf (x = NaN stays NaN)
        gate[x == 0] = at_zero
        gate[x == np.inf] = 1.0
    return gate
