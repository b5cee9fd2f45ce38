"""Sequential: training the moons, the summary, fit/evaluate/predict, validation, saving and
loading weights, NaN handling, progress output, and data checked before any weight moves."""

import io
import os

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import datasets, losses, metrics, optimizers
from tinygrad_acts.callbacks import Callback, TerminateOnNaN
from tinygrad_acts.layers import Dense, Dropout
from tinygrad_acts.layers.base import clear_session
from tinygrad_acts.models import Sequential


@pytest.fixture(autouse=True)
def _fresh_session():
    clear_session()
    ta.set_seed(0)
    yield
    clear_session()


def selu_mlp(hidden=16):
    return Sequential([
        Dense(hidden, activation="selu", kernel_initializer="lecun_normal", input_dim=2),
        Dense(hidden, activation="selu", kernel_initializer="lecun_normal"),
        Dense(1, activation="sigmoid"),
    ])


def compiled_mlp(metrics=("accuracy",), lr=0.01):
    model = selu_mlp()
    model.compile(optimizer=optimizers.Adam(lr), loss="binary_crossentropy",
                  metrics=list(metrics))
    return model


def snapshot(model):
    return [w.copy() for w in model.get_weights()]


def assert_same_weights(model, saved):
    for w, s in zip(model.get_weights(), saved, strict=True):
        np.testing.assert_array_equal(w, s)


@pytest.fixture
def moons():
    return datasets.make_moons(200, noise=0.1, seed=1)


# ---- what it must show -----------------------------------------------------------------------


def test_selu_mlp_learns_noisy_moons():
    X, y = datasets.make_moons(1000, noise=0.1, seed=0)
    model = compiled_mlp()
    history = model.fit(X, y, epochs=40, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] >= 0.97
    loss, accuracy = model.evaluate(X, y, verbose=0)
    assert accuracy >= 0.97
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    # and on moons it has never seen
    X_new, y_new = datasets.make_moons(1000, noise=0.1, seed=123)
    assert model.evaluate(X_new, y_new, verbose=0)[1] >= 0.97


def test_summary_table():
    model = selu_mlp()
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "sequential"'
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    rows = [line.split() for line in lines if line.startswith(" dense")]
    assert rows == [["dense", "(Dense)", "(None,", "16)", "48"],
                    ["dense_1", "(Dense)", "(None,", "16)", "272"],
                    ["dense_2", "(Dense)", "(None,", "1)", "17"]]
    assert "Total params: 337 (1.32 KB)" in text  # 337 float32 numbers = 1348 bytes
    assert "Trainable params: 337" in text and "Non-trainable params: 0 (0.00 B)" in text


def test_summary_of_an_unbuilt_model():
    model = Sequential([Dense(4), Dense(1)])
    lines = []
    model.summary(print_fn=lines.append)
    assert any("dense (Dense)" in line and "?" in line and "unbuilt" in line for line in lines)
    assert "Total params: 0 (0.00 B)" in lines


def test_fit_evaluate_predict_shapes_and_history(moons):
    X, y = moons
    model = compiled_mlp()
    history = model.fit(X, y, epochs=3, batch_size=64, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2] and model.history is history
    assert model.metrics_names == ["loss", "accuracy"]
    result = model.evaluate(X, y, batch_size=50, verbose=0)
    assert isinstance(result, list) and len(result) == 2
    predictions = model.predict(X, batch_size=47, verbose=0)  # 47 does not divide 200
    assert isinstance(predictions, np.ndarray)
    assert predictions.shape == (200, 1) and predictions.dtype == np.float32
    np.testing.assert_allclose(predictions, model(X).data, rtol=1e-6)
    # evaluate's numbers are the loss and the accuracy of those predictions
    expected_loss = losses.BinaryCrossentropy()(y, predictions).item()
    assert result[0] == pytest.approx(expected_loss, rel=1e-5)
    assert result[1] == pytest.approx(np.mean((predictions[:, 0] > 0.5) == y))


def test_evaluate_without_metrics_returns_the_loss_alone(moons):
    X, y = moons
    model = selu_mlp()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    result = model.evaluate(X, y, verbose=0)
    assert isinstance(result, float)


def test_evaluate_and_predict_record_no_graph(moons):
    X, y = moons
    model = compiled_mlp()
    model.evaluate(X, y, verbose=0)
    model.predict(X, verbose=0)
    assert all(w.grad is None for w in model.weights)


def test_validation_split_takes_the_last_samples(moons):
    X, y = moons

    class Steps(Callback):
        def on_train_begin(self, logs=None):
            self.steps = self.params["steps"]

    steps = Steps()
    model = compiled_mlp()
    history = model.fit(X, y, epochs=2, batch_size=32, validation_split=0.25, verbose=0,
                        callbacks=[steps])
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert steps.steps == 5  # 150 training samples in batches of 32
    # the validation numbers are those of the last 50 samples, after the last epoch
    val_loss, val_accuracy = model.evaluate(X[150:], y[150:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_accuracy)


def test_validation_data(moons):
    X, y = moons
    X_val, y_val = datasets.make_moons(60, noise=0.1, seed=9)
    model = compiled_mlp()
    history = model.fit(X, y, epochs=2, validation_data=(X_val, y_val), verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(X_val, y_val, verbose=0)[0], rel=1e-6)


def test_set_seed_makes_training_reproducible(moons):
    X, y = moons
    runs = []
    for _ in range(2):
        clear_session()
        ta.set_seed(42)
        model = Sequential([Dense(8, activation="selu", kernel_initializer="lecun_normal",
                                  input_dim=2), Dropout(0.2), Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        history = model.fit(X, y, epochs=2, verbose=0)
        runs.append((model.get_weights(), history.history["loss"]))
    assert runs[0][1] == runs[1][1]
    for a, b in zip(runs[0][0], runs[1][0], strict=True):
        np.testing.assert_array_equal(a, b)


def test_call_passes_training_to_layers_that_take_it():
    model = Sequential([Dense(50, kernel_initializer="ones", input_dim=4), Dropout(0.5)])
    x = np.ones((3, 4), dtype=np.float32)
    np.testing.assert_array_equal(model(x).data, 4.0)  # inference: dropout is off
    trained = model(x, training=True).data
    assert set(np.unique(trained)) == {0.0, 8.0}


def test_sparse_categorical_accuracy_is_chosen_and_learns():
    X, y = datasets.make_blobs(300, centers=3, cluster_std=0.5, seed=0)
    X = datasets.standardize(X)
    model = Sequential([Dense(16, activation="relu", input_dim=2),
                        Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(0.02), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(X, y, epochs=15, verbose=0)
    assert isinstance(model._metrics[0], metrics.SparseCategoricalAccuracy)
    assert model.evaluate(X, y, verbose=0)[1] > 0.95


def test_accuracy_cut_off_with_logits_is_zero(moons):
    X, y = moons
    model = Sequential([Dense(8, activation="tanh", input_dim=2), Dense(1)])
    model.compile(optimizer="adam", loss=losses.BinaryCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(X, y, epochs=2, verbose=0)
    assert model._metrics[0].threshold == 0.0
    logits = model.predict(X, verbose=0)[:, 0]
    assert model.evaluate(X, y, verbose=0)[1] == pytest.approx(np.mean((logits > 0) == y))


def test_keras_names_and_duplicates():
    model = selu_mlp()
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dense_2"]
    with pytest.raises(ValueError, match="already has a layer named 'dense'"):
        model.add(Dense(1, name="dense"))
    with pytest.raises(ValueError, match="already in the model"):
        model.add(model.layers[0])
    with pytest.raises(TypeError, match="Layer"):
        model.add("dense")
    assert len(model.layers) == 3


def test_add_checks_widths_before_adding():
    model = Sequential([Dense(4, input_dim=3)])
    with pytest.raises(ValueError, match=r"width 5.*width 4"):
        model.add(Dense(2, input_dim=5))
    assert len(model.layers) == 1


# ---- save and load ---------------------------------------------------------------------------


def test_save_load_round_trip(tmp_path, moons):
    X, _ = moons
    model = selu_mlp()
    path = tmp_path / "weights.npz"
    model.save_weights(path)
    expected = model.predict(X, verbose=0)
    clear_session()
    other = selu_mlp()  # different random weights
    assert not np.allclose(other.predict(X, verbose=0), expected)
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(X, verbose=0), expected)
    assert os.listdir(tmp_path) == ["weights.npz"]  # no temporary file left behind


def test_mismatched_file_raises_and_changes_nothing(tmp_path):
    narrow = Sequential([Dense(3, input_dim=2), Dense(16), Dense(1)])  # 6 weights too
    path = tmp_path / "narrow.npz"
    narrow.save_weights(path)
    model = selu_mlp()
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"shape \(2, 16\).*\(2, 3\)"):
        model.load_weights(path)
    assert_same_weights(model, before)
    selu_mlp().save_weights(tmp_path / "mlp.npz")  # 6 weights
    bigger = Sequential([Dense(16, input_dim=2), Dense(16), Dense(1), Dense(2)])  # 8 weights
    with pytest.raises(ValueError, match="8 weights, received 6"):
        bigger.load_weights(tmp_path / "mlp.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a numpy archive")
    with pytest.raises(ValueError, match="not a weights file"):
        model.load_weights(tmp_path / "junk.npz")
    with pytest.raises(ValueError, match=".npz"):
        model.save_weights(tmp_path / "weights.h5")
    with pytest.raises(FileNotFoundError):
        model.load_weights(tmp_path / "missing.npz")
    assert_same_weights(model, before)


def test_save_is_atomic(tmp_path, monkeypatch):
    model = selu_mlp()
    path = tmp_path / "weights.npz"
    model.save_weights(path)
    good = path.read_bytes()

    def failing_savez(file, **arrays):
        file.write(b"PK partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path)
    assert path.read_bytes() == good  # the old file is intact
    with pytest.raises(OSError):
        model.save_weights(tmp_path / "new.npz")
    assert sorted(os.listdir(tmp_path)) == ["weights.npz"]  # no partial or temporary file


# ---- NaN and inf -----------------------------------------------------------------------------


class NaNAt:
    """A loss that is BCE, except at one training step (counting calls), where it is NaN."""

    def __init__(self, bad_call):
        self.calls = 0
        self.bad_call = bad_call
        self.__name__ = "nan_at"

    def __call__(self, y_true, y_pred):
        self.calls += 1
        values = losses.binary_crossentropy(y_true, y_pred)
        return values * float("nan") if self.calls == self.bad_call else values


class Snapshots(Callback):
    def on_train_batch_begin(self, batch, logs=None):
        self.last = snapshot(self.model)


def nan_setup(moons):
    X, y = moons
    model = selu_mlp()
    # 200 samples in batches of 50: 4 steps per epoch. The loss is called once by fit's
    # check of y, then once per step: call 8 is epoch 2, batch 3.
    model.compile(optimizer="adam", loss=NaNAt(bad_call=8), metrics=["accuracy"])
    return model, X, y


def test_nan_loss_raises_naming_epoch_and_batch_and_keeps_weights(moons):
    model, X, y = nan_setup(moons)
    snapshots = Snapshots()
    with pytest.raises(FloatingPointError, match=r"loss became nan at epoch 2/5, batch 3/4"):
        model.fit(X, y, epochs=5, batch_size=50, shuffle=False, verbose=0, callbacks=[snapshots])
    assert_same_weights(model, snapshots.last)


def test_terminate_on_nan_stops_cleanly(moons, capsys):
    model, X, y = nan_setup(moons)
    snapshots = Snapshots()
    history = model.fit(X, y, epochs=5, batch_size=50, shuffle=False, verbose=2,
                        callbacks=[snapshots, TerminateOnNaN()])
    assert model.stop_training
    assert_same_weights(model, snapshots.last)
    assert len(history.history["loss"]) == 2  # epoch 1, and the 2 good batches of epoch 2
    assert all(np.isfinite(history.history["loss"]))
    assert "epoch 2/5, batch 3/4: the loss became nan; terminating" in capsys.readouterr().out


def test_nan_gradient_is_caught_too(moons):
    X, y = moons
    model = selu_mlp()

    def sqrt_loss(y_true, y_pred):
        # sqrt(0) = 0 is finite, but its derivative 1 / (2 sqrt(0)) is not
        return (losses.binary_crossentropy(y_true, y_pred) * 0.0).sqrt()

    model.compile(optimizer="adam", loss=sqrt_loss)
    before = snapshot(model)
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(FloatingPointError, match=r"gradient of dense.*epoch 1/1, batch 1/"):
            model.fit(X, y, verbose=0)
    assert_same_weights(model, before)


# ---- output ----------------------------------------------------------------------------------


def test_verbose_0_is_silent(moons, capsys):
    X, y = moons
    model = compiled_mlp()
    model.fit(X, y, epochs=2, validation_split=0.2, verbose=0)
    model.evaluate(X, y, verbose=0)
    model.predict(X, verbose=0)
    assert capsys.readouterr() == ("", "")


def test_plain_lines_when_not_a_terminal(moons, capsys):
    X, y = moons
    model = compiled_mlp()
    model.fit(X, y, epochs=3, batch_size=32, validation_split=0.2, verbose=1)
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 3 and "\r" not in out and err == ""
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"Epoch {epoch}/3 - 5/5 - ")
        for key in ("loss: ", "accuracy: ", "val_loss: ", "val_accuracy: "):
            assert key in line
    model.evaluate(X, y, verbose=1)
    assert capsys.readouterr().out.startswith("evaluate - 7/7 - ")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_in_a_terminal(moons, monkeypatch):
    pytest.importorskip("tqdm")
    X, y = moons
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stdout", terminal)
    compiled_mlp().fit(X, y, epochs=2, batch_size=50, verbose=1)
    out = terminal.getvalue()
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "4/4" in out and "loss: " in out and "accuracy: " in out
    assert "\r" in out  # a bar redrawn in place


# ---- bad calls: errors before any state changes ----------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        ({"y": np.zeros(199)}, ValueError, r"200 samples in x and 199 in y"),
        ({"x": np.zeros((200, 3))}, ValueError, r"\(3,\) features.*\(None, 2\)"),
        ({"x": np.zeros(200)}, ValueError, r"shape \(samples, features\)"),
        ({"x": np.full((200, 2), "a")}, TypeError, "x must hold numbers"),
        ({"y": np.full(200, np.nan)}, ValueError, "y contains NaN"),
        ({"y": np.zeros((200, 3))}, ValueError, r"y \(shape \(200, 3\)\) does not fit"),
        ({"epochs": 0}, ValueError, "epochs=0"),
        ({"epochs": "3"}, TypeError, "epochs='3'"),
        ({"batch_size": 0}, ValueError, "batch_size=0"),
        ({"validation_split": 1.0}, ValueError, "validation_split"),
        ({"validation_split": 0.999}, ValueError, "leaves 0 training"),
        ({"validation_data": (np.zeros((5, 2)), np.zeros(4))}, ValueError, "5 samples in x"),
        ({"verbose": 3}, ValueError, "verbose"),
        ({"callbacks": ["early"]}, TypeError, "Callback"),
        ({"callbacks": TerminateOnNaN()}, TypeError, "list"),
        ({"shuffle": "yes"}, TypeError, "shuffle"),
    ],
)
def test_fit_checks_everything_before_training(moons, kwargs, error, pattern):
    X, y = moons
    model = compiled_mlp()
    before = snapshot(model)
    arguments = {"x": X, "y": y, "epochs": 1, "verbose": 0, **kwargs}
    with pytest.raises(error, match=pattern):
        model.fit(**arguments)
    assert_same_weights(model, before)
    assert model.optimizer.iterations == 0


def test_sparse_labels_out_of_range_fail_before_training():
    X = np.zeros((10, 2), dtype=np.float32)
    model = Sequential([Dense(3, activation="softmax", input_dim=2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    labels = np.zeros(10, dtype=int)
    labels[-1] = 3  # in the last batch
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        model.fit(X, labels, batch_size=2, verbose=0)
    assert model.optimizer.iterations == 0


def test_compile_and_call_errors(moons):
    X, y = moons
    model = selu_mlp()
    with pytest.raises(RuntimeError, match="compile the model first"):
        model.fit(X, y, verbose=0)
    with pytest.raises(ValueError, match="Unknown loss: 'binary_crosentropy'"):
        model.compile(optimizer="adam", loss="binary_crosentropy")
    with pytest.raises(ValueError, match="optimizer"):
        model.compile(optimizer="adamx", loss="mse")
    with pytest.raises(ValueError, match="Unknown metric"):
        model.compile(optimizer="adam", loss="mse", metrics=["acuracy"])
    with pytest.raises(TypeError, match="list"):
        model.compile(optimizer="adam", loss="mse", metrics="accuracy")
    with pytest.raises(ValueError, match="loss"):
        model.compile(optimizer="adam")
    assert model.loss is None and model.optimizer is None  # nothing half-compiled
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(TypeError, match="positional"):
        model.fit(X, y, 32, 10)  # batch_size and epochs are keyword-only: no silent mix-up
