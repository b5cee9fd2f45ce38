"""fit(sample_weight=, class_weight=), evaluate(sample_weight=), validation_data with weights,
custom losses and metrics written with Tensor methods (issue 13, item 2), and bad weights
refused before anything changes."""

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import losses, optimizers
from tinygrad_acts.layers import Dense
from tinygrad_acts.models import Sequential


def make_model(seed=0, loss="mse", outputs=1, activation=None, metrics=None):
    ta.set_seed(seed)
    model = Sequential([Dense(4, activation="tanh", input_dim=2),
                        Dense(outputs, activation=activation)])
    model.compile(optimizers.SGD(0.1), loss=loss, metrics=metrics)
    model.build((None, 2))
    return model


def data(n=16, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    y = (x[:, :1] * 0.5 - x[:, 1:] ** 2).astype("float32")
    return x, y


def test_zero_weights_leave_samples_out():
    x, y = data()
    half = len(x) // 2
    weighted = make_model()
    weighted.fit(x, y, sample_weight=np.r_[np.full(half, 2.0), np.zeros(half)],
                 batch_size=len(x), epochs=3, shuffle=False, verbose=0)
    alone = make_model()
    alone.fit(x[:half], y[:half], batch_size=half, epochs=3, shuffle=False, verbose=0)
    for a, b in zip(weighted.get_weights(), alone.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_class_weight_equals_the_sample_weights_it_stands_for():
    x, _ = data(20)
    labels = (x[:, 0] > 0).astype("int64")
    for y, loss, outputs, activation in (
            (labels, "sparse_categorical_crossentropy", 2, "softmax"),
            (np.eye(2)[labels], "categorical_crossentropy", 2, "softmax"),
            (labels.reshape(-1, 1).astype("float32"), "binary_crossentropy", 1, "sigmoid")):
        a = make_model(loss=loss, outputs=outputs, activation=activation)
        a.fit(x, y, class_weight={0: 1.0, 1: 3.0}, epochs=2, batch_size=8, verbose=0)
        b = make_model(loss=loss, outputs=outputs, activation=activation)
        b.fit(x, y, sample_weight=np.where(labels == 1, 3.0, 1.0), epochs=2, batch_size=8,
              verbose=0)
        for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
            np.testing.assert_array_equal(wa, wb)


def test_evaluate_and_validation_data_with_sample_weights():
    x, y = data()
    w = np.linspace(0.0, 2.0, len(x)).astype("float32")
    model = make_model(metrics=["mae"])
    per_sample = losses.mean_squared_error(y, model.predict(x, verbose=0)).numpy()
    loss, mae = model.evaluate(x, y, sample_weight=w, batch_size=len(x), verbose=0)
    assert loss == pytest.approx(float((per_sample * w).sum() / len(x)), rel=1e-5)
    abs_err = np.abs(model.predict(x, verbose=0) - y).mean(axis=-1)
    assert mae == pytest.approx(float((abs_err * w).sum() / w.sum()), rel=1e-5)
    history = model.fit(x, y, validation_data=(x[:8], y[:8], w[:8]), epochs=1, verbose=0)
    expected = model.evaluate(x[:8], y[:8], sample_weight=w[:8], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected[0], rel=1e-6)
    assert history.history["val_mae"][0] == pytest.approx(expected[1], rel=1e-6)


def test_validation_split_splits_the_weights_too():
    x, y = data()
    model = make_model()
    w = np.r_[np.ones(12), np.zeros(4)]
    history = model.fit(x, y, sample_weight=w, validation_split=0.25, epochs=1, verbose=0)
    assert history.history["val_loss"][0] == 0.0  # the last quarter weighs nothing


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"sample_weight": np.ones(5)}, ValueError, r"16 samples, sample_weight has shape \(5,\)"),
    ({"sample_weight": np.r_[np.ones(15), np.nan]}, ValueError, "NaN"),
    ({"sample_weight": -np.ones(16)}, ValueError, ">= 0"),
    ({"sample_weight": np.array(["a"] * 16)}, TypeError, "sample_weight"),
    ({"class_weight": {0: 1.0, 7: 2.0}}, ValueError, "class_weight names class 7"),
    ({"class_weight": {0: -1.0}}, ValueError, r"class_weight\[0\]"),
    ({"class_weight": [1.0, 2.0]}, TypeError, "dict"),
    ({"class_weight": {0: 1.0}, "sample_weight": np.ones(16)}, ValueError, "both"),
    ({"validation_data": (np.ones((4, 2)), np.ones((4, 1)), np.ones(3))}, ValueError,
     "sample_weight"),
])
def test_bad_weights_change_nothing(kwargs, error, pattern):
    x, y = data()
    model = make_model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(error, match=pattern):
        model.fit(x, y, epochs=1, verbose=0, **kwargs)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == 0


def test_evaluate_refuses_bad_weights():
    x, y = data()
    with pytest.raises(ValueError, match="sample_weight"):
        make_model().evaluate(x, y, sample_weight=np.ones(3), verbose=0)


def test_custom_loss_and_metric_with_tensor_methods_work_in_fit_and_evaluate():
    def mae(yt, yp):
        return (yp - yt).abs().mean(axis=-1)

    model = Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", loss=mae, metrics=[mae])
    history = model.fit(np.ones((8, 2)), np.zeros((8, 1)), verbose=0)
    assert np.isfinite(history.history["loss"][0]) and "mae" in history.history
    assert np.isfinite(model.evaluate(np.ones((8, 2)), np.zeros((8, 1)), verbose=0)[0])


def test_custom_loss_subclass_gets_floatx_tensors_in_fit():
    seen = set()

    class Absolute(losses.Loss):
        def call(self, y_true, y_pred):
            seen.add((type(y_true), y_true.dtype, type(y_pred), y_pred.dtype))
            return (y_pred - y_true).abs().mean(axis=-1)

    model = Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", loss=Absolute())
    model.fit(np.ones((8, 2)), np.zeros((8, 1), dtype="int64"), verbose=0)
    assert seen == {(ta.Tensor, np.dtype("float32"), ta.Tensor, np.dtype("float32"))}


def test_new_names_compile_and_train():
    x, _ = data(32)
    labels = (x[:, 0] > 0).astype("int64")
    model = make_model(loss=losses.SparseCategoricalCrossentropy(), outputs=3,
                       activation="softmax", metrics=["sparse_top_k_categorical_accuracy"])
    model.compile("adamw", loss="SparseCategoricalCrossentropy",
                  metrics=[ta.metrics.SparseTopKCategoricalAccuracy(k=1, name="top1")])
    history = model.fit(x, labels, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "top1"}
    for name in ("huber", "log_cosh", "hinge", "kld", "poisson"):
        model = make_model(activation="softplus")  # poisson and kld take positive predictions
        model.compile(optimizers.Nadam(0.01), loss=name)
        model.fit(x, np.abs(x[:, :1]), epochs=1, verbose=0)


def test_class_weight_leaves_labels_it_does_not_name_at_one():
    model = make_model(loss=losses.SparseCategoricalCrossentropy(ignore_class=-1), outputs=3,
                       activation="softmax")
    weights = model._class_weight_to_sample_weights(np.array([0, 2, -1, 1]), {0: 2.0, 2: 0.5},
                                                    "fit")
    np.testing.assert_array_equal(weights, [2.0, 0.5, 1.0, 1.0])
    x, _ = data(4)
    model.fit(x, np.array([0, 2, -1, 1]), class_weight={0: 2.0, 2: 0.5}, verbose=0)
