"""Dropout layers: random units switched off during training, the identity at inference.

Both draw a fresh mask at every training call and apply it as a constant factor, so the
gradient flows only through the units kept. The mask is drawn inside a Function's forward
(`RandomMask`): `ta.jit` records that kernel, not its result, so a replayed training step
draws a fresh mask each time, as eager mode does. Randomness: with `seed=None` masks come from
the library's generator (`config.rng()`, reproducible after `tinygrad_acts.set_seed`);
with a seed, from a generator of the layer's own, seeded once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config
from ..function import Function
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

    def _masked(self, inputs: Tensor, kept: float, dropped: float, shift: float = 0.0,
                dropped_shift: float = 0.0) -> Tensor:
        """inputs * scale + shift, with (scale, shift) = (kept, shift) for each unit kept
        and (dropped, dropped_shift) for each unit dropped, the mask drawn in a kernel."""
        return RandomMask.apply(inputs, rate=self.rate, generator=self._generator,
                                kept=kept, dropped=dropped, shift=shift,
                                dropped_shift=dropped_shift)

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
        return self._masked(inputs, kept=1.0 / (1.0 - self.rate), dropped=0.0)


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
        # a * (x kept, alpha' dropped) + b  ==  x * (a where kept) + (b, or a alpha' + b)
        return self._masked(inputs, kept=a, dropped=0.0, shift=b,
                            dropped_shift=a * self.ALPHA_PRIME + b)


class RandomMask(Function):
    """x * scale + shift, where each unit is kept with probability 1 - rate (drawn here,
    from `generator`, or the library's when None) and (scale, shift) is (kept, shift) for a
    unit kept, (dropped, dropped_shift) for one dropped;  d/dx = scale."""

    name = "random_mask"
    derivative = "d/dx = scale (kept / dropped, per unit)"
    random = True  # ta.jit never runs it ahead of time, nor drops it

    def forward(ctx, x, rate, generator, kept, dropped, shift, dropped_shift):
        keep = (generator if generator is not None else config.rng()).random(x.shape) >= rate
        scale = np.where(keep, kept, dropped).astype(x.dtype)
        ctx.save_for_backward(scale)  # a constant of x: its own derivative is 0
        out = x * scale
        if shift != 0.0 or dropped_shift != 0.0:
            out += np.where(keep, shift, dropped_shift).astype(x.dtype)
        return out

    def backward(ctx, grad):
        (scale,) = ctx.saved_tensors
        return grad * scale
