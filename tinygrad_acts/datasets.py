"""Toy 2-D data sets, made on the spot: nothing is downloaded.

Each `make_*` function returns `(X, y)`: `X` of shape `(n_samples, 2)` and dtype
float32 (the points), `y` of shape `(n_samples,)` and dtype int64 (the class of each
point, 0, 1, ...). The classes are as even as possible; when they cannot be, the
split is scikit-learn's (see each function).

Randomness: `seed=None` draws from the library's global generator (`config.rng()`,
reproducible after `tinygrad_acts.set_seed`); an integer seed uses a fresh generator
of its own, so the same seed always gives the same data.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .config import rng
from .validation import check_bool, check_number, check_positive_int

__all__ = ["make_blobs", "make_circles", "make_moons", "make_spirals", "standardize"]

Dataset = tuple[np.ndarray, np.ndarray]


# ---------------------------------------------------------------------------
# Argument checks: each error names the function, the argument, the value received
# and what was expected, and is raised before any random number is drawn.
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# The steps every data set shares.
# ---------------------------------------------------------------------------


def _two_class_sizes(n_samples: int) -> tuple[int, int]:
    """scikit-learn's split for two classes: with an odd count, class 1 gets the extra point."""
    return n_samples // 2, n_samples - n_samples // 2


def _assemble(
    classes: Sequence[np.ndarray], noise: float, generator: np.random.Generator, shuffle: bool
) -> Dataset:
    """Stacks the points of each class (class k is `classes[k]`), adds gaussian noise of
    standard deviation `noise` to every coordinate, shuffles, and casts."""
    X = np.concatenate(classes, axis=0)
    y = np.repeat(np.arange(len(classes), dtype=np.int64), [len(points) for points in classes])
    if noise > 0:
        X = X + generator.normal(0.0, noise, size=X.shape)
    if shuffle:
        order = generator.permutation(len(y))
        X, y = X[order], y[order]
    return X.astype(np.float32), y


# ---------------------------------------------------------------------------
# The data sets.
# ---------------------------------------------------------------------------


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = None, shuffle: bool = True
) -> Dataset:
    """Two interleaving half circles, as scikit-learn's `make_moons`.

    With `t` evenly spaced in [0, pi] (both ends included) for each class:

        class 0 (upper moon): x = cos t,      y = sin t
        class 1 (lower moon): x = 1 - cos t,  y = 1 - sin t - 0.5

    then gaussian noise of standard deviation `noise` is added to x and y.
    Class 0 gets `n_samples // 2` points and class 1 the rest.

    Args:
        n_samples: total number of points (a positive integer).
        noise: standard deviation of the gaussian noise (>= 0; 0 puts the points
            exactly on the arcs).
        seed: None (the global generator) or a non-negative integer.
        shuffle: whether to shuffle the points (otherwise class 0 comes first).

    Returns:
        `(X, y)`: X float32 of shape (n_samples, 2), y int64 of shape (n_samples,).
    """
    n_samples = check_positive_int("make_moons", "n_samples", n_samples)
    noise = check_number("make_moons", "noise", noise, 0)
    shuffle = check_bool("make_moons", "shuffle", shuffle)
    generator = rng(seed)

    n_upper, n_lower = _two_class_sizes(n_samples)
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 1.0 - np.sin(t_lower) - 0.5])
    return _assemble([upper, lower], noise, generator, shuffle)


def make_circles(
    n_samples: int = 100,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: int | None = None,
    shuffle: bool = True,
) -> Dataset:
    """A large circle containing a smaller one, as scikit-learn's `make_circles`.

    With `t` evenly spaced in [0, 2 pi) (the end left out, so no point repeats):

        class 0 (outer circle): x = cos t,           y = sin t
        class 1 (inner circle): x = factor * cos t,  y = factor * sin t

    then gaussian noise of standard deviation `noise` is added to x and y.
    Class 0 gets `n_samples // 2` points and class 1 the rest.

    Args:
        n_samples: total number of points (a positive integer).
        noise: standard deviation of the gaussian noise (>= 0).
        factor: radius of the inner circle, relative to the outer one (0 < factor < 1).
        seed: None (the global generator) or a non-negative integer.
        shuffle: whether to shuffle the points (otherwise class 0 comes first).

    Returns:
        `(X, y)`: X float32 of shape (n_samples, 2), y int64 of shape (n_samples,).
    """
    n_samples = check_positive_int("make_circles", "n_samples", n_samples)
    noise = check_number("make_circles", "noise", noise, 0)
    factor = check_number("make_circles", "factor", factor, 0, 1, low_open=True, high_open=True)
    shuffle = check_bool("make_circles", "shuffle", shuffle)
    generator = rng(seed)

    n_outer, n_inner = _two_class_sizes(n_samples)
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])
    return _assemble([outer, inner], noise, generator, shuffle)


# Where each spiral starts: at angle pi/2, radius 1/2. The two arms' first points are
# then 1 apart, the same gap as between the arms everywhere else.
_SPIRAL_START_ANGLE = np.pi / 2


def make_spirals(
    n_samples: int = 1000,
    noise: float = 0.2,
    turns: float = 1.5,
    seed: int | None = None,
    shuffle: bool = True,
) -> Dataset:
    """Two interleaved spirals: the classic problem a linear model cannot solve.

    Class 0 is an Archimedean spiral whose radius grows linearly with the angle,
    `r = theta / pi`; with `theta` evenly spaced over `turns` full turns,

        theta in [pi/2, pi/2 + 2 pi * turns]
        class 0: x = r cos(theta),        y = r sin(theta)
        class 1: x = r cos(theta + pi),   y = r sin(theta + pi)   (class 0 rotated by pi)

    then gaussian noise of standard deviation `noise` is added to x and y.

    Why these numbers: one turn adds 2 to the radius, and the other class's arm runs
    halfway between, so neighbouring arms are 1 apart everywhere; starting at
    theta = pi/2 (radius 1/2) keeps the two centres 1 apart as well. With the default
    noise 0.2 the classes barely overlap, and a small MLP (two hidden layers of a few
    dozen units) separates them. The points reach radius 1/2 + 2 * turns (3.5 by default).
    Class 0 gets `n_samples // 2` points and class 1 the rest.

    Args:
        n_samples: total number of points (a positive integer).
        noise: standard deviation of the gaussian noise, in the data's units (>= 0).
        turns: how many full turns each spiral makes (> 0).
        seed: None (the global generator) or a non-negative integer.
        shuffle: whether to shuffle the points (otherwise class 0 comes first).

    Returns:
        `(X, y)`: X float32 of shape (n_samples, 2), y int64 of shape (n_samples,).
    """
    n_samples = check_positive_int("make_spirals", "n_samples", n_samples)
    noise = check_number("make_spirals", "noise", noise, 0)
    turns = check_number("make_spirals", "turns", turns, 0, low_open=True)
    shuffle = check_bool("make_spirals", "shuffle", shuffle)
    generator = rng(seed)

    def spiral(n_points: int, rotation: float) -> np.ndarray:
        theta = np.linspace(_SPIRAL_START_ANGLE, _SPIRAL_START_ANGLE + 2 * np.pi * turns, n_points)
        radius = theta / np.pi
        return np.column_stack(
            [radius * np.cos(theta + rotation), radius * np.sin(theta + rotation)]
        )

    n_first, n_second = _two_class_sizes(n_samples)
    return _assemble([spiral(n_first, 0.0), spiral(n_second, np.pi)], noise, generator, shuffle)


def make_blobs(
    n_samples: int = 100,
    centers: int | Sequence[Sequence[float]] | np.ndarray = 3,
    cluster_std: float | Sequence[float] = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    seed: int | None = None,
    shuffle: bool = True,
) -> Dataset:
    """Gaussian blobs, one per class, as scikit-learn's `make_blobs` in 2-D.

    Class k's points are drawn from a normal centred on `centers[k]`:

        X[i] ~ N(centers[k], cluster_std[k]**2 * I)

    When `centers` is an int, that many centres are drawn uniformly in the square
    `[center_box[0], center_box[1]]**2`. The points are split as evenly as possible;
    the first `n_samples % k` classes get one more (scikit-learn's split).

    Args:
        n_samples: total number of points (a positive integer).
        centers: the number of classes (a positive integer), or their centres as an
            array of shape (k, 2).
        cluster_std: the standard deviation of every blob (>= 0), or one per blob.
        center_box: `(low, high)` bounds of randomly drawn centres (low < high).
        seed: None (the global generator) or a non-negative integer.
        shuffle: whether to shuffle the points (otherwise class 0 comes first).

    Returns:
        `(X, y)`: X float32 of shape (n_samples, 2), y int64 of shape (n_samples,).
    """
    func = "make_blobs"
    n_samples = check_positive_int(func, "n_samples", n_samples)
    shuffle = check_bool(func, "shuffle", shuffle)

    if not isinstance(center_box, (tuple, list)) or len(center_box) != 2:
        raise TypeError(
            f"{func}: argument `center_box` must be a pair (low, high), "
            f"received center_box={center_box!r}"
        )
    low = check_number(func, "center_box[0]", center_box[0])
    high = check_number(func, "center_box[1]", center_box[1])
    if low >= high:
        raise ValueError(
            f"{func}: argument `center_box` must be (low, high) with low < high, "
            f"received center_box={center_box!r}"
        )

    given_centers = None
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(
                f"{func}: argument `centers` must be a positive integer or an array of "
                f"shape (k, 2), received centers={centers!r}"
            )
        n_centers = int(centers)
    else:
        given_centers = _check_centers(func, centers)
        n_centers = len(given_centers)

    stds = _check_cluster_std(func, cluster_std, n_centers)
    generator = rng(seed)

    if given_centers is None:
        given_centers = generator.uniform(low, high, size=(n_centers, 2))
    base, extra = divmod(n_samples, n_centers)
    sizes = [base + 1 if k < extra else base for k in range(n_centers)]
    blobs = [
        generator.normal(center, std, size=(size, 2))
        for center, std, size in zip(given_centers, stds, sizes, strict=True)
    ]
    # The blobs' own spread is their noise: nothing more is added.
    return _assemble(blobs, 0.0, generator, shuffle)


def _check_centers(func: str, centers: Any) -> np.ndarray:
    expected = "a positive integer or an array of finite numbers of shape (k, 2) with k >= 1"
    try:
        array = np.asarray(centers, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{func}: argument `centers` must be {expected}, received centers={centers!r}"
        ) from None
    if array.ndim != 2 or array.shape[1] != 2 or len(array) == 0 or not np.isfinite(array).all():
        raise ValueError(
            f"{func}: argument `centers` must be {expected}, received centers={centers!r}"
        )
    return array


def _check_cluster_std(func: str, cluster_std: Any, n_centers: int) -> list[float]:
    """One standard deviation per centre, each a number >= 0."""
    if isinstance(cluster_std, numbers.Real):
        cluster_std = [cluster_std] * n_centers
    elif not isinstance(cluster_std, (Sequence, np.ndarray)) or len(cluster_std) != n_centers:
        raise TypeError(
            f"{func}: argument `cluster_std` must be a number >= 0 or a sequence of "
            f"{n_centers} of them (one per centre), received cluster_std={cluster_std!r}"
        )
    return [check_number(func, "cluster_std", std, 0) for std in cluster_std]


def standardize(X: Any) -> np.ndarray:
    """Each column shifted and scaled to mean 0 and standard deviation 1.

        X_standardized[:, j] = (X[:, j] - mean_j) / std_j

    with the population standard deviation (numpy's default, ddof=0). A constant
    column (std_j = 0) is only centred, not divided, as scikit-learn's StandardScaler
    does, so no NaN appears.

    Args:
        X: a 2-D array-like of numbers, one row per sample.

    Returns:
        A new float32 array of the same shape.
    """
    try:
        array = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"standardize: argument `X` must be a 2-D array of numbers, received X={X!r}"
        ) from None
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(
            "standardize: argument `X` must be a 2-D array with at least one row, "
            f"received an array of shape {array.shape}"
        )
    mean = array.mean(axis=0)
    std = array.std(axis=0)
    std[std == 0] = 1.0
    return ((array - mean) / std).astype(np.float32)
