"""Activation layers, as in `keras.layers`: an activation function as a layer of a model.

`Activation` wraps any activation; `ReLU`, `LeakyReLU`, `ELU`, `ThresholdedReLU` and
`Softmax` hold an activation's parameters; `PReLU` learns its negative slope. Each checks
its arguments when it is made, as Keras does, and computes with the activations of
`tinygrad_acts.activations`, so graph drawings show the same operations.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import activations, initializers
from ..activations.arguments import Default, check_axis, check_number, resolve_slope
from ..grad_mode import no_grad
from ..ops import where
from ..tensor import Tensor
from .base import Layer

__all__ = ["ELU", "Activation", "LeakyReLU", "PReLU", "ReLU", "Softmax", "ThresholdedReLU"]


def _check_parameter(layer: str, argname: str, value: Any, allow_none: bool = False) -> Any:
    """A number >= 0, the rule for these layers' parameters; None is refused with a
    ValueError (as Keras) unless allowed."""
    if value is None and not allow_none:
        raise ValueError(
            f"{layer}: argument `{argname}` cannot be None, expected a number >= 0, "
            f"received {argname}=None"
        )
    return check_number(layer, argname, value, minimum=0, allow_none=allow_none)


class Activation(Layer):
    """Applies an activation function to an output.

    Args:
        activation: Activation function: a name such as 'relu', a function such as
            `tinygrad_acts.activations.relu`, or any callable from Tensor to Tensor
            (anything `tinygrad_acts.activations.get` accepts; None means linear).
        name, trainable, dtype: see `Layer`.

    Example:

    >>> layer = Activation('relu')
    >>> layer([-3.0, -1.0, 0.0, 2.0])
    Tensor([0. 0. 0. 2.], shape=(4,), dtype=float32)
    """

    def __init__(self, activation: str | Callable[..., Tensor] | None, **kwargs: Any) -> None:
        self.activation = activations.get(activation)
        super().__init__(**kwargs)

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        # Most activations keep the shape, but glu halves an axis: the activation itself says,
        # run on zeros (a batch axis of unknown size, None, stands in as 1).
        probe = np.zeros([1 if n is None else n for n in input_shape], dtype=self.dtype)
        with no_grad():
            shape = self.activation(Tensor(probe)).shape
        if len(shape) != len(input_shape):
            return tuple(shape)
        return tuple(None if n is None else m for n, m in zip(input_shape, shape, strict=True))

    def get_config(self) -> dict[str, Any]:
        try:
            activation: Any = activations.serialize(self.activation)
        except ValueError:  # a function of the user's: it has no name of ours
            activation = self.activation
        return {**super().get_config(), "activation": activation}


class ReLU(Layer):
    """Rectified Linear Unit activation function layer.

    Formula:
    ``` python
    f(x) = max(x,0)
    f(x) = max_value if x >= max_value
    f(x) = x if threshold <= x < max_value
    f(x) = negative_slope * (x - threshold) otherwise
    ```
    (the threshold is strict: `x == threshold` gives 0; see
    `tinygrad_acts.activations.relu`).

    Args:
        max_value: A float >= 0, the maximum activation value, or None (no cap).
        negative_slope: A float >= 0, the negative slope coefficient. Defaults to 0.0.
        threshold: A float >= 0, the threshold value for thresholded activation.
            Defaults to 0.0.
        name, trainable, dtype: see `Layer`.

    Example:

    >>> ReLU(max_value=8, threshold=5)([6.0, 7.0, 0.0, 5.0, 10.0])
    Tensor([6. 7. 0. 0. 8.], shape=(5,), dtype=float32)
    """

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        self.max_value = _check_parameter("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = _check_parameter("ReLU", "negative_slope", negative_slope)
        self.threshold = _check_parameter("ReLU", "threshold", threshold)
        super().__init__(**kwargs)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


_LEAKY_LAYER_SLOPE = Default(0.3)  # the layer's default; the function's is 0.2


class LeakyReLU(Layer):
    """Leaky version of a Rectified Linear Unit activation layer.

    This layer allows a small gradient when the unit is not active.

    Formula:
    ``` python
    f(x) = negative_slope * x if x < 0
    f(x) = x if x >= 0
    ```

    Args:
        negative_slope: A float >= 0, the negative slope coefficient. Defaults to `0.3`.
        alpha: The tf.keras 2 name of `negative_slope` (keyword only):
            `LeakyReLU(alpha=0.1)`. Give one of the two, not both (TypeError).
        name, trainable, dtype: see `Layer`.

    Example:

    >>> LeakyReLU(alpha=0.1)([1.0, -1.0, 1.5, 2.0])
    Tensor([ 1.  -0.1  1.5  2. ], shape=(4,), dtype=float32)
    """

    def __init__(
        self, negative_slope: float = _LEAKY_LAYER_SLOPE, *, alpha: float | None = None,
        **kwargs: Any,
    ) -> None:
        if alpha is None:  # None as the slope is a ValueError in Keras, not a TypeError
            _check_parameter("LeakyReLU", "negative_slope", negative_slope)
        self.negative_slope = resolve_slope("LeakyReLU", negative_slope, alpha)
        super().__init__(**kwargs)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """Parametric Rectified Linear Unit activation layer.

    Formula:
    ``` python
    f(x) = alpha * x for x < 0
    f(x) = x for x >= 0
    ```
    where `alpha` is a learned array with the same shape as x (without the batch axis),
    computed as `relu(x) - alpha * relu(-x)`, so that the gradient reaches alpha.

    Args:
        alpha_initializer: Initializer function for the weights: a name such as 'zeros'
            (the default: the layer starts as relu) or an initializer.
        shared_axes: The axes along which to share learnable parameters for the
            activation function, counted with the batch axis as 0: None (no sharing), an
            int >= 1 or a list of them. For example, if the incoming feature maps are from
            a 2D convolution with output shape `(batch, height, width, channels)`, and you
            wish to share parameters across space so that each filter only has one set of
            parameters, set `shared_axes=[1, 2]`.
        name, trainable, dtype: see `Layer`.

    Attributes:
        alpha: the learned slopes, a Tensor of shape `input_shape[1:]` with 1 on each shared
            axis (after the first call).
    """

    def __init__(
        self, alpha_initializer: Any = "zeros", shared_axes: int | Sequence[int] | None = None,
        **kwargs: Any,
    ) -> None:
        self.alpha_initializer = initializers.get(alpha_initializer)
        if self.alpha_initializer is None:
            raise ValueError("PReLU: argument `alpha_initializer` must not be None")
        self.shared_axes = _check_shared_axes(shared_axes)
        super().__init__(**kwargs)
        self.alpha: Tensor | None = None

    def build(self, input_shape: tuple[int, ...]) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes:
            if axis >= len(input_shape):
                raise ValueError(
                    f"{self.name}: shared axis {axis} does not exist in inputs of shape "
                    f"{tuple(input_shape)} (shared_axes={self.shared_axes})"
                )
            shape[axis - 1] = 1
        self.alpha = self.add_weight(tuple(shape), self.alpha_initializer, "alpha")

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.dtype != self.dtype:  # as Dense: the weights' float type
            inputs = inputs.astype(self.dtype)
        return activations.relu(inputs) - self.alpha * activations.relu(-inputs)

    def get_config(self) -> dict[str, Any]:
        init = self.alpha_initializer
        if isinstance(init, initializers.Initializer):
            init = initializers.serialize(init)
        return {**super().get_config(), "alpha_initializer": init,
                "shared_axes": self.shared_axes or None}


def _check_shared_axes(shared_axes: Any) -> list[int]:
    """None, an int >= 1 or a sequence of them, as a list (empty for none)."""
    if shared_axes is None:
        return []
    axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
    for axis in axes:
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or axis < 1:
            raise ValueError(
                "PReLU: argument `shared_axes` must be None, an int >= 1 or a list of them "
                f"(axis 0 is the batch), received shared_axes={shared_axes!r}"
            )
    return [int(axis) for axis in axes]


class ELU(Layer):
    """Applies an Exponential Linear Unit function to an output.

    Formula:

    ```
    f(x) = alpha * (exp(x) - 1.) for x < 0
    f(x) = x for x >= 0
    ```

    Args:
        alpha: float, slope of negative section. Defaults to `1.0`.
        name, trainable, dtype: see `Layer`.
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        self.alpha = check_number("ELU", "alpha", alpha)
        super().__init__(**kwargs)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """Softmax activation layer.

    Formula:
    ``` python
    exp_x = exp(x - max(x))
    f(x) = exp_x / sum(exp_x)
    ```

    Args:
        axis: Integer, or tuple of integers, axis along which the softmax normalization is
            applied. Defaults to -1.
        name, trainable, dtype: see `Layer`.

    Call arguments:
        inputs: The inputs (logits) to the softmax layer.
        mask: A boolean mask of the same shape as `inputs` (or one that broadcasts to it).
            True keeps a position; a False position gets a large negative logit before the
            softmax (-1e9) and exactly 0 after it, so a fully masked row is all zeros.
            Defaults to `None`.

    Returns:
        Softmaxed output with the same shape as `inputs`.

    Example:

    >>> Softmax()([1.0, 2.0, 1.0])
    Tensor([0.21194156 0.5761169  0.21194156], shape=(3,), dtype=float32)
    """

    def __init__(self, axis: int | tuple[int, ...] = -1, **kwargs: Any) -> None:
        if isinstance(axis, bool) or not isinstance(axis, (int, tuple, list)):
            raise TypeError(
                "Softmax: argument `axis` must be an int or a tuple of ints, "
                f"received axis={axis!r}"
            )
        self.axis = tuple(axis) if isinstance(axis, list) else axis
        super().__init__(**kwargs)

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        axis = check_axis(self.name, self.axis, inputs.ndim)
        if mask is None:
            return activations.softmax(inputs, axis=axis)
        keep = _mask_array(self.name, mask, inputs.shape)
        # float16 cannot hold -1e9 (it would be -inf, and a fully masked row NaN)
        large_negative = -3e4 if inputs.dtype == np.float16 else -1e9
        outputs = activations.softmax(where(keep, inputs, large_negative), axis=axis)
        return outputs * keep.astype(outputs.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


def _mask_array(owner: str, mask: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The mask as a boolean array that broadcasts to `shape` (nonzero numbers keep)."""
    keep = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if keep.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: the mask must be boolean, received dtype {keep.dtype}")
    try:
        if np.broadcast_shapes(keep.shape, shape) != tuple(shape):
            raise ValueError
    except ValueError:
        raise ValueError(
            f"{owner}: a mask of shape {keep.shape} does not fit inputs of shape {tuple(shape)}"
        ) from None
    return keep.astype(bool)


class ThresholdedReLU(Layer):
    """Thresholded Rectified Linear Unit (tf.keras 2).

    Formula:
    ``` python
    f(x) = x for x > theta
    f(x) = 0 otherwise
    ```

    Args:
        theta: A float >= 0, the threshold location of activation. Defaults to `1.0`.
        name, trainable, dtype: see `Layer`.
    """

    def __init__(self, theta: float = 1.0, **kwargs: Any) -> None:
        self.theta = _check_parameter("ThresholdedReLU", "theta", theta)
        super().__init__(**kwargs)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.threshold(inputs, threshold=self.theta, default_value=0.0)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "theta": self.theta}
