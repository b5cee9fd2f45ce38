"""Rectifiers: relu and its family (leaky_relu, relu6, threshold), and the exponential linear
units (elu, selu, celu), which replace relu's flat negative side by a smooth curve.

Each is a `Function`: `forward` computes on numpy arrays, `backward` is the derivative, one
rule in Tensor operations on the saved input or output, so that it can be differentiated
again. At a kink the derivative takes PyTorch's value: relu'(0) = 0,
leaky_relu'(0) = negative_slope, relu6'(0) = relu6'(6) = 0, and elu and selu take their
negative branch's derivative at 0 (alpha and scale * alpha).

The piecewise linear ones have a piecewise constant derivative, an `indicator` of where x
is, computed in backward from x's values: a constant there, whose own derivative is 0.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..ops import where
from ..tensor import Tensor
from .arguments import Default, TensorLike, as_float_tensor, check_number, resolve_slope
from .pieces import indicator
from .registry import Form, register

# ---- relu ----------------------------------------------------------------------------------


class ReLU(Function):
    """`relu`'s Function, in its general form (a slope below a threshold, a cap above).

    max(x, 0) is np.clip(x, 0, inf), capped at max_value: +0.0 for x < 0, NaN stays NaN;
    then the values up to the threshold are zeroed, and the slope's part added:
    min(x, threshold) - threshold is x - threshold at and below the threshold, 0 above it.
    """

    name = "relu"
    derivative = (
        "d/dx = 1 for threshold < x < max_value, 0 for x >= max_value, "
        "negative_slope for x <= threshold"
    )

    def forward(ctx, x, negative_slope=0.0, max_value=None, threshold=0.0):
        ctx.save_for_backward(x)
        out = np.clip(x, 0.0, np.inf if max_value is None else max_value)
        if threshold != 0.0:
            out *= x > threshold
        if negative_slope != 0.0:
            below = np.clip(x, -np.inf, threshold)
            if threshold != 0.0:
                below -= threshold
            below *= negative_slope
            out += below
        return out

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        slope = x.dtype.type(ctx.params.get("negative_slope", 0.0))
        max_value = ctx.params.get("max_value")
        above = x > ctx.params.get("threshold", 0.0)
        # 1 - slope + slope = 1 above the threshold, the slope at and below it (both exact,
        # the slope being rounded to x's precision first); then 0 where the cap holds.
        derivative = indicator(above, x.dtype, 1 - slope)
        if slope != 0:
            derivative = derivative + slope
        if max_value is not None:
            derivative = where(above * (x >= max_value), 0.0, derivative)
        return grad * derivative


class LeakyReLU(ReLU):
    """`leaky_relu`'s Function: ReLU's, with a slope and without a cap or a threshold.
    For 0 < slope <= 1 it is max(x, slope x), the larger being x above 0 and slope x below;
    other slopes take ReLU's general form (a slope of 0 would make 0 * inf = NaN)."""

    name = "leaky_relu"
    derivative = "d/dx = 1 for x > 0, negative_slope for x <= 0"

    def forward(ctx, x, negative_slope):
        if not 0.0 < negative_slope <= 1.0:
            return super().forward(x, negative_slope)
        ctx.save_for_backward(x)
        return np.maximum(x, x * negative_slope)


class ReLU6(Function):
    """`relu6`'s Function: clip(x, 0, 6)."""

    name = "relu6"
    derivative = "d/dx = 1 for 0 < x < 6, else 0"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.clip(x, 0.0, 6.0)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x > 0.0) * (x < 6.0))


_NO_SLOPE = Default(0.0)
_LEAKY_SLOPE = Default(0.2)


@register(forms=(
    Form(kinks=(0.0,)),
    Form({"negative_slope": 0.1}, (0.0,)),
    Form({"max_value": 6.0}, (0.0, 6.0)),
    Form({"threshold": 0.5}, (0.5,)),
    Form({"negative_slope": 0.5, "max_value": 5.0, "threshold": 0.2}, (0.2, 5.0)),
))
def relu(
    x: TensorLike,
    negative_slope: float = _NO_SLOPE,
    max_value: float | None = None,
    threshold: float = 0.0,
    *,
    alpha: float | None = None,
) -> Tensor:
    """Applies the rectified linear unit activation function.

    With default values, this returns the standard ReLU activation: `max(x, 0)`, the
    element-wise maximum of 0 and the input tensor.

    Modifying default parameters allows you to use non-zero thresholds, change the max value
    of the activation, and to use a non-zero multiple of the input for values below the
    threshold:

    - `min(x, max_value)` if `x > threshold` (no cap when `max_value` is None),
    - `negative_slope * (x - threshold)` if `x <= threshold`.

    The threshold is strict: at `x == threshold` the output is 0, so with a threshold above 0
    the output jumps from 0 to `threshold` just above it. The zeroed region gives +0.0.

    Derivative: `1` for `threshold < x < max_value`, `0` for `x >= max_value`, and
    `negative_slope` for `x <= threshold` (so `relu'(0) = 0`, as in PyTorch).

    Args:
        x: Input tensor (a Tensor, numpy array, list or number; integers become floatx).
        negative_slope: A `float` >= 0 that controls the slope for values lower than the
            threshold. Defaults to 0.
        max_value: A `float` >= 0 that sets the saturation threshold (the largest value the
            function will return), or None for no cap.
        threshold: A `float` >= 0 giving the threshold value of the activation function
            below which values will be damped or set to zero.
        alpha: The tf.keras 2 name of `negative_slope` (keyword only): `relu(x, alpha=0.1)`.
            Give one of the two, not both.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Example:

    >>> x = [-10.0, -5.0, 0.0, 5.0, 10.0]
    >>> relu(x, negative_slope=0.5, max_value=5.0, threshold=5.0)
    Tensor([-7.5 -5.  -2.5  0.   5. ], shape=(5,), dtype=float32)

    Reference:
        - [Nair & Hinton, 2010](https://www.cs.toronto.edu/~fritz/absps/reluICML.pdf)
    """
    params = {
        "negative_slope": resolve_slope("relu", negative_slope, alpha),
        "max_value": check_number("relu", "max_value", max_value, minimum=0, allow_none=True),
        "threshold": check_number("relu", "threshold", threshold, minimum=0),
    }
    defaults = {"negative_slope": 0.0, "max_value": None, "threshold": 0.0}
    # Only the parameters that differ from the defaults label the operation: `relu(threshold=5)`.
    changed = {k: v for k, v in params.items() if v != defaults[k]}
    return ReLU.apply(as_float_tensor(x), **changed)


@register(forms=(Form(kinks=(0.0,)), Form({"negative_slope": 0.3}, (0.0,))))
def leaky_relu(
    x: TensorLike, negative_slope: float = _LEAKY_SLOPE, *, alpha: float | None = None
) -> Tensor:
    """Leaky relu activation function.

    - `x` if `x >= 0`,
    - `negative_slope * x` if `x < 0`.

    Unlike relu, the gradient does not vanish for negative inputs.

    Derivative: `1` for `x > 0`, `negative_slope` for `x <= 0` (at 0 as PyTorch).

    Args:
        x: Input tensor.
        negative_slope: A `float` >= 0 that controls the slope for values lower than 0.
            Defaults to `0.2`.
        alpha: The tf.keras 2 name of `negative_slope` (keyword only); give one of the two.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Reference:
        - [Maas et al., 2013](https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf)
    """
    slope = resolve_slope("leaky_relu", negative_slope, alpha)
    return LeakyReLU.apply(as_float_tensor(x), negative_slope=slope)


@register(kinks=(0.0, 6.0))
def relu6(x: TensorLike) -> Tensor:
    """Relu6 activation function.

    It's the ReLU function, but truncated to a maximum value of 6:
    `relu6(x) = min(max(x, 0), 6)`, i.e. `relu(x, max_value=6)`.

    Derivative: `1` for `0 < x < 6`, else `0` (0 at both kinks, as PyTorch's relu6).

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Reference:
        - [Krizhevsky, 2010](http://www.cs.utoronto.ca/~kriz/conv-cifar10-aug2010.pdf)
    """
    return ReLU6.apply(as_float_tensor(x))


# ---- threshold -----------------------------------------------------------------------------


class Threshold(Function):
    """`threshold`'s Function."""

    derivative = "d/dx = 1 for x > threshold, else 0"

    def forward(ctx, x, threshold, default_value):
        ctx.save_for_backward(x)
        return np.where(x > threshold, x, default_value)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > ctx.params["threshold"])


@register(forms=(
    Form({"threshold": 0.3, "default_value": -1.0}, (0.3,)),
    Form({"threshold": 0.0, "default_value": 0.0}, (0.0,)),
))
def threshold(x: TensorLike, threshold: float, default_value: float) -> Tensor:
    """Threshold activation function.

    It is defined as:

    - `x` if `x > threshold`,
    - `default_value` otherwise.

    Derivative: `1` for `x > threshold`, `0` otherwise (0 at `x == threshold`, as PyTorch).

    Args:
        x: Input tensor.
        threshold: The value that decides when to retain or replace x (any real number).
        default_value: Value to assign when `x <= threshold`.

    Returns:
        A Tensor with the same shape and float dtype as `x`.
    """
    t = check_number("threshold", "threshold", threshold)
    default = check_number("threshold", "default_value", default_value)
    return Threshold.apply(as_float_tensor(x), threshold=t, default_value=default)


# ---- the exponential linear units ----------------------------------------------------------

# Klambauer et al., 2017: the pair that makes mean 0 and variance 1 a fixed point.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class ELU(Function):
    """`elu`'s Function. The negative branch is taken of min(x, 0), so that e^x cannot
    overflow for large x, with expm1, which keeps e^x - 1 exact near 0. Its derivative,
    alpha e^x, is out + alpha; min(out, 0) + alpha is that on the negative side and alpha on
    the positive side, where [x > 0] (1 - alpha) makes it 1."""

    derivative = "d/dx = 1 for x > 0, out + alpha for x <= 0"

    def forward(ctx, x, alpha):
        negative = np.expm1(np.clip(x, -np.inf, 0.0))
        negative *= alpha  # alpha (e^min(x, 0) - 1): 0 for x > 0
        out = np.clip(x, 0.0, np.inf)
        out += negative
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        alpha = ctx.params["alpha"]
        positive = indicator(x > 0, x.dtype, 1 - alpha)
        return grad * (out.clip(max_value=0.0) + alpha + positive)


class SELU(Function):
    """`selu`'s Function: elu's, scaled (see ELU). At the dtype's largest numbers
    scale * x is beyond it: inf, the right answer, without a warning."""

    derivative = "d/dx = scale for x > 0, out + scale * alpha for x <= 0"

    def forward(ctx, x):
        negative = np.expm1(np.clip(x, -np.inf, 0.0))
        negative *= SELU_SCALE * SELU_ALPHA  # 0 for x > 0
        with np.errstate(over="ignore"):
            out = SELU_SCALE * np.clip(x, 0.0, np.inf)
        out += negative
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        scale_alpha = SELU_SCALE * SELU_ALPHA
        positive = indicator(x > 0, x.dtype, SELU_SCALE - scale_alpha)
        return grad * (out.clip(max_value=0.0) + scale_alpha + positive)


class CELU(Function):
    """`celu`'s Function: max(x, 0) + alpha (e^(min(x, 0) / alpha) - 1), with expm1 (exact
    near 0). Its derivative, e^(min(x, 0) / alpha), is min(out, 0) / alpha + 1: 1 for x > 0,
    e^(x / alpha) for x <= 0 (1 at 0 from both sides: celu is continuously differentiable,
    the point of it)."""

    derivative = "d/dx = min(out, 0) / alpha + 1"

    def forward(ctx, x, alpha):
        out = np.expm1(np.clip(x, -np.inf, 0.0) / alpha)
        out *= alpha
        out += np.clip(x, 0.0, np.inf)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out.clip(max_value=0.0) / ctx.params["alpha"] + 1)


@register(forms=(Form(kinks=(0.0,)), Form({"alpha": 0.5}, (0.0,))))
def elu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """Exponential Linear Unit.

    The exponential linear unit (ELU) with `alpha > 0` is defined as:

    - `x` if `x > 0`,
    - `alpha * (exp(x) - 1)` if `x <= 0`.

    ELUs have negative values which pushes the mean of the activations closer to zero. They
    saturate to `-alpha` as x goes to minus infinity.

    Derivative: `1` for `x > 0`, `alpha * exp(x) = elu(x) + alpha` for `x <= 0` (alpha at 0,
    the negative branch, as PyTorch).

    Args:
        x: Input tensor.
        alpha: A real number, the negative saturation value. Defaults to 1.0.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Reference:
        - [Clevert et al., 2016](https://arxiv.org/abs/1511.07289)
    """
    alpha = check_number("elu", "alpha", alpha)
    return ELU.apply(as_float_tensor(x), alpha=alpha)


@register(kinks=(0.0,))
def selu(x: TensorLike) -> Tensor:
    """Scaled Exponential Linear Unit (SELU).

    The SELU activation function is defined as:

    - `scale * x` if `x > 0`,
    - `scale * alpha * (exp(x) - 1)` if `x <= 0`,

    where `alpha` and `scale` are pre-defined constants (`alpha=1.67326324` and
    `scale=1.05070098`): the pair that makes mean 0 and variance 1 a fixed point of the map
    from one layer's activation statistics to the next, when the weights are initialized
    with `lecun_normal` (variance `1 / fan_in`).

    Derivative: `scale` for `x > 0`, `scale * alpha * exp(x)` for `x <= 0` (scale * alpha at
    0, the negative branch, as PyTorch).

    Args:
        x: Input tensor.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Notes:
        - To be used together with the `lecun_normal` initializer.
        - To be used together with the dropout variant `AlphaDropout` (rather than
          regular dropout).

    Reference:
        - [Klambauer et al., 2017](https://arxiv.org/abs/1706.02515)
    """
    return SELU.apply(as_float_tensor(x))


@register(forms=(Form(kinks=(0.0,)), Form({"alpha": 0.5}, (0.0,))))
def celu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """Continuously Differentiable Exponential Linear Unit.

    The CeLU activation function is defined as:

    `celu(x) = alpha * (exp(x / alpha) - 1) for x <= 0`, `celu(x) = x for x > 0`,

    i.e. `max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)`. Unlike elu, its derivative is
    continuous at 0 for every alpha.

    Derivative: `1` for `x > 0`, `exp(x / alpha)` for `x <= 0`.

    Args:
        x: Input tensor.
        alpha: A positive real number, the negative saturation value of the CeLU
            formulation. Defaults to `1.0`.

    Returns:
        A Tensor with the same shape and float dtype as `x`.

    Reference:
        - [Barron, 2017](https://arxiv.org/abs/1704.07483)
    """
    alpha = check_number("celu", "alpha", alpha)
    if alpha <= 0:
        raise ValueError(
            f"celu: argument `alpha` must be > 0 (x is divided by it), received {alpha!r}"
        )
    return CELU.apply(as_float_tensor(x), alpha=alpha)
