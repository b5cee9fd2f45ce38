"""Shrinkage activations: they pull small inputs to 0 (or, for tanh_shrink, near it). They come
from sparse coding and denoising, where soft thresholding is the proximal operator of the L1
norm.

Each is a `Function`: `forward` computes on numpy arrays, `backward` is the derivative, one
rule in Tensor operations. soft_shrink and hard_shrink are piecewise linear: their
derivative is an `indicator` of |x| > threshold (0 at the threshold, as PyTorch's softshrink
and hardshrink).
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .arguments import TensorLike, as_float_tensor, check_number
from .pieces import indicator
from .registry import Form, register
from .sigmoids import tanh

# ---- soft_shrink ---------------------------------------------------------------------------


class SoftShrink(Function):
    """`soft_shrink`'s Function: x - clip(x, -threshold, threshold)."""

    name = "soft_shrink"
    derivative = "d/dx = 1 for |x| > threshold (where out != 0), else 0"

    def forward(ctx, x, threshold=0.5):
        out = x - np.clip(x, -threshold, threshold)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * indicator(out != 0, out.dtype)  # out != 0 where |x| > threshold


@register(forms=(Form(kinks=(-0.5, 0.5)), Form({"threshold": 1.0}, (-1.0, 1.0))))
def soft_shrink(x: TensorLike, threshold: float = 0.5) -> Tensor:
    """Soft Shrink activation function.

    It is defined as:

    - `soft_shrink(x) = x - threshold` if `x > threshold`,
    - `soft_shrink(x) = x + threshold` if `x < -threshold`,
    - `soft_shrink(x) = 0` otherwise.

    Every value moves `threshold` closer to 0, and those within `threshold` of 0 become 0.

    Derivative: `1` for `|x| > threshold`, else `0` (0 at `+-threshold`, as PyTorch).

    Args:
        x: Input tensor.
        threshold: Threshold value, a number >= 0. Defaults to 0.5.

    Returns:
        A Tensor with the same shape and float dtype as `x`.
    """
    threshold = check_number("soft_shrink", "threshold", threshold, minimum=0)
    return SoftShrink.apply(as_float_tensor(x), threshold=threshold)


# ---- hard_shrink ---------------------------------------------------------------------------


class HardShrink(Function):
    """`hard_shrink`'s Function: x times [|x| > threshold]."""

    name = "hard_shrink"
    derivative = "d/dx = 1 for |x| > threshold (where out != 0), else 0"

    def forward(ctx, x, threshold=0.5):
        out = x * (np.abs(x) > threshold)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * indicator(out != 0, out.dtype)  # out != 0 where |x| > threshold


@register(forms=(Form(kinks=(-0.5, 0.5)), Form({"threshold": 1.0}, (-1.0, 1.0))))
def hard_shrink(x: TensorLike, threshold: float = 0.5) -> Tensor:
    """Hard Shrink activation function.

    The Hard Shrink function is a thresholding operation defined as:

    - `hard_shrink(x) = x` if `|x| > threshold`,
    - `hard_shrink(x) = 0` otherwise.

    Derivative: `1` for `|x| > threshold`, else `0` (0 at `+-threshold`, as PyTorch).

    Args:
        x: Input tensor.
        threshold: Threshold value, a number >= 0. Defaults to 0.5.

    Returns:
        A Tensor with the same shape and float dtype as `x`.
    """
    threshold = check_number("hard_shrink", "threshold", threshold, minimum=0)
    return HardShrink.apply(as_float_tensor(x), threshold=threshold)


# ---- tanh_shrink ---------------------------------------------------------------------------


class TanhShrink(Function):
    """`tanh_shrink`'s Function. Near 0 the difference cancels (it is x^3 / 3 + ...): in
    float32 its absolute error is about 1e-8 there, well inside the 2e-6 asked, though not
    small relative to x^3 / 3. The derivative takes tanh(x) again, rather than x - out,
    which rounds to 0 once x is large (x - 1 is x in float32 from 2^24 on)."""

    name = "tanh_shrink"
    derivative = "d/dx = tanh(x)^2"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x - np.tanh(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = tanh(x)
        return grad * (t * t)


@register
def tanh_shrink(x: TensorLike) -> Tensor:
    """Tanh shrink activation function.

    It is defined as: `f(x) = x - tanh(x)`: close to 0 (like `x^3 / 3`) for small x and to
    `x - sign(x)` for large `|x|`.

    Derivative: `f'(x) = tanh(x)^2`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.
    """
    return TanhShrink.apply(as_float_tensor(x))
