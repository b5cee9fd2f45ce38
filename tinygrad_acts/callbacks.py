"""Callbacks: code that `Sequential.fit` calls at fixed points of training, as in
`keras.callbacks`.

    fit ─ on_train_begin
          for each epoch:  on_epoch_begin(epoch)
                           for each batch:  on_train_batch_begin(batch)
                                            ... one training step ...
                                            on_train_batch_end(batch, logs)
                           (validation: on_test_begin, on_test_batch_*, on_test_end)
                           on_epoch_end(epoch, logs)      logs = {'loss': ..., 'val_loss': ...}
          on_train_end

A callback stops training by setting `self.model.stop_training = True`; `fit` looks at it
after every batch and every epoch. `History` is always added by `fit` (and returned by it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["Callback", "CallbackList", "History", "TerminateOnNaN"]

Logs = dict[str, float]


class Callback:
    """Base class of callbacks: every hook does nothing; subclasses override the ones they need.

    Attributes:
        model: the model being trained (set by `set_model`).
        params: `{'epochs': ..., 'steps': ..., 'verbose': ...}` (set by `set_params`).
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    # ---- training ----------------------------------------------------------------------------
    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once, before the first epoch."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once, after the last epoch (or when training stops early)."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called at the start of each epoch (`epoch` counts from 0)."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called at the end of each epoch with the epoch's means: `loss`, the metrics, and
        `val_loss` and `val_<metric>` when there is validation data."""

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each training step (`batch` counts from 0 within the epoch)."""

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each training step, with the running means of the epoch so far."""

    # ---- evaluation (also the validation inside fit) -----------------------------------------
    def on_test_begin(self, logs: Logs | None = None) -> None:
        """Called at the start of `evaluate` (and of the validation at each epoch's end)."""

    def on_test_end(self, logs: Logs | None = None) -> None:
        """Called at the end of `evaluate`, with its results."""

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each batch of `evaluate`."""

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each batch of `evaluate`, with the running means so far."""

    # ---- prediction --------------------------------------------------------------------------
    def on_predict_begin(self, logs: Logs | None = None) -> None:
        """Called at the start of `predict`."""

    def on_predict_end(self, logs: Logs | None = None) -> None:
        """Called at the end of `predict`."""

    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each batch of `predict`."""

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each batch of `predict`."""


# Every hook, so that CallbackList can forward each one without writing it out 14 times.
_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList:
    """Several callbacks used as one: calling a hook on the list calls it on each callback,
    in order.

    Args:
        callbacks: the callbacks (each a `Callback`).
        model: when given, passed to every callback's `set_model`.
        **params: when given, passed to every callback's `set_params`.
    """

    def __init__(
        self, callbacks: Iterable[Callback] | None = None, model: Any = None, **params: Any
    ) -> None:
        callbacks = list(callbacks or [])
        for i, callback in enumerate(callbacks):
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"CallbackList: callbacks[{i}] must be a tinygrad_acts.callbacks.Callback, "
                    f"received {type(callback).__name__}: {callback!r:.80}"
                )
        self.callbacks = callbacks
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_model(self, model: Any) -> None:
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params: dict[str, Any]) -> None:
        for callback in self.callbacks:
            callback.set_params(params)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def __getattr__(self, name: str) -> Any:
        # on_epoch_end(...) and the other hooks: the same call on every callback.
        if name not in _HOOKS:
            raise AttributeError(f"'CallbackList' object has no attribute {name!r}")

        def call_all(*args: Any, **kwargs: Any) -> None:
            for callback in self.callbacks:
                getattr(callback, name)(*args, **kwargs)

        return call_all


class History(Callback):
    """Records the logs of every epoch; `fit` adds one to every run and returns it.

    Attributes:
        history: `{'loss': [epoch 1, epoch 2, ...], 'accuracy': [...], 'val_loss': [...]}`.
        epoch: the epochs recorded (counting from 0).
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self


class TerminateOnNaN(Callback):
    """Stops training when the loss becomes NaN or infinite.

    `Sequential.fit` checks the loss and every gradient before each update and never applies
    a bad one. Without this callback it then raises `FloatingPointError`; with it, training
    stops cleanly: the weights are those from before the bad step, and `fit` returns the
    History of the epochs done.

    On its own (in a training loop of your own that calls `on_train_batch_end` with
    `logs['loss']`), it sets `model.stop_training` when that loss is not finite, as Keras's.
    """

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss {loss}, terminating training")
            self.model.stop_training = True
