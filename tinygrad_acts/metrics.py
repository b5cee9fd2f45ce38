"""Metrics: numbers that report how training goes, as in `keras.metrics`.

Unlike losses, metrics are not differentiated: their state is kept in numpy. A metric
object accumulates over batches, so that the number reported for an epoch is over all its
samples, not a mean of per-batch means:

    m = BinaryAccuracy()
    m.update_state(y_true_batch_1, y_pred_batch_1)
    m.update_state(y_true_batch_2, y_pred_batch_2, sample_weight=w_2)
    m.result()          # (weighted) correct / total over both batches
    m.reset_state()
    m(y_true, y_pred)   # update_state, then result, as Keras

Every metric takes `sample_weight` (one weight per sample, or of the values' shape): the
mean becomes `sum(w * x) / sum(w)`. A metric function (`MeanMetricWrapper(fn)`, or a
function given to `compile(metrics=[...])`) receives `y_true` and `y_pred` as Tensors.

`compile(metrics=['accuracy'])` picks the right accuracy from the loss and the shapes, as
Keras does (see `accuracy_for`).
"""

from __future__ import annotations

import difflib
import inspect
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from . import losses
from .config import floatx
from .grad_mode import no_grad
from .tensor import Tensor

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "Mean",
    "MeanMetricWrapper",
    "Metric",
    "SparseCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "Sum",
    "TopKCategoricalAccuracy",
    "accuracy",
    "accuracy_for",
    "binary_accuracy",
    "categorical_accuracy",
    "deserialize",
    "get",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]


def _values(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


# ---------------------------------------------------------------------------
# Per-sample accuracy functions: 1.0 where right, 0.0 where wrong.
# ---------------------------------------------------------------------------


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where `y_pred == y_true` exactly, else 0, element by element (for predictions that
    already are labels)."""
    y_true, y_pred = losses.same_rank(_values(y_true), _values(y_pred))
    return (y_true == y_pred).astype(floatx())


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """1 where `(y_pred > threshold) == y_true`, else 0, element by element.

    With logits (`from_logits=True` losses) the threshold is 0: sigmoid(z) > 0.5 when z > 0.
    """
    y_true, y_pred = losses.same_rank(_values(y_true), _values(y_pred))
    return (y_true == (y_pred > threshold)).astype(floatx())


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the largest prediction is at the one-hot target's class, per sample."""
    y_true, y_pred = _values(y_true), _values(y_pred)
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(floatx())


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the largest prediction is at the integer label's class, per sample."""
    y_true, y_pred = _values(y_true), _values(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    return (y_true == np.argmax(y_pred, axis=-1)).astype(floatx())


def _in_top_k(labels: np.ndarray, y_pred: np.ndarray, k: int, owner: str) -> np.ndarray:
    """1 where the label's score is among the k largest of its row (ties count in, as
    Keras's `in_top_k`)."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"{owner}: argument `k` must be an integer >= 1, received k={k!r}")
    classes = y_pred.shape[-1]
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(f"{owner}: y_true must hold one label per row of y_pred (shape "
                         f"{y_pred.shape[:-1]}), received shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{owner}: labels must be in [0, {classes}), received labels from "
                         f"{labels.min()} to {labels.max()}")
    k = min(int(k), classes)
    kth_largest = np.partition(y_pred, classes - k, axis=-1)[..., classes - k]
    label_score = np.take_along_axis(y_pred, labels[..., None].astype(np.intp), axis=-1)[..., 0]
    return (label_score >= kth_largest).astype(floatx())


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1 where the one-hot target's class is among the k highest predictions, per sample."""
    y_true, y_pred = _values(y_true), _values(y_pred)
    return _in_top_k(np.argmax(y_true, axis=-1), y_pred, k, "top_k_categorical_accuracy")


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5,
                                      from_sorted_ids: bool = False) -> np.ndarray:
    """1 where the integer label is among the k highest predictions, per sample. With
    `from_sorted_ids=True`, y_pred holds class ids, best first: 1 where the label is among
    the first k."""
    owner = "sparse_top_k_categorical_accuracy"
    y_true, y_pred = _values(y_true), _values(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    if y_true.dtype.kind == "f" and not np.all(y_true == np.round(y_true)):
        raise ValueError(f"{owner}: y_true must hold whole numbers")
    if from_sorted_ids:
        k = _check_k(owner, k)
        return (y_pred[..., :k] == y_true[..., None]).any(axis=-1).astype(floatx())
    return _in_top_k(y_true.astype(np.int64), y_pred, k, owner)


# ---------------------------------------------------------------------------
# Metric objects: accumulate over batches.
# ---------------------------------------------------------------------------


def _samplewise(values: np.ndarray, sample_weight: Any, reduce: Callable,
                owner: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Keras's `reduce_to_samplewise_values`: the values weighted and reduced to one per
    sample (axis 0), with the weights reduced alike."""
    values = values.astype(np.float64, copy=False)
    weights = None
    if sample_weight is not None:
        weights = np.asarray(_values(sample_weight))
        if weights.dtype.kind not in "fiub":
            raise TypeError(f"{owner}: sample_weight must hold numbers, received dtype "
                            f"{weights.dtype}")
        if not np.isfinite(weights).all():
            raise ValueError(f"{owner}: sample_weight contains NaN or inf")
        weights = weights.astype(np.float64)
        values, weights = losses.same_rank(values, weights)
        if values.ndim > weights.ndim:
            values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(
                f"{owner}: sample_weight of shape {np.shape(sample_weight)} does not fit "
                f"values of shape {values.shape}"
            ) from None
        values = values * weights
        if weights.ndim > 1:
            weights = reduce(weights, axis=tuple(range(1, weights.ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weights


class Metric:
    """Base class of metrics: `update_state(...)` adds a batch, `result()` reports,
    `reset_state()` starts over, and calling the metric does the first two.

    Args:
        name: the metric's name (default: the class's in snake case).
        dtype: the float type of the result's config (Keras's; the state is float64 here).
    """

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: argument `name` must be a string, "
                            f"received {name!r}")
        self.name = name or losses._snake_case(type(self).__name__)
        self.dtype = np.dtype(dtype or floatx()).name
        self.reset_state()

    def reset_state(self) -> None:
        raise NotImplementedError

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> float:
        self.update_state(*args, **kwargs)
        return self.result()

    _state_names: tuple[str, ...] = ()

    @property
    def variables(self) -> list[Tensor]:
        """The accumulated state as Tensors (copies), e.g. Mean's total and count."""
        return [Tensor(np.array(getattr(self, n), dtype=np.float64), name=f"{self.name}/{n}")
                for n in self._state_names]

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Sum(Metric):
    """The (weighted) sum of all the values seen: `sum(w * x)`."""

    _state_names = ("total",)

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def reset_state(self) -> None:
        self.total = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = _samplewise(_values(values), sample_weight, np.sum, self.name)
        self.total += float(values.sum())

    def result(self) -> float:
        return self.total


class Mean(Metric):
    """The (weighted) mean of all the values seen: `sum(w * x) / sum(w)`.

    `fit` reports its loss with one: each batch's loss weighted by the batch's size.
    """

    _state_names = ("total", "count")

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, weights = _samplewise(_values(values), sample_weight, np.mean, self.name)
        total = float(values.sum())
        if weights is not None:
            count = float(weights.sum())
        else:
            count = float(values.shape[0]) if values.ndim >= 1 else 1.0
        self.total += total
        self.count += count

    def result(self) -> float:
        return self.total / self.count if self.count else float("nan")


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function `fn(y_true, y_pred, **kwargs)` over all samples.

    `fn` receives Tensors (so a loss written with Tensor methods works as a metric too).

    Args:
        fn: the per-sample function, e.g. `binary_accuracy`.
        name: the metric's name (default: the function's).
        dtype: see `Metric`.
        **kwargs: passed to `fn`.
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: fn must be callable, received {fn!r}")
        self.fn = fn
        self.fn_kwargs = kwargs
        super().__init__(name or getattr(fn, "__name__", None), dtype)

    def update_state(self, y_true: Any, y_pred: Any,  # type: ignore[override]
                     sample_weight: Any = None) -> None:
        y_true = y_true if isinstance(y_true, Tensor) else Tensor(np.asarray(y_true))
        y_pred = y_pred if isinstance(y_pred, Tensor) else Tensor(np.asarray(y_pred))
        with no_grad():
            values = self.fn(y_true, y_pred, **self.fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), **self.fn_kwargs}
        if type(self) is MeanMetricWrapper:  # the subclasses know their function
            name = getattr(self.fn, "__name__", None)
            config["fn"] = name if _BY_NAME.get(name) is self.fn else self.fn
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        config = dict(config)
        if isinstance(config.get("fn"), str):
            fn = _BY_NAME.get(config["fn"])
            if fn is None or inspect.isclass(fn):
                raise ValueError(f"MeanMetricWrapper.from_config: unknown function "
                                 f"{config['fn']!r}")
            config["fn"] = fn
        return cls(**config)


class Accuracy(MeanMetricWrapper):
    """How often the predictions equal the targets exactly: see `accuracy`."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name, dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` equals the 0/1 target.

    Args:
        name: the metric's name.
        dtype: see `Metric`.
        threshold: the cut-off (0.5 for probabilities, 0 for logits).
    """

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None,
                 threshold: float = 0.5) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
            raise TypeError(f"BinaryAccuracy: argument `threshold` must be a number, received "
                            f"threshold={threshold!r}")
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) is the one-hot target's class."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) is the integer label."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name, dtype)


def _check_k(owner: str, k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"{owner}: argument `k` must be an integer >= 1, received k={k!r}")
    return int(k)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target's class is among the k highest predictions.

    Args:
        k: how many of the highest predictions count. Defaults to 5.
        name, dtype: see `Metric`.
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy",
                 dtype: Any = None) -> None:
        self.k = _check_k("TopKCategoricalAccuracy", k)
        super().__init__(top_k_categorical_accuracy, name, dtype, k=self.k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest predictions.

    Args:
        k: how many of the highest predictions count. Defaults to 5.
        name, dtype: see `Metric`.
        from_sorted_ids: y_pred holds class ids sorted best first, not scores.
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None, from_sorted_ids: bool = False) -> None:
        owner = "SparseTopKCategoricalAccuracy"
        self.k = _check_k(owner, k)
        if not isinstance(from_sorted_ids, bool):
            raise TypeError(f"{owner}: argument `from_sorted_ids` must be True or False, "
                            f"received {from_sorted_ids!r}")
        self.from_sorted_ids = from_sorted_ids
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=self.k)
        if from_sorted_ids:  # in the config only when set, as Keras
            self.fn_kwargs["from_sorted_ids"] = True


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
    if fn in (losses.binary_crossentropy, losses.binary_focal_crossentropy):
        return BinaryAccuracy(name, threshold=0.0 if from_logits else 0.5)
    if fn is losses.sparse_categorical_crossentropy:
        return SparseCategoricalAccuracy(name)
    if fn in (losses.categorical_crossentropy, losses.categorical_focal_crossentropy):
        return CategoricalAccuracy(name)
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy(name)
    if len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
        return SparseCategoricalAccuracy(name)
    return CategoricalAccuracy(name)


_CLASSES = (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Mean, Sum)
_FUNCTIONS = (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
              *losses._FUNCTIONS)
_BY_NAME: dict[str, Any] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{fn.__name__: fn for fn in _FUNCTIONS},
    "mse": losses.mean_squared_error,
    "mae": losses.mean_absolute_error,
    "mape": losses.mean_absolute_percentage_error,
    "msle": losses.mean_squared_logarithmic_error,
}


def serialize(metric: Metric) -> dict[str, Any]:
    """A metric as Keras's config dict: module, class_name, config."""
    if not isinstance(metric, Metric):
        raise TypeError(f"serialize: expected a Metric, received {metric!r:.80}")
    return {"module": "keras.metrics", "class_name": type(metric).__name__,
            "config": metric.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any]) -> Metric:
    """The inverse of `serialize`."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"deserialize: expected a dict with 'class_name' and 'config', "
                         f"received {config!r:.80}")
    cls = _BY_NAME.get(config["class_name"], MeanMetricWrapper
                       if config["class_name"] == "MeanMetricWrapper" else None)
    if not (inspect.isclass(cls) and issubclass(cls, Metric)):
        raise ValueError(f"deserialize: unknown metric class {config['class_name']!r}")
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier: Any) -> Metric:
    """A metric object from a name, a class, a config dict, a `Metric`, or a per-sample
    function.

    Names are Keras's: 'binary_accuracy', 'BinaryAccuracy', 'top_k_categorical_accuracy',
    'mse', 'mean_absolute_error', ... (the loss functions can be watched as metrics too).
    'accuracy' depends on the loss and the data: `compile` resolves it with `accuracy_for`.
    A function is wrapped in a `MeanMetricWrapper` named after it.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
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
