"""`Dense`: the fully connected layer, `activation(inputs @ kernel + bias)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import activations, initializers
from ..tensor import Tensor
from ..validation import check_bool, check_positive_int
from .base import Layer

__all__ = ["Dense"]


class Dense(Layer):
    """Just your regular densely-connected layer:

        output = activation(inputs @ kernel + bias)

    For inputs of shape `(batch, input_dim)` the kernel has shape `(input_dim, units)`, the
    bias shape `(units,)`, and the output shape `(batch, units)`. Inputs with more axes are
    multiplied along their last one, as in Keras. The weights are created at the first call,
    when the input's width is known (or when a `Sequential` model learns it from `input_dim`).

    Args:
        units: the number of outputs, a positive integer.
        activation: an activation's name ('selu', 'relu', ...), a function, or None for none
            (see `tinygrad_acts.activations.get`).
        use_bias: whether to add a bias.
        kernel_initializer: how the kernel starts (a name or an initializer);
            'glorot_uniform' by default. SELU networks want 'lecun_normal'.
        bias_initializer: how the bias starts; 'zeros' by default.
        input_dim: the input's width, when known in advance (Keras's shortcut for the first
            layer of a `Sequential`). A call with another width raises ValueError.
        name, trainable, dtype: see `Layer`.

    Attributes:
        kernel: the weight matrix, a Tensor of shape `(input_dim, units)` (after building).
        bias: the bias, a Tensor of shape `(units,)`, or None without bias.
    """

    def __init__(
        self,
        units: int,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        input_dim: int | None = None,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
    ) -> None:
        # Every argument is checked before the layer takes a name, so a bad call leaves no
        # trace (not even a used-up 'dense_3').
        self.units = check_positive_int("Dense", "units", units, type_error=ValueError)
        self.input_dim = check_positive_int("Dense", "input_dim", input_dim, allow_none=True)
        self.use_bias = check_bool("Dense", "use_bias", use_bias)
        self.activation = _activation(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        for argname, init in (("kernel_initializer", self.kernel_initializer),
                              ("bias_initializer", self.bias_initializer)):
            if init is None:
                raise ValueError(f"Dense: argument `{argname}` must not be None")
        super().__init__(name=name, trainable=trainable, dtype=dtype)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None

    def build(self, input_shape: tuple[int, ...]) -> None:
        self._check_width(input_shape)
        self.input_dim = input_shape[-1]
        self.kernel = self.add_weight(
            (self.input_dim, self.units), self.kernel_initializer, "kernel"
        )
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, "bias")

    def call(self, inputs: Tensor) -> Tensor:
        self._check_width(inputs.shape)
        if inputs.dtype != self.dtype:  # Keras casts float inputs to the layer's dtype
            inputs = inputs.astype(self.dtype)
        outputs = inputs @ self.kernel
        if self.bias is not None:
            outputs = outputs + self.bias
        return outputs if self.activation is None else self.activation(outputs)

    def _check_width(self, input_shape: tuple[int, ...]) -> None:
        """The input's last axis must be the width the kernel was made for."""
        if len(input_shape) == 0:
            raise ValueError(
                f"{self.name}: Dense needs inputs with at least one axis, received a scalar"
            )
        if self.input_dim is not None and input_shape[-1] != self.input_dim:
            raise ValueError(
                f"{self.name}: expected inputs of width {self.input_dim} (the last axis), "
                f"received width {input_shape[-1]} (input shape {tuple(input_shape)})"
            )

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        self._check_width(input_shape)
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        def describe(init: Any) -> Any:
            if isinstance(init, initializers.Initializer):
                return initializers.serialize(init)
            return init

        return {
            **super().get_config(),
            "units": self.units,
            "activation": _activation_config(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": describe(self.kernel_initializer),
            "bias_initializer": describe(self.bias_initializer),
        }


def _activation_config(activation: Callable[[Tensor], Tensor] | None) -> Any:
    """The activation's name, as Keras's config has it (a function of the user's stays a
    function: it has no name of ours)."""
    from .. import activations

    if activation is None:
        return "linear"
    try:
        return activations.serialize(activation)
    except ValueError:
        return activation


def _activation(identifier: Any) -> Callable[[Tensor], Tensor] | None:
    """The activation function, or None for none (so that a linear layer adds no node)."""
    if identifier is None:
        return None
    fn = activations.get(identifier)
    return None if fn is activations.linear else fn
