"""The basic callbacks: the Callback hooks in the order fit calls them, CallbackList,
History, stopping from a callback, and TerminateOnNaN."""

import math

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts.callbacks import Callback, CallbackList, History, TerminateOnNaN
from tinygrad_acts.layers import Dense
from tinygrad_acts.models import Sequential


class Recorder(Callback):
    """Writes down every hook called, with its arguments."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        if name.startswith("on_"):
            def record(*args, **kwargs):
                self.calls.append((name, *args))
            return record
        return super().__getattribute__(name)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 3)).astype(np.float32)
    return X, (X.sum(axis=1, keepdims=True) > 0).astype(np.float32)


@pytest.fixture
def model():
    ta.set_seed(0)
    m = Sequential([Dense(4, activation="relu", input_dim=3), Dense(1, activation="sigmoid")])
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return m


def test_base_callback_hooks_do_nothing():
    callback = Callback()
    callback.set_model("model")
    callback.set_params({"epochs": 1})
    assert callback.model == "model" and callback.params == {"epochs": 1}
    for name in [n for n in dir(Callback) if n.startswith("on_")]:
        hook = getattr(callback, name)
        assert (hook(0, {}) if "epoch" in name or "batch" in name else hook({})) is None


def test_fit_calls_hooks_in_keras_order(model, data):
    X, y = data
    recorder = Recorder()
    model.fit(X, y, epochs=2, batch_size=4, validation_data=(X, y), verbose=0,
              callbacks=[recorder])
    names = [call[0] for call in recorder.calls]
    one_epoch = (["on_epoch_begin"]
                 + ["on_train_batch_begin", "on_train_batch_end"] * 3
                 + ["on_test_begin"] + ["on_test_batch_begin", "on_test_batch_end"] * 3
                 + ["on_test_end", "on_epoch_end"])
    assert names == ["on_train_begin"] + one_epoch * 2 + ["on_train_end"]
    assert recorder.model is model
    assert recorder.params == {"epochs": 2, "steps": 3, "verbose": 0}
    epoch_ends = [call for call in recorder.calls if call[0] == "on_epoch_end"]
    assert [call[1] for call in epoch_ends] == [0, 1]
    assert set(epoch_ends[0][2]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    batch_ends = [call for call in recorder.calls if call[0] == "on_train_batch_end"]
    assert [call[1] for call in batch_ends] == [0, 1, 2, 0, 1, 2]


def test_evaluate_and_predict_call_their_hooks(model, data):
    X, y = data
    recorder = Recorder()
    model.evaluate(X, y, batch_size=5, verbose=0, callbacks=[recorder])
    model.predict(X, batch_size=5, verbose=0, callbacks=[recorder])
    names = [call[0] for call in recorder.calls]
    assert names == (["on_test_begin"] + ["on_test_batch_begin", "on_test_batch_end"] * 2
                     + ["on_test_end", "on_predict_begin"]
                     + ["on_predict_batch_begin", "on_predict_batch_end"] * 2
                     + ["on_predict_end"])


def test_history(model, data):
    X, y = data
    history = model.fit(X, y, epochs=3, verbose=0)
    assert isinstance(history, History) and model.history is history
    assert history.epoch == [0, 1, 2]
    assert list(history.history) == ["loss", "accuracy"]
    assert all(len(values) == 3 and all(math.isfinite(v) for v in values)
               for values in history.history.values())
    # a second fit starts a new history
    assert model.fit(X, y, epochs=1, verbose=0).epoch == [0]


def test_a_callback_can_stop_training(model, data):
    X, y = data

    class StopAfterTwoBatches(Callback):
        batches = 0

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1
            if self.batches == 2:
                self.model.stop_training = True

    stopper = StopAfterTwoBatches()
    history = model.fit(X, y, epochs=5, batch_size=2, verbose=0, callbacks=[stopper])
    assert stopper.batches == 2
    assert history.epoch == [0]  # the epoch is closed, then training ends
    assert model.optimizer.iterations == 2


def test_callback_list():
    first, second = Recorder(), Recorder()
    callbacks = CallbackList([first, second], model="m", epochs=1)
    assert first.model == "m" and second.params == {"epochs": 1}
    callbacks.on_epoch_end(3, {"loss": 1.0})
    assert first.calls == second.calls == [("on_epoch_end", 3, {"loss": 1.0})]
    assert len(callbacks) == 2 and list(callbacks) == [first, second]
    with pytest.raises(AttributeError):
        callbacks.on_nothing()
    with pytest.raises(TypeError, match=r"callbacks\[1\] must be a tinygrad_acts"):
        CallbackList([first, "not a callback"])


def test_terminate_on_nan_on_its_own(capsys):
    class Model:
        stop_training = False

    callback = TerminateOnNaN()
    callback.set_model(Model())
    callback.on_train_batch_end(0, {"loss": 0.5})
    assert not callback.model.stop_training
    callback.on_train_batch_end(4, {"loss": float("inf")})
    assert callback.model.stop_training
    assert "Batch 4: invalid loss inf, terminating training" in capsys.readouterr().out
