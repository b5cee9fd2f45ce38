"""Losses: how far the predictions are from the targets, as in `keras.losses`.

Each loss comes in two forms, as in Keras:

- a function `loss_fn(y_true, y_pred, ...)` giving one value per sample (the mean or sum
  over the last axis), e.g. `mean_squared_error(y_true, y_pred)`;
- a class `Loss(...)`, called as `loss(y_true, y_pred)`, giving a scalar: by default the
  mean of the per-sample values over the batch (Keras's "sum_over_batch_size").

Both return Tensors computed with Tensor operations, so `loss.backward()` reaches the
weights. Targets (`y_true`) are constants, converted to the predictions' dtype.

Probabilities are clipped to [epsilon, 1 - epsilon] with epsilon = 1e-7 before their log is
taken, exactly as Keras does, so a confident wrong answer costs about 16, not infinity.
With `from_logits=True` the losses take raw scores and are computed in stable forms that
never overflow (log-sum-exp; `max(z, 0) - z y + log(1 + exp(-|z|))`).
"""

from __future__ import annotations

import difflib
import inspect
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .activations import sigmoid
from .config import floatx
from .function import Function
from .ops import logsumexp
from .tensor import Tensor
from .validation import check_bool as _check_bool

__all__ = [
    "EPSILON",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "sparse_categorical_crossentropy",
]

#: Keras's fuzz factor, `keras.config.epsilon()`: probabilities are clipped to
#: [EPSILON, 1 - EPSILON] before their log is taken.
EPSILON = 1e-7

_REDUCTIONS = ("sum_over_batch_size", "sum", "none")


# ---------------------------------------------------------------------------
# Getting y_true and y_pred into shape.
# ---------------------------------------------------------------------------


def _as_prediction(y_pred: Any, owner: str) -> Tensor:
    if isinstance(y_pred, Tensor):
        tensor = y_pred
    else:
        try:
            tensor = Tensor(y_pred)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"{owner}: y_pred must be a Tensor or an array of numbers ({e})"
            ) from None
    if tensor.dtype.kind != "f":
        tensor = tensor.astype(floatx())
    if tensor.ndim == 0:
        raise ValueError(f"{owner}: y_pred must have at least 1 dimension, received a scalar")
    return tensor


def _as_target(y_true: Any, dtype: np.dtype, owner: str) -> Tensor:
    """The targets as a constant Tensor of the predictions' float type."""
    if isinstance(y_true, Tensor):
        return y_true if y_true.dtype == dtype else y_true.astype(dtype)
    try:
        array = np.asarray(y_true)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{owner}: y_true must be a Tensor or an array of numbers ({e})") from None
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{owner}: y_true must hold numbers, received dtype {array.dtype}")
    return Tensor(array.astype(dtype, copy=False))


def same_rank(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the longer
    ends in a size-1 axis, that axis is dropped, except that a 1-D side gains one instead.
    So labels of shape (n,) meet predictions of shape (n, 1) as (n, 1).
    Works on Tensors (differentiably) and on numpy arrays alike."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            y_pred = y_pred.reshape(y_pred.shape + (1,))
        else:
            y_true = y_true.reshape(y_true.shape[:-1])
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            y_true = y_true.reshape(y_true.shape + (1,))
        else:
            y_pred = y_pred.reshape(y_pred.shape[:-1])
    return y_true, y_pred


def _prepare(y_true: Any, y_pred: Any, owner: str) -> tuple[Tensor, Tensor]:
    """Predictions as a float Tensor, targets as a constant of the same dtype and shape."""
    y_pred = _as_prediction(y_pred, owner)
    y_true = _as_target(y_true, y_pred.dtype, owner)
    y_true, y_pred = same_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{owner}: y_true and y_pred must have the same shape, received "
            f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}"
        )
    return y_true, y_pred


def _check_fraction(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(
            f"{owner}: argument `{name}` must be a number in [0, 1], received {name}={value!r}"
        )
    return float(value)


def _log_probabilities(y_pred: Tensor, from_logits: bool, axis: int) -> Tensor:
    """log of the class probabilities along `axis`.

    From logits: the log-softmax `z - logsumexp(z)`, which never overflows. From
    probabilities: renormalized to sum to 1, clipped to [EPSILON, 1 - EPSILON], then the log
    (Keras's steps, in Keras's order).
    """
    if from_logits:
        return y_pred - logsumexp(y_pred, axis=axis, keepdims=True)
    probabilities = y_pred / y_pred.sum(axis=axis, keepdims=True)
    return probabilities.clip(EPSILON, 1.0 - EPSILON).log()


# ---------------------------------------------------------------------------
# The per-sample loss functions.
# ---------------------------------------------------------------------------


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean squared error per sample: `mean((y_pred - y_true)^2, axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return ((y_pred - y_true) ** 2).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean absolute error per sample: `mean(|y_pred - y_true|, axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return (y_pred - y_true).abs().mean(axis=-1)


class _SigmoidCrossEntropy(Function):
    """The binary cross-entropy of logits z against targets y, without overflow:

        -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z))  =  max(z, 0) - z y + log(1 + exp(-|z|))

    d/dz = sigmoid(z) - y;   d/dy = -z.
    """

    name = "sigmoid_cross_entropy"

    def forward(ctx, z, y):
        ctx.save_for_backward(z, y)
        return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))

    def backward(ctx, grad):
        z, y = ctx.saved_tensors
        grad_z = grad * (sigmoid(z) - y) if ctx.needs_input_grad[0] else None
        grad_y = grad * -z if ctx.needs_input_grad[1] else None
        return grad_z, grad_y


def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Binary cross-entropy per sample, the mean over `axis` of

        -(y log(p) + (1 - y) log(1 - p)),   p = clip(y_pred, EPSILON, 1 - EPSILON)

    or, with `from_logits=True`, of the same quantity for p = sigmoid(y_pred), computed as
    `max(z, 0) - z y + log(1 + exp(-|z|))`.

    Args:
        y_true: targets in [0, 1], shape (batch, d) (or (batch,) against (batch, 1)).
        y_pred: probabilities, or logits with `from_logits=True`, same shape.
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; targets become `y (1 - s) + s / 2`.
        axis: the axis averaged over.
    """
    owner = "binary_crossentropy"
    label_smoothing = _check_fraction(owner, "label_smoothing", label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred, owner)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per_element = _SigmoidCrossEntropy.apply(y_pred, y_true)
    else:
        p = y_pred.clip(EPSILON, 1.0 - EPSILON)
        per_element = -(y_true * p.log() + (1.0 - y_true) * (1.0 - p).log())
    return per_element.mean(axis=axis)


def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Categorical cross-entropy per sample: `-sum(y_true * log(p), axis)`, where p is
    `y_pred` renormalized along `axis` and clipped to [EPSILON, 1 - EPSILON], or
    `softmax(y_pred)` with `from_logits=True` (as `z - logsumexp(z)`, without overflow).

    Args:
        y_true: one-hot (or soft) targets, shape (batch, classes).
        y_pred: probabilities, or logits with `from_logits=True`, same shape.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; targets become `y (1 - s) + s / classes`.
        axis: the class axis.
    """
    owner = "categorical_crossentropy"
    label_smoothing = _check_fraction(owner, "label_smoothing", label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred, owner)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    return -(y_true * _log_probabilities(y_pred, from_logits, axis)).sum(axis=axis)


def _class_labels(y_true: Any, y_pred: Tensor, owner: str) -> np.ndarray:
    """Integer labels of shape y_pred.shape[:-1], each in [0, classes)."""
    labels = np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true)
    if labels.dtype.kind not in "fiu":
        raise TypeError(
            f"{owner}: y_true must hold integer class labels, received dtype {labels.dtype}"
        )
    if labels.ndim == y_pred.ndim and labels.ndim > 0 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"{owner}: y_true must hold one label per row of y_pred: expected shape "
            f"{y_pred.shape[:-1]} (or {y_pred.shape[:-1] + (1,)}), received {labels.shape}"
        )
    if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
        raise ValueError(f"{owner}: y_true must hold whole numbers (class labels)")
    classes = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"{owner}: labels must be in [0, {classes}) for y_pred with {classes} classes, "
            f"received labels from {labels.min()} to {labels.max()}"
        )
    return labels.astype(np.intp, copy=False)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False
) -> Tensor:
    """Categorical cross-entropy with integer labels: `-log(p[label])` per sample, with p as
    in `categorical_crossentropy` (the labels are one-hot encoded, as Keras does).

    Args:
        y_true: class labels, shape (batch,) or (batch, 1).
        y_pred: probabilities, or logits with `from_logits=True`, shape (batch, classes).
        from_logits: whether `y_pred` holds logits.
    """
    owner = "sparse_categorical_crossentropy"
    y_pred = _as_prediction(y_pred, owner)
    labels = _class_labels(y_true, y_pred, owner)
    one_hot = np.eye(y_pred.shape[-1], dtype=y_pred.dtype)[labels]
    return -(Tensor(one_hot) * _log_probabilities(y_pred, from_logits, -1)).sum(axis=-1)


mse = mean_squared_error
mae = mean_absolute_error


# ---------------------------------------------------------------------------
# The classes: a per-sample function, reduced to one number.
# ---------------------------------------------------------------------------


class Loss:
    """Base class of losses: `call(y_true, y_pred)` gives per-sample values, and calling the
    loss reduces them.

    Args:
        name: the loss's name.
        reduction: 'sum_over_batch_size' (the mean of the per-sample values, Keras's
            default), 'sum', or 'none' (the per-sample values themselves).
    """

    def __init__(self, name: str | None = None, reduction: str = "sum_over_batch_size") -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: argument `reduction` must be one of {list(_REDUCTIONS)}, "
                f"received reduction={reduction!r}"
            )
        self.name = name or _snake_case(type(self).__name__)
        self.reduction = reduction

    def __call__(self, y_true: Any, y_pred: Any) -> Tensor:
        values = self.call(y_true, y_pred)
        if self.reduction == "sum":
            return values.sum()
        if self.reduction == "sum_over_batch_size":
            return values.mean()
        return values

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class LossFunctionWrapper(Loss):
    """A per-sample loss function turned into a `Loss`; extra keyword arguments are passed
    to the function at each call.

    Args:
        fn: a function `fn(y_true, y_pred, **kwargs)` returning per-sample values.
        name: the loss's name (default: the function's name).
        reduction: see `Loss`.
        **kwargs: passed to `fn`.
    """

    def __init__(self, fn: Callable[..., Tensor], name: str | None = None,
                 reduction: str = "sum_over_batch_size", **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"LossFunctionWrapper: fn must be callable, received {fn!r}")
        super().__init__(name or getattr(fn, "__name__", None), reduction)
        self.fn = fn
        self.fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.fn_kwargs}


class MeanSquaredError(LossFunctionWrapper):
    """The mean of `(y_pred - y_true)^2`: see `mean_squared_error`."""

    def __init__(self, reduction: str = "sum_over_batch_size",
                 name: str = "mean_squared_error") -> None:
        super().__init__(mean_squared_error, name, reduction)


class MeanAbsoluteError(LossFunctionWrapper):
    """The mean of `|y_pred - y_true|`: see `mean_absolute_error`."""

    def __init__(self, reduction: str = "sum_over_batch_size",
                 name: str = "mean_absolute_error") -> None:
        super().__init__(mean_absolute_error, name, reduction)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy, for two classes (one sigmoid output) or several independent
    yes/no labels: see `binary_crossentropy`.

    Args:
        from_logits: whether predictions are logits (no sigmoid on the last layer).
        label_smoothing: in [0, 1].
        axis: the axis averaged over.
        reduction, name: see `Loss`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = "sum_over_batch_size",
                 name: str = "binary_crossentropy") -> None:
        self.from_logits = _check_bool("BinaryCrossentropy", "from_logits", from_logits)
        label_smoothing = _check_fraction("BinaryCrossentropy", "label_smoothing", label_smoothing)
        super().__init__(binary_crossentropy, name, reduction, from_logits=self.from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with one-hot targets: see `categorical_crossentropy`.

    Args:
        from_logits: whether predictions are logits (no softmax on the last layer).
        label_smoothing: in [0, 1].
        axis: the class axis.
        reduction, name: see `Loss`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = "sum_over_batch_size",
                 name: str = "categorical_crossentropy") -> None:
        self.from_logits = _check_bool("CategoricalCrossentropy", "from_logits", from_logits)
        label_smoothing = _check_fraction(
            "CategoricalCrossentropy", "label_smoothing", label_smoothing
        )
        super().__init__(categorical_crossentropy, name, reduction, from_logits=self.from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with integer class labels: see `sparse_categorical_crossentropy`.

    Args:
        from_logits: whether predictions are logits (no softmax on the last layer).
        reduction, name: see `Loss`.
    """

    def __init__(self, from_logits: bool = False, reduction: str = "sum_over_batch_size",
                 name: str = "sparse_categorical_crossentropy") -> None:
        self.from_logits = _check_bool("SparseCategoricalCrossentropy", "from_logits", from_logits)
        super().__init__(sparse_categorical_crossentropy, name, reduction,
                         from_logits=self.from_logits)


# ---------------------------------------------------------------------------
# Looking losses up by name.
# ---------------------------------------------------------------------------


def _snake_case(name: str) -> str:
    snake = []
    for i, char in enumerate(name):
        if char.isupper() and i and not name[i - 1].isupper():
            snake.append("_")
        snake.append(char.lower())
    return "".join(snake)


_CLASSES = (MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy)
_FUNCTIONS = (mean_squared_error, mean_absolute_error, binary_crossentropy,
              categorical_crossentropy, sparse_categorical_crossentropy)

# Keras's names: each class by its name, each function by its name, and the short aliases.
_BY_NAME: dict[str, Any] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{fn.__name__: fn for fn in _FUNCTIONS},
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "bce": binary_crossentropy,
    "BCE": binary_crossentropy,
}


def get(identifier: Any) -> Loss | Callable[..., Tensor] | None:
    """The loss an argument like `compile(loss=...)` stands for, as Keras's `losses.get`.

    - None gives None;
    - a function name ('mse', 'binary_crossentropy', ...) gives that per-sample function;
    - a class name ('BinaryCrossentropy', ...) gives a new instance with default arguments;
    - a `Loss` or any callable `f(y_true, y_pred)` is returned as is.

    Names are case-sensitive, as in Keras; an unknown name raises ValueError naming the
    closest known ones.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            close = difflib.get_close_matches(identifier, list(_BY_NAME), n=3)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"Unknown loss: {identifier!r}.{hint} Known names: {', '.join(_BY_NAME)}."
            )
        found = _BY_NAME[identifier]
        return found() if inspect.isclass(found) else found
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Expected None, a name such as "
        "'mse', a Loss, or a callable f(y_true, y_pred)."
    )
