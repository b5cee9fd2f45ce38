"""Losses: Keras's documented values, the probability clipping (epsilon 1e-7), stable logit
forms at +-1e4, gradients, and argument checks."""

import math
import warnings

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import losses
from tinygrad_acts.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)


def value(t):
    return np.asarray(t.data, dtype=np.float64)


# ---- values from Keras's docstrings and by hand ----------------------------------------------


def test_mse_and_mae_by_hand():
    y_true = [[0.0, 1.0], [0.0, 0.0]]
    y_pred = [[1.0, 1.0], [1.0, 0.0]]
    np.testing.assert_allclose(value(losses.mean_squared_error(y_true, y_pred)), [0.5, 0.5])
    assert MeanSquaredError()(y_true, y_pred).item() == pytest.approx(0.5)
    # |3 - 0| and |1 - 1| -> mean 1.5; |1 - 0| and |-1 - 0| -> 1; batch mean 1.25
    assert MeanAbsoluteError()(y_true, [[3.0, 1.0], [1.0, -1.0]]).item() == pytest.approx(1.25)
    # (3 - 0)^2 and (1 - 1)^2 -> mean 4.5; (1 - 0)^2 and (-1 - 0)^2 -> 1; batch mean 2.75
    assert MeanSquaredError()(y_true, [[3.0, 1.0], [1.0, -1.0]]).item() == pytest.approx(2.75)


def test_binary_crossentropy_keras_docstring():
    y_true = [[0.0, 1.0], [0.0, 0.0]]
    y_pred = [[0.6, 0.4], [0.4, 0.6]]
    per_sample = [-(math.log(0.4) + math.log(0.4)) / 2, -(math.log(0.6) + math.log(0.4)) / 2]
    np.testing.assert_allclose(value(losses.binary_crossentropy(y_true, y_pred)), per_sample,
                               rtol=2e-6)
    assert BinaryCrossentropy()(y_true, y_pred).item() == pytest.approx(0.815, abs=5e-4)


def test_binary_crossentropy_from_logits_keras_docstring():
    y_true = [0.0, 1.0, 0.0, 0.0]
    logits = [-18.6, 0.51, 2.94, -12.8]
    loss = BinaryCrossentropy(from_logits=True)(y_true, logits).item()
    p = 1 / (1 + np.exp(-np.array(logits)))
    expected = -np.mean(np.array(y_true) * np.log(p) + (1 - np.array(y_true)) * np.log1p(-p))
    assert loss == pytest.approx(expected, rel=2e-6)
    assert loss == pytest.approx(0.865, abs=5e-4)


def test_binary_crossentropy_clips_at_epsilon_as_keras():
    # Keras clips p to [1e-7, 1 - 1e-7] in the tensor's dtype. In float32, 1 - 1e-7 rounds to
    # 1 - 2^-23 = 0.99999988, so the two extremes cost -log(1e-7) and -log(2^-23): the
    # famous 16.118095 and 15.942385 of Keras.
    y_true = np.array([[1.0], [0.0]], dtype=np.float32)
    y_pred = np.array([[0.0], [1.0]], dtype=np.float32)
    per_sample = value(losses.binary_crossentropy(y_true, y_pred))
    np.testing.assert_allclose(per_sample, [16.118095, 15.942385], rtol=2e-6)
    # In float64 the upper clip is 1 - 1e-7 itself.
    per_sample64 = value(losses.binary_crossentropy(y_true.astype(np.float64),
                                                     y_pred.astype(np.float64)))
    np.testing.assert_allclose(per_sample64, [-math.log(1e-7), -math.log(1e-7)], rtol=1e-7)


def test_binary_crossentropy_matches_keras_formula_in_float32():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, size=(64, 3)).astype(np.float32)
    y_pred = rng.uniform(0, 1, size=(64, 3)).astype(np.float32)
    y_pred[0, 0], y_pred[1, 1] = 0.0, 1.0  # hit both clips
    p = np.clip(y_pred.astype(np.float64), 1e-7, float(np.float32(1 - 1e-7)))
    keras = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)).mean(axis=-1).mean()
    got = BinaryCrossentropy()(y_true, y_pred)
    assert got.dtype == np.float32
    assert got.item() == pytest.approx(float(np.float32(keras)), rel=2e-6, abs=2e-6)


def test_categorical_crossentropy_keras_docstring():
    y_true = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    per_sample = value(losses.categorical_crossentropy(y_true, y_pred))
    np.testing.assert_allclose(per_sample, [-math.log(0.95), -math.log(0.1)], rtol=2e-6)
    assert CategoricalCrossentropy()(y_true, y_pred).item() == pytest.approx(1.177, abs=5e-4)


def test_categorical_crossentropy_renormalizes_and_clips():
    # Keras divides by the row sum first: [2, 6, 0] is [0.25, 0.75, 0]; the 0 is clipped to 1e-7.
    y_pred = np.array([[2.0, 6.0, 0.0]])
    np.testing.assert_allclose(value(losses.categorical_crossentropy([[1.0, 0, 0]], y_pred)),
                               [-math.log(0.25)], rtol=1e-7)
    np.testing.assert_allclose(value(losses.categorical_crossentropy([[0, 0, 1.0]], y_pred)),
                               [-math.log(1e-7)], rtol=1e-7)


def test_sparse_categorical_crossentropy_equals_one_hot_form():
    y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    sparse = SparseCategoricalCrossentropy()([1, 2], y_pred).item()
    dense = CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]], y_pred).item()
    assert sparse == pytest.approx(dense, rel=1e-7)
    assert sparse == pytest.approx(1.177, abs=5e-4)
    # labels of shape (n, 1) and float labels holding whole numbers work too, as in Keras
    assert SparseCategoricalCrossentropy()([[1], [2]], y_pred).item() == pytest.approx(sparse)
    assert SparseCategoricalCrossentropy()(np.array([1.0, 2.0]), y_pred).item() == pytest.approx(
        sparse)


def test_label_smoothing():
    y_true = np.array([[1.0, 0.0]])
    y_pred = np.array([[0.7, 0.2]])
    smoothed = y_true * 0.8 + 0.1
    expected = -(smoothed * np.log(y_pred) + (1 - smoothed) * np.log(1 - y_pred)).mean()
    got = BinaryCrossentropy(label_smoothing=0.2)(y_true, y_pred).item()
    assert got == pytest.approx(expected, rel=1e-7)
    cce = CategoricalCrossentropy(label_smoothing=0.3)([[0.0, 1.0, 0.0]], [[0.2, 0.5, 0.3]]).item()
    soft = np.array([0.1, 0.8, 0.1])
    assert cce == pytest.approx(-(soft * np.log([0.2, 0.5, 0.3])).sum(), rel=1e-6)


def test_reductions():
    y_true = [[0.0], [0.0], [0.0]]
    y_pred = [[1.0], [2.0], [3.0]]
    np.testing.assert_allclose(value(MeanSquaredError(reduction="none")(y_true, y_pred)),
                               [1, 4, 9])
    assert MeanSquaredError(reduction="sum")(y_true, y_pred).item() == pytest.approx(14)
    assert MeanSquaredError()(y_true, y_pred).item() == pytest.approx(14 / 3)


def test_labels_of_shape_n_meet_predictions_of_shape_n_1():
    y = np.array([0, 1, 1])
    p = np.array([[0.2], [0.7], [0.9]])
    assert BinaryCrossentropy()(y, p).item() == pytest.approx(
        BinaryCrossentropy()(y.reshape(-1, 1), p).item())


# ---- logits: stable at +-1e4 -----------------------------------------------------------------


@pytest.fixture
def strict_numpy():
    # Overflow, 0/0 and log(0) must not happen; underflow (exp(-1e4) -> 0) is harmless.
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_from_logits_is_stable(strict_numpy, dtype):
    z = ta.Tensor(np.array([[1e4], [-1e4], [1e4], [-1e4], [0.0]], dtype=dtype), requires_grad=True)
    y = np.array([[0.0], [1.0], [1.0], [0.0], [1.0]])
    per_sample = losses.binary_crossentropy(y, z, from_logits=True)
    np.testing.assert_allclose(value(per_sample), [1e4, 1e4, 0.0, 0.0, math.log(2)], rtol=1e-6)
    per_sample.sum().backward()
    np.testing.assert_allclose(z.grad.data.ravel(), [1.0, -1.0, 0.0, 0.0, -0.5], atol=1e-7)


@pytest.mark.parametrize("sparse", [False, True])
def test_categorical_from_logits_is_stable(strict_numpy, sparse):
    z = ta.Tensor(np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]]), requires_grad=True)
    labels = np.array([0, 1])
    if sparse:
        per_sample = losses.sparse_categorical_crossentropy(labels, z, from_logits=True)
    else:
        per_sample = losses.categorical_crossentropy(np.eye(3)[labels], z, from_logits=True)
    np.testing.assert_allclose(value(per_sample), [0.0, 2e4], rtol=1e-12)
    per_sample.sum().backward()
    np.testing.assert_allclose(z.grad.data, [[0, 0, 0], [1, -1, 0]], atol=1e-12)


def test_logits_and_probabilities_agree_where_no_clip_applies():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(8, 4))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    y = np.eye(4)[rng.integers(0, 4, size=8)]
    a = CategoricalCrossentropy(from_logits=True)(y, z).item()
    b = CategoricalCrossentropy()(y, p).item()
    assert a == pytest.approx(b, rel=1e-10)
    yb = rng.integers(0, 2, size=(8, 4)).astype(float)
    a = BinaryCrossentropy(from_logits=True)(yb, z).item()
    b = BinaryCrossentropy()(yb, 1 / (1 + np.exp(-z))).item()
    assert a == pytest.approx(b, rel=1e-10)


# ---- gradients -------------------------------------------------------------------------------


def test_gradients_numerically():
    rng = np.random.default_rng(2)
    z = ta.Tensor(rng.normal(size=(5, 3)), requires_grad=True)
    p = ta.Tensor(rng.uniform(0.1, 0.9, size=(5, 3)), requires_grad=True)
    y_bin = rng.integers(0, 2, size=(5, 3)).astype(float)
    y_cat = np.eye(3)[rng.integers(0, 3, size=5)]
    cases = [
        (lambda t: BinaryCrossentropy(from_logits=True)(y_bin, t), z),
        (lambda t: BinaryCrossentropy()(y_bin, t), p),
        (lambda t: CategoricalCrossentropy(from_logits=True)(y_cat, t), z),
        (lambda t: SparseCategoricalCrossentropy(from_logits=True)(y_cat.argmax(1), t), z),
        (lambda t: CategoricalCrossentropy()(y_cat, t), p),
        (lambda t: MeanSquaredError()(y_bin, t), z),
        (lambda t: MeanAbsoluteError()(y_bin, t), z),
    ]
    for fn, x in cases:
        assert ta.gradcheck(fn, [x])
    # the stable sigmoid cross-entropy has a backward written in Tensor operations
    assert ta.gradgradcheck(lambda t: BinaryCrossentropy(from_logits=True)(y_bin, t), [z])


def test_mse_gradient_by_hand():
    p = ta.Tensor([[1.0, 3.0]], dtype="float64", requires_grad=True)
    MeanSquaredError()([[0.0, 1.0]], p).backward()
    np.testing.assert_allclose(p.grad.data, [[2 * 1.0 / 2, 2 * 2.0 / 2]])


# ---- arguments and names ---------------------------------------------------------------------


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"y_true.shape=\(2, 3\).*y_pred.shape=\(2, 2\)"):
        losses.mean_squared_error(np.zeros((2, 3)), np.zeros((2, 2)))


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: SparseCategoricalCrossentropy()([0, 3], [[0.5, 0.5], [0.5, 0.5]]), ValueError,
         r"\[0, 2\)"),
        (lambda: SparseCategoricalCrossentropy()([0.5, 1.0], [[0.5, 0.5], [0.5, 0.5]]),
         ValueError, "whole numbers"),
        (lambda: SparseCategoricalCrossentropy()([[0, 1]], [[0.5, 0.5], [0.5, 0.5]]), ValueError,
         "one label per row"),
        (lambda: BinaryCrossentropy(label_smoothing=2), ValueError, "label_smoothing"),
        (lambda: BinaryCrossentropy(from_logits="yes"), TypeError, "from_logits"),
        (lambda: MeanSquaredError(reduction="average"), ValueError, "reduction"),
        (lambda: losses.mean_squared_error(["a"], [1.0]), TypeError, "y_true"),
    ],
)
def test_bad_arguments(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_get():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert isinstance(losses.get("BinaryCrossentropy"), BinaryCrossentropy)
    assert isinstance(losses.get(SparseCategoricalCrossentropy), SparseCategoricalCrossentropy)
    assert losses.get(None) is None
    custom = BinaryCrossentropy(from_logits=True)
    assert losses.get(custom) is custom
    with pytest.raises(ValueError, match="Did you mean 'mse'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(3)


def test_names_and_config():
    assert BinaryCrossentropy().name == "binary_crossentropy"
    assert MeanSquaredError().name == "mean_squared_error"
    config = BinaryCrossentropy(from_logits=True, label_smoothing=0.1).get_config()
    assert config["from_logits"] is True and config["label_smoothing"] == 0.1
