"""Tests of tinygrad_acts.datasets: shapes, balance, determinism, exact geometry, errors."""

import numpy as np
import pytest

from tinygrad_acts import config
from tinygrad_acts.datasets import (
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    standardize,
)

TWO_CLASS_MAKERS = [make_moons, make_circles, make_spirals]
ALL_MAKERS = [*TWO_CLASS_MAKERS, make_blobs]


def sort_rows(X):
    return X[np.lexsort(X.T[::-1])]


@pytest.mark.parametrize("make", ALL_MAKERS)
@pytest.mark.parametrize("n_samples", [1, 2, 7, 100])
def test_shapes_and_dtypes(make, n_samples):
    X, y = make(n_samples=n_samples, seed=0)
    assert X.shape == (n_samples, 2) and X.dtype == np.float32
    assert y.shape == (n_samples,) and y.dtype == np.int64
    assert np.isfinite(X).all()


@pytest.mark.parametrize("make", TWO_CLASS_MAKERS)
@pytest.mark.parametrize("n_samples, counts", [(100, [50, 50]), (7, [3, 4]), (1, [0, 1])])
def test_two_class_balance_follows_sklearn(make, n_samples, counts):
    _, y = make(n_samples=n_samples, seed=0)
    assert np.bincount(y, minlength=2).tolist() == counts


def test_blobs_balance_follows_sklearn():
    _, y = make_blobs(n_samples=11, centers=3, seed=0)
    assert np.bincount(y).tolist() == [4, 4, 3]  # the first n % k classes get one more


@pytest.mark.parametrize("make", ALL_MAKERS)
def test_seed_determinism(make):
    X1, y1 = make(n_samples=50, seed=3)
    X2, y2 = make(n_samples=50, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(n_samples=50, seed=4)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", ALL_MAKERS)
def test_no_seed_uses_the_global_generator(make):
    config.set_seed(9)
    X1, _ = make(n_samples=50)
    X2, _ = make(n_samples=50)
    assert not np.array_equal(X1, X2)
    config.set_seed(9)
    np.testing.assert_array_equal(make(n_samples=50)[0], X1)


@pytest.mark.parametrize("make", ALL_MAKERS)
def test_shuffle(make):
    X_ordered, y_ordered = make(n_samples=60, seed=1, shuffle=False)
    assert (np.diff(y_ordered) >= 0).all()  # class 0 first, then 1, ...
    X_shuffled, y_shuffled = make(n_samples=60, seed=1, shuffle=True)
    assert (np.diff(y_shuffled) < 0).any()
    assert np.bincount(y_shuffled).tolist() == np.bincount(y_ordered).tolist()


@pytest.mark.parametrize("make", TWO_CLASS_MAKERS)
def test_shuffle_only_reorders_noiseless_points(make):
    X_ordered, y_ordered = make(n_samples=40, noise=0.0, shuffle=False)
    X_shuffled, y_shuffled = make(n_samples=40, noise=0.0, seed=2)
    for label in (0, 1):
        np.testing.assert_array_equal(
            sort_rows(X_ordered[y_ordered == label]), sort_rows(X_shuffled[y_shuffled == label])
        )


@pytest.mark.parametrize("make", TWO_CLASS_MAKERS)
def test_noise_is_gaussian_in_data_units(make):
    clean, _ = make(n_samples=4000, noise=0.0, shuffle=False)
    noisy, _ = make(n_samples=4000, noise=0.3, seed=5, shuffle=False)
    difference = (noisy - clean).astype(np.float64)
    assert difference.std(axis=0) == pytest.approx([0.3, 0.3], rel=0.05)
    assert np.abs(difference.mean(axis=0)).max() < 0.02


def test_keras_lesson_defaults():
    # moons noise=0.1, spirals 1000 points, 1.5 turns, noise=0.2 (DESIGN.md).
    X, y = make_moons(seed=0)
    assert X.shape == (100, 2)
    clean, _ = make_moons(noise=0.0, shuffle=False)
    noisy, _ = make_moons(seed=0, shuffle=False)
    assert 0.05 < np.std(noisy - clean) < 0.15
    X, y = make_spirals(seed=0, noise=0.0, shuffle=False)
    assert X.shape == (1000, 2)
    assert np.hypot(*X[499]) == pytest.approx(0.5 + 2 * 1.5, rel=1e-6)


# --- exact geometry without noise --------------------------------------------------------------


def test_moons_lie_on_their_arcs():
    X, y = make_moons(n_samples=201, noise=0.0, seed=0)
    upper, lower = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    assert (upper[:, 1] >= 0).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (lower[:, 1] <= 0.5).all()
    # t runs over [0, pi], both ends included.
    for point in ([1.0, 0.0], [-1.0, 0.0]):
        assert np.isclose(upper, point, atol=1e-6).all(axis=1).any()
    for point in ([0.0, 0.5], [2.0, 0.5]):
        assert np.isclose(lower, point, atol=1e-6).all(axis=1).any()


def test_circles_radii_and_even_angles():
    X, y = make_circles(n_samples=80, noise=0.0, factor=0.3, shuffle=False)
    radii = np.hypot(X[:, 0], X[:, 1]).astype(np.float64)
    np.testing.assert_allclose(radii[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radii[y == 1], 0.3, atol=1e-6)
    angles = np.unwrap(np.arctan2(X[y == 0, 1], X[y == 0, 0]).astype(np.float64))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 40, atol=1e-5)  # no repeated point


@pytest.mark.parametrize("turns", [0.75, 1.5, 3.0])
def test_spiral_radius_grows_linearly_with_angle(turns):
    X, y = make_spirals(n_samples=600, noise=0.0, turns=turns, shuffle=False)
    first = X[y == 0].astype(np.float64)
    theta = np.unwrap(np.arctan2(first[:, 1], first[:, 0]))
    assert theta[0] == pytest.approx(np.pi / 2)
    assert theta[-1] - theta[0] == pytest.approx(2 * np.pi * turns, rel=1e-5)
    np.testing.assert_allclose(np.hypot(first[:, 0], first[:, 1]), theta / np.pi, rtol=1e-5)
    # Class 1 is class 0 rotated by pi.
    np.testing.assert_allclose(X[y == 1], -X[y == 0], atol=1e-6)


def test_spiral_arms_are_one_apart():
    # Every point of one arm is at least ~1 from every point of the other.
    X, y = make_spirals(n_samples=1000, noise=0.0, turns=2.0, shuffle=False)
    a, b = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    distances = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))
    assert distances.min() > 0.9


def test_blobs_centres_and_spread():
    centers = np.array([[0.0, 0.0], [5.0, -5.0]])
    X, y = make_blobs(n_samples=20_000, centers=centers, cluster_std=[0.5, 2.0], seed=0)
    for label, (center, std) in enumerate(zip(centers, [0.5, 2.0], strict=True)):
        points = X[y == label].astype(np.float64)
        np.testing.assert_allclose(points.mean(axis=0), center, atol=0.1)
        np.testing.assert_allclose(points.std(axis=0), std, rtol=0.05)


def test_blobs_random_centres_inside_the_box():
    X, y = make_blobs(n_samples=40, centers=4, cluster_std=0.0, center_box=(2.0, 3.0), seed=1)
    for label in range(4):
        points = X[y == label]
        assert (points == points[0]).all()  # std 0: every point is its centre
        assert ((points >= 2.0) & (points <= 3.0)).all()
    assert len(np.unique(X, axis=0)) == 4


def test_standardize():
    X = np.array([[1.0, 10.0, 3.0], [2.0, 30.0, 3.0], [3.0, 50.0, 3.0], [6.0, 70.0, 3.0]])
    Z = standardize(X)
    assert Z.dtype == np.float32 and Z.shape == X.shape
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(Z[:, 2], 0.0)  # a constant column is centred, not divided
    np.testing.assert_allclose(Z[:, 0], (X[:, 0] - 3.0) / np.sqrt(3.5), rtol=1e-6)
    moons = standardize(make_moons(seed=0)[0])
    np.testing.assert_allclose(moons.std(axis=0), 1.0, rtol=1e-5)


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, fragments",
    [
        (lambda: make_moons(n_samples=0), ValueError, ["make_moons", "n_samples=0", "positive"]),
        (lambda: make_moons(n_samples=-3), ValueError, ["n_samples=-3"]),
        (lambda: make_circles(n_samples=2.5), TypeError, ["make_circles", "n_samples=2.5"]),
        (lambda: make_spirals(n_samples=True), TypeError, ["n_samples=True"]),
        (lambda: make_moons(noise=-0.1), ValueError, ["noise=-0.1", ">= 0"]),
        (lambda: make_spirals(noise="0.2"), TypeError, ["make_spirals", "noise='0.2'"]),
        (lambda: make_circles(noise=float("nan")), ValueError, ["noise=nan"]),
        (lambda: make_circles(factor=1.0), ValueError, ["factor=1.0", "in (0, 1)"]),
        (lambda: make_circles(factor=0), ValueError, ["factor=0"]),
        (lambda: make_circles(factor=None), TypeError, ["factor=None"]),
        (lambda: make_spirals(turns=0), ValueError, ["turns=0", "> 0"]),
        (lambda: make_spirals(turns=-1.5), ValueError, ["turns=-1.5"]),
        (lambda: make_moons(shuffle="yes"), TypeError, ["shuffle", "'yes'"]),
        (lambda: make_moons(seed=-1), ValueError, ["seed", "-1"]),
        (lambda: make_spirals(seed=1.5), ValueError, ["seed", "1.5"]),
        (lambda: make_blobs(centers=0), ValueError, ["make_blobs", "centers=0"]),
        (lambda: make_blobs(centers=[[1.0, 2.0, 3.0]]), ValueError, ["centers=", "(k, 2)"]),
        (lambda: make_blobs(centers=[]), ValueError, ["centers=[]"]),
        (lambda: make_blobs(centers="abc"), TypeError, ["centers='abc'"]),
        (lambda: make_blobs(cluster_std=-1.0), ValueError, ["cluster_std=-1.0", ">= 0"]),
        (lambda: make_blobs(cluster_std=[1.0, 2.0]), TypeError, ["cluster_std=[1.0, 2.0]", "3"]),
        (lambda: make_blobs(center_box=(1.0, 1.0)), ValueError, ["center_box=(1.0, 1.0)"]),
        (lambda: make_blobs(center_box=5.0), TypeError, ["center_box=5.0", "pair"]),
        (lambda: make_blobs(center_box=(0.0, "a")), TypeError, ["center_box[1]='a'"]),
        (lambda: standardize([1.0, 2.0]), ValueError, ["standardize", "shape (2,)"]),
        (lambda: standardize(np.zeros((0, 2))), ValueError, ["shape (0, 2)"]),
        (lambda: standardize([["a", "b"]]), TypeError, ["standardize", "X="]),
    ],
)
def test_validation_errors(call, error, fragments):
    with pytest.raises(error) as raised:
        call()
    for fragment in fragments:
        assert fragment in str(raised.value)


def test_bad_arguments_leave_the_global_generator_untouched():
    config.set_seed(21)
    expected = config.rng().random(3)
    config.set_seed(21)
    with pytest.raises(ValueError):
        make_blobs(n_samples=10, cluster_std=-1.0)
    np.testing.assert_array_equal(config.rng().random(3), expected)
