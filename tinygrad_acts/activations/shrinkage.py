"""Shrinkage activations: they pull small inputs to 0 (or, for tanh_shrink, near it). They come
from sparse coding and denoising, where soft thresholding is the proximal operator of the L1
norm.

Each is a `Function`: `forward` computes on numpy arrays, `backward` gives the derivative in
Tensor operations. soft_shrink and hard_shrink are piecewise linear: they save their
derivative, a piecewise constant, for backward; at the threshold it is 0, as PyTorch's
softshrink and hardshrink. When nothing will call backward (`ctx.needs_input_grad` is
empty), forward does not build it.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ._arguments import TensorLike, as_float_tensor, check_number
from .sigmoids import tanh

# ---- soft_shrink ---------------------------------------------------------------------------


class SoftShrink(Function):
    """soft_shrink(x) = x - threshold for x > threshold, x + threshold for x < -threshold,
    0 otherwise, i.e. x - clip(x, -threshold, threshold);
    d/dx = 1 for |x| > threshold, else 0 (0 at +-threshold, as PyTorch's softshrink)."""

    name = "soft_shrink"

    def forward(ctx, x, threshold=0.5):
        if ctx.needs_input_grad:
            slope = np.array(np.abs(x) > threshold, dtype=x.dtype)
            ctx.save_for_backward(slope)  # piecewise constant: its own derivative is 0
        return x - np.clip(x, -threshold, threshold)

    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


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
    """hard_shrink(x) = x for |x| > threshold, 0 otherwise;
    d/dx = 1 for |x| > threshold, else 0 (0 at +-threshold, as PyTorch's hardshrink)."""

    name = "hard_shrink"

    def forward(ctx, x, threshold=0.5):
        keep = np.array(np.abs(x) > threshold, dtype=x.dtype)
        ctx.save_for_backward(keep)  # the derivative, piecewise constant
        return x * keep

    def backward(ctx, grad):
        (keep,) = ctx.saved_tensors
        return grad * keep


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
    """tanh_shrink(x) = x - tanh(x);  d/dx = 1 - (1 - tanh(x)^2) = tanh(x)^2.

    Near 0 the difference cancels (it is x^3 / 3 + ...): in float32 its absolute error is
    about 1e-8 there, well inside the 2e-6 asked, though not small relative to x^3 / 3.
    """

    name = "tanh_shrink"

    def forward(ctx, x):
        t = np.tanh(x)
        if ctx.needs_input_grad:
            # tanh(x) itself, for backward: x - out would round like x does.
            ctx.save_for_backward(x, t)
        return x - t

    def backward(ctx, grad):
        x, t = ctx.saved_tensors  # t = tanh(x), computed in forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): t must
            t = tanh(x)  # be a function of x, so that it is differentiated too
        return grad * (t * t)


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
