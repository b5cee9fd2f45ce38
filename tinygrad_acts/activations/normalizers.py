"""Activations over an axis: softmax, log_softmax and sparsemax turn a vector of scores into
a probability distribution (or its log), and glu gates one half of a vector with the other.

Unlike the elementwise activations, each output depends on the whole vector along `axis`,
so the derivative is a Jacobian matrix per vector; `backward` applies it to the incoming
gradient without building it.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..ops import concatenate
from ..tensor import Tensor
from .arguments import TensorLike, as_float_tensor, check_axis
from .pieces import indicator
from .registry import Form, register
from .sigmoids import sigmoid, sigmoid_array

AxisLike = int | tuple[int, ...] | None

# ---- softmax -------------------------------------------------------------------------------


class Softmax(Function):
    """`softmax`'s Function. Subtracting the max changes nothing (it cancels in the ratio)
    but makes every exponent <= 0: nothing overflows, even for logits 1e4 apart. The
    Jacobian is diag(y) - y y^T (y the output), applied without building it."""

    derivative = "d/dx = y * (g - sum(g * y)), y = out, g the incoming gradient"

    def forward(ctx, x, axis=-1):
        out = x - np.max(x, axis=axis, keepdims=True)
        np.exp(out, out=out)
        out /= np.sum(out, axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(axis=ctx.params["axis"], keepdims=True))


_AXIS_FORMS = (Form(), Form({"axis": 0}), Form({"axis": None}))


@register(forms=_AXIS_FORMS, elementwise=False)
def softmax(x: TensorLike, axis: AxisLike = -1) -> Tensor:
    """Softmax converts a vector of values to a probability distribution.

    The elements of the output vector are in range `[0, 1]` and sum to 1.

    Each input vector is handled independently.
    The `axis` argument sets which axis of the input the function
    is applied along.

    Softmax is often used as the activation for the last
    layer of a classification network because the result could be
    interpreted as a probability distribution.

    The softmax of each vector x is computed as
    `exp(x) / sum(exp(x))`.

    The input values are the log-odds of the resulting probability.

    Derivative: the Jacobian is `diag(y) - y y^T`, with `y = softmax(x)`.

    Args:
        x: Input tensor.
        axis: Integer, tuple of integers, or None (all axes): the axis along which the
            softmax normalization is applied. Defaults to -1.

    Returns:
        A Tensor of the same shape and float dtype as `x`.
    """
    x = as_float_tensor(x)
    axis = check_axis("softmax", axis, x.ndim)
    return Softmax.apply(x, axis=axis)


# ---- log_softmax ---------------------------------------------------------------------------


class LogSoftmax(Function):
    """`log_softmax`'s Function: x - m - log(sum(e^(x - m))) with m = max(x): exponents
    <= 0, so nothing overflows, and the largest term of the sum is 1, so the log never sees
    0. The Jacobian is I - 1 softmax(x)^T, with softmax(x) = e^out."""

    name = "log_softmax"
    derivative = "d/dx = g - exp(out) * sum(g), g the incoming gradient"

    def forward(ctx, x, axis=-1):
        out = x - np.max(x, axis=axis, keepdims=True)
        out -= np.log(np.sum(np.exp(out), axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(axis=ctx.params["axis"], keepdims=True)


@register(forms=_AXIS_FORMS, elementwise=False)
def log_softmax(x: TensorLike, axis: AxisLike = -1) -> Tensor:
    """Log-Softmax activation function.

    Each input vector is handled independently.
    The `axis` argument sets which axis of the input the function
    is applied along.

    It is defined as `log_softmax(x) = x - log(sum(exp(x)))`, computed without overflow.

    Derivative: the Jacobian is `I - 1 softmax(x)^T`: for an incoming gradient `g`, the
    gradient is `g - softmax(x) * sum(g)`.

    Args:
        x: Input tensor.
        axis: Integer, tuple of integers, or None (all axes): the axis along which the
            log-softmax is applied. Defaults to -1.

    Returns:
        A Tensor of the same shape and float dtype as `x`.
    """
    x = as_float_tensor(x)
    axis = check_axis("log_softmax", axis, x.ndim)
    return LogSoftmax.apply(x, axis=axis)


# ---- sparsemax -----------------------------------------------------------------------------


class Sparsemax(Function):
    """`sparsemax`'s Function (Martins & Astudillo, 2016). x is first shifted by its max,
    which changes nothing (tau shifts with it) but keeps the sums exact enough: with
    logits [1e8, 0, 1] in float32, 1 + 1e8 rounds to 1e8 and the unshifted test
    `1 + k z_(k) > z_(1) + ... + z_(k)` fails even for k = 1. Shifted, z_(1) = 0 and k = 1
    always passes.

    The Jacobian, on the support S = {i : out_i > 0} with s its 0/1 indicator, is
    diag(s) - s s^T / |S|. The function is piecewise linear: its second derivative is 0, and
    the support, a constant of backward, is all that backward needs.
    """

    derivative = "d/dx = s * (g - sum(g * s) / sum(s)), s = [out > 0], g the incoming gradient"

    def forward(ctx, x, axis=-1):
        z = np.moveaxis(x, axis, -1)
        z = z - np.max(z, axis=-1, keepdims=True)
        z_sorted = np.flip(np.sort(z, axis=-1), axis=-1)  # largest first
        cumsum = np.cumsum(z_sorted, axis=-1)
        k = np.arange(1, z.shape[-1] + 1, dtype=x.dtype)
        # The support is the k largest entries, for the largest k with
        # 1 + k z_(k) > z_(1) + ... + z_(k); the condition holds exactly for k = 1 .. k*.
        support_size = np.sum(1 + k * z_sorted > cumsum, axis=-1, keepdims=True)
        tau = np.take_along_axis(cumsum, support_size - 1, axis=-1) - 1
        tau /= support_size.astype(x.dtype)
        out = np.moveaxis(np.clip(z - tau, 0.0, np.inf), -1, axis)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        axis = ctx.params["axis"]
        support = indicator(out > 0, out.dtype)  # a constant: its derivative is 0
        total = (grad * support).sum(axis=axis, keepdims=True)
        return (grad - total / support.sum(axis=axis, keepdims=True)) * support


def _distance_to_threshold(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """How far each entry is from its row's threshold tau, where sparsemax has its kinks:
    crossing tau moves the entry in or out of the support. On the support out = x - tau, so
    tau is the largest `x - out` there."""
    out = sparsemax(Tensor(x), axis=axis).data
    tau = np.max(np.where(out > 0, x - out, -np.inf), axis=axis, keepdims=True)
    return np.abs(x - tau)


@register(forms=(Form({}, _distance_to_threshold), Form({"axis": 0}, _distance_to_threshold)),
          elementwise=False)
def sparsemax(x: TensorLike, axis: int = -1) -> Tensor:
    """Sparsemax activation function.

    For each vector along `axis`, sparsemax is defined as:

    `sparsemax(x)[i] = max(x[i] - tau(x), 0)`

    where the threshold `tau(x)` makes the outputs sum to 1: sort x in decreasing order,
    `z_(1) >= z_(2) >= ...`, let `k` be the largest index with
    `1 + k * z_(k) > z_(1) + ... + z_(k)`; then `tau = (z_(1) + ... + z_(k) - 1) / k`.
    Like softmax it gives a probability distribution, but one with exact zeros.

    (This follows the paper; Keras 3.15 computes tau differently, and its rows need not sum
    to 1: `[[0.5, 1.2, -0.3, 2.0, 1.9]]` gives all zeros there, `[0, 0, 0, 0.55, 0.45]` here.)

    Derivative: on the support `S` (the entries > 0), with `s` its 0/1 indicator, the
    Jacobian is `diag(s) - s s^T / |S|`.

    Args:
        x: Input tensor.
        axis: int, axis along which the sparsemax operation is applied. Defaults to -1.

    Returns:
        A Tensor of the same shape and float dtype as `x`: the output of the sparsemax
        transformation.

    Reference:
        - [Martins et.al., 2016](https://arxiv.org/abs/1602.02068)
    """
    x = as_float_tensor(x)
    axis = check_axis("sparsemax", axis, x.ndim, allow_many=False)
    return Sparsemax.apply(x, axis=axis)


# ---- glu -----------------------------------------------------------------------------------


class Glu(Function):
    """`glu`'s Function: the gradient is the two halves' derivatives joined along `axis`."""

    derivative = "d/da = sigmoid(b), d/db = a sigmoid(b) (1 - sigmoid(b)), x = [a, b]"

    def forward(ctx, x, axis=-1):
        ctx.save_for_backward(x)
        a, b = np.split(x, 2, axis=axis)
        return a * sigmoid_array(b)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        axis = ctx.params["axis"] % x.ndim
        half = x.shape[axis] // 2
        before = (slice(None),) * axis
        a, b = x[before + (slice(None, half),)], x[before + (slice(half, None),)]
        s = sigmoid(b)
        grad_a = grad * s
        return concatenate([grad_a, grad_a * a * (1 - s)], axis=axis)


@register(elementwise=False)
def glu(x: TensorLike, axis: int = -1) -> Tensor:
    """Gated Linear Unit (GLU) activation function.

    The GLU activation function is defined as:

    `glu(x) = a * sigmoid(b)`,

    where `x` is split into two equal parts `a` and `b` along the given axis.

    Derivative: `sigmoid(b)` with respect to `a`, `a * sigmoid(b) * (1 - sigmoid(b))` with
    respect to `b`.

    Args:
        x: Input tensor.
        axis: The axis along which to split the input tensor. Defaults to `-1`.

    Returns:
        A Tensor of the input's float dtype, with half its size along `axis`.

    Raises:
        ValueError: if the size of `axis` is odd.

    Reference:
        - [Dauphin et al., 2017](https://arxiv.org/abs/1612.08083)
    """
    x = as_float_tensor(x)
    axis = check_axis("glu", axis, x.ndim, allow_many=False)
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu: the size of axis {axis} must be even, to split the input in two halves; "
            f"received an input of shape {x.shape}"
        )
    return Glu.apply(x, axis=axis)
