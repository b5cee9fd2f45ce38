"""Global settings: the default float type and the random seed.

Keras keeps both in its backend config (`keras.config.floatx()`,
`keras.utils.set_random_seed`); so do we.
"""

from __future__ import annotations

import random

import numpy as np

_FLOATX = "float32"
_ALLOWED_FLOATX = ("float16", "float32", "float64")
_rng = np.random.default_rng()


def floatx() -> str:
    """The default float type, as a string: 'float32' unless `set_floatx` changed it."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type for Python scalars, lists and new weights.

    Args:
        value: one of 'float16', 'float32', 'float64'.
    """
    global _FLOATX
    if not isinstance(value, str) or value not in _ALLOWED_FLOATX:
        raise ValueError(
            f"set_floatx: value must be one of {_ALLOWED_FLOATX}, received {value!r}"
        )
    _FLOATX = value


def set_seed(seed: int) -> None:
    """Seed every source of randomness the library uses (initializers without a
    seed of their own, dropout, shuffling in `fit`), and Python's and numpy's
    global generators, as `keras.utils.set_random_seed` does."""
    global _rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_seed: seed must be a non-negative integer, received {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    _rng = np.random.default_rng(int(seed))


def rng(seed: int | None = None) -> np.random.Generator:
    """A random generator: a fresh one made from `seed` when given, otherwise the
    library's global generator (reproducible after `set_seed`)."""
    if seed is None:
        return _rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, received {seed!r}")
    return np.random.default_rng(int(seed))
