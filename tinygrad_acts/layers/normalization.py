"""Normalization layers, as in `keras.layers`: `BatchNormalization` and `LayerNormalization`.

Both rest on one differentiable operation, `Normalize`: subtract the mean and divide by the
standard deviation over some axes,

    y = (x - mean(x)) / sqrt(var(x) + epsilon)

then scale by `gamma` and shift by `beta` (ordinary `*` and `+`, so the drawn graph shows
them). What differs is which axes are averaged over:

- `BatchNormalization` averages over the batch (every axis but the features'), and only in
  training; at inference it uses moving averages of the batch statistics, which training
  updates as `moving = moving * momentum + batch_statistic * (1 - momentum)`.
- `LayerNormalization` averages over the features of each sample, the same in training and
  at inference.

Keras's defaults and weight order (gamma, beta, moving_mean, moving_variance), so that weights
move between the two libraries as they are.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import initializers
from ..function import Function
from ..grad_mode import no_grad
from ..tensor import Tensor
from .base import Layer

__all__ = ["BatchNormalization", "LayerNormalization", "Normalize", "normalize"]


class Normalize(Function):
    """y = (x - mean(x)) / sqrt(var(x) + epsilon), mean and (biased) variance over `axis`;
    with n the number averaged and s = sqrt(var(x) + epsilon), the gradient is

        dx = (g - mean(g) - y * mean(g * y)) / s

    (the means over `axis`): the incoming gradient with its mean and its component along y
    removed, since shifting x or scaling x - mean(x) changes nothing after normalizing (up to
    epsilon). Written with Tensor operations on x and on the output y, so it has derivatives
    of its own (gradgradcheck)."""

    derivative = "d/dx = (g - mean(g) - y * mean(g * y)) / sqrt(var(x) + epsilon)"

    def forward(ctx, x, axis, epsilon):
        centered = x - x.mean(axis=axis, keepdims=True)
        variance = (centered * centered).mean(axis=axis, keepdims=True)
        out = centered / np.sqrt(variance + epsilon)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        axis, epsilon = ctx.params["axis"], ctx.params["epsilon"]
        centered = x - x.mean(axis=axis, keepdims=True)
        inv_std = ((centered * centered).mean(axis=axis, keepdims=True) + epsilon) ** -0.5
        return inv_std * (grad - grad.mean(axis=axis, keepdims=True)
                          - y * (grad * y).mean(axis=axis, keepdims=True))


def normalize(x: Tensor, axis: int | tuple[int, ...] = -1, epsilon: float = 1e-3) -> Tensor:
    """`Normalize` over `axis` (an int or a tuple of ints): mean 0 and variance
    var / (var + epsilon) along those axes."""
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    axes = tuple(sorted(int(a) % x.ndim for a in axes))
    return Normalize.apply(x, axis=axes, epsilon=float(epsilon))


# ---- argument checks ---------------------------------------------------------------------------


def _check_bool(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: argument `{name}` must be True or False, "
                        f"received {name}={value!r}")
    return bool(value)


def _check_real(owner: str, name: str, value: Any, low: float, high: float | None,
                expected: str) -> float:
    message = f"{owner}: argument `{name}` must be {expected}, received {name}={value!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(message)
    value = float(value)
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        raise ValueError(message)
    return value


def _check_axis(owner: str, value: Any, allow_list: bool) -> int | list[int]:
    expected = "an int" + (" or a list of ints" if allow_list else "")
    message = f"{owner}: argument `axis` must be {expected}, received axis={value!r}"
    if allow_list and isinstance(value, (list, tuple)):
        if not value or any(isinstance(a, bool) or not isinstance(a, numbers.Integral)
                            for a in value):
            raise TypeError(message)
        if len({int(a) for a in value}) != len(value):
            raise ValueError(f"{owner}: argument `axis` has a repeated axis, received "
                             f"axis={value!r}")
        return [int(a) for a in value]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(message)
    return int(value)


def _initializer(owner: str, name: str, value: Any) -> Any:
    init = initializers.get(value)  # an unknown name raises, suggesting the closest
    if init is None:
        raise ValueError(f"{owner}: argument `{name}` must not be None")
    return init


def _unsupported(owner: str, **options: Any) -> None:
    """Keras arguments accepted only at their defaults (so a Keras config still loads)."""
    defaults = {"synchronized": False, "renorm": False, "renorm_momentum": 0.99,
                "rms_scaling": False}
    for name, value in options.items():
        if value != defaults.get(name):
            raise ValueError(
                f"{owner}: argument `{name}` is not supported by tinygrad_acts (only its "
                f"default, {defaults.get(name)!r}), received {name}={value!r}"
            )


def _scale_and_shift(x: Tensor, gamma: Tensor | None, beta: Tensor | None,
                     shape: list[int]) -> Tensor:
    """gamma * x + beta, each weight reshaped to broadcast along its axes (left as it is when
    it already does: the usual last axis, one node fewer in the graph)."""
    for weight, combine in ((gamma, Tensor.__mul__), (beta, Tensor.__add__)):
        if weight is not None:
            fits = tuple(shape[len(shape) - weight.ndim:]) == weight.shape and all(
                n == 1 for n in shape[:len(shape) - weight.ndim])
            x = combine(x, weight if fits else weight.reshape(shape))
    return x


def _describe(init: Any) -> Any:
    return initializers.serialize(init) if isinstance(init, initializers.Initializer) else init


def _check_axes(owner: str, axes: list[int], input_shape: tuple) -> list[int]:
    """The axes as non-negative ints, each within the input's rank."""
    rank = len(input_shape)
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"{owner}: axis {a} is out of bounds for inputs of shape "
                             f"{tuple(input_shape)} (rank {rank})")
    return sorted(a % rank for a in axes)


# ---- the layers --------------------------------------------------------------------------------


class BatchNormalization(Layer):
    """Normalizes each feature over the batch: mean 0 and variance 1, then `gamma * x + beta`.

    In training (`training=True`, as `fit` calls it), with the batch's own mean and (biased)
    variance over every axis but `axis`:

        output = gamma * (x - mean(batch)) / sqrt(var(batch) + epsilon) + beta

    and each call updates the moving statistics (not trained: non-trainable weights),

        moving_mean     = moving_mean * momentum     + mean(batch) * (1 - momentum)
        moving_variance = moving_variance * momentum + var(batch)  * (1 - momentum)

    At inference (`training=False`, the default; `evaluate` and `predict`) the moving
    statistics take the batch's place, so a sample's output does not depend on the others.
    As in Keras, a layer with `trainable=False` always runs in inference mode (frozen), and
    a batch of one in training gives `beta` (its variance is 0: no NaN).

    Args:
        axis: the features' axis (the one not averaged over), -1 by default.
        momentum: of the moving averages, 0.99.
        epsilon: added to the variance, 1e-3.
        center: whether to add `beta`; scale: whether to multiply by `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: 'zeros', 'ones', 'zeros', 'ones'.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
            synchronized, renorm, renorm_clipping, renorm_momentum: Keras's, accepted at
            their defaults only (None, False, 0.99), so that Keras's configs load.
        name, trainable, dtype: see `Layer`.

    Weights, in Keras's order: gamma (if scale), beta (if center), moving_mean,
    moving_variance; the last two are non-trainable.
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        renorm: bool = False,
        renorm_clipping: Any = None,
        renorm_momentum: float = 0.99,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
    ) -> None:
        owner = "BatchNormalization"
        self.axis = _check_axis(owner, axis, allow_list=False)
        self.momentum = _check_real(owner, "momentum", momentum, 0.0, 1.0,
                                    "a number in [0, 1]")
        self.epsilon = _check_real(owner, "epsilon", epsilon, 0.0, None, "a number >= 0")
        self.center = _check_bool(owner, "center", center)
        self.scale = _check_bool(owner, "scale", scale)
        self.beta_initializer = _initializer(owner, "beta_initializer", beta_initializer)
        self.gamma_initializer = _initializer(owner, "gamma_initializer", gamma_initializer)
        self.moving_mean_initializer = _initializer(owner, "moving_mean_initializer",
                                                    moving_mean_initializer)
        self.moving_variance_initializer = _initializer(owner, "moving_variance_initializer",
                                                        moving_variance_initializer)
        _unsupported(owner, beta_regularizer=beta_regularizer,
                     gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                     gamma_constraint=gamma_constraint, synchronized=synchronized,
                     renorm=renorm, renorm_clipping=renorm_clipping,
                     renorm_momentum=renorm_momentum)
        super().__init__(name=name, trainable=trainable, dtype=dtype)
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self.moving_mean: Tensor | None = None
        self.moving_variance: Tensor | None = None
        self._reduction_axes: tuple[int, ...] | None = None

    def build(self, input_shape: tuple[int, ...]) -> None:
        (axis,) = _check_axes(self.name, [self.axis], input_shape)
        shape = (input_shape[axis],)
        if self.scale:
            self.gamma = self.add_weight(shape, self.gamma_initializer, "gamma")
        if self.center:
            self.beta = self.add_weight(shape, self.beta_initializer, "beta")
        self.moving_mean = self.add_weight(shape, self.moving_mean_initializer, "moving_mean",
                                           trainable=False)
        self.moving_variance = self.add_weight(shape, self.moving_variance_initializer,
                                               "moving_variance", trainable=False)
        self.built = True  # as Keras: a later call does not build again

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        _check_axes(self.name, [self.axis], input_shape)
        return tuple(input_shape)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        axis = self._check_input(inputs.shape)
        if inputs.dtype != self.dtype:  # Keras computes in the layer's float type
            inputs = inputs.astype(self.dtype)
        shape = [1] * inputs.ndim
        shape[axis] = inputs.shape[axis]  # the statistics broadcast along the features
        reduce = tuple(a for a in range(inputs.ndim) if a != axis)
        if training and self.trainable:
            # The moving statistics are updates, not trained through: written in place by
            # operations (assign), so that a step compiled by ta.jit replays them too.
            with no_grad():
                mean = inputs.mean(axis=reduce)
                variance = ((inputs - mean.reshape(shape)) ** 2).mean(axis=reduce)
                m = self.momentum
                self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
                self.moving_variance.assign(self.moving_variance * m + variance * (1.0 - m))
            outputs = normalize(inputs, reduce, self.epsilon)
        else:
            # Constants: the moving statistics are not trained through.
            with no_grad():
                inv_std = 1.0 / (self.moving_variance + self.epsilon).sqrt()
            outputs = ((inputs - self.moving_mean.reshape(shape))
                       * inv_std.reshape(shape).astype(self.dtype))
        return _scale_and_shift(outputs, self.gamma, self.beta, shape)

    def _check_input(self, shape: tuple[int, ...]) -> int:
        (axis,) = _check_axes(self.name, [self.axis], shape)
        expected = (self.moving_mean.shape[0],)
        if (shape[axis],) != expected:
            raise ValueError(
                f"{self.name}: expected inputs with {expected[0]} features on axis "
                f"{self.axis}, received inputs of shape {tuple(shape)}"
            )
        return axis

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": _describe(self.beta_initializer),
            "gamma_initializer": _describe(self.gamma_initializer),
            "moving_mean_initializer": _describe(self.moving_mean_initializer),
            "moving_variance_initializer": _describe(self.moving_variance_initializer),
            "beta_regularizer": None,
            "gamma_regularizer": None,
            "beta_constraint": None,
            "gamma_constraint": None,
            "synchronized": False,
            "renorm": False,
            "renorm_clipping": None,
            "renorm_momentum": 0.99,
        }


class LayerNormalization(Layer):
    """Normalizes each sample over its features: mean 0 and variance 1 along `axis`, then
    `gamma * x + beta`,

        output = gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta

    the mean and (biased) variance taken over `axis` within each sample. The same in training
    and at inference; no moving statistics.

    Args:
        axis: the axis or list of axes to normalize over, -1 by default.
        epsilon: added to the variance, 1e-3.
        center: whether to add `beta`; scale: whether to multiply by `gamma`.
        beta_initializer, gamma_initializer: 'zeros' and 'ones'.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
            rms_scaling: Keras's, accepted at their defaults only (None, False), so that
            `get_config()` and Keras's configs load.
        name, trainable, dtype: see `Layer`.

    Weights, in Keras's order: gamma (if scale), beta (if center), each of the shape of the
    normalized axes.
    """

    def __init__(
        self,
        axis: int | list[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        rms_scaling: bool = False,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
    ) -> None:
        owner = "LayerNormalization"
        self.axis = _check_axis(owner, axis, allow_list=True)
        self.epsilon = _check_real(owner, "epsilon", epsilon, 0.0, None, "a number >= 0")
        self.center = _check_bool(owner, "center", center)
        self.scale = _check_bool(owner, "scale", scale)
        self.beta_initializer = _initializer(owner, "beta_initializer", beta_initializer)
        self.gamma_initializer = _initializer(owner, "gamma_initializer", gamma_initializer)
        _unsupported(owner, beta_regularizer=beta_regularizer,
                     gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                     gamma_constraint=gamma_constraint, rms_scaling=rms_scaling)
        super().__init__(name=name, trainable=trainable, dtype=dtype)
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self._input_shape: tuple[int, ...] | None = None

    def build(self, input_shape: tuple[int, ...]) -> None:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes(self.name, axes, input_shape)
        self.axis = sorted(axes)  # as Keras: a sorted list once built
        shape = tuple(input_shape[a] for a in self.axis)
        self._input_shape = tuple(input_shape)
        if self.scale:
            self.gamma = self.add_weight(shape, self.gamma_initializer, "gamma")
        if self.center:
            self.beta = self.add_weight(shape, self.beta_initializer, "beta")
        self.built = True

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes(self.name, axes, input_shape)
        return tuple(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        axes = _check_axes(self.name, self.axis, inputs.shape)
        expected = tuple(self._input_shape[a] for a in axes)
        if tuple(inputs.shape[a] for a in axes) != expected:
            raise ValueError(f"{self.name}: expected inputs of sizes {expected} on axes "
                             f"{self.axis}, received inputs of shape {inputs.shape}")
        if inputs.dtype != self.dtype:
            inputs = inputs.astype(self.dtype)
        shape = [inputs.shape[a] if a in axes else 1 for a in range(inputs.ndim)]
        outputs = normalize(inputs, tuple(axes), self.epsilon)
        return _scale_and_shift(outputs, self.gamma, self.beta, shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": False,
            "beta_initializer": _describe(self.beta_initializer),
            "gamma_initializer": _describe(self.gamma_initializer),
            "beta_regularizer": None,
            "gamma_regularizer": None,
            "beta_constraint": None,
            "gamma_constraint": None,
        }
