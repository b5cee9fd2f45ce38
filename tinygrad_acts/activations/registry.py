"""Activations by name, as in `keras.activations`: `get` turns what a layer's `activation=`
argument may be (a name, a function, None) into a function; `serialize` gives a function's
name and `deserialize` the function back."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from ..tensor import Tensor
from .normalizers import glu, log_softmax, softmax, sparsemax
from .rectifiers import celu, elu, leaky_relu, relu, relu6, selu, threshold
from .shrinkage import hard_shrink, soft_shrink, tanh_shrink
from .sigmoids import (
    hard_sigmoid,
    hard_tanh,
    log_sigmoid,
    sigmoid,
    softsign,
    sparse_sigmoid,
    tanh,
)
from .smooth import (
    exponential,
    gelu,
    hard_silu,
    hard_swish,
    linear,
    mish,
    silu,
    softplus,
    sparse_plus,
    squareplus,
    swish,
)

Activation = Callable[..., Tensor]

#: The 30 activations under their canonical names (a function's name is its `serialize`).
CANONICAL: dict[str, Activation] = {
    "celu": celu,
    "elu": elu,
    "exponential": exponential,
    "gelu": gelu,
    "glu": glu,
    "hard_shrink": hard_shrink,
    "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu,
    "hard_tanh": hard_tanh,
    "leaky_relu": leaky_relu,
    "linear": linear,
    "log_sigmoid": log_sigmoid,
    "log_softmax": log_softmax,
    "mish": mish,
    "relu": relu,
    "relu6": relu6,
    "selu": selu,
    "sigmoid": sigmoid,
    "silu": silu,
    "soft_shrink": soft_shrink,
    "softmax": softmax,
    "softplus": softplus,
    "softsign": softsign,
    "sparse_plus": sparse_plus,
    "sparse_sigmoid": sparse_sigmoid,
    "sparsemax": sparsemax,
    "squareplus": squareplus,
    "tanh": tanh,
    "tanh_shrink": tanh_shrink,
    "threshold": threshold,
}

#: All 32 names `get` knows: the canonical ones and two aliases (the same function objects).
ACTIVATIONS: dict[str, Activation] = {**CANONICAL, "swish": swish, "hard_swish": hard_swish}


def _not_understood(identifier: Any) -> ValueError:
    """Keras's error, with the known names closest to a misspelt one (case-insensitively:
    'ReLU' suggests 'relu')."""
    message = f"Could not interpret activation function identifier: {identifier!r}."
    if isinstance(identifier, str):
        lowered = {name.lower(): name for name in ACTIVATIONS}
        close = difflib.get_close_matches(identifier.lower(), list(lowered), n=3, cutoff=0.6)
        if close:
            message += f" Did you mean {' or '.join(repr(lowered[c]) for c in close)}?"
        else:
            message += f" Known names: {', '.join(sorted(ACTIVATIONS))}."
    else:
        message += " Expected None, an activation's name such as 'relu', or a callable."
    return ValueError(message)


def deserialize(config: str, custom_objects: dict[str, Activation] | None = None) -> Activation:
    """The activation function called `config` (an exact, case-sensitive name).

    Args:
        config: a name, such as 'relu' or 'swish' (see `serialize`).
        custom_objects: optional `{name: function}` of more functions to look names up in
            (before the built-in ones).

    Returns:
        The function.

    Raises:
        ValueError: for an unknown name (Keras returns the string unchanged; here the
            error suggests the closest known names), or anything but a string.
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(
            "deserialize: argument `custom_objects` must be a dict or None, received "
            f"custom_objects={custom_objects!r}"
        )
    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            return custom_objects[config]
        if config in ACTIVATIONS:
            return ACTIVATIONS[config]
    raise _not_understood(config)


def serialize(activation: Activation) -> str:
    """The canonical name of one of the activations: `serialize(relu) == 'relu'`, and an
    alias gives the name of the function it stands for, `serialize(swish) == 'silu'`.

    Raises:
        ValueError: for a function that is not one of `tinygrad_acts.activations`.
    """
    for name, function in CANONICAL.items():
        if function is activation:
            return name
    raise ValueError(
        f"serialize: {activation!r} is not one of the activations of "
        "tinygrad_acts.activations, so it has no name to serialize to"
    )


def get(identifier: str | Activation | None) -> Activation:
    """The activation function an argument like `activation=` stands for.

    Args:
        identifier: one of
            - None: `linear` (no activation);
            - a name: 'relu', 'selu', 'swish', ... (exact and case-sensitive, as in Keras);
            - a callable, such as `relu` or your own function: returned as is.

    Returns:
        A function from Tensor to Tensor.

    Raises:
        ValueError: for an unknown name (the closest known names are suggested) or
            anything else.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise _not_understood(identifier)
