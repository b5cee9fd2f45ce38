"""S-shaped activations: sigmoid and its relatives (hard_sigmoid, log_sigmoid, sparse_sigmoid),
tanh and hard_tanh, and softsign.

Each is a `Function`: `forward` computes on numpy arrays in a numerically stable form, and
`backward` gives the derivative in Tensor operations, so that it can be differentiated again.
The piecewise linear ones (hard_sigmoid, sparse_sigmoid, hard_tanh) save their derivative,
a piecewise constant, for backward; at their kinks it is 0, as PyTorch's hardsigmoid and
hardtanh. When nothing will call backward (`ctx.needs_input_grad` is empty), forward does
not build it.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ._arguments import TensorLike, as_float_tensor

# ---- sigmoid -------------------------------------------------------------------------------


def sigmoid_from_exp(e: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """sigmoid(x), given e = e^-|x| and positive = [x >= 0].

    1 / (1 + e^-x) overflows e^-x for x << 0; e^x / (1 + e^x), the same number, does for
    x >> 0. Taking the first for x >= 0 and the second for x < 0 needs only e = e^-|x|, in
    (0, 1]: it cannot overflow. The numerator, 1 or e, is max([x >= 0], e) since e <= 1: no
    branch. (softplus and log_sigmoid, which compute e anyway, get their derivatives from it.)
    """
    numerator = np.array(positive, dtype=e.dtype)  # (a max of two float arrays is faster)
    np.maximum(numerator, e, out=numerator)
    numerator /= e + 1.0
    return numerator


class Sigmoid(Function):
    """sigmoid(x) = 1 / (1 + e^-x);
    d/dx = sigmoid(x) * (1 - sigmoid(x)), computed from the output."""

    def forward(ctx, x):
        out = sigmoid_from_exp(np.exp(-np.abs(x)), x >= 0)
        if ctx.needs_input_grad:
            ctx.save_for_backward(out, out * (1.0 - out))
        return out

    def backward(ctx, grad):
        out, slope = ctx.saved_tensors  # slope = out (1 - out), computed in forward
        if is_grad_enabled():  # backward is being recorded (create_graph=True): the slope
            slope = out * (1.0 - out)  # must be a function of the output, to be differentiated
        return grad * slope


def sigmoid(x: TensorLike) -> Tensor:
    """Sigmoid activation function.

    It is defined as `f(x) = 1 / (1 + exp(-x))`.

    For small values (<-5), `sigmoid` returns a value close to zero, and for large values
    (>5) the result of the function gets close to 1.

    Sigmoid is equivalent to a 2-element softmax, where the second element is assumed to
    be zero. The sigmoid function always returns a value between 0 and 1. It is computed
    stably: no overflow for any input (`sigmoid(-1000) = 0`, `sigmoid(1000) = 1`).

    Derivative: `sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))`.

    Args:
        x: Input tensor (a Tensor, numpy array, list or number; integers become floatx).

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Example:

    >>> sigmoid([-1.0, 0.0, 1.0, 2.0, 3.0])
    Tensor([0.2689414  0.5        0.7310586  0.880797   0.95257413], shape=(5,), dtype=float32)
    """
    return Sigmoid.apply(as_float_tensor(x))


# ---- hard_sigmoid --------------------------------------------------------------------------


class HardSigmoid(Function):
    """hard_sigmoid(x) = clip(x / 6 + 1/2, 0, 1) = clip(x + 3, 0, 6) / 6;
    d/dx = 1/6 for -3 < x < 3, else 0 (0 at -3 and 3, as PyTorch's hardsigmoid)."""

    name = "hard_sigmoid"

    def forward(ctx, x):
        if ctx.needs_input_grad:
            slope = np.multiply(np.abs(x) < 3.0, 1 / 6, dtype=x.dtype)
            ctx.save_for_backward(slope)  # piecewise constant: its own derivative is 0
        # (x + 3) / 6 rounds once where x + 3 is exact: hard_sigmoid(-1) is 1/3 to the last bit.
        out = np.clip(x + 3.0, 0.0, 6.0)
        out /= 6.0
        return out

    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


def hard_sigmoid(x: TensorLike) -> Tensor:
    """Hard sigmoid activation function.

    The hard sigmoid activation is defined as:

    - `0` if `x <= -3`
    - `1` if `x >= 3`
    - `(x / 6) + 0.5` if `-3 < x < 3`

    It's a faster, piecewise linear approximation of the sigmoid activation. (This is
    Keras 3's definition; tf.keras 2 used `clip(0.2 * x + 0.5, 0, 1)`.)

    Derivative: `1 / 6` for `-3 < x < 3`, else `0` (0 at -3 and 3, as PyTorch).

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Reference:
        - [Wikipedia "Hard sigmoid"](https://en.wikipedia.org/wiki/Hard_sigmoid)
    """
    return HardSigmoid.apply(as_float_tensor(x))


# ---- log_sigmoid ---------------------------------------------------------------------------


class LogSigmoid(Function):
    """log_sigmoid(x) = log(1 / (1 + e^-x)) = -softplus(-x);
    d/dx = 1 - sigmoid(x) = sigmoid(-x)."""

    name = "log_sigmoid"

    def forward(ctx, x):
        # -log(1 + e^-x) = min(x, 0) - log(1 + e^-|x|): the exponent is never positive, so
        # nothing overflows, and log1p keeps the right tail exact (-2e-9 at x = 20, not 0).
        e = np.exp(-np.abs(x))
        out = np.clip(x, -np.inf, 0.0)
        out -= np.log1p(e)
        if ctx.needs_input_grad:
            # sigmoid(-x), from the same e (|-x| = |x|): its numerator is 1 where -x >= 0
            ctx.save_for_backward(x, sigmoid_from_exp(e, x <= 0))
        return out

    def backward(ctx, grad):
        x, s = ctx.saved_tensors  # s = sigmoid(-x), computed in forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): s must
            s = sigmoid(-x)  # be a function of x, so that it is differentiated too
        return grad * s


def log_sigmoid(x: TensorLike) -> Tensor:
    """Logarithm of the sigmoid activation function.

    It is defined as `f(x) = log(1 / (1 + exp(-x)))`, i.e. `-softplus(-x)`, computed
    without overflow or loss of the tails: about `x` for `x << 0`, about `-exp(-x)` for
    `x >> 0`.

    Derivative: `f'(x) = 1 - sigmoid(x) = sigmoid(-x)`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.
    """
    return LogSigmoid.apply(as_float_tensor(x))


# ---- sparse_sigmoid ------------------------------------------------------------------------


class SparseSigmoid(Function):
    """sparse_sigmoid(x) = clip((x + 1) / 2, 0, 1);
    d/dx = 1/2 for -1 < x < 1, else 0 (0 at -1 and 1, like hard_tanh, of which it is
    (hard_tanh(x) + 1) / 2)."""

    name = "sparse_sigmoid"

    def forward(ctx, x):
        if ctx.needs_input_grad:
            slope = np.multiply(np.abs(x) < 1.0, 0.5, dtype=x.dtype)
            ctx.save_for_backward(slope)  # piecewise constant: its own derivative is 0
        out = x + 1.0
        out *= 0.5
        return np.clip(out, 0.0, 1.0)

    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


def sparse_sigmoid(x: TensorLike) -> Tensor:
    """Sparse sigmoid activation function.

    It is defined as

    - `f(x) = 0` for `x <= -1`,
    - `f(x) = 0.5 * (x + 1)` for `-1 < x < 1`,
    - `f(x) = 1` for `x >= 1`.

    Derivative: `1 / 2` for `-1 < x < 1`, else `0` (0 at -1 and 1, as hard_tanh).

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Reference:
        - [M. Blondel, A. F. T. Martins, V. Niculae, 2019](https://arxiv.org/pdf/1901.02324)
    """
    return SparseSigmoid.apply(as_float_tensor(x))


# ---- tanh ----------------------------------------------------------------------------------


class Tanh(Function):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x);  d/dx = 1 - tanh(x)^2, from the output."""

    def forward(ctx, x):
        out = np.tanh(x)
        if ctx.needs_input_grad:
            ctx.save_for_backward(out, 1.0 - out * out)
        return out

    def backward(ctx, grad):
        out, slope = ctx.saved_tensors  # slope = 1 - out^2, computed in forward: a constant
        if is_grad_enabled():  # backward is being recorded (create_graph=True): the slope
            slope = 1.0 - out * out  # must be a function of the output, to be differentiated
        return grad * slope


def tanh(x: TensorLike) -> Tensor:
    """Hyperbolic tangent activation function.

    It is defined as: `tanh(x) = sinh(x) / cosh(x)`, i.e.
    `tanh(x) = ((exp(x) - exp(-x)) / (exp(x) + exp(-x)))`: like sigmoid, but centred on 0,
    with values in (-1, 1). (`tanh(x) = 2 * sigmoid(2 * x) - 1`.)

    Derivative: `tanh'(x) = 1 - tanh(x)^2`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.
    """
    return Tanh.apply(as_float_tensor(x))


# ---- hard_tanh -----------------------------------------------------------------------------


class HardTanh(Function):
    """hard_tanh(x) = clip(x, -1, 1);
    d/dx = 1 for -1 < x < 1, else 0 (0 at -1 and 1, as PyTorch's hardtanh)."""

    name = "hard_tanh"

    def forward(ctx, x):
        if ctx.needs_input_grad:
            slope = np.array(np.abs(x) < 1.0, dtype=x.dtype)
            ctx.save_for_backward(slope)  # piecewise constant: its own derivative is 0
        return np.clip(x, -1.0, 1.0)

    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


def hard_tanh(x: TensorLike) -> Tensor:
    """HardTanh activation function.

    It is defined as:

    - `-1` for `x < -1`,
    - `x` for `-1 <= x <= 1`,
    - `1` for `x > 1`.

    Derivative: `1` for `-1 < x < 1`, else `0` (0 at -1 and 1, as PyTorch's hardtanh).

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Reference:
        - [R. Collobert, 2004](https://infoscience.epfl.ch/record/82802/files/rr04-04.pdf)
    """
    return HardTanh.apply(as_float_tensor(x))


# ---- softsign ------------------------------------------------------------------------------


class Softsign(Function):
    """softsign(x) = x / (1 + |x|);  d/dx = 1 / (1 + |x|)^2."""

    def forward(ctx, x):
        denominator = np.abs(x)
        denominator += 1.0
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, denominator)
        return x / denominator

    def backward(ctx, grad):
        x, denominator = ctx.saved_tensors  # 1 + |x|, computed in forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): it must be
            denominator = x.abs() + 1.0  # a function of x, so that it is differentiated too
        return grad / (denominator * denominator)


def softsign(x: TensorLike) -> Tensor:
    """Softsign activation function.

    Softsign is defined as: `softsign(x) = x / (abs(x) + 1)`: an S-shaped curve like tanh,
    with values in (-1, 1), approached polynomially rather than exponentially.

    Derivative: `softsign'(x) = 1 / (1 + abs(x))^2`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Example:

    >>> softsign([-1.0, 0.0, 1.0, 2.0, 3.0])
    Tensor([-0.5        0.         0.5        0.6666667  0.75     ], shape=(5,), dtype=float32)
    """
    return Softsign.apply(as_float_tensor(x))
