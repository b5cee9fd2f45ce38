"""`ta.layers`: Keras-style layers. `Layer` is the base class; the others are built on it."""

from .activations import ELU, Activation, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .base import Layer, clear_session
from .core import Dense
from .dropout import AlphaDropout, Dropout
from .normalization import BatchNormalization, LayerNormalization

__all__ = [
    "ELU",
    "Activation",
    "AlphaDropout",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Layer",
    "LayerNormalization",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Softmax",
    "ThresholdedReLU",
    "clear_session",
]
