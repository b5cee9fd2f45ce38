"""Self-normalization (Klambauer et al., 2017), measured: 32 square Dense layers of width 256,
no bias, on standard normal inputs (see /work/shared/reference/selu.md for the figures).

SELU with lecun_normal keeps every layer's activations near mean 0 and variance 1; ReLU's
variance halves at each layer; SELU with he_normal (twice the variance) explodes; and
AlphaDropout keeps the statistics where ordinary dropout does not.
"""

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.layers import AlphaDropout, Dense, Dropout

DEPTH, WIDTH, BATCH = 32, 256, 1000


def layer_statistics(activation, initializer, dropout=None, seed=0):
    """Mean and variance of every Dense layer's output, in a forward pass (no graph)."""
    ta.set_seed(seed)
    layers = []
    for _ in range(DEPTH):
        layers.append(Dense(WIDTH, activation=activation, kernel_initializer=initializer,
                            use_bias=False))
        if dropout is not None:
            layers.append(dropout())
    x = ta.Tensor(np.random.default_rng(seed).standard_normal((BATCH, WIDTH)).astype(np.float32))
    stats = []
    with ta.no_grad():
        for layer in layers:
            x = layer(x, training=True)
            if isinstance(layer, Dense):
                stats.append((float(x.data.mean()), float(x.data.var())))
    return np.array(stats)


def test_selu_with_lecun_normal_keeps_mean_0_and_variance_1_at_every_layer():
    stats = layer_statistics("selu", "lecun_normal")
    means, variances = stats[:, 0], stats[:, 1]
    assert len(stats) == DEPTH
    assert np.abs(means).max() < 0.1, means
    assert np.abs(variances - 1).max() < 0.15, variances


def test_relu_variance_collapses():
    variances = layer_statistics("relu", "lecun_normal")[:, 1]
    assert variances[-1] < 1e-6
    # it roughly halves at each layer
    assert np.all(variances[1:] < variances[:-1])


def test_selu_with_he_normal_explodes():
    variances = layer_statistics("selu", "he_normal")[:, 1]
    assert variances[7] > 3 and variances[-1] > 50
    assert variances[-1] > variances[15] > variances[7]


def test_alpha_dropout_keeps_the_statistics_in_training():
    stats = layer_statistics("selu", "lecun_normal", dropout=lambda: AlphaDropout(0.1))
    means, variances = stats[:, 0], stats[:, 1]
    assert np.abs(means).max() < 0.1, means
    assert np.abs(variances - 1).max() < 0.15, variances


def test_ordinary_dropout_breaks_self_normalization():
    variances = layer_statistics("selu", "lecun_normal", dropout=lambda: Dropout(0.1))[:, 1]
    assert variances[-1] > 1.3  # about 1.6 in the reference simulation


def test_selu_statistics_hold_for_another_seed():
    stats = layer_statistics("selu", "lecun_normal", seed=1)
    assert np.abs(stats[:, 0]).max() < 0.1
    assert np.abs(stats[:, 1] - 1).max() < 0.15
