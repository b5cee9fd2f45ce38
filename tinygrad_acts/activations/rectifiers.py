"""Rectifiers: relu and its family (leaky_relu, relu6, threshold), and the exponential linear
units (elu, selu, celu), which replace relu's flat negative side by a smooth curve.

Each is a `Function`: `forward` computes on numpy arrays, `backward` gives the derivative in
Tensor operations, so that it can be differentiated again. At a kink the derivative takes
PyTorch's value: relu'(0) = 0, leaky_relu'(0) = negative_slope, relu6'(0) = relu6'(6) = 0,
and elu and selu take their negative branch's derivative at 0 (alpha and scale * alpha).

The piecewise linear ones save their derivative, a piecewise constant array, for backward:
its own derivative is 0 (away from the kinks), so as a constant it is exactly right. When
nothing will call backward (`ctx.needs_input_grad` is empty: under no_grad, or no input
requires grad), forward does not build it.

numpy notes, for speed: np.clip with two bounds is several times faster than np.maximum or
np.minimum against a scalar (or np.clip with one bound), and arithmetic on a mask several
times faster than np.where.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from ..ops import where
from ..tensor import Tensor
from ._arguments import TensorLike, as_float_tensor, check_number

# ---- relu ----------------------------------------------------------------------------------


class ReLU(Function):
    """relu(x) = min(x, max_value)               for x > threshold,
               negative_slope * (x - threshold)  for x <= threshold   (+0.0 when the slope is 0);

    d/dx = 1               for threshold < x < max_value,
           0               for x >= max_value (and x > threshold),
           negative_slope  for x <= threshold   (so relu'(0) = 0, as in PyTorch).

    With the defaults (negative_slope=0, max_value=None, threshold=0) it is max(x, 0). Without
    a cap or a threshold it is leaky_relu (of slope 0 for plain relu): LeakyReLU's shorter
    forward does those common forms.
    """

    name = "relu"

    def forward(ctx, x, negative_slope=0.0, max_value=None, threshold=0.0):
        if max_value is None and threshold == 0.0:  # the common forms: relu(x), leaky_relu(x)
            return LeakyReLU.forward(ctx, x, negative_slope)
        above = x > threshold
        # max(x, 0), capped at max_value: +0.0 for x < 0, NaN stays NaN.
        out = np.clip(x, 0.0, np.inf if max_value is None else max_value)
        if threshold != 0.0:
            out *= above  # and 0 up to the threshold too
        if negative_slope != 0.0:
            # min(x - threshold, 0) is x - threshold at and below the threshold, 0 above it.
            out += negative_slope * np.clip(x - threshold, -np.inf, 0.0)
        if ctx.needs_input_grad:
            passing = above if max_value is None else above & (x < max_value)
            # The derivative, built without branches (np.where and masked assignment are slow):
            slope = np.array(passing, dtype=x.dtype)  # 1 where x passes, 0 elsewhere for now
            if negative_slope != 0.0:
                slope += np.multiply(~above, negative_slope, dtype=x.dtype)
            ctx.save_for_backward(slope)  # piecewise constant: its own derivative is 0
        return out

    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


class LeakyReLU(ReLU):
    """leaky_relu(x) = x for x > 0, negative_slope * x for x <= 0;
    d/dx = 1 for x > 0, negative_slope for x <= 0 (at 0 as PyTorch).

    The derivative d is all there is to it: leaky_relu(x) = x * d. So forward builds d,
    saves it for backward (ReLU's: `grad * d`) and multiplies. With a slope of 0 it is relu,
    computed as max(x, 0): +0.0 for x < 0, where x * 0 would give -0.0 (and NaN at -inf).
    """

    name = "leaky_relu"

    def forward(ctx, x, negative_slope=0.2):
        if negative_slope == 0.0:
            if ctx.needs_input_grad:
                ctx.save_for_backward(np.array(x > 0, dtype=x.dtype))  # d: 1 for x > 0, else 0
            return np.clip(x, 0.0, np.inf)
        # d = [x > 0] (1 - slope) + slope: 1 - slope + slope = 1 for x > 0, the slope
        # elsewhere; both exactly, when the slope is first rounded to x's precision.
        slope = x.dtype.type(negative_slope)
        d = np.array(x > 0, dtype=x.dtype)
        d *= 1 - slope
        d += slope
        if ctx.needs_input_grad:
            ctx.save_for_backward(d)  # piecewise constant: its own derivative is 0
        return x * d


class ReLU6(ReLU):
    """relu6(x) = min(max(x, 0), 6);  d/dx = 1 for 0 < x < 6, else 0 (0 at both kinks, as
    PyTorch's relu6).

    It is relu capped at 6, and ReLU's forward and backward do the work.
    """

    name = "relu6"

    def forward(ctx, x):
        return ReLU.forward(ctx, x, max_value=6.0)


class _Default(float):
    """A default argument that can tell that it was not given (`isinstance(v, _Default)`),
    so that a slope given under both of its names is refused; it prints as its number, so
    the signature reads like Keras's."""


_NO_SLOPE = _Default(0.0)
_LEAKY_SLOPE = _Default(0.2)


def _slope(fn: str, negative_slope: float, alpha: float | None) -> float:
    """The slope, given as `negative_slope` (Keras 3) or `alpha` (tf.keras 2), not both."""
    if alpha is None:
        return check_number(fn, "negative_slope", negative_slope, minimum=0)
    if not isinstance(negative_slope, _Default):
        raise TypeError(
            f"{fn}: got the slope twice, negative_slope={negative_slope!r} and "
            f"alpha={alpha!r}; `alpha` is the tf.keras 2 name of `negative_slope`: give one"
        )
    return check_number(fn, "alpha", alpha, minimum=0)


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
        "negative_slope": _slope("relu", negative_slope, alpha),
        "max_value": check_number("relu", "max_value", max_value, minimum=0, allow_none=True),
        "threshold": check_number("relu", "threshold", threshold, minimum=0),
    }
    defaults = {"negative_slope": 0.0, "max_value": None, "threshold": 0.0}
    # Only the parameters that differ from the defaults label the operation: `relu(threshold=5)`.
    changed = {k: v for k, v in params.items() if v != defaults[k]}
    return ReLU.apply(as_float_tensor(x), **changed)


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
    slope = _slope("leaky_relu", negative_slope, alpha)
    return LeakyReLU.apply(as_float_tensor(x), negative_slope=slope)


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
    """threshold(x) = x for x > threshold, default_value otherwise;
    d/dx = 1 for x > threshold, 0 otherwise (0 at x == threshold, as PyTorch)."""

    def forward(ctx, x, threshold, default_value):
        above = x > threshold
        ctx.save_for_backward(np.array(above, dtype=x.dtype))  # piecewise constant
        return np.where(above, x, default_value)

    def backward(ctx, grad):
        (above,) = ctx.saved_tensors
        return grad * above


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
    """elu(x) = x for x > 0, alpha * (e^x - 1) for x <= 0;
    d/dx = 1 for x > 0, alpha * e^x = elu(x) + alpha for x <= 0 (alpha at 0: the negative
    branch, as PyTorch).

    The negative branch is taken of min(x, 0), so that e^x cannot overflow for large x, with
    expm1, which keeps e^x - 1 exact near 0.
    """

    def forward(ctx, x, alpha):
        negative = np.expm1(np.clip(x, -np.inf, 0.0))
        negative *= alpha  # alpha (e^min(x, 0) - 1): 0 for x > 0
        out = np.clip(x, 0.0, np.inf)
        out += negative
        if ctx.needs_input_grad:
            # alpha e^x = negative + alpha for x <= 0, and 1 for x > 0, built by arithmetic:
            # np.where on a random mask is many times slower (it mispredicts each branch)
            slope = negative + alpha
            slope += np.multiply(x > 0, 1.0 - alpha, dtype=x.dtype)
            ctx.save_for_backward(x, out, slope)
        return out

    def backward(ctx, grad):
        x, out, slope = ctx.saved_tensors  # slope computed in forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): the slope
            # must be a function of x (through the output), so that it is differentiated
            slope = where(x.data > 0, 1.0, out + ctx.params["alpha"])
        return grad * slope


class SELU(Function):
    """selu(x) = scale * x for x > 0, scale * alpha * (e^x - 1) for x <= 0;
    d/dx = scale for x > 0, scale * alpha * e^x = selu(x) + scale * alpha for x <= 0
    (scale * alpha at 0: the negative branch, as PyTorch).

    alpha = 1.67326324..., scale = 1.05070098... (SELU_ALPHA and SELU_SCALE).
    """

    def forward(ctx, x):
        negative = np.expm1(np.clip(x, -np.inf, 0.0))
        negative *= SELU_SCALE * SELU_ALPHA  # 0 for x > 0
        out = SELU_SCALE * np.clip(x, 0.0, np.inf)
        out += negative
        if ctx.needs_input_grad:
            # scale alpha e^x = negative + scale alpha for x <= 0, and scale for x > 0, built
            # by arithmetic: np.where on a random mask is many times slower
            slope = negative + SELU_SCALE * SELU_ALPHA
            slope += np.multiply(x > 0, SELU_SCALE - SELU_SCALE * SELU_ALPHA, dtype=x.dtype)
            ctx.save_for_backward(x, out, slope)
        return out

    def backward(ctx, grad):
        x, out, slope = ctx.saved_tensors  # slope computed in forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): the slope
            # must be a function of x (through the output), so that it is differentiated
            slope = where(x.data > 0, SELU_SCALE, out + SELU_SCALE * SELU_ALPHA)
        return grad * slope


class CELU(Function):
    """celu(x) = max(x, 0) + alpha * (e^(min(x, 0) / alpha) - 1);
    d/dx = e^(min(x, 0) / alpha): 1 for x > 0, e^(x / alpha) for x <= 0 (1 at 0 from both
    sides: celu is continuously differentiable, the point of it)."""

    def forward(ctx, x, alpha):
        e_minus_1 = np.expm1(np.clip(x, -np.inf, 0.0) / alpha)  # exact near 0 (expm1)
        out = alpha * e_minus_1
        out += np.clip(x, 0.0, np.inf)
        if ctx.needs_input_grad:
            e_minus_1 += 1  # now the derivative, e^(min(x, 0) / alpha)
            ctx.save_for_backward(x, e_minus_1)
        return out

    def backward(ctx, grad):
        x, derivative = ctx.saved_tensors  # from forward: a constant here
        if is_grad_enabled():  # backward is being recorded (create_graph=True): the
            # derivative must be a function of x, so that it is differentiated too
            derivative = (x.clip(max_value=0.0) / ctx.params["alpha"]).exp()
        return grad * derivative


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
