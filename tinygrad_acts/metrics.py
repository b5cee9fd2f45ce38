"""Metrics: numbers that report how training goes, as in `keras.metrics`.

Unlike losses, metrics are not differentiated: they are computed with numpy on the
predictions' values. A metric object accumulates over batches, so that the number reported
for an epoch is over all its samples, not a mean of per-batch means:

    m = BinaryAccuracy()
    m.update_state(y_true_batch_1, y_pred_batch_1)
    m.update_state(y_true_batch_2, y_pred_batch_2)
    m.result()          # correct / total over both batches
    m.reset_state()

`compile(metrics=['accuracy'])` picks the right accuracy from the loss and the shapes, as
Keras does (see `accuracy_for`).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from . import losses
from .tensor import Tensor

__all__ = [
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "Mean",
    "MeanMetricWrapper",
    "Metric",
    "SparseCategoricalAccuracy",
    "accuracy_for",
    "binary_accuracy",
    "categorical_accuracy",
    "get",
    "sparse_categorical_accuracy",
]


def _values(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


# ---------------------------------------------------------------------------
# Per-sample accuracy functions: 1.0 where right, 0.0 where wrong.
# ---------------------------------------------------------------------------


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """1 where `(y_pred > threshold) == y_true`, else 0, element by element.

    With logits (`from_logits=True` losses) the threshold is 0: sigmoid(z) > 0.5 when z > 0.
    """
    y_true, y_pred = losses.same_rank(_values(y_true), _values(y_pred))
    return (y_true == (y_pred > threshold)).astype(np.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the largest prediction is at the one-hot target's class, per sample."""
    y_true, y_pred = _values(y_true), _values(y_pred)
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the largest prediction is at the integer label's class, per sample."""
    y_true, y_pred = _values(y_true), _values(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    return (y_true == np.argmax(y_pred, axis=-1)).astype(np.float32)


# ---------------------------------------------------------------------------
# Metric objects: accumulate over batches.
# ---------------------------------------------------------------------------


class Metric:
    """Base class of metrics: `update_state(...)` adds a batch, `result()` reports,
    `reset_state()` starts over."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or type(self).__name__.lower()
        self.reset_state()

    def reset_state(self) -> None:
        raise NotImplementedError

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of all the values seen: `sum(w * x) / sum(w)`.

    `fit` reports its loss with one: each batch's loss weighted by the batch's size.
    """

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = _values(values).astype(np.float64, copy=False)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
        else:
            weights = np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), values.shape)
            self.total += float((values * weights).sum())
            self.count += float(weights.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else float("nan")


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function `fn(y_true, y_pred, **kwargs)` over all samples.

    Args:
        fn: the per-sample function, e.g. `binary_accuracy`.
        name: the metric's name (default: the function's).
        **kwargs: passed to `fn`.
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: fn must be callable, received {fn!r}")
        self.fn = fn
        self.fn_kwargs = kwargs
        super().__init__(name or getattr(fn, "__name__", None))

    def update_state(self, y_true: Any, y_pred: Any) -> None:  # type: ignore[override]
        super().update_state(self.fn(y_true, y_pred, **self.fn_kwargs))


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` equals the 0/1 target.

    Args:
        name: the metric's name.
        threshold: the cut-off (0.5 for probabilities, 0 for logits).
    """

    def __init__(self, name: str = "binary_accuracy", threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) is the one-hot target's class."""

    def __init__(self, name: str = "categorical_accuracy") -> None:
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) is the integer label."""

    def __init__(self, name: str = "sparse_categorical_accuracy") -> None:
        super().__init__(sparse_categorical_accuracy, name)


# ---------------------------------------------------------------------------
# Choosing a metric.
# ---------------------------------------------------------------------------

_ACCURACY_NAMES = ("accuracy", "acc")


def accuracy_for(loss: Any, y_true_shape: tuple[int, ...], y_pred_shape: tuple[int, ...],
                 name: str = "accuracy") -> Metric:
    """The accuracy that `metrics=['accuracy']` means for this loss and these shapes.

    From the loss first (as tf.keras did): binary cross-entropy gives `BinaryAccuracy`, with
    threshold 0 when the loss takes logits; sparse categorical cross-entropy gives
    `SparseCategoricalAccuracy`; categorical cross-entropy `CategoricalAccuracy`. For any
    other loss, from the shapes (as Keras 3 does): one output column is binary; labels with
    fewer axes than the predictions, or a single label column against several outputs, are
    sparse; otherwise categorical.
    """
    fn = getattr(loss, "fn", loss)  # the per-sample function inside a Loss, if any
    from_logits = bool(getattr(loss, "fn_kwargs", {}).get("from_logits", False))
    if fn is losses.binary_crossentropy:
        return BinaryAccuracy(name, threshold=0.0 if from_logits else 0.5)
    if fn is losses.sparse_categorical_crossentropy:
        return SparseCategoricalAccuracy(name)
    if fn is losses.categorical_crossentropy:
        return CategoricalAccuracy(name)
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy(name)
    if len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
        return SparseCategoricalAccuracy(name)
    return CategoricalAccuracy(name)


_CLASSES = (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy)
_FUNCTIONS = (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              losses.mean_squared_error, losses.mean_absolute_error,
              losses.binary_crossentropy, losses.categorical_crossentropy,
              losses.sparse_categorical_crossentropy)
_BY_NAME: dict[str, Any] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{fn.__name__: fn for fn in _FUNCTIONS},
    "mse": losses.mean_squared_error,
    "mae": losses.mean_absolute_error,
}


def get(identifier: Any) -> Metric:
    """A metric object from a name, a class, a `Metric`, or a per-sample function.

    Names are Keras's: 'binary_accuracy', 'BinaryAccuracy', 'mse', 'mean_absolute_error',
    ... (the loss functions can be watched as metrics too). 'accuracy' depends on the loss
    and the data: `compile` resolves it with `accuracy_for`. A function is wrapped in a
    `MeanMetricWrapper` named after it.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            close = difflib.get_close_matches(identifier, [*_BY_NAME, *_ACCURACY_NAMES], n=3)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"Unknown metric: {identifier!r}.{hint} Known names: "
                f"{', '.join([*_ACCURACY_NAMES, *_BY_NAME])}."
            )
        found = _BY_NAME[identifier]
        return found() if inspect.isclass(found) else MeanMetricWrapper(found, identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Expected a name such as "
        "'accuracy', a Metric, or a function f(y_true, y_pred)."
    )
