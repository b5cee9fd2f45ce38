"""Smooth activations: softplus, the self-gated family (silu, hard_silu, mish, gelu: x times a
gate between 0 and 1), squareplus and sparse_plus (softplus made of square roots and of
parabolas), exponential and linear.

Each is a `Function`: `forward` computes on numpy arrays in a numerically stable form, and
`backward` gives the derivative in Tensor operations, so that it can be differentiated again.

Most derivatives here reuse a value that forward computes anyway (sigmoid(x) for softplus
and silu, Phi(x) for gelu, e^x for mish). Saved for backward, such a value comes back as a
constant: right for the derivative, but the derivative's own derivative would miss its
part. So backward takes the saved value only when it is not being recorded, and recomputes
it from x, in Tensor operations, when it is (`create_graph=True`, for second derivatives).
"""

from __future__ import annotations

import math

import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from ..ops import Exp
from ..tensor import Tensor
from ._arguments import TensorLike, as_float_tensor, check_number
from .rectifiers import relu
from .sigmoids import hard_sigmoid, sigmoid, sigmoid_from_exp, sparse_sigmoid, tanh

# ---- softplus ------------------------------------------------------------------------------


class Softplus(Function):
    """softplus(x) = log(1 + e^x);  d/dx = e^x / (1 + e^x) = sigmoid(x)."""

    def forward(ctx, x):
        # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive, so
        # nothing overflows, and log1p keeps the left tail exact (softplus(-20) = 2e-9, not 0).
        e = np.exp(-np.abs(x))
        out = np.clip(x, 0.0, np.inf)
        out += np.log1p(e)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, sigmoid_from_exp(e, x >= 0))  # sigmoid(x), from the same e
        return out

    def backward(ctx, grad):
        x, s = ctx.saved_tensors  # s = sigmoid(x), computed in forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): s must
            s = sigmoid(x)  # be a function of x, so that it is differentiated too
        return grad * s


def softplus(x: TensorLike) -> Tensor:
    """Softplus activation function.

    It is defined as `softplus(x) = log(exp(x) + 1)`: a smooth relu, positive everywhere,
    close to 0 for x << 0 and to x for x >> 0.

    Derivative: `softplus'(x) = sigmoid(x)`.

    Args:
        x: Input tensor (a Tensor, numpy array, list or number).

    Returns:
        A Tensor of the same shape and float dtype as `x`.
    """
    return Softplus.apply(as_float_tensor(x))


# ---- silu (swish) --------------------------------------------------------------------------


def sigmoid_gate(b: np.ndarray) -> np.ndarray:
    """sigmoid(b) = 1 / (1 + e^-b), the gate of silu and glu. Below b = -88 (float32) e^-b
    overflows to inf, and 1 / inf = 0 is the right limit: that overflow is expected and its
    warning silenced. (sigmoid itself keeps the tail below 1e-38 that this rounds to 0; as a
    factor, 0 is as good.)"""
    with np.errstate(over="ignore"):
        denominator = np.exp(-b)
    denominator += 1
    return 1 / denominator


class Silu(Function):
    """silu(x) = x * sigmoid(x) = x / (1 + e^-x);
    d/dx = s + x s (1 - s) = s + silu(x) (1 - s), with s = sigmoid(x)."""

    def forward(ctx, x):
        s = sigmoid_gate(x)
        out = x * s
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, out, s)
        return out

    def backward(ctx, grad):
        x, out, s = ctx.saved_tensors  # s = sigmoid(x), computed in forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): s must
            s = sigmoid(x)  # be a function of x, so that it is differentiated too
        return grad * (s + out * (1 - s))


def silu(x: TensorLike) -> Tensor:
    """Sigmoid Linear Unit (SiLU) activation function, also known as Swish.

    It is defined as `silu(x) = x * sigmoid(x)`: x gated by its own sigmoid. Smooth and
    non-monotonic, with a minimum of about -0.278 at x = -1.278.

    Derivative: `silu'(x) = s + x * s * (1 - s)`, with `s = sigmoid(x)`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor of the same shape and float dtype as `x`.

    Reference:
        - [Ramachandran et al., 2017](https://arxiv.org/abs/1710.05941)
    """
    return Silu.apply(as_float_tensor(x))


swish = silu


# ---- hard_silu (hard_swish) ----------------------------------------------------------------


class HardSilu(Function):
    """hard_silu(x) = x * h(x), h = hard_sigmoid: h(x) = clip(x + 3, 0, 6) / 6. It is 0 for
    x <= -3, x for x >= 3, a parabola between;
    d/dx = h(x) + x h'(x) (the product rule), with h' = 1/6 on [-3, 3], 0 elsewhere: 0 for
    x < -3, x / 3 + 1/2 for -3 <= x <= 3, 1 for x > 3 (the derivative jumps at -3 and 3,
    where it takes PyTorch's values)."""

    name = "hard_silu"

    def forward(ctx, x):
        h = np.clip(x + 3.0, 0.0, 6.0)
        h /= 6.0
        if ctx.needs_input_grad:
            slope = np.multiply(np.abs(x) <= 3.0, 1 / 6, dtype=x.dtype)  # h', a constant
            ctx.save_for_backward(x, h, slope)
        return x * h

    def backward(ctx, grad):
        x, h, slope = ctx.saved_tensors  # h = hard_sigmoid(x), from forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): h must be
            h = hard_sigmoid(x)  # a function of x, so that it is differentiated too
        return grad * (h + x * slope)


def hard_silu(x: TensorLike) -> Tensor:
    """Hard SiLU activation function, also known as Hard Swish.

    It is defined as:

    - `0` if `x < -3`
    - `x` if `x > 3`
    - `x * (x + 3) / 6` if `-3 <= x <= 3`

    It's a faster, piecewise approximation of the silu activation (made of no exponential:
    0, then a parabola, then x): `hard_silu(x) = x * hard_sigmoid(x) = x * relu6(x + 3) / 6`.

    Derivative: `0` for `x < -3`, `x / 3 + 1 / 2` for `-3 <= x <= 3`, `1` for `x > 3`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor of the same shape and float dtype as `x`.

    Reference:
        - [A Howard, 2019](https://arxiv.org/abs/1905.02244)
    """
    return HardSilu.apply(as_float_tensor(x))


hard_swish = hard_silu


# ---- mish ----------------------------------------------------------------------------------


class Mish(Function):
    """mish(x) = x * tanh(softplus(x));
    d/dx = t + x sigmoid(x) (1 - t^2), with t = tanh(softplus(x)).

    Both come out of e = e^x without a tanh or a log: expanding tanh(log(1 + e)) gives
    t = n / (n + 2) with n = e (e + 2); with sigmoid(x) = e / (1 + e) and
    1 - t^2 = 4 (1 + e)^2 / (n + 2)^2, the derivative is t + 4 x e (1 + e) / (n + 2)^2.
    Beyond x = 20, t is 1 to double precision and the derivative's second term below
    1e-15: x is capped there, so that e^x cannot overflow (and x e (1 + e) / (n + 2)^2
    stays negligible instead of growing with x).
    """

    def forward(ctx, x):
        x_capped = np.clip(x, -np.inf, 20.0)
        e = np.exp(x_capped)
        n = e * (e + 2)
        out = n / (n + 2)
        out *= x
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, x_capped, e)
        return out

    def backward(ctx, grad):
        x, x_capped, e = ctx.saved_tensors  # min(x, 20), e^min(x, 20): constants here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): they must
            x_capped = x.clip(max_value=20.0)  # be functions of x, so that they are
            e = x_capped.exp()  # differentiated too
        n = e * (e + 2)
        d = n + 2
        t = n / d
        # 4 x e (1 + e) / d^2, grouped so that no factor overflows for large x
        return grad * (t + (x_capped / d) * (e * (e + 1) / d) * 4)


def mish(x: TensorLike) -> Tensor:
    """Mish activation function.

    It is defined as `mish(x) = x * tanh(softplus(x))`: smooth, non-monotonic, unbounded
    above and bounded below (minimum about -0.309).

    Derivative: `mish'(x) = t + x * sigmoid(x) * (1 - t^2)`, with `t = tanh(softplus(x))`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor of the same shape and float dtype as `x`.

    Reference:
        - [Misra, 2019](https://arxiv.org/abs/1908.08681)
    """
    return Mish.apply(as_float_tensor(x))


# ---- gelu ----------------------------------------------------------------------------------

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_CUBIC = 0.044715


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) = (1 + erf(x / sqrt(2))) / 2 = erfc(-x / sqrt(2)) / 2: the second form does not
    cancel for x << 0 (1 + erf(x / sqrt(2)) loses every digit once erf is near -1)."""
    # scipy is imported here, not at the top, so that `import tinygrad_acts` stays light.
    from scipy.special import erfc

    out = erfc(x * -_SQRT_HALF).astype(x.dtype, copy=False)  # float16 would come back float64
    out *= 0.5
    return out


def _normal_pdf(x: Tensor) -> Tensor:
    """phi(x) = exp(-x^2 / 2) / sqrt(2 pi), in Tensor operations. x is clipped to +-40, where
    phi is 0 to double precision already, so that x^2 cannot overflow."""
    x = x.clip(-40.0, 40.0)
    return (x * x * -0.5).exp() * _INV_SQRT_2PI


class NormalCdf(Function):
    """Phi(x), the standard normal distribution function;  d/dx = phi(x), its density.
    gelu's derivative uses it, so that gelu's second derivative is right too."""

    name = "normal_cdf"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _normal_cdf(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _normal_pdf(x)


class Gelu(Function):
    """gelu(x) = x * Phi(x), Phi the standard normal distribution function;
    d/dx = Phi(x) + x * phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi) its density.
    (`approximate` is always False here: the parameter only labels the operation.)"""

    def forward(ctx, x, approximate=False):
        cdf = _normal_cdf(x)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, cdf)
        return x * cdf

    def backward(ctx, grad):
        x, cdf = ctx.saved_tensors  # cdf = Phi(x), computed in forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): Phi(x)
            cdf = NormalCdf.apply(x)  # must be a function of x, so that it is differentiated
        return grad * (cdf + x * _normal_pdf(x))


def _gelu_tanh_argument(x):
    """u = sqrt(2 / pi) (x + 0.044715 x^3); for numpy arrays and Tensors alike."""
    return (x + x * x * x * _GELU_CUBIC) * _SQRT_2_OVER_PI


def _gelu_tanh_argument_derivative(x):
    """du/dx = sqrt(2 / pi) (1 + 3 * 0.044715 x^2)."""
    return (x * x * (3 * _GELU_CUBIC) + 1) * _SQRT_2_OVER_PI


class GeluApproximate(Function):
    """gelu(x) ~ x (1 + tanh(u)) / 2, u = sqrt(2 / pi) (x + 0.044715 x^3);
    d/dx = (1 + t) / 2 + x (1 - t^2) u' / 2, t = tanh(u), u' = sqrt(2 / pi) (1 + 0.134145 x^2).

    Beyond |x| = 10, u > 43 and tanh(u) is +-1 exactly, even in double precision: there the
    function is exactly relu and its derivative 0 or 1. So x is clipped to +-10 wherever it
    enters u (changing nothing), which keeps x^3 from overflowing and 0 * inf from a NaN.
    (`approximate` is always True here: the parameter only labels the operation.)"""

    name = "gelu"

    def forward(ctx, x, approximate=True):
        t = np.tanh(_gelu_tanh_argument(np.clip(x, -10.0, 10.0)))
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, t)
        out = t + 1
        out *= 0.5
        out *= x
        return out

    def backward(ctx, grad):
        x, t = ctx.saved_tensors  # t = tanh(u), computed in forward: a constant here
        x = x.clip(-10.0, 10.0)  # outside, 1 - t^2 = 0: the second term vanishes anyway
        if is_grad_enabled():  # backward is being recorded (create_graph=True): t must
            t = tanh(_gelu_tanh_argument(x))  # be a function of x, to be differentiated too
        du = _gelu_tanh_argument_derivative(x)
        return grad * ((1 + t) * 0.5 + x * (1 - t * t) * du * 0.5)


def gelu(x: TensorLike, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit (GELU) activation function.

    The Gaussian error linear unit (GELU) is defined as:

    `gelu(x) = x * P(X <= x)` where `P(X) ~ N(0, 1)`,
    i.e. `gelu(x) = 0.5 * x * (1 + erf(x / sqrt(2)))`.

    GELU weights inputs by their value, rather than gating
    inputs by their sign as in ReLU.

    With `approximate=True`:
    `gelu(x) = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`.

    Derivative: `gelu'(x) = Phi(x) + x * phi(x)`, with `Phi` the standard normal
    distribution function and `phi(x) = exp(-x^2 / 2) / sqrt(2 * pi)` its density; with
    `approximate=True`, `(1 + t) / 2 + x * (1 - t^2) * u' / 2`, with `t` the tanh above and
    `u' = sqrt(2 / pi) * (1 + 3 * 0.044715 * x^2)`.

    Args:
        x: Input tensor.
        approximate: A `bool`, whether to enable the tanh approximation.

    Returns:
        A Tensor of the same shape and float dtype as `x`.

    Reference:
        - [Hendrycks et al., 2016](https://arxiv.org/abs/1606.08415)
    """
    if not isinstance(approximate, (bool, np.bool_)):
        raise TypeError(
            f"gelu: argument `approximate` must be True or False, received "
            f"approximate={approximate!r}"
        )
    op = GeluApproximate if approximate else Gelu
    return op.apply(as_float_tensor(x), approximate=bool(approximate))


# ---- squareplus ----------------------------------------------------------------------------


class Squareplus(Function):
    """squareplus(x) = (x + sqrt(x^2 + b)) / 2;
    d/dx = (1 + x / sqrt(x^2 + b)) / 2 = out / sqrt(x^2 + b).

    Both use squareplus(x) - squareplus(-x) = x (the square roots cancel). In forward, it
    gives squareplus(x) = max(x, 0) + squareplus(-|x|), where the second term is computed as
    (b / 2) / (sqrt(x^2 + b) + |x|) (the same number): nothing cancels, while the plain
    formula gives 0 at x = -1e4 in float32 (the truth is 1e-4). In backward, it gives
    sqrt(x^2 + b) = out + squareplus(-x) = out + (out - x): no square root, and no x^2 to
    overflow.
    """

    def forward(ctx, x, b):
        # Beyond |x| ~ 1e19 (float32) x^2 overflows to inf and the fraction's limit, 0, is
        # right (to 1e-19): that overflow is expected and its warning silenced.
        with np.errstate(over="ignore"):
            denominator = np.sqrt(x * x + b)
        denominator += np.abs(x)
        out = (b / 2) / denominator
        out += np.clip(x, 0.0, np.inf)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (out / (out + (out - x)))


def squareplus(x: TensorLike, b: float = 4) -> Tensor:
    """Squareplus activation function.

    The Squareplus activation function is defined as:

    `f(x) = (x + sqrt(x^2 + b)) / 2`

    a softplus made of a square root: smooth, positive, close to 0 for x << 0 and to x for
    x >> 0. With `b = 0` it is exactly relu (and is computed as relu).

    Derivative: `f'(x) = (1 + x / sqrt(x^2 + b)) / 2`.

    Args:
        x: Input tensor.
        b: Smoothness parameter, a number >= 0. Defaults to 4.

    Returns:
        A Tensor of the same shape and float dtype as `x`.

    Reference:
        - [Barron, 2021](https://arxiv.org/abs/2112.11687)
    """
    b = check_number("squareplus", "b", b, minimum=0)
    x = as_float_tensor(x)
    if b == 0:  # the formula's (b / 2) / (2 |x|) would be 0 / 0 at x = 0
        return relu(x)
    return Squareplus.apply(x, b=b)


# ---- sparse_plus ---------------------------------------------------------------------------


class SparsePlus(Function):
    """sparse_plus(x) = 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1;
    d/dx = (clip(x, -1, 1) + 1) / 2 = sparse_sigmoid(x): 0, then (x + 1) / 2, then 1
    (continuous).

    One formula gives the three pieces: sparse_plus(x) = d^2 + max(x - 1, 0), with d the
    derivative: d^2 is 0 below -1 and 1 above 1, where max(x - 1, 0) adds the rest up to x.
    """

    name = "sparse_plus"

    def forward(ctx, x):
        d = np.clip(x, -1.0, 1.0)
        d += 1
        d *= 0.5
        out = d * d
        out += np.clip(x - 1, 0.0, np.inf)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, d)
        return out

    def backward(ctx, grad):
        x, d = ctx.saved_tensors  # d = sparse_sigmoid(x), from forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): d must
            d = sparse_sigmoid(x)  # be a function of x, so that it is differentiated too
        return grad * d


def sparse_plus(x: TensorLike) -> Tensor:
    """SparsePlus activation function.

    SparsePlus is defined as:

    - `0` for `x <= -1`
    - `(1 / 4) * (x + 1)^2` for `-1 < x < 1`
    - `x` for `x >= 1`

    Derivative: `(clip(x, -1, 1) + 1) / 2`, which is `sparse_sigmoid(x)`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor of the same shape and float dtype as `x`.

    Reference:
        - [Martins et al., 2016](https://arxiv.org/abs/1602.02068)
    """
    return SparsePlus.apply(as_float_tensor(x))


# ---- exponential and linear ----------------------------------------------------------------


class Exponential(Exp):
    """exponential(x) = e^x;  d/dx = e^x, the output itself (the engine's Exp, whose
    backward it inherits). e^x beyond the float range is inf, as in Keras, without a
    warning."""

    name = "exponential"

    def forward(ctx, x):
        with np.errstate(over="ignore"):
            return super().forward(x)


def exponential(x: TensorLike) -> Tensor:
    """Exponential activation function.

    It is defined as `exponential(x) = exp(x)`; it is `inf` where `exp(x)` exceeds the
    float range (x > 88.7 in float32).

    Derivative: `exp(x)`, the output itself.

    Args:
        x: Input tensor.

    Returns:
        A Tensor of the same shape and float dtype as `x`.
    """
    return Exponential.apply(as_float_tensor(x))


class Linear(Function):
    """linear(x) = x;  d/dx = 1: the gradient passes through unchanged."""

    def forward(ctx, x):
        # The same values without a copy; a new array object all the same, so that the graph
        # tells the input and the output apart.
        return x.view()

    def backward(ctx, grad):
        return grad


def linear(x: TensorLike) -> Tensor:
    """Linear activation function (pass-through).

    A "linear" activation is an identity function: it returns the input, unmodified (its
    values are not even copied). It is still an operation of its own, so graph drawings
    show it.

    Derivative: `1`.

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the values of `x`.
    """
    return Linear.apply(as_float_tensor(x))
