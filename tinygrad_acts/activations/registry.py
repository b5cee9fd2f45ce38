"""The activations by name: one registry that every other place reads.

Each page (`rectifiers`, `sigmoids`, ...) registers its activations with `register`, together
with what `tinygrad_acts.checks` must know to check their derivatives: the parameter settings
worth checking and their kinks. Everything else derives from here: the names and Tensor
methods of `tinygrad_acts.activations`, `get`/`serialize`/`deserialize` (as in
`keras.activations`), the derivative checks, the gallery and the `gradcheck` command. A user's
own activation registered the same way works everywhere the built-in ones do:

    @ta.activations.register(kinks=())
    def isru(x, alpha=1.0):
        return x / (1 + alpha * x * x).sqrt()

    ta.layers.Dense(4, activation="isru")
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .arguments import as_float_tensor

Activation = Callable[..., Tensor]

#: Kinks: the points where a function or one of its first two derivatives jumps, or, for an
#: activation whose kinks move with its input (sparsemax), a function
#: `distance(x, **params)` giving each entry's distance to its nearest kink.
Kinks = tuple[float, ...] | Callable[..., np.ndarray]


@dataclass(frozen=True)
class Form:
    """One way of calling an activation, to check: its parameters and the kinks they put on
    the x axis (finite differences are meaningless across a kink, so checks keep away).

    Attributes:
        params: keyword arguments for the activation.
        kinks: the kinks' positions, or a distance function (see `Kinks`).
    """

    params: dict[str, Any] = field(default_factory=dict)
    kinks: Kinks = ()


@dataclass(frozen=True)
class Registered:
    """What the registry knows of one activation.

    Attributes:
        name: its canonical name (what `serialize` gives).
        function: what `get(name)` returns, a function of a Tensor (and parameters).
        forms: the parameter settings to check, with their kinks (the first is drawn by the
            gallery).
        elementwise: False for an activation that works along an axis (softmax, glu): it is
            checked on a matrix and drawn through the vector [x, 0].
        op: the `Function` that computes it, when it was registered as one.
    """

    name: str
    function: Activation
    forms: tuple[Form, ...]
    elementwise: bool = True
    op: type[Function] | None = None


_ENTRIES: dict[str, Registered] = {}  # every name, aliases included, to its entry


class _Names(Mapping):
    """A live, read-only view of the registry: name -> `pick(entry)`."""

    def __init__(self, pick: Callable[[Registered], Any], aliases: bool = True) -> None:
        self._pick, self._aliases = pick, aliases

    def __getitem__(self, name: str) -> Any:
        entry = _ENTRIES[name]
        if not self._aliases and entry.name != name:
            raise KeyError(name)
        return self._pick(entry)

    def __iter__(self) -> Iterator[str]:
        return (n for n, e in _ENTRIES.items() if self._aliases or e.name == n)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"{{{', '.join(sorted(self))}}}"


#: Every name `get` knows (aliases included) -> its function.
ACTIVATIONS: Mapping[str, Activation] = _Names(lambda entry: entry.function)
#: The canonical names only (an alias such as `swish` left out) -> the function.
CANONICAL: Mapping[str, Activation] = _Names(lambda entry: entry.function, aliases=False)
#: Every name -> its registry entry.
ENTRIES: Mapping[str, Registered] = _Names(lambda entry: entry)
#: Every name -> the forms to check (what `tinygrad_acts.checks` calls its catalogue).
FORMS: Mapping[str, tuple[Form, ...]] = _Names(lambda entry: entry.forms)


# ---- registering ------------------------------------------------------------------------------


def register(
    activation: Activation | type[Function] | str | None = None,
    name: str | None = None,
    *,
    kinks: Kinks = (),
    forms: Sequence[dict[str, Any] | Form] | None = None,
    elementwise: bool = True,
    overwrite: bool = False,
) -> Any:
    """Make an activation known by name, everywhere the built-in ones are: `get` and
    `Dense(activation=name)`, `serialize`/`deserialize`, a Tensor method (unless Tensor has an
    attribute of that name already), the derivative checks (`tinygrad-acts gradcheck NAME` in
    the same process), the gallery and the graph drawing.

    Usable as a call, `register(isru)`, or as a decorator, `@register` or
    `@register(kinks=(0.0,))` (or `@register("name", ...)`).

    Args:
        activation: a `Function` subclass (then `get(name)(x, **params)` runs
            `activation.apply(x, **params)`, x made a float Tensor first; drawings label it
            with the Function's `name`), or a plain function
            of a Tensor written with Tensor operations (returned by `get` as it is).
            Registering a function already registered under another name makes `name` an
            alias: the same function, serialized under its first name.
        name: the name; by default the function's `__name__` (a class's name in lower case).
            A Python identifier.
        kinks: where the function or its first two derivatives jump; the checks keep their
            inputs away from these points.
        forms: the parameter settings to check, each a dict of keyword arguments (with
            `kinks`) or a `Form`; by default the defaults alone.
        elementwise: False for an activation that works along an axis.
        overwrite: replace an activation already registered under `name`. Without it,
            registering a name that is taken raises ValueError.

    Returns:
        `activation` itself (so that it can decorate), or a decorator.
    """
    if activation is None or isinstance(activation, str):
        given = name if activation is None else activation

        def decorator(fn: Any) -> Any:
            return register(fn, given, kinks=kinks, forms=forms, elementwise=elementwise,
                            overwrite=overwrite)

        return decorator
    op = activation if inspect.isclass(activation) else None
    name = _checked_registration(activation, name, op, overwrite)
    existing = _entry_of(activation)
    if existing is not None and existing.name != name:  # an alias: the same entry
        entry = existing
    else:
        function = activation if op is None else _applying(op, name)
        entry = Registered(name, function, _checked_forms(forms, kinks), bool(elementwise), op)
    if name in _ENTRIES:
        unregister(name)
    _ENTRIES[name] = entry
    _attach_method(name, entry.function)
    return activation


def _checked_registration(activation: Any, name: str | None, op: type | None,
                          overwrite: Any) -> str:
    """`register`'s arguments checked before anything changes; the name to register."""
    if op is not None and not issubclass(op, Function):
        raise TypeError(
            f"register: argument `activation` must be a Function subclass or a function of "
            f"Tensors, received the class {op.__name__}"
        )
    if op is None and not callable(activation):
        raise TypeError(
            f"register: argument `activation` must be a Function subclass or a function of "
            f"Tensors, received {activation!r}"
        )
    name = _checked_name(activation, name, op)
    if not isinstance(overwrite, bool):
        raise TypeError(f"register: argument `overwrite` must be a bool, received {overwrite!r}")
    if name in _ENTRIES and not overwrite:
        raise ValueError(
            f"register: an activation named {name!r} is registered already "
            f"({_ENTRIES[name].function!r}); pass overwrite=True to replace it, or choose "
            "another name"
        )
    return name


def unregister(name: str) -> None:
    """Forget the activation called `name` (and its Tensor method); its aliases too when
    `name` is a canonical name."""
    if name not in _ENTRIES:
        raise ValueError(f"unregister: no activation is registered as {name!r}")
    entry = _ENTRIES[name]
    names = [n for n, e in _ENTRIES.items() if e is entry] if entry.name == name else [name]
    for n in names:
        del _ENTRIES[n]
        if getattr(Tensor, n, None) is entry.function:
            delattr(Tensor, n)


def _checked_name(activation: Any, name: str | None, op: type[Function] | None) -> str:
    if name is None:
        name = op.__name__.lower() if op is not None else getattr(activation, "__name__", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"register: the name must be a Python identifier such as 'isru', received "
            f"{name!r}; pass name=... (a lambda has no name of its own)"
        )
    return name


def _checked_forms(forms: Sequence[dict[str, Any] | Form] | None, kinks: Kinks) -> tuple:
    if not (callable(kinks) or isinstance(kinks, (tuple, list))):
        raise TypeError(f"register: argument `kinks` must be a tuple of numbers, received "
                        f"{kinks!r}")
    kinks = kinks if callable(kinks) else tuple(float(k) for k in kinks)
    if forms is None:
        return (Form({}, kinks),)
    if isinstance(forms, (dict, Form)) or not forms:
        raise TypeError(f"register: argument `forms` must be a non-empty sequence of dicts "
                        f"or Forms, received {forms!r}")
    checked = []
    for form in forms:
        if isinstance(form, dict):
            form = Form(dict(form), kinks)
        if not isinstance(form, Form):
            raise TypeError(f"register: each form must be a dict of parameters or a Form, "
                            f"received {form!r}")
        checked.append(form)
    return tuple(checked)


def _applying(op: type[Function], name: str) -> Activation:
    """The function `get(name)` gives for a Function: x made a float Tensor, then `apply`."""

    def activation(x: Any, **params: Any) -> Tensor:
        return op.apply(as_float_tensor(x), **params)

    activation.__name__ = activation.__qualname__ = name
    activation.__doc__ = op.__doc__
    return activation


def _entry_of(function: Any) -> Registered | None:
    """The entry of a registered function (or Function class), if any."""
    for entry in _ENTRIES.values():
        if entry.function is function or (entry.op is not None and entry.op is function):
            return entry
    return None


def _attach_method(name: str, function: Activation) -> None:
    """`t.name(...)`, unless Tensor already has an attribute `name` that is not an
    activation (a user's `abs` leaves `Tensor.abs` alone)."""
    current = getattr(Tensor, name, None)
    if current is None or _entry_of(current) is not None or current is function:
        setattr(Tensor, name, function)


# ---- get, serialize, deserialize --------------------------------------------------------------


def _not_understood(identifier: Any) -> ValueError:
    """Keras's error, with the known names closest to a misspelt one (case-insensitively:
    'ReLU' suggests 'relu')."""
    message = f"Could not interpret activation function identifier: {identifier!r}."
    if isinstance(identifier, str):
        lowered = {name.lower(): name for name in _ENTRIES}
        close = difflib.get_close_matches(identifier.lower(), list(lowered), n=3, cutoff=0.6)
        if close:
            message += f" Did you mean {' or '.join(repr(lowered[c]) for c in close)}?"
        else:
            message += f" Known names: {', '.join(sorted(_ENTRIES))}."
    else:
        message += " Expected None, an activation's name such as 'relu', or a callable."
    return ValueError(message)


def deserialize(config: str, custom_objects: dict[str, Activation] | None = None) -> Activation:
    """The activation function called `config` (an exact, case-sensitive name).

    Args:
        config: a name, such as 'relu' or 'swish' (see `serialize`).
        custom_objects: optional `{name: function}` of more functions to look names up in
            (before the registered ones).

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
        if config in _ENTRIES:
            return _ENTRIES[config].function
    raise _not_understood(config)


def serialize(activation: Activation) -> str:
    """The canonical name of a registered activation: `serialize(relu) == 'relu'`, and an
    alias gives the name of the function it stands for, `serialize(swish) == 'silu'`.

    Raises:
        ValueError: for a function that is not registered.
    """
    entry = _entry_of(activation)
    if entry is None:
        raise ValueError(
            f"serialize: {activation!r} is not one of the activations of "
            "tinygrad_acts.activations, so it has no name to serialize to (register it with "
            "tinygrad_acts.activations.register to give it one)"
        )
    return entry.name


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
        return _ENTRIES["linear"].function
    if isinstance(identifier, str):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise _not_understood(identifier)
