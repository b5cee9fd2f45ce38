"""S-shaped activations: sigmoid and its relatives (hard_sigmoid, log_sigmoid, sparse_sigmoid),
tanh and hard_tanh, and softsign.

Each is a `Function`: `forward` computes on numpy arrays in a numerically stable form, and
`backward` is the derivative, one rule in Tensor operations on the saved input or output, so
that it can be differentiated again. The piecewise linear ones (hard_sigmoid,
sparse_sigmoid, hard_tanh) have a piecewise constant derivative, an `indicator` of where x
is; at their kinks it is 0, as PyTorch's hardsigmoid and hardtanh.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .arguments import TensorLike, as_float_tensor
from .pieces import indicator
from .registry import register

# ---- sigmoid -------------------------------------------------------------------------------


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """sigmoid(x) = 1 / (1 + e^-x) on an array, as written. Below x = -88.7 (float32; -709
    in float64) e^-x overflows to inf, and 1 / inf = 0 is the right limit to within the
    smallest normal number (the true value is below 3e-39): that overflow is expected and
    its warning silenced. Nothing else can go wrong: e^-x > 0, so the sum is >= 1."""
    denominator = np.negative(x, out=np.empty_like(x))
    with np.errstate(over="ignore"):
        np.exp(denominator, out=denominator)
    denominator += 1
    return np.reciprocal(denominator, out=denominator)


class Sigmoid(Function):
    """`sigmoid`'s Function (`sigmoid_array`); its derivative from the output."""

    derivative = "d/dx = out (1 - out)"

    def forward(ctx, x):
        out = sigmoid_array(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * (1 - out))


@register
def sigmoid(x: TensorLike) -> Tensor:
    """Sigmoid activation function.

    It is defined as `f(x) = 1 / (1 + exp(-x))`.

    For small values (<-5), `sigmoid` returns a value close to zero, and for large values
    (>5) the result of the function gets close to 1.

    Sigmoid is equivalent to a 2-element softmax, where the second element is assumed to
    be zero. The sigmoid function always returns a value between 0 and 1. It is computed
    without a warning or NaN for any input (`sigmoid(-1000) = 0`, `sigmoid(1000) = 1`).

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
    """`hard_sigmoid`'s Function, computed as clip(x + 3, 0, 6) / 6: (x + 3) / 6 rounds once
    where x + 3 is exact, so hard_sigmoid(-1) is 1/3 to the last bit."""

    name = "hard_sigmoid"
    derivative = "d/dx = 1/6 for -3 < x < 3, else 0"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        out = np.clip(x + 3.0, 0.0, 6.0)
        out /= 6.0
        return out

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * indicator(x.abs() < 3.0, x.dtype, 1 / 6)


@register(kinks=(-3.0, 3.0))
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
    """`log_sigmoid`'s Function. -log(1 + e^-x) = min(x, 0) - log(1 + e^-|x|): the exponent
    is never positive, so nothing overflows, and log1p keeps the right tail exact (-2e-9 at
    x = 20, not 0). The derivative, sigmoid(-x), comes from the output: log_sigmoid(x) - x
    = log_sigmoid(-x), so sigmoid(-x) = e^(out - x), without computing a sigmoid again."""

    name = "log_sigmoid"
    derivative = "d/dx = sigmoid(-x) = exp(out - x)"

    def forward(ctx, x):
        out = np.clip(x, -np.inf, 0.0)
        out -= np.log1p(np.exp(-np.abs(x)))
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (out - x).exp()


@register
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
    """`sparse_sigmoid`'s Function: (x + 1) / 2, clipped to [0, 1]; it is
    (hard_tanh(x) + 1) / 2, and its derivative is 0 at the kinks as hard_tanh's."""

    name = "sparse_sigmoid"
    derivative = "d/dx = 1/2 for -1 < x < 1, else 0"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        out = x + 1.0
        out *= 0.5
        return np.clip(out, 0.0, 1.0)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * indicator(x.abs() < 1.0, x.dtype, 0.5)


@register(kinks=(-1.0, 1.0))
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
    """`tanh`'s Function: numpy's tanh, and the derivative from the output."""

    derivative = "d/dx = 1 - out^2"

    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


@register
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
    """`hard_tanh`'s Function: clip(x, -1, 1)."""

    name = "hard_tanh"
    derivative = "d/dx = 1 for -1 < x < 1, else 0"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.clip(x, -1.0, 1.0)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * indicator(x.abs() < 1.0, x.dtype)


@register(kinks=(-1.0, 1.0))
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
    """`softsign`'s Function. x is first clipped to the finite range, so that +-inf gives
    +-1 (inf / inf would be NaN). The derivative comes from the output, since
    1 - |out| = 1 / (1 + |x|): no square of a large number to overflow."""

    derivative = "d/dx = (1 - |out|)^2"

    def forward(ctx, x):
        largest = np.finfo(x.dtype).max
        finite_x = np.clip(x, -largest, largest)
        out = finite_x / (np.abs(finite_x) + 1.0)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        r = 1 - out.abs()
        return grad * (r * r)


@register(kinks=(0.0,))  # the second derivative jumps at 0
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
