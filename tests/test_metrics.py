"""Metrics of issue 18 on Keras 3's test vectors (keras/src/metrics/*_test.py): sample weights
on every metric, calling a metric, configs; custom metric functions receive Tensors."""

import os

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import metrics


def import_keras():
    """Keras 3 on its numpy backend (no TensorFlow needed), or a skip where it is absent."""
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    return pytest.importorskip("keras")


TOPK_TRUE = np.array([[0, 0, 1], [0, 1, 0]])
TOPK_PRED = np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]], dtype="float32")

# (metric, update_state arguments, sample_weight, Keras's result)
KERAS_VECTORS = [
    (lambda: metrics.Accuracy(), ([[1], [2], [3], [4]], [[0], [2], [3], [4]]), None, 0.75),
    (lambda: metrics.Accuracy(), ([[1], [2], [3], [4]], [[0], [2], [3], [4]]), [1, 1, 0, 0], 0.5),
    (lambda: metrics.Accuracy(), ([1, 2, 3, 4], [0, 2, 3, 4]), [1, 1, 0, 0], 0.5),
    (lambda: metrics.Accuracy(), ([[1, 2], [3, 4]], [[0, 2], [3, 4]]), [[1, 0], [0, 1]], 0.5),
    (lambda: metrics.Accuracy(), ([[1, 2], [3, 4]], [[0, 2], [3, 4]]), [[1, 0]], 0.5),
    (lambda: metrics.TopKCategoricalAccuracy(k=1), (TOPK_TRUE, TOPK_PRED), None, 0.5),
    (lambda: metrics.TopKCategoricalAccuracy(k=1), (TOPK_TRUE, TOPK_PRED), [0.7, 0.3], 0.3),
    (lambda: metrics.TopKCategoricalAccuracy(k=2), (TOPK_TRUE, TOPK_PRED), None, 1.0),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1), ([2, 1], TOPK_PRED), None, 0.5),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1), ([2, 1], TOPK_PRED), [0.7, 0.3], 0.3),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1, from_sorted_ids=True),
     ([2, 1], [[1, 0, 3], [1, 2, 3]]), None, 0.5),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1, from_sorted_ids=True),
     ([2, 1], [[1, 0, 3], [1, 2, 3]]), [0.7, 0.3], 0.3),
    (lambda: metrics.Sum(), ([1, 3, 5, 7],), None, 16.0),
    (lambda: metrics.Sum(), ([1, 3, 5, 7],), [1, 1, 0, 0], 4.0),
    (lambda: metrics.Sum(), ([[1, 3], [5, 7]],), [[1, 1], [1, 0]], 9.0),
    (lambda: metrics.Sum(), ([[1, 3], [5, 7]],), [[1, 0]], 6.0),
    (lambda: metrics.Mean(), ([1, 3, 5, 7],), None, 4.0),
    (lambda: metrics.Mean(), ([1, 3, 5, 7],), [1, 1, 0, 0], 2.0),
    (lambda: metrics.Mean(), ([[1, 3], [5, 7]],), [[1, 1], [1, 0]], 3.0),
    (lambda: metrics.BinaryAccuracy(), ([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]),
     None, 0.75),
    (lambda: metrics.BinaryAccuracy(), ([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]),
     [1, 0, 0, 1], 0.5),
    (lambda: metrics.CategoricalAccuracy(), ([[0, 0, 1], [0, 1, 0]],
                                             [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]), [0.5, 0.2],
     2.0 / 7.0),
    (lambda: metrics.SparseCategoricalAccuracy(), ([[2], [1]], [[0.1, 0.6, 0.3],
                                                               [0.05, 0.95, 0]]), [0.5, 0.2],
     2.0 / 7.0),
]


@pytest.mark.parametrize("make, args, sample_weight, expected", KERAS_VECTORS)
def test_keras_vectors(make, args, sample_weight, expected):
    metric = make()
    metric.update_state(*args, sample_weight=sample_weight)
    assert metric.result() == pytest.approx(expected, abs=1e-6)
    # calling the metric updates and reports; reset starts over
    metric.reset_state()
    assert metric(*args, sample_weight=sample_weight) == pytest.approx(expected, abs=1e-6)


def test_accumulates_over_batches():
    m = metrics.SparseTopKCategoricalAccuracy(k=2)
    m.update_state([0, 1], [[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]])
    m.update_state([2], [[0.6, 0.3, 0.1]], sample_weight=[3.0])
    assert m.result() == pytest.approx(2 / 5)
    assert [v.item() for v in m.variables] == [2.0, 5.0]
    m.reset_state()
    assert np.isnan(m.result())


@pytest.mark.parametrize("make", [
    lambda: metrics.Accuracy(name="acc", dtype="float64"),
    lambda: metrics.TopKCategoricalAccuracy(k=1),
    lambda: metrics.SparseTopKCategoricalAccuracy(k=3, name="top3"),
    lambda: metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
    lambda: metrics.Sum(name="s"),
    lambda: metrics.Mean(),
    lambda: metrics.BinaryAccuracy(threshold=0.3),
    lambda: metrics.get("huber"),
    lambda: metrics.MeanMetricWrapper(metrics.top_k_categorical_accuracy, k=2),
])
def test_config_round_trip(make):
    metric = make()
    config = metric.get_config()
    assert {"name", "dtype"} <= set(config)
    again = type(metric).from_config(config)
    assert again.get_config() == config
    assert metrics.get(metrics.serialize(metric)).get_config() == config


def test_get_new_names():
    assert isinstance(metrics.get("TopKCategoricalAccuracy"), metrics.TopKCategoricalAccuracy)
    assert isinstance(metrics.get("Sum"), metrics.Sum)
    wrapped = metrics.get("sparse_top_k_categorical_accuracy")
    assert wrapped.name == "sparse_top_k_categorical_accuracy"
    assert metrics.get("huber").fn is ta.losses.huber


def test_custom_metric_receives_tensors():
    seen = []

    def mean_error(y_true, y_pred):
        seen.append((type(y_true), type(y_pred)))
        return (y_pred - y_true).abs().mean(axis=-1)

    m = metrics.MeanMetricWrapper(mean_error)
    m.update_state(np.zeros((2, 1)), np.array([[1.0], [3.0]]), sample_weight=[1, 3])
    assert m.result() == pytest.approx(2.5)
    assert seen == [(ta.Tensor, ta.Tensor)]


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: metrics.TopKCategoricalAccuracy(k=0), ValueError, "k=0"),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1.5), ValueError, "k=1.5"),
    (lambda: metrics.Mean().update_state([1, 2, 3], sample_weight=[1, 2]), ValueError,
     "sample_weight of shape"),
    (lambda: metrics.Mean().update_state([1, 2], sample_weight=[1, np.nan]), ValueError, "NaN"),
    (lambda: metrics.SparseTopKCategoricalAccuracy()([3, 0], TOPK_PRED), ValueError,
     r"\[0, 3\)"),
])
def test_bad_input(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_against_keras():
    keras = import_keras()
    rng = np.random.default_rng(0)
    y_pred = rng.uniform(size=(20, 6)).astype("float32")
    labels = rng.integers(0, 6, 20)
    one_hot = np.eye(6)[labels]
    weights = rng.uniform(size=20)
    for name, y_true, kwargs in (("TopKCategoricalAccuracy", one_hot, {"k": 3}),
                                 ("SparseTopKCategoricalAccuracy", labels, {"k": 2}),
                                 ("CategoricalAccuracy", one_hot, {}),
                                 ("SparseCategoricalAccuracy", labels, {})):
        for sample_weight in (None, weights):
            theirs = getattr(keras.metrics, name)(**kwargs)
            theirs.update_state(y_true, y_pred, sample_weight=sample_weight)
            ours = getattr(metrics, name)(**kwargs)
            ours.update_state(y_true, y_pred, sample_weight=sample_weight)
            assert ours.result() == pytest.approx(float(theirs.result()), abs=1e-6), name
