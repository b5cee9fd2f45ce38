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

Keras's callbacks, with Keras's arguments and behaviour:

- `History`: the logs of every epoch (what `fit` returns);
- `EarlyStopping`: stops when a monitored quantity stops improving, optionally going back to
  the best weights;
- `TerminateOnNaN`: stops cleanly when the loss becomes NaN or infinite;
- `LambdaCallback`: a callback made of plain functions;
- `ModelCheckpoint`: saves the weights (`save_weights`, atomic) every epoch, or only when the
  monitored quantity improves;
- `CSVLogger`: one CSV row per epoch.

And one of our own, for looking inside a network while it learns:

- `ActivationStatistics`: per-layer mean, variance, fraction of zeros and gradient size on a
  fixed probe batch, at the start of training and after every few epochs.
"""

from __future__ import annotations

import csv
import inspect
import io
import math
import numbers
import os
import string
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from .autograd import grad
from .files import atomic_write
from .grad_mode import enable_grad
from .tensor import Tensor
from .validation import check_bool, check_int, check_number, check_path, check_str

if TYPE_CHECKING:
    from pathlib import Path

    from matplotlib.axes import Axes

__all__ = [
    "ActivationStatistics",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "ModelCheckpoint",
    "TerminateOnNaN",
]

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
        """Called before each training step (`batch` counts from 0 within the epoch).
        By default it calls `on_batch_begin`, Keras's older name for it."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each training step, with the running means of the epoch so far.
        By default it calls `on_batch_end`, Keras's older name for it."""
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """The older name of `on_train_batch_begin` (kept by Keras for old callbacks)."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """The older name of `on_train_batch_end` (kept by Keras for old callbacks)."""

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


# Every hook (and its signature), so that CallbackList can forward each one without writing
# them all out again.
_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]
_SIGNATURES = {name: inspect.signature(getattr(Callback, name)) for name in _HOOKS}
# Each hook's parameters after self: ("logs",) or ("epoch", "logs") or ("batch", "logs");
# `logs` is the last one and the only one with a default, None.
_PARAMETERS = {name: tuple(signature.parameters)[1:] for name, signature in _SIGNATURES.items()}


def _hook_arguments(name: str, args: tuple, kwargs: dict) -> tuple:
    """The arguments of hook `name`, all positional, `logs` filled in as None when left out,
    as Keras's CallbackList passes them: `lambda epoch, logs: ...` always gets both."""
    count = len(_PARAMETERS[name])
    if not kwargs and count - 1 <= len(args) <= count:  # as fit calls the hooks, at every batch
        return args + (None,) * (count - len(args))
    bound = _SIGNATURES[name].bind(None, *args, **kwargs)  # keywords, and Python's errors
    bound.apply_defaults()
    return bound.args[1:]


class CallbackList:
    """Several callbacks used as one: calling a hook on the list calls it on each callback,
    in order (each hook of `Callback` is a method here, made below by `_call_all`).

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


def _call_all(name: str) -> Callable[..., None]:
    """CallbackList's hook `name`: the same call on every callback, in order."""

    def call_all(self: CallbackList, *args: Any, **kwargs: Any) -> None:
        arguments = _hook_arguments(name, args, kwargs)
        for callback in self.callbacks:
            getattr(callback, name)(*arguments)

    call_all.__name__, call_all.__qualname__ = name, f"CallbackList.{name}"
    call_all.__doc__ = f"Call `{name}` on every callback, in order."
    return call_all


for _name in _HOOKS:  # on_epoch_end(...) and the other hooks, made once
    setattr(CallbackList, _name, _call_all(_name))


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


# ---------------------------------------------------------------------------
# Watching a quantity: what EarlyStopping and ModelCheckpoint share.
# ---------------------------------------------------------------------------

_MODES = ("auto", "min", "max")

# mode='auto' decides from the name, as Keras: a loss or an error should fall, an accuracy
# should rise. Keras 3 asks the metric object for its direction; ours are known by name.
_FALLING_NAMES = ("loss", "error", "crossentropy", "mse", "mae")
_RISING_NAMES = ("acc",)


class _MonitorCallback(Callback):
    """Keras's `MonitorCallback`: watches `logs[monitor]` and says whether a new value
    improves on a reference, in the direction `mode` gives.

    Improvement (with `min_delta >= 0`): in 'min' mode, `current < best - min_delta`; in
    'max' mode, `current > best + min_delta`. 'auto' picks the direction from the name
    (without its `val_` prefix): a loss, an error or a cross-entropy should fall, anything
    with 'acc' in its name should rise; for any other name it raises ValueError when
    training starts, as Keras does. An unknown mode is warned about and treated as 'auto'.
    """

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        owner = type(self).__name__
        self.monitor = check_str(owner, "monitor", monitor)
        self.min_delta = abs(check_number(owner, "min_delta", min_delta))
        if mode not in _MODES:
            warnings.warn(f"{owner} mode {mode!r} is unknown, fallback to auto mode.",
                          stacklevel=3)
            mode = "auto"
        super().__init__()
        self.mode = mode
        self.monitor_op: Callable[[float, float], bool] | None = None

    def _set_monitor_op(self) -> None:
        """Decide the direction (once): `monitor_op(a, b)` is True when a is better than b."""
        direction = self.mode
        if direction == "auto":
            name = self.monitor.removeprefix("val_").lower()
            if any(word in name for word in _FALLING_NAMES):
                direction = "min"
            elif any(word in name for word in _RISING_NAMES):
                direction = "max"
            else:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor!r}, but "
                    "cannot tell whether that quantity should be maximized or minimized. "
                    "Pass mode='max' to keep the highest value, or mode='min' to keep the "
                    "lowest."
                )
        self.monitor_op = (lambda a, b: a < b) if direction == "min" else (lambda a, b: a > b)
        self._sign = -1.0 if direction == "min" else 1.0

    def _is_improvement(self, current: float, reference: float | None) -> bool:
        """Whether `current` beats `reference` by more than min_delta (None: always)."""
        if reference is None:
            return True
        return self.monitor_op(current - self._sign * self.min_delta, reference)


class EarlyStopping(_MonitorCallback):
    """Stops training when a monitored quantity has stopped improving (Keras's).

    At the end of each epoch, `logs[monitor]` is compared with the best value so far. An
    epoch improves when the value beats the best by more than `min_delta` (lower in 'min'
    mode, higher in 'max' mode). After `patience` epochs in a row without improvement,
    training stops (`model.stop_training = True`): with `patience=0`, the first epoch that
    does not improve is the last one.

    Args:
        monitor: the quantity to watch, a key of the epoch's logs: 'val_loss' (the default),
            'loss', 'accuracy', 'val_accuracy', ...
        min_delta: the smallest change that counts as an improvement (its absolute value).
        patience: how many epochs without improvement are tolerated before stopping.
        verbose: 0 silent, 1 a message when training stops and when weights are restored.
        mode: 'min', 'max', or 'auto' (from the name: losses fall, accuracies rise).
            Another value is warned about and treated as 'auto', as in Keras.
        baseline: a value to reach: an epoch resets the patience count only if it improves
            on the best so far AND on the baseline. While the baseline is not beaten, the
            epochs count toward `patience` even when they improve (training stops at the
            first epoch without improvement once `patience` epochs have passed).
        restore_best_weights: at the end of training, set the weights back to those of the
            best epoch (the epoch with the best monitored value, among those monitored). With
            False, the model keeps the weights of the last step.
        start_from_epoch: epochs to wait before watching (a warm-up: no stop before it).

    Attributes:
        stopped_epoch: the epoch (from 0) at which training was stopped, 0 if it was not.
        best: the best monitored value; best_epoch: its epoch (from 0).
        wait: the epochs since the last improvement.

    If `monitor` is missing from the logs (e.g. 'val_loss' without validation data), a
    warning lists what is there, and the epoch is skipped.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        owner = "EarlyStopping"
        patience = check_int(owner, "patience", patience, 0)
        verbose = check_int(owner, "verbose", verbose, 0)
        baseline = check_number(owner, "baseline", baseline, allow_none=True)
        restore_best_weights = check_bool(owner, "restore_best_weights", restore_best_weights)
        start_from_epoch = check_int(owner, "start_from_epoch", start_from_epoch, 0)
        super().__init__(monitor, mode, min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.on_train_begin()

    def on_train_begin(self, logs: Logs | None = None) -> None:
        # Reset, so that one instance can serve several fits (as in Keras).
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: list[np.ndarray] | None = None
        self.best_epoch = 0
        if self.model is not None and self.monitor_op is None:
            self._set_monitor_op()  # a monitor of unknown direction fails before any step

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Nothing saved yet: the weights of the first monitored epoch are the best so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Patience starts again only when the baseline is beaten too.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: Logs | None) -> float | None:
        """`logs[monitor]`, or None (with a warning naming what the logs do have)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value


class LambdaCallback(Callback):
    """A callback made of plain functions, for small jobs (Keras's).

        LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))

    Each function is called where the hook of the same name would be, with the same
    arguments: `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`,
    `on_train_begin(logs)`, `on_train_end(logs)`, `on_train_batch_begin(batch, logs)`,
    `on_train_batch_end(batch, logs)`. Any other hook of `Callback` can be given by name as
    a keyword (`on_test_end=...`). Hooks not given do nothing.

    Raises:
        TypeError: a function that is not callable, or a keyword that names no hook (Keras
            accepts any keyword and silently never calls a misspelled one).
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Callable[..., Any],
    ) -> None:
        functions = {
            "on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin, "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end, **kwargs,
        }
        for name, fn in functions.items():
            if name not in _HOOKS:
                raise TypeError(
                    f"LambdaCallback: unexpected keyword argument {name!r}: not a callback "
                    f"hook (the hooks are {', '.join(_HOOKS)})"
                )
            if fn is not None and not callable(fn):
                raise TypeError(f"LambdaCallback: argument `{name}` must be a function or "
                                f"None, received {name}={fn!r:.80}")
        super().__init__()
        for name, fn in functions.items():
            if fn is not None:
                setattr(self, name, fn)  # the instance's function hides the class's no-op


class ModelCheckpoint(_MonitorCallback):
    """Saves the model's weights during training (Keras's), with `model.save_weights`:
    the file is written under a temporary name and then renamed, so it is always either the
    previous complete file or the new complete one.

    Args:
        filepath: where to save, ending in '.npz'. It may contain placeholders filled from
            the epoch (counting from 1) and the logs, e.g.
            'checkpoints/weights.{epoch:02d}-{val_loss:.2f}.npz'; with `save_freq` an
            integer, `{batch}` too. A placeholder is a plain name with an optional format
            spec (no attribute or index access, checked here); a name missing from the
            logs raises KeyError when saving. Missing folders are created.
        monitor: the quantity that decides what "best" means ('val_loss' by default).
        verbose: 0 silent, 1 a message at each decision.
        save_best_only: save only when the monitored value improves on the best so far;
            without placeholders in `filepath`, the file then always holds the best weights.
            An epoch whose logs lack the monitored value is not saved (with a warning).
        save_weights_only: only True is possible here (models are saved as weights); it is
            accepted so that Keras code runs unchanged.
        mode: 'min', 'max' or 'auto' (from the name; see `EarlyStopping`). Another value is
            warned about and treated as 'auto'.
        save_freq: 'epoch' (save at each epoch's end) or an integer n (save after every n
            training batches, counted across epochs).
        initial_value_threshold: the value to beat for the first save with
            `save_best_only` (None: the first value is always saved).

    Attributes:
        best: the best monitored value so far (None before any).
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = True,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        owner = "ModelCheckpoint"
        filepath = check_path(owner, "filepath", filepath)
        if not filepath.endswith(".npz"):
            raise ValueError(
                f"{owner}: the filepath must end in '.npz' (the weights format of "
                f"save_weights), received filepath={filepath!r}"
            )
        verbose = check_int(owner, "verbose", verbose, 0)
        save_best_only = check_bool(owner, "save_best_only", save_best_only)
        if check_bool(owner, "save_weights_only", save_weights_only) is False:
            raise ValueError(
                f"{owner}: save_weights_only=False (saving the whole model) is not supported: "
                "tinygrad_acts models save their weights (model.save_weights); pass "
                "save_weights_only=True or leave it out"
            )
        if save_freq != "epoch" and (isinstance(save_freq, bool)
                                     or not isinstance(save_freq, numbers.Integral)
                                     or save_freq < 1):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are 'epoch' or "
                "a positive integer (a number of batches)"
            )
        threshold = check_number(owner, "initial_value_threshold", initial_value_threshold,
                                allow_none=True)
        _check_placeholders(owner, filepath, batches=save_freq != "epoch")
        super().__init__(monitor, mode, 0)
        self.filepath, self.verbose = filepath, verbose
        self.save_best_only, self.save_weights_only = save_best_only, True
        self.save_freq = save_freq if save_freq == "epoch" else int(save_freq)
        self.best = threshold
        self._current_epoch = 0
        self._batches_since_save = 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if self.save_best_only and self.monitor_op is None:
            self._set_monitor_op()  # a monitor of unknown direction fails before any step

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch: int, batch: int | None, logs: Logs | None) -> None:
        logs = logs or {}
        filepath = self._file_path(epoch, batch, logs)
        if self.save_best_only:
            if self.monitor_op is None:
                self._set_monitor_op()
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available, "
                              "skipping.", stacklevel=2)
                return
            best = "None" if self.best is None else f"{self.best:.5f}"
            if not self._is_improvement(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {filepath}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used "
                f"is an existing directory: {filepath}"
            )
        self.model.save_weights(filepath)

    def _file_path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        """`filepath` with its placeholders filled: epoch (from 1), batch (from 1), logs."""
        fields: dict[str, Any] = {**logs, "epoch": epoch + 1}
        if batch is not None:
            fields["batch"] = batch + 1
        # Each placeholder is looked up by its whole name and formatted with format():
        # nothing reads an attribute or an item, even of a filepath changed after __init__.
        parts = []
        for literal, field, spec, _ in string.Formatter().parse(self.filepath):
            parts.append(literal)
            if field is None:
                continue
            if field not in fields:
                raise KeyError(
                    f'Failed to format this callback filepath: "{self.filepath}". Reason: '
                    f"{field!r} is not in the logs (available: {', '.join(fields)})"
                )
            parts.append(format(fields[field], spec))
        return "".join(parts)


def _check_placeholders(owner: str, filepath: str, batches: bool) -> None:
    """Each `{...}` of a ModelCheckpoint path is a plain name (epoch, batch or a log's name)
    with an optional format spec that suits a number: `str.format` would otherwise read
    attributes and items (`{epoch.__class__}`) of the values it is given."""
    def refuse(why: str) -> ValueError:
        return ValueError(f"{owner}: the filepath {filepath!r} {why}. Placeholders are plain "
                          "names with an optional format, e.g. {epoch:02d} or {val_loss:.2f}")

    try:
        fields = [part for part in string.Formatter().parse(filepath) if part[1] is not None]
    except ValueError as e:
        raise refuse(f"is not a valid pattern ({e})") from None
    for _, field, spec, conversion in fields:
        if not field or field.isdigit():
            raise refuse("has a positional placeholder {" + field + "}")
        if any(c in field for c in ".[]") or conversion is not None or "{" in spec:
            raise refuse(f"has the placeholder {{{field}{'!' + conversion if conversion else ''}"
                         f"{':' + spec if spec else ''}}}, which is not a plain name")
        if field == "batch" and not batches:
            raise refuse("uses {batch}, which exists only with save_freq an integer")
        try:
            format(1 if field in ("epoch", "batch") else 0.5, spec)
        except ValueError as e:
            raise refuse(f"formats {field} with {spec!r}, which does not suit "
                         f"{'an integer' if field in ('epoch', 'batch') else 'a number'} "
                         f"({e})") from None


class CSVLogger(Callback):
    """Writes one row per epoch to a CSV file: the epoch (from 0) and every value of the
    epoch's logs, in alphabetical order of their names (Keras's).

        epoch,accuracy,loss,val_accuracy,val_loss
        0,0.61,0.66,0.58,0.67

    The file is rewritten whole, through `files.atomic_write`, at the start of training and
    after each epoch: it can be watched during training, and it never holds half a row (a
    full disk or a crash leaves the previous epoch's complete file).

    Args:
        filename: the CSV file, e.g. 'run/log.csv'.
        separator: the single character between values (',' by default).
        append: False to start the file afresh at each `fit`; True to add rows to an
            existing file (the header is written only if the file is empty or new).
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        owner = "CSVLogger"
        filename = check_path(owner, "filename", filename)
        if not isinstance(separator, str) or len(separator) != 1:
            raise TypeError(f"{owner}: argument `separator` must be a single character, "
                            f"received separator={separator!r}")
        append = check_bool(owner, "append", append)
        super().__init__()
        self.filename, self.sep, self.append = filename, separator, append
        self.keys: list[str] | None = None
        self.writer: csv.DictWriter | None = None
        self.append_header = True
        self._text = io.StringIO()  # the whole file: what was there (append) and our rows

    def on_train_begin(self, logs: Logs | None = None) -> None:
        previous = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8", newline="") as f:
                previous = f.read()
        self.append_header = not previous
        self._text = io.StringIO()
        self._text.write(previous)
        self.writer, self.keys = None, None
        self._write()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        if self.writer is None:
            self.writer = csv.DictWriter(self._text, fieldnames=["epoch", *self.keys],
                                         delimiter=self.sep, lineterminator="\n")
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch, **{key: _csv_value(logs.get(key, "NA")) for key in self.keys}}
        self.writer.writerow(row)
        self._write()

    def _write(self) -> None:
        directory = os.path.dirname(self.filename)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with atomic_write(self.filename, "w") as file:
            file.write(self._text.getvalue())


def _csv_value(value: Any) -> Any:
    """A log value as Keras writes it: numbers and text as they are, a sequence as
    "[a, b, ...]" in quotes."""
    if isinstance(value, str) or np.ndim(value) == 0:
        return value
    return f'"[{", ".join(map(str, np.ravel(value)))}]"'


# ---------------------------------------------------------------------------
# Looking inside the network while it learns.
# ---------------------------------------------------------------------------

# Where no target is given, the probe's output gradient is drawn from this fixed seed: the
# same numbers at every record, so that records differ only because the weights did.
_PROBE_GRADIENT_SEED = 0

_STATISTICS = ("mean", "var", "zero_fraction", "grad_rms")


class ActivationStatistics(Callback):
    """Per-layer statistics on a fixed probe batch, at the start of training and after
    every `every` epochs: how far each layer's activations are from mean 0 and variance 1,
    how many units are exactly 0 (dead ReLUs), and how large the gradient is that reaches
    each layer (vanishing or exploding gradients).

    For every layer l (its output `h_l`, all units and samples of the probe together):

        mean[l]          = mean(h_l)
        var[l]           = mean((h_l - mean(h_l))**2)
        zero_fraction[l] = fraction of entries of h_l that are exactly 0
        grad_rms[l]      = sqrt(mean(g_l**2)),   g_l = d(objective) / d(h_l)

    The objective is the compiled loss on `(x, y)` when `y` is given; without `y`, it is
    `sum(output * r)` for a fixed random array r of the output's shape (standard normal,
    seeded), so that `g_l` is the gradient a random signal from the top would bring down.

    Measuring does not disturb training: the probe runs in inference mode
    (`training=False`: dropout off, no random numbers drawn), and its gradients are taken
    with `ta.grad` with respect to the layer outputs, which leaves every weight's `.grad`
    untouched. Training with this callback gives exactly the weights it gives without it.

    Args:
        x: the probe inputs, an array of shape (samples, features), e.g. a few hundred
            training points.
        y: their targets (as for `fit`), or None.
        every: record after every `every` epochs (a positive integer).

    Attributes:
        layer_names: the model's layers, in order (one column each).
        epochs: the epoch of each record: 0 is before training, k after k epochs.
        mean, var, zero_fraction, grad_rms: numpy arrays of shape (records, layers).

    Example:

        stats = ActivationStatistics(X[:256], y[:256])
        model.fit(X, y, epochs=20, callbacks=[stats])
        stats.var[0], stats.var[-1]      # every layer's variance before and after training
        stats.plot("statistics.png")     # heatmaps: layers by epochs
    """

    def __init__(self, x: Any, y: Any = None, every: int = 1) -> None:
        owner = "ActivationStatistics"
        x = _probe_array(owner, "x", x)
        if x.dtype.kind not in "fiu" or x.ndim < 2 or len(x) == 0:
            raise ValueError(f"{owner}: argument `x` must be an array of numbers of shape "
                             f"(samples, features), received shape {x.shape} and dtype {x.dtype}")
        if not np.isfinite(x).all():
            raise ValueError(f"{owner}: argument `x` contains NaN or inf")
        if y is not None:
            y = _probe_array(owner, "y", y)
            if y.ndim == 0 or len(y) != len(x):
                raise ValueError(f"{owner}: argument `y` must have one row per sample of x "
                                 f"({len(x)}), received shape {y.shape}")
        self.every = check_int(owner, "every", every, 1)
        super().__init__()
        self.x, self.y = x, y
        self.layer_names: list[str] = []
        self.epochs: list[int] = []
        self._records: dict[str, list[np.ndarray]] = {name: [] for name in _STATISTICS}
        self._output_gradient: np.ndarray | None = None

    # ---- the records, as arrays of shape (records, layers) -------------------------------
    def _table(self, name: str) -> np.ndarray:
        records = self._records[name]
        return np.array(records, dtype=np.float64).reshape(len(records), len(self.layer_names))

    @property
    def mean(self) -> np.ndarray:
        return self._table("mean")

    @property
    def var(self) -> np.ndarray:
        return self._table("var")

    @property
    def zero_fraction(self) -> np.ndarray:
        return self._table("zero_fraction")

    @property
    def grad_rms(self) -> np.ndarray:
        return self._table("grad_rms")

    # ---- hooks ---------------------------------------------------------------------------
    def on_train_begin(self, logs: Logs | None = None) -> None:
        if self.y is not None and getattr(self.model, "loss", None) is None:
            raise ValueError("ActivationStatistics: with `y`, the gradients are those of the "
                             "compiled loss: compile the model first")
        # A new fit starts new records (as History does).
        self.layer_names, self.epochs = [], []
        self._records = {name: [] for name in _STATISTICS}
        self._output_gradient = None
        self.record(0)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if (epoch + 1) % self.every == 0:
            self.record(epoch + 1)

    # ---- measuring -----------------------------------------------------------------------
    def record(self, epoch: int) -> None:
        """Run the probe through the model now and append one row to every statistic,
        labelled `epoch`. (The hooks call it; call it yourself in a loop of your own, after
        `set_model`.)"""
        if self.model is None:
            raise ValueError("ActivationStatistics.record: no model; pass the callback to fit, "
                             "or call set_model(model) first")
        layers = self.model.layers
        names = [layer.name for layer in layers]
        if self.epochs and names != self.layer_names:
            raise ValueError(f"ActivationStatistics.record: the model's layers changed since "
                             f"the last record ({self.layer_names} -> {names})")
        dtype = layers[0].dtype
        # The input requires grad only so that every layer's output is part of the graph
        # (even after a first layer without weights); its own gradient is never asked for.
        h = Tensor(self.x.astype(dtype, copy=False), requires_grad=True)
        outputs = []
        with enable_grad():  # the probe may be recorded from inside a no_grad block
            for layer in layers:
                h = layer(h, training=False)
                outputs.append(h)
            if self.y is not None:
                objective, seed_grad = self.model.loss(self.y, h), None
            else:
                objective, seed_grad = h, Tensor(self._random_output_gradient(h))
            gradients = grad(objective, outputs, grad_outputs=seed_grad)
        per_layer = [_layer_statistics(o.data, g.data)
                     for o, g in zip(outputs, gradients, strict=True)]
        for name in _STATISTICS:
            self._records[name].append(np.array([stats[name] for stats in per_layer]))
        self.layer_names = names
        self.epochs.append(int(epoch))

    def _random_output_gradient(self, output: Tensor) -> np.ndarray:
        if self._output_gradient is None or self._output_gradient.shape != output.shape:
            # A generator of its own: the library's global one (dropout, shuffling) is not
            # touched.
            generator = np.random.default_rng(_PROBE_GRADIENT_SEED)
            self._output_gradient = generator.standard_normal(output.shape).astype(output.dtype)
        return self._output_gradient

    # ---- drawing (the pictures themselves are plots.py's) ----------------------------------
    def plot(self, path: str | os.PathLike, title: str | None = None) -> Path:
        """Draw the four statistics as heatmaps, layers (bottom: first) by epochs, and write
        them to `path` (format from the suffix: .png, .svg, .pdf, ...); see
        `plots.plot_activation_statistics`.

        Returns:
            The path written.

        Raises:
            ImportError: without matplotlib (`pip install "tinygrad_acts[plot]"`).
            ValueError: before any record (fit first), or an unknown suffix.
        """
        from .plots import plot_activation_statistics  # matplotlib is imported only to draw

        self._check_recorded("plot")
        return plot_activation_statistics(self, path, title=title)

    def draw(self, axes: Iterable[Axes], limits: dict[str, tuple[float, float]] | None = None,
             label: str | None = None) -> None:
        """Draw the four heatmaps on four matplotlib Axes (mean, var, zero_fraction,
        grad_rms), each with its colour bar; see `plots.draw_activation_statistics`."""
        from .plots import draw_activation_statistics

        self._check_recorded("draw")
        draw_activation_statistics(self, axes, limits=limits, label=label)

    def limits(self) -> dict[str, tuple[float, float]]:
        """Each statistic's colour range as `draw` picks it: the variance and the gradient
        from their smallest positive to their largest value, the mean symmetric about 0,
        the fraction of zeros from 0 to 1."""
        result = {"zero_fraction": (0.0, 1.0)}
        reach = max(float(np.nanmax(np.abs(self.mean))), 1e-12)
        result["mean"] = (-reach, reach)
        for name in ("var", "grad_rms"):
            values = getattr(self, name)
            positive = values[np.isfinite(values) & (values > 0)]
            low, high = (positive.min(), positive.max()) if positive.size else (1e-12, 1.0)
            result[name] = (float(low), float(max(high, low * 10)))
        return result

    def _check_recorded(self, method: str) -> None:
        if not self.epochs:
            raise ValueError(f"ActivationStatistics.{method}: nothing recorded yet; pass the "
                             "callback to fit (callbacks=[stats]) first")


def _probe_array(owner: str, name: str, value: Any) -> np.ndarray:
    """An argument of ActivationStatistics as a numpy array (a copy: later changes to the
    caller's array do not move the probe)."""
    try:
        return np.array(value.data if isinstance(value, Tensor) else value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{owner}: argument `{name}` must be an array of numbers ({e})") from None


def _layer_statistics(output: np.ndarray, gradient: np.ndarray) -> dict[str, float]:
    """One layer's statistics, computed in float64: ReLU's deep variances (1e-10) are far
    below float32's resolution near the mean."""
    return {
        "mean": float(np.mean(output, dtype=np.float64)),
        "var": float(np.var(output, dtype=np.float64)),
        "zero_fraction": float(np.mean(output == 0)),
        "grad_rms": float(np.sqrt(np.mean(np.square(gradient, dtype=np.float64)))),
    }
