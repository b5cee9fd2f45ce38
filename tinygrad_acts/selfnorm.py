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

3. The mechanism (`moment_map`, `moment_jacobian`, `iterate_moment_map`): the map g from
   one layer's (mean, variance) to the next, in closed form; its fixed point (0, 1) and the
   Jacobian there, whose largest singular value is 0.7877 (`selu --fixed-point`).
4. The depth sweep (`SETUPS`, `run_sweep`, `sweep_table`, `plot_sweep`): SELU against the
   fair baselines (ReLU + he_normal, with BatchNormalization) and its failure modes
   (he_normal, Dropout instead of AlphaDropout, unstandardized inputs), trained at several
   depths (`selu --sweep`).

Reproducibility: `deep_network`, `layer_statistics` and `train_deep` call
`ta.set_seed(seed)` (the weights, dropout masks and `fit`'s shuffling all draw from the
library's generator), so the same arguments give the same numbers.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import config, datasets, losses, optimizers
from .callbacks import ActivationStatistics, Callback, History, TerminateOnNaN
from .grad_mode import no_grad
from .layers import Activation, AlphaDropout, BatchNormalization, Dense, Dropout
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
    dropout: tuple[str, float] | None = None,
    batch_norm: bool = False,
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
        dropout: None, or ('alpha', rate) for `AlphaDropout` or ('standard', rate) for
            `Dropout` after each hidden layer.
        batch_norm: each hidden layer as `Dense(width, use_bias=False)`,
            `BatchNormalization()`, `Activation(activation)` (the usual order: normalize the
            pre-activations; BatchNormalization's beta is the bias).

    Returns:
        A built `Sequential` taking inputs of shape (batch, 2).
    """
    depth = _check_positive_int("deep_network", "depth", depth)
    width = _check_positive_int("deep_network", "width", width)
    dropout = _check_dropout(dropout)
    config.set_seed(seed)
    hidden: list[Any] = []
    for i in range(depth):
        input_dim = 2 if i == 0 else None
        if batch_norm:
            hidden += [Dense(width, kernel_initializer=initializer, use_bias=False,
                             input_dim=input_dim),
                       BatchNormalization(), Activation(activation)]
        else:
            hidden.append(Dense(width, activation=activation, kernel_initializer=initializer,
                                input_dim=input_dim))
        if dropout is not None:
            layer_class, rate = dropout
            hidden.append(layer_class(rate))
    return Sequential([*hidden, Dense(1, kernel_initializer=initializer)])


def spirals(seed: int = 0, standardized: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The data `train_deep` learns: 1,000 points of two interleaved spirals (1.5 turns,
    noise 0.2, `datasets.make_spirals`), each coordinate standardized to mean 0 and variance
    1 (`datasets.standardize`), so that the first layer sees inputs of the scale SELU's
    fixed point assumes. Returns `(X, y)`: float32 (1000, 2) and int64 (1000,).

    With `standardized=False`, the same points in "pixel units" instead, `pixel_units(X)`:
    what a network meets when nobody standardized its inputs."""
    X, y = datasets.make_spirals(1000, seed=seed)
    return (datasets.standardize(X) if standardized else pixel_units(X)), y


def pixel_units(X: np.ndarray) -> np.ndarray:
    """The spirals' coordinates (which lie in about [-4, 4]) measured as pixels of a 256-wide
    image, `32 * (x + 4)`: values 0 to 255, mean about 128, standard deviation about 50, the
    scale of raw image or sensor data. SELU's fixed point assumes inputs of mean 0 and
    variance 1; these are far from it."""
    return (32.0 * (np.asarray(X, np.float64) + 4.0)).astype(np.float32)


#: Learning rates `train_deep` uses when none is given: plain SGD's of the demonstration;
#: for other optimizers their Keras defaults.
DEFAULT_LEARNING_RATES = {"sgd": 0.02}


def make_optimizer(optimizer: Any = "sgd", learning_rate: float | None = None,
                   momentum: float = 0.0) -> Any:
    """An optimizer from a name ('sgd', 'adam', 'rmsprop', ...) with `learning_rate` (or
    `DEFAULT_LEARNING_RATES`'s, else its own default) and, for SGD, `momentum`; an
    Optimizer passes through. Bad numbers raise the optimizer's own errors."""
    if not isinstance(optimizer, str):
        return optimizers.get(optimizer)
    made = optimizers.get(optimizer)  # checks the name (suggesting the closest)
    rate = learning_rate if learning_rate is not None else DEFAULT_LEARNING_RATES.get(
        optimizer.lower(), made.learning_rate)
    if isinstance(made, optimizers.SGD):
        return optimizers.SGD(learning_rate=rate, momentum=momentum)
    return type(made)(learning_rate=rate)


class _EpochBar(Callback):
    """A tqdm bar on stderr, one step per epoch, showing the loss and accuracy: a long
    training run is never silent."""

    def __init__(self, description: str) -> None:
        super().__init__()
        self.description = description
        self.bar = None

    def on_train_begin(self, logs: Any = None) -> None:
        from tqdm import tqdm  # imported here: only a visible run needs it

        self.bar = tqdm(total=self.params["epochs"], desc=self.description, unit="epoch",
                        file=sys.stderr, leave=False)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        logs = logs or {}
        self.bar.set_postfix_str(" ".join(f"{k} {v:.3f}" for k, v in logs.items()),
                                 refresh=False)
        self.bar.update(1)

    def on_train_end(self, logs: Any = None) -> None:
        if self.bar is not None:
            self.bar.close()


def train_deep(
    activation: str,
    epochs: int = 60,
    depth: int = 32,
    width: int = 64,
    learning_rate: float | None = None,
    batch_size: int = 32,
    seed: int = 0,
    verbose: int = 0,
    initializer: str = "lecun_normal",
    dropout: tuple[str, float] | None = None,
    standardized: bool = True,
    optimizer: Any = "sgd",
    progress: bool = False,
) -> tuple[History, ActivationStatistics]:
    """Train `deep_network(activation, depth, width, initializer, dropout=dropout)` on
    `spirals(seed, standardized)`, recording each layer's statistics as it learns.

    By default plain SGD (no momentum, learning rate 0.02) on
    `BinaryCrossentropy(from_logits=True)`, with the accuracy metric. An
    `ActivationStatistics` callback probes the first `PROBE_SIZE` points (with their
    labels: the gradients are the loss's) before training and after every epoch.

    The toggles that break self-normalization on purpose: `initializer` ('he_normal'),
    `dropout` (('standard', 0.1) against ('alpha', 0.1)), `standardized=False` (inputs in
    `pixel_units`), `optimizer` ('adam', ... or an Optimizer) and `learning_rate`.
    `progress=True` shows a bar on stderr.

    Returns:
        `(history, stats)`: the `History` (`history.history['accuracy'][-1]` is the last
        epoch's accuracy) and the `ActivationStatistics` (its `model` is the trained
        network: `stats.model.evaluate(*spirals(seed))`).
    """
    X, y = spirals(seed, standardized)
    model = deep_network(activation, depth=depth, width=width, initializer=initializer,
                         seed=seed, dropout=dropout)
    model.compile(optimizer=make_optimizer(optimizer, learning_rate),
                  loss=losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    stats = ActivationStatistics(X[:PROBE_SIZE], y[:PROBE_SIZE])
    callbacks: list[Callback] = [stats, TerminateOnNaN()]
    if progress:
        callbacks.append(_EpochBar(f"{activation} x{depth}"))
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                        callbacks=callbacks)
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


# ---- 3. the mechanism: the moment map and its fixed point --------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

#: Where `fixed_point_report` and `plot_fixed_point` start iterating: (mean, variance).
FIXED_POINT_STARTS = ((0.0, 4.0), (1.0, 2.5), (-0.8, 0.25), (0.6, 0.05), (-1.2, 1.5))


def moment_map(mean: Any, variance: Any, omega: float = 0.0,
               tau: float = 1.0) -> tuple[Any, Any]:
    """The paper's map g: the mean and variance of `selu(z)` for `z ~ N(mean * omega,
    variance * tau)`, in closed form (float64).

    Why this z: a unit sums its n inputs x_i (mean `mean`, variance `variance`) with weights
    w_i; with omega = sum(w_i) and tau = sum(w_i^2), z = sum(w_i x_i) has mean
    `mean * omega` and variance `variance * tau`, and is about normal (central limit).
    LeCun initialization (variance 1/n) gives omega = 0 and tau = 1 on average.

    With m and s the mean and standard deviation of z, Phi the normal cdf and phi its
    density, the integrals of each branch of selu against the normal density are

        E[z; z > 0]          = m Phi(m/s) + s phi(m/s)
        E[z^2; z > 0]        = (m^2 + s^2) Phi(m/s) + m s phi(m/s)
        E[e^(kz); z <= 0]    = e^(k m + k^2 s^2 / 2) Phi(-(m + k s^2) / s)    (k = 1, 2)

    so that E[selu(z)] and E[selu(z)^2] are sums of these; the variance is the second
    moment minus the mean squared. The exponentials are taken with log Phi (scipy's
    `log_ndtr`), so that no product of a huge and a tiny number overflows.

    Args:
        mean, variance: the inputs' statistics (numbers or arrays; variance >= 0).
        omega, tau: the sum and the sum of squares of a unit's weights (tau > 0).

    Returns:
        `(next_mean, next_variance)`, floats (or arrays, for array arguments).
    """
    from scipy.special import log_ndtr, ndtr  # imported here: import tinygrad_acts stays light

    for name, value in (("mean", mean), ("variance", variance)):
        array = np.asarray(value, dtype=np.float64) if not isinstance(value, bool) else None
        if array is None or not np.isfinite(array).all():
            raise ValueError(f"moment_map: argument `{name}` must be a finite number or array "
                             f"of them, received {name}={value!r}")
    for name, value in (("omega", omega), ("tau", tau)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(
                value):
            raise TypeError(f"moment_map: argument `{name}` must be a finite number, received "
                            f"{name}={value!r}")
    if tau <= 0:
        raise ValueError(f"moment_map: argument `tau` (the weights' sum of squares) must be > 0, "
                         f"received tau={tau!r}")
    m = np.asarray(mean, np.float64) * omega
    s2 = np.asarray(variance, np.float64) * tau
    if (s2 < 0).any():
        raise ValueError(f"moment_map: argument `variance` must be >= 0, received "
                         f"variance={variance!r}")
    point = s2 == 0  # z is the constant m: selu(m), with variance 0
    s2 = np.where(point, 1.0, s2)
    s = np.sqrt(s2)
    phi = np.exp(-0.5 * (m / s) ** 2) / math.sqrt(2 * math.pi)
    above = ndtr(m / s)  # P(z > 0)
    positive_1 = m * above + s * phi
    positive_2 = (m * m + s2) * above + m * s * phi
    exp_1 = np.exp(m + s2 / 2 + log_ndtr(-(m + s2) / s))
    exp_2 = np.exp(2 * m + 2 * s2 + log_ndtr(-(m + 2 * s2) / s))
    below = ndtr(-m / s)  # P(z <= 0)
    first = SELU_SCALE * (positive_1 + SELU_ALPHA * (exp_1 - below))
    second = SELU_SCALE**2 * (positive_2 + SELU_ALPHA**2 * (exp_2 - 2 * exp_1 + below))
    constant = SELU_SCALE * np.where(m > 0, m, SELU_ALPHA * np.expm1(np.minimum(m, 0)))
    next_mean = np.where(point, constant, first)
    next_variance = np.where(point, 0.0, np.maximum(second - first * first, 0.0))
    if next_mean.ndim == 0:
        return float(next_mean), float(next_variance)
    return next_mean, next_variance


def moment_jacobian(mean: float = 0.0, variance: float = 1.0, omega: float = 0.0,
                    tau: float = 1.0, step: float = 1e-5) -> np.ndarray:
    """The 2x2 Jacobian of `moment_map` in (mean, variance), by central differences of the
    closed form (error about step^2, 1e-10):

        [[d next_mean / d mean,      d next_mean / d variance],
         [d next_variance / d mean,  d next_variance / d variance]]

    At (0, 1) with omega = 0, tau = 1 it is [[0, 0.0888], [0, 0.7826]]: the first column is
    0 because with omega = 0 the pre-activation's mean is 0 whatever the inputs' mean. Its
    largest singular value (`np.linalg.norm(J, 2)`) is 0.7877, the paper's figure: below 1,
    so the map contracts near its fixed point and deviations shrink layer after layer."""
    columns = []
    for d_mean, d_var in ((step, 0.0), (0.0, step)):
        up = moment_map(mean + d_mean, variance + d_var, omega, tau)
        down = moment_map(mean - d_mean, variance - d_var, omega, tau)
        columns.append([(u - d) / (2 * step) for u, d in zip(up, down, strict=True)])
    return np.array(columns).T


def iterate_moment_map(mean: float, variance: float, steps: int = 10, omega: float = 0.0,
                       tau: float = 1.0) -> np.ndarray:
    """The statistics layer after layer: an array of shape (steps + 1, 2), row k the (mean,
    variance) after k layers (row 0 the start)."""
    steps = _check_positive_int("iterate_moment_map", "steps", steps)
    path = [(float(mean), float(variance))]
    for _ in range(steps):
        path.append(moment_map(*path[-1], omega, tau))
    return np.array(path)


def fixed_point_report(steps: int = 10, starts: Sequence[tuple[float, float]] = FIXED_POINT_STARTS,
                       omega: float = 0.0, tau: float = 1.0) -> str:
    """What `tinygrad-acts selu --fixed-point` prints: the map iterated from each start,
    the Jacobian at (0, 1) and its largest singular value."""
    lines = [f"The moment map g of selu (omega = {omega:g}, tau = {tau:g}): a layer's "
             "(mean, variance) -> the next layer's.", ""]
    shown = sorted({1, 2, 3, 5, steps})
    lines.append(f"{'start':>16}" + "".join(f"{f'after {k}':>18}" for k in shown))
    for mean, variance in starts:
        path = iterate_moment_map(mean, variance, steps, omega, tau)
        lines.append(f"({mean:5.2f}, {variance:5.2f})  "
                     + "".join(f"{f'({path[k, 0]:+.4f}, {path[k, 1]:.4f})':>18}" for k in shown))
    fixed = moment_map(0.0, 1.0, omega, tau)
    jacobian = moment_jacobian(0.0, 1.0, omega, tau)
    norm = float(np.linalg.norm(jacobian, 2))
    lines += [
        "",
        f"g(0, 1) = ({fixed[0]:.2e}, {fixed[1]:.12f}): (0, 1) is a fixed point",
        "Jacobian of g at (0, 1), rows (mean, variance), columns d/d mean, d/d variance:",
        f"    [[{jacobian[0, 0]:+.6f}, {jacobian[0, 1]:+.6f}],",
        f"     [{jacobian[1, 0]:+.6f}, {jacobian[1, 1]:+.6f}]]",
        f"largest singular value: {norm:.4f} (the paper: 0.7877) < 1, so g contracts: a "
        "deviation from (0, 1) shrinks by this factor or better at every layer near it",
    ]
    return "\n".join(lines)


def plot_fixed_point(path: str | os.PathLike, steps: int = 10,
                     starts: Sequence[tuple[float, float]] = FIXED_POINT_STARTS,
                     omega: float = 0.0, tau: float = 1.0) -> Path:
    """The trajectories of `iterate_moment_map` in the (mean, variance) plane, over the
    map's field of steps g(mu, nu) - (mu, nu) (grey arrows, a third of their length),
    converging to (0, 1). With omega = 0 the mean is forgotten in one layer (the
    pre-activation's mean is 0 whatever it was); the variance then creeps to 1."""
    from .plots import new_figure, save_figure  # matplotlib is imported only to draw

    figure = new_figure(figsize=(7, 5.5), layout="constrained")
    ax = figure.subplots()
    # The field of one-layer steps, drawn at a third of their length so that they don't cross
    grid_mean, grid_var = np.meshgrid(np.linspace(-1.2, 1.2, 9), np.linspace(0.2, 4.2, 9))
    next_mean, next_var = moment_map(grid_mean, grid_var, omega, tau)
    ax.quiver(grid_mean, grid_var, next_mean - grid_mean, next_var - grid_var, color="0.7",
              angles="xy", scale_units="xy", scale=3.0, width=0.004)
    for mean, variance in starts:
        trajectory = iterate_moment_map(mean, variance, steps, omega, tau)
        line, = ax.plot(trajectory[:, 0], trajectory[:, 1], marker="o", markersize=3.5,
                        label=f"from ({mean:g}, {variance:g})")
        ax.plot(*trajectory[0], marker="s", markersize=7, color=line.get_color())
    ax.plot(0.0, 1.0, marker="*", markersize=16, color="black", linestyle="none",
            label="fixed point (0, 1)")
    norm = np.linalg.norm(moment_jacobian(0.0, 1.0, omega, tau), 2)
    ax.set(xlabel="mean of a layer's activations", ylabel="variance",
           title=f"SELU's moment map, {steps} layers from each start (omega = {omega:g}, "
                 f"tau = {tau:g})\nlargest singular value of the Jacobian at (0, 1): {norm:.4f}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="upper right")
    return save_figure(figure, path)


# ---- 4. the depth sweep: fair baselines and failure modes --------------------------------------


@dataclasses.dataclass(frozen=True)
class Setup:
    """One network of the sweep: its hidden layers' activation and initializer, and what
    is added or broken (BatchNormalization, dropout after each hidden layer, inputs left
    unstandardized)."""

    activation: str
    initializer: str
    batch_norm: bool = False
    dropout: tuple[str, float] | None = None
    standardized: bool = True
    why: str = ""


#: The sweep's setups, by the names `--sweep` prints (and `run_sweep(setups=...)` takes).
SETUPS = {
    "SELU + lecun_normal": Setup(
        "selu", "lecun_normal", why="the self-normalizing network, as the paper builds it"),
    "ReLU + lecun_normal": Setup(
        "relu", "lecun_normal", why="the straw man: variance halves at each layer"),
    "ReLU + he_normal": Setup(
        "relu", "he_normal", why="the fair plain baseline: he_normal makes up the halving"),
    "ReLU + he_normal + BatchNormalization": Setup(
        "relu", "he_normal", batch_norm=True, why="the paper's baseline: normalized by BN"),
    "tanh + glorot_uniform": Setup(
        "tanh", "glorot_uniform", why="Keras's defaults with a classic activation"),
    "SELU + he_normal": Setup(
        "selu", "he_normal", why="broken on purpose: twice the variance, it explodes"),
    "SELU + Dropout": Setup(
        "selu", "lecun_normal", dropout=("standard", 0.1),
        why="ordinary dropout (0.1) shifts SELU's variance"),
    "SELU + AlphaDropout": Setup(
        "selu", "lecun_normal", dropout=("alpha", 0.1),
        why="AlphaDropout (0.1) keeps mean 0 and variance 1"),
    "SELU on unstandardized inputs": Setup(
        "selu", "lecun_normal", standardized=False,
        why="inputs in pixel units (0..255), far from the fixed point"),
}

#: `--sweep`'s defaults, and `--quick`'s smaller ones (the tests and lesson 8 use these).
SWEEP_DEFAULTS = {"depths": (2, 8, 16, 32, 64), "width": 64, "samples": 500, "epochs": 100,
                  "batch_size": 32, "optimizer": "sgd", "learning_rate": 0.02, "momentum": 0.0}
QUICK_SWEEP = {**SWEEP_DEFAULTS, "depths": (2, 8, 16), "samples": 256, "epochs": 20}


@dataclasses.dataclass
class SweepResult:
    """One row of the sweep: a setup at a depth, after training."""

    setup: str
    depth: int
    train_accuracy: float
    test_accuracy: float
    start_variance: float
    diverged: bool
    seconds: float


def check_setups(setups: Any) -> list[str]:
    """The setup names, each known (`SETUPS`), or a ValueError naming the unknown one and
    the closest known names."""
    import difflib

    if setups is None:
        return list(SETUPS)
    if isinstance(setups, str) or not isinstance(setups, Iterable):
        raise TypeError(f"run_sweep: argument `setups` must be a list of setup names, received "
                        f"setups={setups!r}")
    setups = list(setups)
    if not setups:
        raise ValueError("run_sweep: argument `setups` must name at least one setup")
    for name in setups:
        if name not in SETUPS:
            close = difflib.get_close_matches(str(name), list(SETUPS), n=2, cutoff=0.3)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(f"unknown setup {name!r}.{hint} The setups: "
                             + "; ".join(repr(n) for n in SETUPS))
    return setups


def check_depths(depths: Any) -> tuple[int, ...]:
    """Depths as a tuple of positive ints (a depth below 1 is a ValueError)."""
    if isinstance(depths, (str, bytes)) or not isinstance(depths, Iterable):
        raise TypeError(f"run_sweep: argument `depths` must be a list of positive integers, "
                        f"received depths={depths!r}")
    depths = tuple(depths)
    if not depths:
        raise ValueError("run_sweep: argument `depths` must hold at least one depth")
    return tuple(_check_positive_int("run_sweep", "depths", d) for d in depths)


def sweep_data(samples: int, seed: int = 0,
               standardized: bool = True) -> tuple[np.ndarray, ...]:
    """`samples` spiral points to train on and as many fresh ones held out (one draw of
    twice as many, halved), both standardized with the training half's mean and standard
    deviation, or in `pixel_units`. Returns `(X_train, y_train, X_test, y_test)`."""
    X, y = datasets.make_spirals(2 * samples, seed=seed)
    X_train, X_test = X[:samples], X[samples:]
    if standardized:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    else:
        X_train, X_test = pixel_units(X_train), pixel_units(X_test)
    return (X_train.astype(np.float32), y[:samples], X_test.astype(np.float32), y[samples:])


def sweep_network(name: str, depth: int, width: int, seed: int = 0) -> Sequential:
    """The network of setup `name` (`SETUPS`) with `depth` hidden layers of `width` units."""
    setup = SETUPS[check_setups([name])[0]]
    return deep_network(setup.activation, depth=depth, width=width,
                        initializer=setup.initializer, seed=seed, dropout=setup.dropout,
                        batch_norm=setup.batch_norm)


def start_variance(model: Sequential, X: np.ndarray) -> float:
    """The variance of the last hidden layer's output (the input of the output logit) before
    training, in training mode (what the first step sees: BatchNormalization on the batch's
    statistics, dropout on), without a graph; the moving statistics are put back after."""
    saved = model.get_weights()
    h = Tensor(X)
    with no_grad():
        for layer in model.layers[:-1]:
            h = layer(h, training=True)
    model.set_weights(saved)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.var(h.data, dtype=np.float64))


def run_sweep(
    setups: Iterable[str] | None = None,
    depths: Iterable[int] = SWEEP_DEFAULTS["depths"],
    width: int = SWEEP_DEFAULTS["width"],
    samples: int = SWEEP_DEFAULTS["samples"],
    epochs: int = SWEEP_DEFAULTS["epochs"],
    batch_size: int = SWEEP_DEFAULTS["batch_size"],
    learning_rate: float = SWEEP_DEFAULTS["learning_rate"],
    momentum: float = SWEEP_DEFAULTS["momentum"],
    optimizer: str = SWEEP_DEFAULTS["optimizer"],
    seed: int = 0,
    progress: bool = True,
    jobs: int = 1,
) -> list[SweepResult]:
    """Train every setup at every depth on the same spirals, and measure.

    Each run: `sweep_network(setup, depth, width, seed)` trained for `epochs` on `samples`
    points (`sweep_data`) with SGD (`learning_rate`, `momentum`) on
    `BinaryCrossentropy(from_logits=True)`; then the accuracy on the training points and on
    as many held-out ones (inference mode), and `start_variance` measured before training.
    A run whose loss or gradient becomes NaN or inf stops there (`TerminateOnNaN`) and is
    marked `diverged`. Every argument is checked before any training; `progress` shows a
    bar on stderr (counting layers trained). `jobs` > 1 trains that many runs at once, in
    separate processes (each run is seeded alone: the same numbers either way).

    Returns:
        One `SweepResult` per (setup, depth), setups in the order given, depths ascending.
    """
    setups = check_setups(setups)
    depths = tuple(sorted(set(check_depths(depths))))
    width = _check_positive_int("run_sweep", "width", width)
    samples = _check_positive_int("run_sweep", "samples", samples)
    epochs = _check_positive_int("run_sweep", "epochs", epochs)
    batch_size = _check_positive_int("run_sweep", "batch_size", batch_size)
    make_optimizer(optimizer, learning_rate, momentum)  # checks them before any training
    jobs = _check_positive_int("run_sweep", "jobs", jobs)
    settings = {"width": width, "samples": samples, "epochs": epochs, "batch_size": batch_size,
                "optimizer": optimizer, "learning_rate": learning_rate, "momentum": momentum,
                "seed": seed}
    runs = [(name, depth) for name in setups for depth in depths]
    bar = None
    if progress:
        from tqdm import tqdm  # imported here: only a visible sweep needs it

        # Each run costs about its depth: the bar counts layers trained.
        bar = tqdm(total=sum(depth for _, depth in runs), desc="sweep", unit="layer",
                   file=sys.stderr)
    done: dict[tuple[str, int], SweepResult] = {}

    def finished(result: SweepResult) -> None:
        done[result.setup, result.depth] = result
        if bar is not None:
            bar.set_postfix_str(f"{result.setup}, depth {result.depth}", refresh=False)
            bar.update(result.depth)

    try:
        if jobs == 1:
            for name, depth in runs:
                finished(sweep_run(name, depth, **settings))
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            # Each run is seeded on its own, so the numbers do not depend on the process
            # that ran them; the deepest runs go first, to keep the processes equally busy.
            # Fresh processes ("spawn"), not forks: a fork of a process running threads
            # (JAX's, a BLAS pool's) can deadlock.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = [pool.submit(sweep_run, name, depth, **settings)
                           for name, depth in sorted(runs, key=lambda run: -run[1])]
                for future in as_completed(futures):
                    finished(future.result())
    finally:
        if bar is not None:
            bar.close()
    return [done[run] for run in runs]


def sweep_run(name: str, depth: int, width: int, samples: int, epochs: int, batch_size: int,
              optimizer: str, learning_rate: float, momentum: float,
              seed: int) -> SweepResult:
    """One run of `run_sweep`: setup `name` at `depth`, trained and measured."""
    setup = SETUPS[name]
    X_train, y_train, X_test, y_test = sweep_data(samples, seed, setup.standardized)
    started = time.perf_counter()
    model = sweep_network(name, depth, width, seed)
    variance = start_variance(model, X_train)
    model.compile(optimizer=make_optimizer(optimizer, learning_rate, momentum),
                  loss=losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    with np.errstate(all="ignore"):  # a diverging run overflows on purpose; it is reported
        history = model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0,
                            callbacks=[TerminateOnNaN()])
    diverged = len(history.epoch) < epochs or not all(
        math.isfinite(v) for v in history.history.get("loss", [math.nan]))
    with np.errstate(all="ignore"):
        train_accuracy = model.evaluate(X_train, y_train, batch_size=256, verbose=0)[1]
        test_accuracy = model.evaluate(X_test, y_test, batch_size=256, verbose=0)[1]
    return SweepResult(name, depth, float(train_accuracy), float(test_accuracy), variance,
                       diverged, time.perf_counter() - started)


def sweep_table(results: Sequence[SweepResult]) -> str:
    """The sweep as a text table: one row per setup and depth, with the final training and
    held-out accuracy and the last hidden layer's variance before training."""
    name_width = max(len(r.setup) for r in results) + 2
    header = (f"{'setup':<{name_width}}{'depth':>6}{'train acc':>11}{'held-out acc':>14}"
              f"{'top variance at start':>23}")
    lines = [header, "-" * len(header)]
    previous = None
    for r in results:
        label = r.setup if r.setup != previous else ""
        previous = r.setup
        note = "  (diverged: NaN/inf, stopped)" if r.diverged else ""
        lines.append(f"{label:<{name_width}}{r.depth:>6}{r.train_accuracy:>11.1%}"
                     f"{r.test_accuracy:>14.1%}{r.start_variance:>23.3g}{note}")
    return "\n".join(lines)


def plot_sweep(results: Sequence[SweepResult], path: str | os.PathLike) -> Path:
    """Accuracy against depth, one line per setup: training accuracy (left) and held-out
    accuracy (right); chance (50%) dashed."""
    from .plots import new_figure, save_figure  # matplotlib is imported only to draw

    if not results:
        raise ValueError("plot_sweep: argument `results` is empty; run run_sweep first")
    figure = new_figure(figsize=(15, 5.2), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    names = list(dict.fromkeys(r.setup for r in results))
    styles = ["-", "--", "-.", ":"]
    markers = "osD^v<>ph*"
    for i, name in enumerate(names):
        rows = [r for r in results if r.setup == name]
        depths = [r.depth for r in rows]
        for ax, key in zip(axes, ("train_accuracy", "test_accuracy"), strict=True):
            ax.plot(depths, [getattr(r, key) for r in rows], linestyle=styles[i % len(styles)],
                    marker=markers[i % len(markers)], label=name)
    for ax, title in zip(axes, ("training accuracy", "held-out accuracy"), strict=True):
        ax.axhline(0.5, color="0.5", linewidth=0.8, linestyle="--")
        ax.set(xscale="log", xlabel="depth (hidden layers)", title=title)
        ax.set_xticks(sorted({r.depth for r in results}))
        ax.set_xticks([], minor=True)
        ax.set_xticklabels([str(d) for d in sorted({r.depth for r in results})])
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy on two spirals")
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside right center",
                  fontsize="small")
    return save_figure(figure, path)


def training_statistics_table(results: Mapping[str, tuple[History, ActivationStatistics]],
                              layers: Iterable[int] = TABLE_LAYERS) -> str:
    """Each network's per-layer mean and variance (`ActivationStatistics`) before training
    and after it, at the hidden layers of `layers` that exist and the last one: what
    `selu --train` prints under the accuracies."""
    lines = []
    for name, (_history, stats) in results.items():
        count = len(stats.layer_names)
        shown = sorted({n for n in layers if n <= count} | {count})
        lines.append(f"{name}: per-layer statistics on the probe batch (inference mode)")
        lines.append(f"{'':<22}" + "".join(f"{stats.layer_names[n - 1][:13]:>14}"
                                            for n in shown))
        for label, table in (("mean", stats.mean), ("variance", stats.var)):
            for when, row in (("start", 0), ("end", -1)):
                lines.append(f"  {label + ' at ' + when:<20}"
                             + "".join(f"{table[row][n - 1]:>14.3g}" for n in shown))
        lines.append("")
    return "\n".join(lines).rstrip()
