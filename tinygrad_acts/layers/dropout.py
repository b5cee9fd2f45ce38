"""Dropout layers: random units switched off during training, the identity at inference.

Both draw a fresh mask at every training call and apply it as a constant factor, so the
gradient flows only through the units kept. Randomness: with `seed=None` masks come from
the library's generator (`config.rng()`, reproducible after `tinygrad_acts.set_seed`);
with a seed, from a generator of the layer's own, seeded once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config
from ..tensor import Tensor
from ..validation import check_number
from .base import Layer

__all__ = ["AlphaDropout", "Dropout"]

# SELU's constants (Klambauer et al., 2017): selu(x) -> -SCALE * ALPHA as x -> -infinity.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _RandomMask(Layer):
    """What both dropouts share: the rate, the seed, and drawing which units are kept."""

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        rate = check_number(type(self).__name__, "rate", rate, 0, 1, high_open=True)
        if seed is not None:
            config.rng(seed)  # checks the seed (a non-negative integer) before anything is named
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.seed = seed
        self._generator = None if seed is None else config.rng(seed)

    def _keep_mask(self, shape: tuple[int, ...]) -> np.ndarray:
        """True for each unit kept, with probability 1 - rate."""
        generator = self._generator if self._generator is not None else config.rng()
        return generator.random(shape) >= self.rate

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class Dropout(_RandomMask):
    """Sets each input unit to 0 with probability `rate` during training, and scales the
    units kept by `1 / (1 - rate)`, so that the expected value of every unit is unchanged
    ("inverted dropout", as Keras):

        output = inputs * mask / (1 - rate),   mask ~ Bernoulli(1 - rate)

    At inference (`training=False`, the default) the layer is the identity.

    Args:
        rate: the fraction of units dropped, in [0, 1).
        seed: None or a non-negative integer.
        name, trainable, dtype: see `Layer`.
    """

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        factor = self._keep_mask(inputs.shape).astype(inputs.dtype)
        factor *= 1.0 / (1.0 - self.rate)
        return inputs * Tensor(factor)


class AlphaDropout(_RandomMask):
    """Dropout for self-normalizing (SELU) networks: keeps mean 0 and variance 1.

    Setting units to 0 would shift a SELU network's statistics, since 0 is not SELU's
    resting value. AlphaDropout sets dropped units to SELU's negative saturation value
    `alpha' = -scale * alpha`, then applies the affine map that restores mean 0 and
    variance 1 (Klambauer et al., 2017), with keep probability q = 1 - rate:

        x' = x where kept, alpha' where dropped
        output = a * x' + b,   a = (q + alpha'^2 q (1 - q))^(-1/2),   b = -a (1 - q) alpha'

    For rate 0.1: a = 0.921285, b = 0.161971. At inference it is the identity.

    Args:
        rate: the fraction of units dropped, in [0, 1).
        seed: None or a non-negative integer.
        name, trainable, dtype: see `Layer`.
    """

    ALPHA_PRIME = -_SELU_SCALE * _SELU_ALPHA

    def affine_coefficients(self) -> tuple[float, float]:
        """The `(a, b)` of the affine map, for this layer's rate."""
        q = 1.0 - self.rate
        alpha_p = self.ALPHA_PRIME
        a = (q + alpha_p**2 * q * (1.0 - q)) ** -0.5
        return a, -a * (1.0 - q) * alpha_p

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        a, b = self.affine_coefficients()
        kept = self._keep_mask(inputs.shape)
        # a * (x kept, alpha' dropped) + b  ==  x * (a where kept) + (b, or a alpha' + b)
        scale = np.where(kept, a, 0.0).astype(inputs.dtype)
        shift = np.where(kept, b, a * self.ALPHA_PRIME + b).astype(inputs.dtype)
        return inputs * Tensor(scale) + Tensor(shift)
