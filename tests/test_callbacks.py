"""Keras's callbacks (EarlyStopping, TerminateOnNaN, LambdaCallback, ModelCheckpoint,
CSVLogger) against Keras's documented semantics, and ActivationStatistics.

Where a test needs the monitored quantity to follow a known course, a `Script` callback
placed before the one under test overwrites `logs[monitor]` at each epoch's end (the logs
dict is shared by all callbacks, in order), while the model really trains."""

import csv
import math
import os
import sys
import warnings

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts.callbacks import (
    ActivationStatistics,
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    ModelCheckpoint,
    TerminateOnNaN,
)
from tinygrad_acts.layers import Dense, Dropout
from tinygrad_acts.models import Sequential


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3)).astype(np.float32)
    return X, (X.sum(axis=1) > 0).astype(np.int64)


def make_model(seed=0, dropout=False):
    ta.set_seed(seed)
    layers = [Dense(8, activation="relu", input_dim=3)]
    if dropout:
        layers.append(Dropout(0.3))
    layers += [Dense(6, activation="selu"), Dense(1)]
    model = Sequential(layers)
    model.compile(optimizer=ta.optimizers.SGD(0.05),
                  loss=ta.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


class Script(Callback):
    """Sets logs[key] to values[epoch] at each epoch's end, and keeps the weights then."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, values
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())


class FakeModel:
    """Just what EarlyStopping touches: stop_training and the weights."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(2)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]


def drive(callback, values, key="val_loss"):
    """Run the epoch hooks over a sequence of monitored values, as fit would; the weights
    are [epoch, epoch]. Returns the number of epochs run."""
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, float(epoch))]
        callback.on_epoch_end(epoch, {key: value})
        epochs += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return epochs


def same_weights(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


# ---- Callback's batch aliases ----------------------------------------------------------------


def test_on_batch_begin_and_end_are_the_train_batch_hooks_older_names(data):
    class OldStyle(Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_batch_begin(self, batch, logs=None):
            self.calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            self.calls.append(("end", batch, sorted(logs)))

    callback = OldStyle()
    make_model().fit(*data, epochs=1, batch_size=12, verbose=0, callbacks=[callback])
    assert callback.calls == [("begin", 0), ("end", 0, ["accuracy", "loss"]),
                              ("begin", 1), ("end", 1, ["accuracy", "loss"])]


# ---- EarlyStopping ---------------------------------------------------------------------------


def test_early_stopping_waits_patience_epochs_without_improvement():
    # best at epoch 1 (0.8); epochs 2 and 3 do not improve: patience 2 is used up at epoch 3
    stopper = EarlyStopping(patience=2)
    assert drive(stopper, [1.0, 0.8, 0.9, 0.85, 0.1]) == 4
    assert stopper.stopped_epoch == 3 and stopper.best == 0.8 and stopper.best_epoch == 1
    # an improvement resets the count
    stopper = EarlyStopping(patience=2)
    assert drive(stopper, [1.0, 0.9, 0.95, 0.7, 0.8, 0.75, 0.6]) == 6


def test_early_stopping_patience_0_stops_at_the_first_epoch_without_improvement():
    stopper = EarlyStopping(monitor="loss", patience=0)
    assert drive(stopper, [3.0, 2.0, 2.0, 1.0], key="loss") == 3  # 2.0 is not < 2.0
    assert stopper.stopped_epoch == 2


def test_early_stopping_min_delta_mode_max_baseline_and_start_from_epoch():
    # improvements smaller than min_delta do not count
    assert drive(EarlyStopping(min_delta=0.1, patience=2), [1.0, 0.95, 0.92, 0.5]) == 3
    # mode 'max' (and 'auto' on an accuracy) wants the value to rise
    for mode in ("max", "auto"):
        stopper = EarlyStopping(monitor="val_accuracy", mode=mode, patience=1)
        assert drive(stopper, [0.5, 0.6, 0.7, 0.65, 0.6, 0.9], key="val_accuracy") == 4
        assert stopper.best == 0.7
    # while the baseline is not beaten, improving epochs count toward the patience too
    values = [1.0, 0.9, 0.95, 0.97, 0.3]
    assert drive(EarlyStopping(patience=2), values) == 4
    assert drive(EarlyStopping(patience=2, baseline=0.5), values) == 3
    # the warm-up epochs are not watched
    assert drive(EarlyStopping(patience=0, start_from_epoch=3), [1, 2, 3, 4, 5]) == 5


def test_early_stopping_restores_the_best_weights_in_fit(data):
    model = make_model()
    script = Script("val_loss", [0.9, 0.5, 0.6, 0.7, 0.8, 0.1])
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(*data, epochs=6, batch_size=8, verbose=0, validation_data=data,
                        callbacks=[script, stopper])
    assert history.epoch == [0, 1, 2, 3]  # stopped at epoch 3, two epochs after the best
    assert history.history["val_loss"] == [0.9, 0.5, 0.6, 0.7]
    assert stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    assert same_weights(model.get_weights(), script.weights[1])
    assert not same_weights(script.weights[3], script.weights[1])  # training did move them


def test_early_stopping_without_restore_keeps_the_last_weights(data):
    model = make_model()
    script = Script("val_loss", [0.9, 0.5, 0.6, 0.7])
    model.fit(*data, epochs=4, batch_size=8, verbose=0, validation_data=data,
              callbacks=[script, EarlyStopping(patience=1)])
    assert same_weights(model.get_weights(), script.weights[2])


def test_early_stopping_verbose_messages(capsys):
    drive(EarlyStopping(patience=0, verbose=1, restore_best_weights=True), [1.0, 2.0])
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out


def test_early_stopping_warns_when_the_monitor_is_missing(data):
    model = make_model()
    with pytest.warns(UserWarning, match="`val_loss` which is not available. Available "
                                         "metrics are: loss,accuracy"):
        history = model.fit(*data, epochs=2, verbose=0, callbacks=[EarlyStopping()])
    assert history.epoch == [0, 1]  # nothing to watch: no stop


def test_early_stopping_arguments_are_checked():
    with pytest.warns(UserWarning, match="EarlyStopping mode 'smallest' is unknown, "
                                         "fallback to auto mode"):
        assert EarlyStopping(mode="smallest").mode == "auto"
    with pytest.raises(TypeError, match="patience"):
        EarlyStopping(patience=1.5)
    with pytest.raises(ValueError, match="patience=-1"):
        EarlyStopping(patience=-1)
    with pytest.raises(TypeError, match="monitor"):
        EarlyStopping(monitor=None)
    with pytest.raises(TypeError, match="restore_best_weights"):
        EarlyStopping(restore_best_weights="yes")
    with pytest.raises(ValueError, match="min_delta"):
        EarlyStopping(min_delta=math.nan)
    with pytest.raises(TypeError, match="baseline"):
        EarlyStopping(baseline="0.5")


def test_early_stopping_auto_mode_on_an_unknown_quantity_fails_before_training(data):
    model = make_model()
    before = model.get_weights()
    with pytest.raises(ValueError, match="monitor='sharpness'.*mode='max'"):
        model.fit(*data, epochs=2, verbose=0, callbacks=[EarlyStopping(monitor="sharpness")])
    assert same_weights(model.get_weights(), before)
    # with an explicit mode any quantity can be watched
    assert drive(EarlyStopping(monitor="sharpness", mode="max"), [1, 0], key="sharpness") == 2


# ---- TerminateOnNaN ---------------------------------------------------------------------------


def exploding_model():
    """A linear model with a learning rate so large that the loss overflows within a few
    steps."""
    ta.set_seed(0)
    model = Sequential([Dense(1, input_dim=1)])
    model.compile(optimizer=ta.optimizers.SGD(1e18), loss="mse")
    return model


def test_terminate_on_nan_stops_training_cleanly_on_a_nan_loss(capsys):
    x = np.linspace(1, 10, 16, dtype=np.float32)[:, None]
    model = exploding_model()
    batches = []
    with np.errstate(over="ignore", invalid="ignore"):
        history = model.fit(x, 3 * x, epochs=50, batch_size=4, verbose=1, shuffle=False,
                            callbacks=[TerminateOnNaN(), LambdaCallback(
                                on_train_batch_end=lambda batch, logs: batches.append(logs)
                            )])
    assert len(history.epoch) < 50  # stopped early
    assert all(math.isfinite(logs["loss"]) for logs in batches)  # the bad step was not logged
    assert all(np.isfinite(w).all() for w in model.get_weights())  # nor applied
    assert "terminating training" in capsys.readouterr().out
    # without the callback the same run is an error naming where it happened
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(
            FloatingPointError, match=r"epoch \d+/50, batch \d/4"):
        exploding_model().fit(x, 3 * x, epochs=50, batch_size=4, verbose=0, shuffle=False)


# ---- LambdaCallback ---------------------------------------------------------------------------


def test_lambda_callback_calls_the_functions_given(data):
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch)),
        on_train_end=lambda logs: calls.append("train_end"),
        on_test_end=lambda logs: calls.append("test_end"),  # any hook, by keyword
    )
    make_model().fit(*data, epochs=2, batch_size=24, verbose=0, validation_data=data,
                     callbacks=[callback])
    names = ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert calls == ["train_begin",
                     ("epoch_begin", 0), ("batch_end", 0), "test_end", ("epoch_end", 0, names),
                     ("epoch_begin", 1), ("batch_end", 0), "test_end", ("epoch_end", 1, names),
                     "train_end"]


def test_lambda_callback_arguments_are_checked():
    with pytest.raises(TypeError, match="on_epoch_end"):
        LambdaCallback(on_epoch_end="print")
    with pytest.raises(TypeError, match="'on_epoch_ends'"):
        LambdaCallback(on_epoch_ends=print)


# ---- ModelCheckpoint ---------------------------------------------------------------------------


def test_model_checkpoint_save_best_only_writes_only_on_improvement(tmp_path, data):
    model = make_model()
    script = Script("val_loss", [1.0, 0.5, 0.7, 0.4, 0.45])
    pattern = str(tmp_path / "weights.{epoch:02d}-{val_loss:.2f}.npz")
    best = str(tmp_path / "best.npz")
    model.fit(*data, epochs=5, batch_size=8, verbose=0, validation_data=data,
              callbacks=[script, ModelCheckpoint(pattern, save_best_only=True),
                         ModelCheckpoint(best, save_best_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["best.npz", "weights.01-1.00.npz",
                                            "weights.02-0.50.npz", "weights.04-0.40.npz"]
    # the fixed name holds the best epoch's weights (epoch 4, index 3)
    other = make_model(seed=1)
    other.load_weights(best)
    assert same_weights(other.get_weights(), script.weights[3])


def test_model_checkpoint_mode_max_and_initial_value_threshold(tmp_path, data):
    model = make_model()
    script = Script("val_accuracy", [0.5, 0.7, 0.6, 0.8])
    path = str(tmp_path / "w{epoch}.npz")
    model.fit(*data, epochs=4, batch_size=8, verbose=0, validation_data=data,
              callbacks=[script, ModelCheckpoint(path, monitor="val_accuracy",
                                                 save_best_only=True,
                                                 initial_value_threshold=0.65)])
    assert sorted(os.listdir(tmp_path)) == ["w2.npz", "w4.npz"]


def test_model_checkpoint_saves_every_epoch_or_every_n_batches(tmp_path, data, capsys):
    model = make_model()
    model.fit(*data, epochs=3, batch_size=8, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / "e{epoch}.npz"), verbose=1),
                         ModelCheckpoint(str(tmp_path / "sub" / "e{epoch}b{batch}.npz"),
                                         save_freq=2)])
    assert sorted(os.listdir(tmp_path)) == ["e1.npz", "e2.npz", "e3.npz", "sub"]
    # 3 batches per epoch, a save every 2 batches counted across epochs: batches 2, 4, 6, ...
    assert sorted(os.listdir(tmp_path / "sub")) == ["e1b2.npz", "e2b1.npz", "e2b3.npz",
                                                    "e3b2.npz"]
    assert f"Epoch 3: saving model to {tmp_path / 'e3.npz'}" in capsys.readouterr().out


def test_model_checkpoint_skips_an_epoch_without_the_monitor(tmp_path, data):
    path = str(tmp_path / "w.npz")
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        make_model().fit(*data, epochs=1, verbose=0,
                         callbacks=[ModelCheckpoint(path, save_best_only=True)])
    assert not os.path.exists(path)


def test_model_checkpoint_placeholder_missing_from_the_logs(tmp_path, data):
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        make_model().fit(*data, epochs=1, verbose=0,
                         callbacks=[ModelCheckpoint(str(tmp_path / "{val_auc}.npz"))])


def test_model_checkpoint_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="must end in '.npz'.*model.keras"):
        ModelCheckpoint("model.keras")
    with pytest.raises(ValueError, match="Unrecognized save_freq: 'batch'"):
        ModelCheckpoint("w.npz", save_freq="batch")
    with pytest.raises(ValueError, match="Unrecognized save_freq: 0"):
        ModelCheckpoint("w.npz", save_freq=0)
    with pytest.raises(ValueError, match="save_weights_only=False"):
        ModelCheckpoint("w.npz", save_weights_only=False)
    with pytest.raises(TypeError, match="filepath"):
        ModelCheckpoint(3)
    with pytest.warns(UserWarning, match="ModelCheckpoint mode 'best' is unknown"):
        ModelCheckpoint("w.npz", mode="best")


# ---- CSVLogger ---------------------------------------------------------------------------------


def test_csv_logger_writes_one_row_per_epoch(tmp_path, data):
    path = tmp_path / "log.csv"
    history = make_model().fit(*data, epochs=3, verbose=0, validation_data=data,
                               callbacks=[CSVLogger(path)])
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    assert [float(row[2]) for row in rows[1:]] == pytest.approx(history.history["loss"])


def test_csv_logger_separator_and_append(tmp_path, data):
    path = tmp_path / "log.tsv"
    make_model().fit(*data, epochs=2, verbose=0, callbacks=[CSVLogger(path, separator="\t")])
    make_model().fit(*data, epochs=1, verbose=0,
                     callbacks=[CSVLogger(path, separator="\t", append=True)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch\taccuracy\tloss"
    assert [line.split("\t")[0] for line in lines] == ["epoch", "0", "1", "0"]  # one header
    # without append the file starts afresh
    make_model().fit(*data, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator="\t")])
    assert len(path.read_text().splitlines()) == 2


def test_csv_logger_arguments_are_checked():
    with pytest.raises(TypeError, match="separator"):
        CSVLogger("log.csv", separator=", ")
    with pytest.raises(TypeError, match="append"):
        CSVLogger("log.csv", append="yes")
    with pytest.raises(TypeError, match="filename"):
        CSVLogger(None)


# ---- ActivationStatistics ----------------------------------------------------------------------


def test_activation_statistics_records_at_the_start_and_every_few_epochs(data):
    X, y = data
    model = make_model(dropout=True)
    stats = ActivationStatistics(X[:10], y[:10], every=2)
    model.fit(X, y, epochs=5, verbose=0, callbacks=[stats])
    assert stats.layer_names == [layer.name for layer in model.layers]
    assert len(stats.layer_names) == 4
    assert stats.epochs == [0, 2, 4]
    for table in (stats.mean, stats.var, stats.zero_fraction, stats.grad_rms):
        assert isinstance(table, np.ndarray) and table.shape == (3, 4)
        assert np.isfinite(table).all()
    # records before and after training differ: the weights moved
    assert not np.array_equal(stats.var[0], stats.var[-1])


def probe_by_hand(model, x, y=None, output_gradient=None):
    """The statistics computed another way: a forward pass keeping each layer's output,
    then `backward()`, which leaves a .grad on every node of the graph."""
    h = ta.Tensor(x, requires_grad=True)
    outputs = []
    for layer in model.layers:
        h = layer(h, training=False)
        outputs.append(h)
    if y is not None:
        model.loss(y, h).backward()
    else:
        h.backward(ta.Tensor(output_gradient))
    rows = [(o.data.mean(dtype=np.float64), o.data.var(dtype=np.float64),
             np.mean(o.data == 0), np.sqrt(np.mean(o.grad.data.astype(np.float64) ** 2)))
            for o in outputs]
    for w in model.trainable_weights:
        w.grad = None
    return np.array(rows).T  # (4 statistics, layers)


@pytest.mark.parametrize("with_targets", [True, False])
def test_activation_statistics_values(data, with_targets):
    X, y = data
    model = make_model(dropout=True)
    stats = ActivationStatistics(X, y if with_targets else None)
    model.fit(X, y, epochs=2, verbose=0, callbacks=[stats])
    output_gradient = np.random.default_rng(0).standard_normal((len(X), 1)).astype(np.float32)
    expected = probe_by_hand(model, X, y if with_targets else None, output_gradient)
    got = np.array([stats.mean[-1], stats.var[-1], stats.zero_fraction[-1], stats.grad_rms[-1]])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-12)
    # dropout is off in the probe: its output is its input
    assert stats.var[-1][1] == stats.var[-1][0]
    assert 0 < stats.zero_fraction[-1][0] < 1 and stats.zero_fraction[-1][2] == 0  # relu, selu
    if not with_targets:  # the top gradient is the fixed random one, at every record
        assert stats.grad_rms[:, -1] == pytest.approx([np.sqrt(np.mean(
            output_gradient.astype(np.float64) ** 2))] * 3)


def test_activation_statistics_does_not_disturb_training(data):
    X, y = data
    plain = make_model(dropout=True)
    plain.fit(X, y, epochs=3, batch_size=8, verbose=0)
    watched = make_model(dropout=True)
    stats = ActivationStatistics(X[:5], y[:5])
    watched.fit(X, y, epochs=3, batch_size=8, verbose=0, callbacks=[stats])
    # same weights to the bit: no random number drawn, no .grad touched
    assert same_weights(plain.get_weights(), watched.get_weights())
    # recording leaves every weight's .grad as it was
    grads = [w.grad for w in watched.trainable_weights]
    with ta.no_grad():  # and it works inside no_grad
        stats.record(99)
    assert all(w.grad is g for w, g in zip(watched.trainable_weights, grads, strict=True))
    assert stats.epochs[-1] == 99 and ta.is_grad_enabled()


def test_activation_statistics_arguments_are_checked(data):
    X, y = data
    with pytest.raises(ValueError, match="shape"):
        ActivationStatistics(X[0])
    with pytest.raises(ValueError, match="one row per sample"):
        ActivationStatistics(X, y[:3])
    with pytest.raises(ValueError, match="NaN"):
        ActivationStatistics(np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match="every=0"):
        ActivationStatistics(X, every=0)
    with pytest.raises(TypeError, match="every"):
        ActivationStatistics(X, every=1.0)
    with pytest.raises(ValueError, match="nothing recorded yet"):
        ActivationStatistics(X).plot("stats.png")


def test_activation_statistics_plot(tmp_path, data):
    pytest.importorskip("matplotlib")
    X, y = data
    stats = ActivationStatistics(X, y)
    make_model().fit(X, y, epochs=2, verbose=0, callbacks=[stats])
    path = stats.plot(tmp_path / "stats.png", title="three layers")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert os.listdir(tmp_path) == ["stats.png"]  # no temporary file left behind


def test_activation_statistics_plot_without_matplotlib(monkeypatch, data):
    X, y = data
    stats = ActivationStatistics(X, y)
    make_model().fit(X, y, epochs=1, verbose=0, callbacks=[stats])
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    with pytest.raises(ImportError, match=r'pip install "tinygrad_acts\[plot\]"'):
        stats.plot("never_written.png")
    assert not os.path.exists("never_written.png")


def test_callbacks_leave_no_warnings_in_a_normal_run(tmp_path, data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_model().fit(*data, epochs=2, verbose=0, validation_data=data, callbacks=[
            EarlyStopping(patience=5), ModelCheckpoint(str(tmp_path / "w.npz")),
            CSVLogger(tmp_path / "log.csv"), ActivationStatistics(data[0]), TerminateOnNaN(),
        ])
