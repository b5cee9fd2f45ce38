"""Self-normalizing networks (Klambauer et al., 2017, "Self-Normalizing Neural Networks"),
measured: what lesson 8, `tinygrad-acts selu` and the tests share.

SELU's two constants are chosen so that mean 0 and variance 1 are a stable fixed point of
the map from one layer's activation statistics to the next, when the weights have variance
1 / fan_in (LeCun initialization, `kernel_initializer='lecun_normal'`):

    selu(x) = scale * x                     for x > 0
              scale * alpha * (exp(x) - 1)  for x <= 0
    alpha = 1.6732632423543772,  scale = 1.0507009873554805

Two experiments show what that buys:

1. At initialization (`layer_statistics`, `statistics_table`): through 32 square layers,
   SELU keeps every layer near (0, 1); ReLU's variance halves at each layer (1e-10 at layer
   32); tanh's shrinks; SELU with twice the weight variance (he_normal) explodes.
2. In training (`train_deep`, `compare_training`): the same 32-layer network, trained on two
   spirals with plain SGD, learns with SELU and does not with ReLU, whose signal and
   gradient have vanished before the first step. `ActivationStatistics` records each
   layer's statistics during training: they start at (0, 1) for SELU and move away as the
   network learns (a trained network need not stay normalized; the fixed point holds for
   weights of variance 1 / fan_in, which training changes).

Reproducibility: `deep_network`, `layer_statistics` and `train_deep` call
`ta.set_seed(seed)` (the weights, dropout masks and `fit`'s shuffling all draw from the
library's generator), so the same arguments give the same numbers.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import config, datasets, losses, optimizers
from .callbacks import ActivationStatistics, History
from .grad_mode import no_grad
from .layers import AlphaDropout, Dense, Dropout
from .models import Sequential
from .tensor import Tensor
from .validation import check_positive_int as _check_positive_int

__all__ = [
    "DEFAULT_CONFIGS",
    "PROBE_SIZE",
    "TABLE_LAYERS",
    "compare_training",
    "deep_network",
    "layer_statistics",
    "plot_training",
    "spirals",
    "statistics_table",
    "train_deep",
]

#: The networks `statistics_table` compares by default: (activation, initializer).
DEFAULT_CONFIGS = (
    ("selu", "lecun_normal"),
    ("relu", "lecun_normal"),
    ("relu", "he_normal"),
    ("tanh", "lecun_normal"),
    ("selu", "he_normal"),
)

#: The layers `statistics_table` shows (those that exist at the depth asked for).
TABLE_LAYERS = (1, 2, 4, 8, 16, 32)

#: How many of the spirals' points `train_deep` uses as `ActivationStatistics`' probe.
PROBE_SIZE = 256

_DROPOUTS = {"alpha": AlphaDropout, "standard": Dropout}


def _check_dropout(dropout: Any) -> tuple[type, float] | None:
    """None, or ('alpha' | 'standard', rate) as (the layer class, the rate)."""
    if dropout is None:
        return None
    if (not isinstance(dropout, (tuple, list)) or len(dropout) != 2
            or dropout[0] not in _DROPOUTS or isinstance(dropout[1], bool)
            or not isinstance(dropout[1], numbers.Real) or not 0 <= dropout[1] < 1):
        raise ValueError(
            "layer_statistics: argument `dropout` must be None, ('alpha', rate) or "
            f"('standard', rate) with rate in [0, 1), received dropout={dropout!r}"
        )
    return _DROPOUTS[dropout[0]], float(dropout[1])


# ---- 1. statistics at initialization ---------------------------------------------------------


def layer_statistics(
    activation: str = "selu",
    initializer: str = "lecun_normal",
    depth: int = 32,
    width: int = 256,
    batch: int = 1000,
    seed: int = 0,
    dropout: tuple[str, float] | None = None,
) -> dict[str, np.ndarray]:
    """Mean and variance of every layer's activations in a freshly initialized deep network.

    The network is `depth` square layers `Dense(width, activation, use_bias=False)` with
    weights from `initializer`; the input is a batch of standard normal vectors,
    x ~ N(0, I). One forward pass, without a graph (`no_grad`). For layer l, with h_l its
    output (all units and samples together):

        mean[l] = mean(h_l),   var[l] = mean((h_l - mean[l])**2)

    Args:
        activation: the activation's name ('selu', 'relu', 'tanh', ...).
        initializer: the kernel initializer's name ('lecun_normal', 'he_normal', ...).
        depth: the number of layers.
        width: the units per layer (and the input's width).
        batch: the number of input vectors.
        seed: seeds the library (`ta.set_seed`) and the input.
        dropout: None, or ('alpha', rate) for `AlphaDropout` or ('standard', rate) for
            `Dropout`, applied in training mode before each Dense layer.

    Returns:
        `{'mean': array of shape (depth,), 'var': array of shape (depth,)}` (float64).
    """
    owner = "layer_statistics"
    depth = _check_positive_int(owner, "depth", depth)
    width = _check_positive_int(owner, "width", width)
    batch = _check_positive_int(owner, "batch", batch)
    dropout = _check_dropout(dropout)
    config.set_seed(seed)  # also checks the seed
    layers = []
    for _ in range(depth):
        if dropout is not None:
            layer_class, rate = dropout
            layers.append(layer_class(rate))
        layers.append(Dense(width, activation=activation, kernel_initializer=initializer,
                            use_bias=False))
    h = Tensor(config.rng(seed).standard_normal((batch, width)).astype(config.floatx()))
    means, variances = [], []
    with no_grad():
        for layer in layers:
            h = layer(h, training=True)  # training: dropout on (Dense ignores it)
            if isinstance(layer, Dense):
                means.append(np.mean(h.data, dtype=np.float64))
                variances.append(np.var(h.data, dtype=np.float64))
    return {"mean": np.array(means), "var": np.array(variances)}


def statistics_table(
    depth: int = 32,
    width: int = 256,
    seed: int = 0,
    configs: Iterable[tuple[str, str]] | None = None,
) -> str:
    """A text table of `layer_statistics` for several networks: each one's mean and
    variance at layers 1, 2, 4, 8, 16 and 32 (those up to `depth`, and `depth` itself).

    Args:
        depth, width, seed: as for `layer_statistics` (batch 1000).
        configs: (activation, initializer) pairs; by default `DEFAULT_CONFIGS`: selu and
            relu and tanh with lecun_normal, relu and selu with he_normal.

    Returns:
        The table, one line per network and statistic, e.g.

            selu  lecun_normal  mean      -0.00166   0.00271 ...
                                variance     0.996     0.994 ...
    """
    depth = _check_positive_int("statistics_table", "depth", depth)
    configs = list(DEFAULT_CONFIGS if configs is None else configs)
    for i, pair in enumerate(configs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(
                isinstance(name, str) for name in pair):
            raise ValueError(
                f"statistics_table: configs[{i}] must be a pair (activation, initializer) of "
                f"names, received {pair!r}"
            )
    layers = sorted({n for n in TABLE_LAYERS if n <= depth} | {depth})
    name_width = max(len(activation) for activation, _ in configs) + 2
    init_width = max(len(initializer) for _, initializer in configs) + 2
    lead = " " * (name_width + init_width)
    lines = [
        f"Activations through {depth} layers Dense({width}, use_bias=False), inputs "
        f"~ N(0, 1), a batch of 1000 (seed {seed}):",
        "",
        lead + f"{'':<10}" + "".join(f"{f'layer {n}':>11}" for n in layers),
    ]
    for activation, initializer in configs:
        stats = layer_statistics(activation, initializer, depth=depth, width=width, seed=seed)
        for row, (label, key) in enumerate((("mean", "mean"), ("variance", "var"))):
            first = f"{activation:<{name_width}}{initializer:<{init_width}}" if row == 0 else lead
            lines.append(first + f"{label:<10}"
                         + "".join(f"{stats[key][n - 1]:>#11.3g}" for n in layers))
    return "\n".join(lines)


# ---- 2. training a deep network ----------------------------------------------------------------


def deep_network(
    activation: str,
    depth: int = 32,
    width: int = 64,
    initializer: str = "lecun_normal",
    seed: int = 0,
) -> Sequential:
    """A deep, narrow classifier for 2-D points: `depth` hidden layers
    `Dense(width, activation)` and one output logit `Dense(1)` (no activation: train it with
    `BinaryCrossentropy(from_logits=True)`), every kernel from `initializer`, every bias 0.

    Args:
        activation: the hidden layers' activation ('selu', 'relu', 'tanh', ...).
        depth: the number of hidden layers.
        width: the units per hidden layer.
        initializer: the kernels' initializer.
        seed: seeds the library (`ta.set_seed`) before the weights are drawn.

    Returns:
        A built `Sequential` taking inputs of shape (batch, 2).
    """
    depth = _check_positive_int("deep_network", "depth", depth)
    width = _check_positive_int("deep_network", "width", width)
    config.set_seed(seed)
    hidden = [Dense(width, activation=activation, kernel_initializer=initializer,
                    input_dim=2 if i == 0 else None) for i in range(depth)]
    return Sequential([*hidden, Dense(1, kernel_initializer=initializer)])


def spirals(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The data `train_deep` learns: 1,000 points of two interleaved spirals (1.5 turns,
    noise 0.2, `datasets.make_spirals`), each coordinate standardized to mean 0 and variance
    1 (`datasets.standardize`), so that the first layer sees inputs of the scale SELU's
    fixed point assumes. Returns `(X, y)`: float32 (1000, 2) and int64 (1000,)."""
    X, y = datasets.make_spirals(1000, seed=seed)
    return datasets.standardize(X), y


def train_deep(
    activation: str,
    epochs: int = 60,
    depth: int = 32,
    width: int = 64,
    learning_rate: float = 0.02,
    batch_size: int = 32,
    seed: int = 0,
    verbose: int = 0,
) -> tuple[History, ActivationStatistics]:
    """Train `deep_network(activation, depth, width)` on `spirals(seed)`, recording each
    layer's statistics as it learns.

    Plain SGD (no momentum) on `BinaryCrossentropy(from_logits=True)`, with the accuracy
    metric. An `ActivationStatistics` callback probes the first `PROBE_SIZE` points (with
    their labels: the gradients are the loss's) before training and after every epoch.

    Returns:
        `(history, stats)`: the `History` (`history.history['accuracy'][-1]` is the last
        epoch's accuracy) and the `ActivationStatistics` (its `model` is the trained
        network: `stats.model.evaluate(*spirals(seed))`).
    """
    X, y = spirals(seed)
    model = deep_network(activation, depth=depth, width=width, seed=seed)
    model.compile(optimizer=optimizers.SGD(learning_rate=learning_rate),
                  loss=losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    stats = ActivationStatistics(X[:PROBE_SIZE], y[:PROBE_SIZE])
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                        callbacks=[stats])
    return history, stats


def compare_training(
    activations: Sequence[str] = ("selu", "relu", "tanh"),
    **kwargs: Any,
) -> dict[str, tuple[History, ActivationStatistics]]:
    """`train_deep` for each activation, with the same arguments (`**kwargs`: epochs, depth,
    width, learning_rate, batch_size, seed, verbose) and so the same data and the same
    seed. Returns `{activation: (history, stats)}`, in the order given."""
    if isinstance(activations, str) or not isinstance(activations, Sequence) or not activations:
        raise TypeError(
            "compare_training: argument `activations` must be a non-empty list of names, "
            f"received activations={activations!r}"
        )
    return {activation: train_deep(activation, **kwargs) for activation in activations}


def plot_training(results: Mapping[str, tuple[History, ActivationStatistics]],
                  path: str | os.PathLike) -> Path:
    """Draw `compare_training`'s statistics: one row of heatmaps (mean, variance, fraction
    of zeros, gradient rms; layers by epochs) per activation, each statistic on one colour
    scale for all rows so that the rows compare. Written atomically to `path`.

    Needs matplotlib (`pip install "tinygrad_acts[plot]"`). Returns the path written.
    """
    from .plots import new_figure, save_figure  # matplotlib is imported only to draw

    if not isinstance(results, Mapping) or not results:
        raise ValueError("plot_training: argument `results` must be what compare_training "
                         f"returns, {{activation: (history, stats)}}, received {results!r:.80}")
    all_stats = [stats for _, stats in results.values()]
    ranges = [stats.limits() for stats in all_stats]
    limits = {name: (min(r[name][0] for r in ranges), max(r[name][1] for r in ranges))
              for name in ranges[0]}
    figure = new_figure(figsize=(16, 3.6 * len(results)), layout="constrained")
    rows = figure.subplots(len(results), 4, squeeze=False)
    for axes, (activation, stats) in zip(rows, zip(results, all_stats, strict=True),
                                         strict=True):
        stats.draw(axes, limits=limits, label=activation)
    return save_figure(figure, path)
