"""`Layer`: Keras's building block. A layer holds weights, creates them on its first call
(when it knows the input's shape), and computes its output with Tensor operations, so that
backward reaches its weights.

Subclasses write `build(input_shape)` (create weights with `add_weight`) and
`call(inputs)` or `call(inputs, training=None)`, as in Keras. As in Keras, calling `build`
marks the layer built (whoever calls it), and a layer that writes no `build` has nothing to
build: it is built when made.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections import defaultdict
from typing import Any

import numpy as np

from .. import config, initializers
from ..grad_mode import name_scope
from ..tensor import Tensor
from ..validation import argument_error, check_bool

_name_counts: defaultdict[str, int] = defaultdict(int)


def unique_name(base: str) -> str:
    """Keras-style automatic names: 'dense', then 'dense_1', 'dense_2', ..."""
    count = _name_counts[base]
    _name_counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Restart automatic layer names from 'dense', 'dense_1', ... (Keras's clear_session)."""
    _name_counts.clear()


def _snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class Layer:
    """The base class of all layers.

    Args:
        name: the layer's name (unique names like 'dense_1' are made when left out).
        trainable: whether its weights are trained.
        dtype: the float type of its weights (default `ta.floatx()`).
    """

    _call_takes_training = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._call_takes_training = "training" in inspect.signature(cls.call).parameters
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])

    def __init__(self, name: str | None = None, trainable: bool = True, dtype: Any = None) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(
                f"{type(self).__name__}: name must be a non-empty str, received {name!r}"
            )
        trainable = check_bool(type(self).__name__, "trainable", trainable)
        dtype = _check_dtype(type(self).__name__, dtype)  # before a name is used up
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = dtype
        self.built = type(self).build is Layer.build  # nothing to build: built when made
        self._weights: list[Tensor] = []

    # ---- weights -------------------------------------------------------------------------
    def add_weight(
        self, shape: tuple[int, ...], initializer: Any = "zeros", name: str = "weight",
        trainable: bool = True,
    ) -> Tensor:
        """Create a weight of `shape` filled by `initializer` (a name or an Initializer)."""
        values = initializers.get(initializer)(tuple(shape), dtype=self.dtype)
        weight = Tensor(np.asarray(values, dtype=self.dtype), requires_grad=trainable,
                        name=f"{self.name}/{name}")
        self._weights.append(weight)
        return weight

    @property
    def weights(self) -> list[Tensor]:
        return list(self._weights)

    @property
    def trainable_weights(self) -> list[Tensor]:
        if not self.trainable:
            return []
        return [w for w in self._weights if w.requires_grad]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self._weights if id(w) not in trainable]

    def count_params(self) -> int:
        return int(sum(w.size for w in self._weights))

    def get_weights(self) -> list[np.ndarray]:
        return [w.data.copy() for w in self._weights]

    def set_weights(self, values: list[Any]) -> None:
        """Replace the weights' values. Every array is checked (count, shape, numbers)
        before any weight changes: a bad array, wherever it is, changes nothing."""
        if not isinstance(values, (list, tuple)):
            raise TypeError(f"{self.name}.set_weights: expected a list of arrays, "
                            f"received {type(values).__name__}")
        if len(values) != len(self._weights):
            raise ValueError(
                f"{self.name}.set_weights: expected {len(self._weights)} arrays, "
                f"received {len(values)}"
            )
        arrays = []
        for w, v in zip(self._weights, values, strict=True):
            try:
                v = np.asarray(v)
            except (TypeError, ValueError) as e:
                raise ValueError(f"{self.name}.set_weights: weight {w.name} needs an array of "
                                 f"numbers ({e})") from None
            if v.shape != w.shape:
                raise ValueError(
                    f"{self.name}.set_weights: weight {w.name} has shape {w.shape}, "
                    f"received an array of shape {v.shape}"
                )
            if v.dtype.kind not in "fiub":
                raise ValueError(f"{self.name}.set_weights: weight {w.name} needs numbers, "
                                 f"received an array of dtype {v.dtype}")
            arrays.append(v.astype(w.dtype))
        for w, v in zip(self._weights, arrays, strict=True):
            w.data[...] = v

    # ---- calling -------------------------------------------------------------------------
    def build(self, input_shape: tuple[int, ...]) -> None:
        """Create the weights, knowing the input shape. Layers without weights skip it."""

    def call(self, inputs: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define call(inputs)")

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """The output's shape for an input of `input_shape` (by default: the same)."""
        return tuple(input_shape)

    def __call__(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Tensor:
        if not isinstance(inputs, Tensor):
            inputs = Tensor(inputs, dtype=_input_dtype(inputs, self.dtype))
        x = inputs
        if not self.built:
            self.build(x.shape)
        if self._call_takes_training:
            kwargs["training"] = bool(training)
        with name_scope(self.name):
            return self.call(x, **kwargs)

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild this layer (without its weights), under Keras's names."""
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new layer from the output of `get_config()`, as Keras's `from_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _marks_built(build: Any) -> Any:
    """`build`, then `self.built = True`; a build that raises leaves the layer as it was
    (no half-made weights, still unbuilt)."""

    @functools.wraps(build)
    def build_and_mark(self: Layer, input_shape: tuple[int, ...]) -> None:
        before, weights = dict(self.__dict__), list(self._weights)
        try:
            build(self, input_shape)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before, _weights=weights)
            raise
        self.built = True

    return build_and_mark


def _check_dtype(owner: str, dtype: Any) -> str:
    """The name of a numpy number type ('float32', ...); None means `config.floatx()`."""
    if dtype is None:
        return np.dtype(config.floatx()).name
    expected = "a numpy number type such as 'float32'"
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise argument_error(owner, "dtype", dtype, expected, TypeError) from None
    if resolved.kind not in "fiu":
        raise argument_error(owner, "dtype", dtype, expected)
    return resolved.name


def _input_dtype(inputs: Any, layer_dtype: str) -> str | None:
    """Lists and numbers become the layer's float type; arrays of ints too (a layer computes
    in floats); float arrays keep theirs."""
    if isinstance(inputs, np.ndarray) and inputs.dtype.kind == "f":
        return None
    return layer_dtype
