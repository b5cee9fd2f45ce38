"""Smooth activations: softplus, the self-gated family (silu, hard_silu, mish, gelu: x times a
gate between 0 and 1), squareplus and sparse_plus (softplus made of square roots and of
parabolas), exponential and linear.

Each is a `Function`: `forward` computes on numpy arrays in a numerically stable form, and
`backward` is the derivative, one rule in Tensor operations on the saved input and output,
so that it can be differentiated again. Where the derivative needs a value that forward
computed on the way (sigmoid(x) for silu, Phi(x) for gelu), backward computes it again, as
a Tensor operation of x, so that the derivative's own derivative is right too.

The gated ones are 0 at x = -inf, where x * gate would be -inf * 0 = NaN: `gated` keeps the
product at its limit, and their backward rules keep finite what meets a vanishing factor.
"""

from __future__ import annotations

import math

import numpy as np

from ..function import Function
from ..ops import Exp
from ..tensor import Tensor
from .arguments import TensorLike, as_float_tensor, check_number
from .pieces import finite, gate_from_output, gated, indicator
from .rectifiers import relu
from .registry import Form, register
from .sigmoids import hard_sigmoid, sigmoid_array, sparse_sigmoid, tanh

# ---- softplus ------------------------------------------------------------------------------


class Softplus(Function):
    """`softplus`'s Function. log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is
    never positive, so nothing overflows, and log1p keeps the left tail exact
    (softplus(-20) = 2e-9, not 0). The derivative, sigmoid(x), comes from the output:
    x - softplus(x) = log_sigmoid(x), so sigmoid(x) = e^(x - out), without a sigmoid."""

    derivative = "d/dx = sigmoid(x) = exp(x - out)"

    def forward(ctx, x):
        out = np.clip(x, 0.0, np.inf)
        out += np.log1p(np.exp(-np.abs(x)))
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (x - out).exp()


@register
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


class SiluGate(Function):
    """sigmoid(x), read off silu's output (`gate_from_output`) rather than computed again;
    its derivative is sigmoid's, s (1 - s), from its own output (`out` only supplies the
    value: no gradient flows to it)."""

    name = "sigmoid"
    derivative = "d/dx = s (1 - s), s = out"

    def forward(ctx, x, silu_out):
        s = gate_from_output(x, silu_out, at_zero=0.5)
        ctx.save_for_backward(s)
        return s

    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * (s * (1 - s)), None


class Silu(Function):
    """`silu`'s Function: x gated by sigmoid(x). Its derivative, s + x s (1 - s) with
    s = sigmoid(x), is s + out (1 - s); s is read off the output (`SiluGate`), and out is
    kept finite there, since at x = +inf, 1 - s = 0."""

    derivative = "d/dx = s + out (1 - s), s = sigmoid(x) = out / x"

    def forward(ctx, x):
        out = gated(x, sigmoid_array(x))
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        s = SiluGate.apply(x, out)
        return grad * (s + finite(out) * (1 - s))


@register
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


swish = register(silu, "swish")  # an alias: the same function, serialized as silu


# ---- hard_silu (hard_swish) ----------------------------------------------------------------


class HardSilu(Function):
    """`hard_silu`'s Function: x h(x), h = hard_sigmoid, with x taken as at least -3 (where
    h = 0), so that x = -inf gives 0. Its derivative is h + x h' (the product rule), with
    h' = 1/6 on (-3, 3), 0 elsewhere; there x h' = x / 6 = h - 1/2, which is finite for
    every x. At -3 and 3 it is 0 and 1, and the second derivative 0, as PyTorch's."""

    name = "hard_silu"
    derivative = "d/dx = h + (h - 1/2) [|x| < 3], h = hard_sigmoid(x)"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        out = np.clip(x + 3.0, 0.0, 6.0) / 6.0  # h(x)
        out *= np.clip(x, -3.0, np.inf)  # x h(x), with x = -inf taken as -3, where h = 0
        return out

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        h = hard_sigmoid(x)
        return grad * (h + (h - 0.5) * indicator(x.abs() < 3.0, x.dtype))


@register(kinks=(-3.0, 3.0))
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


hard_swish = register(hard_silu, "hard_swish")  # an alias of hard_silu


# ---- mish ----------------------------------------------------------------------------------


def _mish_cap(dtype: np.dtype) -> float:
    """Where mish is x and its derivative 1 to the precision of `dtype`: t = tanh(softplus(x))
    is 1 there, and the derivative's second term, about 4 x e^-2x, below half an ulp of 1.
    (In float16, e^x (e^x + 2) at the cap is also just below the largest number.)"""
    return {np.float16: 5.4, np.float32: 10.5}.get(np.dtype(dtype).type, 21.0)


class Mish(Function):
    """`mish`'s Function. tanh(softplus(x)) and the derivative come out of e = e^x without a
    tanh or a log: expanding tanh(log(1 + e)) gives t = n / (n + 2) with n = e (e + 2); with
    sigmoid(x) = e / (1 + e) and 1 - t^2 = 4 (1 + e)^2 / (n + 2)^2, the derivative is
    t + 4 x e (1 + e) / (n + 2)^2. x is capped where the function is x to the dtype's
    precision (`_mish_cap`), so that e^x cannot overflow (and x e (1 + e) / (n + 2)^2 stays
    negligible instead of growing with x). Below -1000, where e^x is 0 in every dtype, mish
    is 0 (and at x = -inf too, not -inf * 0); so is its derivative, where x is clipped at
    -1000."""

    derivative = "d/dx = t + 4 x e (1 + e) / (n + 2)^2, e = exp(x), n = e (e + 2), t = n / (n + 2)"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        e = np.exp(np.clip(x, -np.inf, _mish_cap(x.dtype)))
        n = e + 2
        n *= e  # e (e + 2)
        return gated(x, n / (n + 2))

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        x_capped = x.clip(-1000.0, _mish_cap(x.dtype))
        e = x_capped.exp()
        n = e * (e + 2)
        d = n + 2
        # 4 x e (1 + e) / d^2, grouped so that no factor overflows
        return grad * (n / d + (x_capped / d) * (e * (e + 1) / d) * 4)


@register
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
    """phi(x) = exp(-x^2 / 2) / sqrt(2 pi), in Tensor operations."""
    return (x * x * -0.5).exp() * _INV_SQRT_2PI


class GeluGate(Function):
    """Phi(x), read off gelu's output (`gate_from_output`) rather than computed again (an
    erfc costs more than all the rest of gelu); its derivative is Phi's, phi(x), so that
    gelu's second derivative is right too (`out` only supplies the value: no gradient flows
    to it). Beyond +-40, phi is 0 even in float64."""

    name = "normal_cdf"
    derivative = "d/dx = phi(x) = exp(-x^2 / 2) / sqrt(2 pi)"

    def forward(ctx, x, gelu_out):
        ctx.save_for_backward(x)
        return gate_from_output(x, gelu_out, at_zero=0.5)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _normal_pdf(x.clip(-40.0, 40.0)), None


class Gelu(Function):
    """`gelu`'s Function, exact: x Phi(x), with Phi from erfc (`_normal_cdf`); the derivative
    reads Phi off the output (`GeluGate`). In it, x is clipped to +-40, where phi is 0
    already (even in float64), so that x^2 cannot overflow and x phi(x) is 0, not inf * 0, at
    x = +-inf. (`approximate` is always False here: the parameter only labels the
    operation.)"""

    name = "gelu"
    derivative = "d/dx = Phi(x) + x phi(x), Phi(x) = out / x"

    def forward(ctx, x, approximate=False):
        out = gated(x, _normal_cdf(x))
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        x40 = x.clip(-40.0, 40.0)
        return grad * (GeluGate.apply(x, out) + x40 * _normal_pdf(x40))


def _gelu_tanh_argument(x):
    """u = sqrt(2 / pi) (x + 0.044715 x^3); for numpy arrays and Tensors alike."""
    return (x + x * x * x * _GELU_CUBIC) * _SQRT_2_OVER_PI


def _gelu_tanh_argument_derivative(x):
    """du/dx = sqrt(2 / pi) (1 + 3 * 0.044715 x^2)."""
    return (x * x * (3 * _GELU_CUBIC) + 1) * _SQRT_2_OVER_PI


class GeluApproximate(Function):
    """`gelu`'s Function with `approximate=True`: x (1 + tanh(u)) / 2.

    Beyond |x| = 10, u > 43 and tanh(u) is +-1 exactly, even in double precision: there the
    function is exactly relu and its derivative 0 or 1. So x is clipped to +-10 wherever it
    enters u (changing nothing), which keeps x^3 from overflowing and the derivative's
    x (1 - t^2) from being inf * 0. (`approximate` is always True here: the parameter only
    labels the operation.)"""

    name = "gelu"
    derivative = (
        "d/dx = (1 + t) / 2 + x (1 - t^2) u' / 2, t = tanh(u), u = sqrt(2 / pi) (x + 0.044715 x^3)"
    )

    def forward(ctx, x, approximate=True):
        ctx.save_for_backward(x)
        half_gate = np.tanh(_gelu_tanh_argument(np.clip(x, -10.0, 10.0)))
        half_gate += 1
        half_gate *= 0.5
        return gated(x, half_gate)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        x10 = x.clip(-10.0, 10.0)
        t = tanh(_gelu_tanh_argument(x10))
        du = _gelu_tanh_argument_derivative(x10)
        return grad * ((1 + t) * 0.5 + x10 * (1 - t * t) * du * 0.5)


@register(forms=(Form(), Form({"approximate": True})))
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
    """`squareplus`'s Function. Both directions use squareplus(x) - squareplus(-x) = x (the
    square roots cancel). In forward, it gives squareplus(x) = max(x, 0) + squareplus(-|x|),
    where the second term is computed as (b / 2) / (sqrt(x^2 + b) + |x|) (the same number):
    nothing cancels, while the plain formula gives 0 at x = -1e4 in float32 (the truth is
    1e-4). In backward, it gives sqrt(x^2 + b) = out + squareplus(-x) = out + (out - x): no
    square root, and no x^2 to overflow.

    float16 is computed in float32, where x^2 cannot overflow (squareplus(-1000) is 0.001,
    not 0); beyond |x| ~ 1e19 in float32 (1e154 in float64) x^2 overflows to inf and the
    fraction is taken as its limit, 0 (to 1e-19): that overflow is expected and silenced.
    """

    derivative = "d/dx = (1 + x / sqrt(x^2 + b)) / 2 = out / (out + (out - x))"

    def forward(ctx, x, b):
        wide = x.astype(np.result_type(x.dtype, np.float32), copy=False)
        with np.errstate(over="ignore"):
            denominator = np.sqrt(wide * wide + b)
        denominator += np.abs(wide)
        out = (b / 2) / denominator
        out += np.clip(wide, 0.0, np.inf)
        out = out.astype(x.dtype, copy=False)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (out / (out + (out - x)))


@register(forms=(Form(), Form({"b": 1.0}), Form({"b": 0.0}, (0.0,))))
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
    """`sparse_plus`'s Function. One formula gives the three pieces: sparse_plus(x) =
    d^2 + max(x - 1, 0), with d = (clip(x, -1, 1) + 1) / 2 its derivative: d^2 is 0 below
    -1 and 1 above 1, where max(x - 1, 0) adds the rest up to x."""

    name = "sparse_plus"
    derivative = "d/dx = sparse_sigmoid(x) = (clip(x, -1, 1) + 1) / 2"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        d = np.clip(x, -1.0, 1.0)
        d += 1
        d *= 0.5
        out = d * d
        out += np.clip(x - 1, 0.0, np.inf)
        return out

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * sparse_sigmoid(x)


@register(kinks=(-1.0, 1.0))
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
    """`exponential`'s Function: the engine's Exp, whose backward it inherits, without the
    warning where e^x is beyond the float range (inf, as in Keras)."""

    name = "exponential"
    derivative = "d/dx = out"

    def forward(ctx, x):
        with np.errstate(over="ignore"):
            return super().forward(x)


@register
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
    """`linear`'s Function: the same values without a copy; a new array object all the
    same, so that the graph tells the input and the output apart."""

    derivative = "d/dx = 1"

    def forward(ctx, x):
        return x.view()

    def backward(ctx, grad):
        return grad


@register
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
