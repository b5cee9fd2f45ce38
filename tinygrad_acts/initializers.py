"""Initializers: the first values of a layer's weights, as in `keras.initializers`.

An initializer is an object called as `init(shape, dtype=None)` that returns a new
`Tensor` of that shape (not requiring grad: a layer turns it into a weight). The
arguments that describe the distribution (`stddev`, `scale`, `mode`, ...) are given
once, to the constructor, and checked there.

The variance-scaling family (Glorot, He, LeCun) picks the spread of the weights from
the shape of the kernel, so that the variance of the activations stays about the
same from layer to layer:

    stddev = sqrt(scale / n),   n = fan_in, fan_out or (fan_in + fan_out) / 2

where, for a Dense kernel of shape `(input_dim, units)`, `fan_in = input_dim` and
`fan_out = units` (see `compute_fans` for other shapes).

Randomness follows Keras 3 where it can: an initializer made with `seed=` gives the
same values every time it is called. Without a seed, each call draws fresh values
from the library's global generator, `config.rng()`, so a whole model is
reproducible after `tinygrad_acts.set_seed(...)`. (Keras 3 instead picks a hidden
seed when the initializer is built, so an unseeded instance repeats itself.)
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .config import floatx, rng
from .tensor import Tensor
from .validation import argument_error, check_choice, check_int, check_number

__all__ = [
    "TRUNCATED_NORMAL_STDDEV",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "RandomInitializer",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "deserialize",
    "get",
    "serialize",
]

# The standard deviation of a standard normal truncated to [-2, 2]. Truncation
# shrinks the spread, so VarianceScaling divides its target stddev by this number:
# after truncation the weights then have exactly the stddev sqrt(scale / n).
TRUNCATED_NORMAL_STDDEV = 0.87962566103423978

ShapeLike = int | Sequence[int]


# ---------------------------------------------------------------------------
# Argument checks. Each one names who complained, the argument, what it got and
# what it expected, and runs before anything is computed.
# ---------------------------------------------------------------------------


def _did_you_mean(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _check_shape(owner: str, shape: Any) -> tuple[int, ...]:
    """A shape: an int or a sequence of non-negative ints, returned as a tuple."""
    expected = "a tuple of non-negative integers"
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise argument_error(owner, "shape", shape, expected, TypeError)
    for dim in shape:
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
            raise argument_error(owner, "shape", shape, expected, TypeError)
        if dim < 0:
            raise argument_error(owner, "shape", shape, expected)
    return tuple(int(dim) for dim in shape)


def _check_dtype(owner: str, dtype: Any, *, float_only: bool) -> np.dtype:
    """A numpy dtype; None means `config.floatx()`.

    Random draws only make sense in a float type; constants may also be integer or
    boolean, as in Keras.
    """
    if dtype is None:
        return np.dtype(floatx())
    expected = "a float dtype such as 'float32'" if float_only else "a numeric or bool dtype"
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise argument_error(owner, "dtype", dtype, expected, TypeError) from None
    allowed_kinds = "f" if float_only else "fiub"
    if resolved.kind not in allowed_kinds:
        raise argument_error(owner, "dtype", dtype, expected)
    return resolved


def _as_tensor(array: np.ndarray) -> Tensor:
    return Tensor(array)


def _as_numbers(owner: str, name: str, value: Any) -> np.ndarray:
    """An array (a Tensor, numpy array or nested list) of finite real numbers, as numpy."""
    expected = "a number or an array of finite real numbers"
    try:
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
    except (TypeError, ValueError):
        raise argument_error(owner, name, value, expected, TypeError) from None
    if array.dtype.kind not in "fiu":
        raise argument_error(owner, name, value, expected, TypeError)
    if not np.isfinite(array).all():
        raise argument_error(owner, name, value, expected)
    return array


# ---------------------------------------------------------------------------
# Base class and constant initializers.
# ---------------------------------------------------------------------------


class Initializer:
    """Base class of all initializers.

    A subclass implements `__call__(shape, dtype=None)`, returning a new Tensor of
    that shape and dtype, and `get_config()` if its constructor takes arguments. The
    default `from_config` calls the constructor with the config's items, so
    `type(init).from_config(init.get_config())` rebuilds an equal initializer.
    """

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> Tensor:
        """Returns a new Tensor of the given shape and dtype.

        Args:
            shape: the shape of the tensor, e.g. `(input_dim, units)`.
            dtype: its dtype; `None` means `config.floatx()` ('float32' by default).
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__call__(shape, dtype=None)`"
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """Builds an initializer from the output of `get_config()`. A key the class does not
        take is named, with the class's own name and the keys it does take."""
        parameters = inspect.signature(cls).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        unexpected = sorted(str(key) for key in config if key not in parameters)
        if unexpected and not takes_any:
            raise TypeError(
                f"{cls.__name__}.from_config: unexpected key(s) {unexpected}; {cls.__name__} "
                f"takes {list(parameters) or 'no arguments'}"
            )
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same configuration."""
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


def _constant_tensor(owner: str, shape: ShapeLike, dtype: Any, value: float) -> Tensor:
    """The one place the constant initializers fill an array."""
    shape = _check_shape(owner, shape)
    dtype = _check_dtype(owner, dtype, float_only=False)
    return _as_tensor(np.full(shape, value, dtype=dtype))


class Zeros(Initializer):
    """Initializer that generates tensors filled with 0 (Dense's default bias).

    Example:

    >>> init = Zeros()
    >>> values = init(shape=(2, 2))
    """

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> Tensor:
        return _constant_tensor(type(self).__name__, shape, dtype, 0)


class Ones(Initializer):
    """Initializer that generates tensors filled with 1.

    Example:

    >>> init = Ones()
    >>> values = init(shape=(2, 2))
    """

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> Tensor:
        return _constant_tensor(type(self).__name__, shape, dtype, 1)


class Constant(Initializer):
    """Initializer that generates tensors filled with one constant value.

    Example:

    >>> init = Constant(10.0)
    >>> values = init(shape=(2, 2))

    >>> Constant(np.array([1.0, 2.0, 3.0]))(shape=(2, 3))  # each row [1, 2, 3]

    Args:
        value: a Python scalar, or an array (a numpy array, a Tensor or a nested list) that
            broadcasts to the shape asked for, as in Keras 3; cast to the requested dtype
            when called.
    """

    def __init__(self, value: Any = 0.0) -> None:
        owner = type(self).__name__
        if isinstance(value, numbers.Number) or value is None:
            self.value: float | np.ndarray = check_number(owner, "value", value)
            return
        array = _as_numbers(owner, "value", value)
        if array.ndim == 0:
            self.value = check_number(owner, "value", array.item())
        else:
            self.value = array.copy()
            self.value.flags.writeable = False  # a shared constant: nobody edits it in place

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> Tensor:
        owner = type(self).__name__
        if isinstance(self.value, float):
            return _constant_tensor(owner, shape, dtype, self.value)
        shape = _check_shape(owner, shape)
        dtype = _check_dtype(owner, dtype, float_only=False)
        try:
            filled = np.broadcast_to(self.value, shape)
        except ValueError:
            raise ValueError(
                f"{owner}: its value of shape {self.value.shape} does not broadcast to the "
                f"shape asked for, {shape}"
            ) from None
        return _as_tensor(filled.astype(dtype))

    def get_config(self) -> dict[str, Any]:
        value = self.value
        return {"value": value if isinstance(value, float) else value.tolist()}


# ---------------------------------------------------------------------------
# Random initializers.
# ---------------------------------------------------------------------------


def _truncated_normal(
    generator: np.random.Generator, size: tuple[int, ...], mean: float, stddev: float
) -> np.ndarray:
    """Normal(mean, stddev) samples; any outside [mean - 2 stddev, mean + 2 stddev]
    is redrawn until it falls inside (about 4.6% are, on each round)."""
    lower, upper = mean - 2.0 * stddev, mean + 2.0 * stddev
    values = generator.normal(mean, stddev, size)
    outside = (values < lower) | (values > upper)
    while outside.any():
        values[outside] = generator.normal(mean, stddev, int(outside.sum()))
        outside = (values < lower) | (values > upper)
    return values


# Each distribution as one sampler on a numpy Generator; `RandomInitializer._draw`
# serves all of them. Draws are made in float64 and then cast to the requested dtype.
_SAMPLERS: dict[str, Callable[..., np.ndarray]] = {
    "uniform": lambda generator, size, minval, maxval: generator.uniform(minval, maxval, size),
    "untruncated_normal": lambda generator, size, mean, stddev: generator.normal(
        mean, stddev, size
    ),
    "truncated_normal": _truncated_normal,
}


class RandomInitializer(Initializer):
    """Base class of the random initializers: holds the seed and draws the values.

    Args:
        seed: None or a non-negative integer. With an integer, every call of the
            initializer returns the same values (as in Keras 3). With None, each call
            draws new values from the library's global generator (`config.rng()`),
            which `tinygrad_acts.set_seed` makes reproducible.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = check_int(type(self).__name__, "seed", seed, 0, allow_none=True)

    def _draw(self, shape: ShapeLike, dtype: Any, distribution: str, **parameters: float) -> Tensor:
        """Samples `distribution` ('uniform' with minval, maxval; 'untruncated_normal'
        or 'truncated_normal' with mean, stddev) into a Tensor of `shape` and `dtype`."""
        owner = type(self).__name__
        shape = _check_shape(owner, shape)
        dtype = _check_dtype(owner, dtype, float_only=True)
        # A fresh generator from the seed each time is what makes a seeded
        # initializer repeat its values; without a seed we share the global one.
        generator = rng(self.seed)
        values = _SAMPLERS[distribution](generator, shape, **parameters)
        return _as_tensor(np.asarray(values).astype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class _MeanStddevInitializer(RandomInitializer):
    """The shared part of RandomNormal and TruncatedNormal: a `mean`, a `stddev`,
    and the name of the distribution to draw from, set by the subclass."""

    DISTRIBUTION: str

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        owner = type(self).__name__
        self.mean = check_number(owner, "mean", mean)
        self.stddev = check_number(owner, "stddev", stddev, 0)
        super().__init__(seed=seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> Tensor:
        return self._draw(shape, dtype, self.DISTRIBUTION, mean=self.mean, stddev=self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomNormal(_MeanStddevInitializer):
    """Random normal initializer: samples from N(mean, stddev**2).

    Example:

    >>> init = RandomNormal(mean=0.0, stddev=1.0, seed=0)
    >>> values = init(shape=(2, 2))

    Args:
        mean: mean of the values.
        stddev: standard deviation of the values (>= 0).
        seed: None or a non-negative integer (see `RandomInitializer`).
    """

    DISTRIBUTION = "untruncated_normal"


class TruncatedNormal(_MeanStddevInitializer):
    """Truncated normal initializer: N(mean, stddev**2) restricted to
    [mean - 2 stddev, mean + 2 stddev].

    Values drawn outside that interval are discarded and redrawn, as in Keras, so
    the result's standard deviation is 0.87962566103423978 * stddev.

    Example:

    >>> init = TruncatedNormal(mean=0.0, stddev=1.0, seed=0)
    >>> values = init(shape=(2, 2))

    Args:
        mean: mean of the normal before truncation (and after: it is symmetric).
        stddev: standard deviation of the normal before truncation (>= 0).
        seed: None or a non-negative integer (see `RandomInitializer`).
    """

    DISTRIBUTION = "truncated_normal"


class RandomUniform(RandomInitializer):
    """Random uniform initializer: samples from U[minval, maxval).

    Example:

    >>> init = RandomUniform(minval=0.0, maxval=1.0, seed=0)
    >>> values = init(shape=(2, 2))

    Args:
        minval: lower bound of the range (inclusive).
        maxval: upper bound of the range (exclusive); must be greater than minval.
        seed: None or a non-negative integer (see `RandomInitializer`).
    """

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        owner = type(self).__name__
        self.minval = check_number(owner, "minval", minval)
        self.maxval = check_number(owner, "maxval", maxval)
        if self.minval >= self.maxval:
            raise ValueError(
                f"{owner}: argument `minval` must be less than `maxval`, "
                f"received minval={minval!r}, maxval={maxval!r}"
            )
        super().__init__(seed=seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> Tensor:
        return self._draw(shape, dtype, "uniform", minval=self.minval, maxval=self.maxval)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def compute_fans(shape: ShapeLike) -> tuple[int, int]:
    """The number of input and output units of a weight of this shape.

    - `()`: fan_in = fan_out = 1 (a scalar);
    - `(n,)`: fan_in = fan_out = n;
    - `(input_dim, units)`, a Dense kernel: fan_in = input_dim, fan_out = units;
    - `(*kernel_size, in_channels, out_channels)`, a convolution kernel:
      fan_in = in_channels * receptive_field, fan_out = out_channels * receptive_field,
      where receptive_field is the product of the kernel's spatial sizes.

    Returns:
        `(fan_in, fan_out)` as Python ints.
    """
    shape = _check_shape("compute_fans", shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])  # 1 for a Dense kernel
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling(RandomInitializer):
    """Initializer that adapts its scale to the shape of the weight.

    With `n` the number of units chosen by `mode`:

    - `mode="fan_in"`: n = max(1, fan_in);
    - `mode="fan_out"`: n = max(1, fan_out);
    - `mode="fan_avg"`: n = max(1, (fan_in + fan_out) / 2);

    the values are drawn, by `distribution`, from:

    - `"truncated_normal"`: a normal N(0, s**2) truncated to [-2 s, 2 s], with
      `s = sqrt(scale / n) / 0.87962566103423978`, so that the standard deviation
      *after* truncation is `sqrt(scale / n)`;
    - `"untruncated_normal"`: N(0, scale / n);
    - `"uniform"`: U[-limit, limit) with `limit = sqrt(3 * scale / n)`, whose
      standard deviation is again `sqrt(scale / n)`.

    (`fan_in` and `fan_out` are computed by `compute_fans`.)

    Example:

    >>> init = VarianceScaling(scale=0.1, mode="fan_in", distribution="uniform", seed=0)
    >>> values = init(shape=(2, 2))

    Args:
        scale: the target variance times n (a positive number).
        mode: one of "fan_in", "fan_out", "fan_avg".
        distribution: one of "truncated_normal", "untruncated_normal", "uniform"
            (case-insensitive; "normal" means "truncated_normal", as in Keras).
        seed: None or a non-negative integer (see `RandomInitializer`).
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        owner = type(self).__name__
        self.scale = check_number(owner, "scale", scale, 0, low_open=True)
        self.mode = check_choice(owner, "mode", mode, self.MODES)
        if isinstance(distribution, str):
            distribution = distribution.lower()
            if distribution == "normal":  # Keras's old name for it
                distribution = "truncated_normal"
        self.distribution = check_choice(owner, "distribution", distribution, self.DISTRIBUTIONS)
        super().__init__(seed=seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> Tensor:
        shape = _check_shape(type(self).__name__, shape)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)  # max(1, .): an empty weight must not divide by 0
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV
            return self._draw(shape, dtype, "truncated_normal", mean=0.0, stddev=stddev)
        if self.distribution == "untruncated_normal":
            stddev = math.sqrt(variance)
            return self._draw(shape, dtype, "untruncated_normal", mean=0.0, stddev=stddev)
        limit = math.sqrt(3.0 * variance)
        return self._draw(shape, dtype, "uniform", minval=-limit, maxval=limit)

    def get_config(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            **super().get_config(),
        }


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed by the subclass
    in `PRESET`; only the seed is left as an argument."""

    PRESET: tuple[float, str, str]

    def __init__(self, seed: int | None = None) -> None:
        scale, mode, distribution = self.PRESET
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotUniform(_NamedVarianceScaling):
    """The Glorot (Xavier) uniform initializer, Dense's default kernel initializer.

    Draws from U[-limit, limit) with `limit = sqrt(6 / (fan_in + fan_out))`:
    VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform").

    Args:
        seed: None or a non-negative integer (see `RandomInitializer`).

    Reference:
        Glorot and Bengio, 2010, http://proceedings.mlr.press/v9/glorot10a.html
    """

    PRESET = (1.0, "fan_avg", "uniform")


class GlorotNormal(_NamedVarianceScaling):
    """The Glorot (Xavier) normal initializer.

    Draws from a truncated normal centered on 0 whose standard deviation (after
    truncation) is `sqrt(2 / (fan_in + fan_out))`:
    VarianceScaling(scale=1.0, mode="fan_avg", distribution="truncated_normal").

    Args:
        seed: None or a non-negative integer (see `RandomInitializer`).

    Reference:
        Glorot and Bengio, 2010, http://proceedings.mlr.press/v9/glorot10a.html
    """

    PRESET = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_NamedVarianceScaling):
    """The He normal initializer, made for ReLU networks.

    Draws from a truncated normal centered on 0 whose standard deviation (after
    truncation) is `sqrt(2 / fan_in)`:
    VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal").

    Args:
        seed: None or a non-negative integer (see `RandomInitializer`).

    Reference:
        He et al., 2015, https://arxiv.org/abs/1502.01852
    """

    PRESET = (2.0, "fan_in", "truncated_normal")


class HeUniform(_NamedVarianceScaling):
    """The He uniform initializer, made for ReLU networks.

    Draws from U[-limit, limit) with `limit = sqrt(6 / fan_in)`:
    VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform").

    Args:
        seed: None or a non-negative integer (see `RandomInitializer`).

    Reference:
        He et al., 2015, https://arxiv.org/abs/1502.01852
    """

    PRESET = (2.0, "fan_in", "uniform")


class LecunNormal(_NamedVarianceScaling):
    """The LeCun normal initializer, the one SELU networks need.

    Draws from a truncated normal centered on 0 whose standard deviation (after
    truncation) is `sqrt(1 / fan_in)`:
    VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal").

    Args:
        seed: None or a non-negative integer (see `RandomInitializer`).

    Reference:
        Klambauer et al., 2017, https://arxiv.org/abs/1706.02515
    """

    PRESET = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_NamedVarianceScaling):
    """The LeCun uniform initializer.

    Draws from U[-limit, limit) with `limit = sqrt(3 / fan_in)`:
    VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform").

    Args:
        seed: None or a non-negative integer (see `RandomInitializer`).

    Reference:
        Klambauer et al., 2017, https://arxiv.org/abs/1706.02515
    """

    PRESET = (1.0, "fan_in", "uniform")


# ---------------------------------------------------------------------------
# Looking initializers up by name: get, serialize, deserialize.
# ---------------------------------------------------------------------------

_CLASSES: tuple[type[Initializer], ...] = (
    Zeros,
    Ones,
    Constant,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
)


def _snake_case(name: str) -> str:
    """'GlorotUniform' -> 'glorot_uniform', the way Keras names its shortcuts."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# Every name `get` understands: the class name, its snake_case form, and Keras's
# aliases. Case matters, as in Keras.
_BY_NAME: dict[str, type[Initializer]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{_snake_case(cls.__name__): cls for cls in _CLASSES},
    "uniform": RandomUniform,
    "normal": RandomNormal,
    "one": Ones,
    "zero": Zeros,
}


def _lookup(name: str, custom_objects: dict[str, Any] | None) -> Any:
    known = {**_BY_NAME, **(custom_objects or {})}
    if name not in known:
        snake_case_names = ", ".join(sorted(key for key in known if key.islower()))
        raise ValueError(
            f"Unknown initializer: {name!r}.{_did_you_mean(name, list(known))} "
            f"Known names: {snake_case_names} (or their class names, e.g. 'GlorotUniform')."
        )
    return known[name]


def serialize(initializer: Initializer) -> dict[str, Any]:
    """The initializer as a JSON-serializable dict `{'class_name': ..., 'config': ...}`.

    `deserialize(serialize(init))` rebuilds an initializer equal to `init`.
    """
    if not isinstance(initializer, Initializer):
        raise TypeError(
            "serialize: argument `initializer` must be an Initializer instance, "
            f"received initializer={initializer!r}"
        )
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(
    config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None
) -> Initializer:
    """Builds an initializer from a name or from a dict made by `serialize`.

    Args:
        config: a name such as 'glorot_uniform' or 'GlorotUniform', or a dict
            `{'class_name': 'RandomNormal', 'config': {'stddev': 0.1}}` (other keys,
            such as Keras's 'module', are ignored).
        custom_objects: optional extra `{name: class}` to look names up in.

    Returns:
        A new initializer.
    """
    if isinstance(config, str):
        return _instantiate(_lookup(config, custom_objects), {})
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(
            "deserialize: argument `config` must be a name or a dict with a 'class_name' "
            f"string and a 'config' dict, received config={config!r}"
        )
    arguments = config.get("config", {})
    if not isinstance(arguments, dict):
        raise ValueError(
            "deserialize: the 'config' entry must be a dict of constructor arguments, "
            f"received {arguments!r}"
        )
    return _instantiate(_lookup(config["class_name"], custom_objects), arguments)


def _instantiate(found: Any, arguments: dict[str, Any]) -> Any:
    """A class found by name is built from `arguments`; a function is returned as is."""
    if not inspect.isclass(found):
        return found
    if issubclass(found, Initializer):
        return found.from_config(arguments)
    return found(**arguments)


def _exactly(values: np.ndarray | np.generic | Tensor) -> Callable[..., Tensor]:
    """Keras 3's initializer for an array or Tensor given directly: its own values, for the
    shape it has and no other."""
    array = _as_numbers("get", "identifier", values).copy()

    def initialize_fn(shape: ShapeLike, dtype: Any = None) -> Tensor:
        shape = _check_shape("get", shape)
        if shape != array.shape:
            raise ValueError(
                f"Expected `shape` to be {array.shape} for direct tensor as initializer. "
                f"Received shape={shape}"
            )
        return _as_tensor(array.astype(_check_dtype("get", dtype, float_only=False)))

    return initialize_fn


def get(identifier: Any) -> Callable[..., Any] | None:
    """The initializer an argument like `kernel_initializer=` stands for.

    Args:
        identifier: one of
            - None (returned as None);
            - an initializer, or any callable `f(shape, dtype=None)` (returned as is);
            - an initializer class (instantiated with its defaults);
            - a name: 'glorot_uniform', 'lecun_normal', 'zeros', 'random_normal', ...
              or a class name 'LecunNormal' (case-sensitive, as in Keras);
            - a dict `{'class_name': ..., 'config': {...}}` (see `deserialize`);
            - a numpy array or a Tensor: its own values, for exactly its shape (Keras 3).

    Returns:
        A callable initializer, or None.

    Raises:
        ValueError: for a name that is not known (close names are suggested) or
            anything else that cannot be read as an initializer.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, (np.ndarray, np.generic, Tensor)):
        return _exactly(identifier)
    initializer = identifier() if inspect.isclass(identifier) else identifier
    if callable(initializer):
        return initializer
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. Expected None, "
        "an Initializer, a callable, a name such as 'glorot_uniform', or a config dict."
    )
