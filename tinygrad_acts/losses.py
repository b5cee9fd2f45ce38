"""Losses: how far the predictions are from the targets, as in `keras.losses`.

Each loss comes in two forms, as in Keras:

- a function `loss_fn(y_true, y_pred, ...)` giving one value per sample (the mean or sum
  over the last axis), e.g. `mean_squared_error(y_true, y_pred)`;
- a class `Loss(...)`, called as `loss(y_true, y_pred, sample_weight=None)`, giving a
  scalar: by default the mean of the (weighted) per-sample values over the batch (Keras's
  "sum_over_batch_size").

Both return Tensors computed with Tensor operations, so `loss.backward()` reaches the
weights. Targets (`y_true`) are constants, converted to the predictions' dtype.

Probabilities are clipped to [epsilon, 1 - epsilon] with epsilon = 1e-7 before their log is
taken, exactly as Keras does, so a confident wrong answer costs about 16, not infinity.
With `from_logits=True` the losses take raw scores and are computed in stable forms that
never overflow (log-sum-exp; `max(z, 0) - z y + log(1 + exp(-|z|))`).

Reductions (Keras 3's names), of the per-sample values `v` times the sample weights `w`:

    "sum_over_batch_size", "mean"   sum(v * w) / number of values
    "mean_with_sample_weight"       sum(v * w) / sum(w)
    "sum"                           sum(v * w)
    "none", None                    v * w, unreduced
"""

from __future__ import annotations

import difflib
import functools
import inspect
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .activations import sigmoid
from .config import floatx
from .function import Function
from .ops import logsumexp, maximum, where
from .tensor import Tensor
from .validation import check_bool as _check_bool
from .validation import check_number as _check_number

__all__ = [
    "EPSILON",
    "REDUCTIONS",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "cosine_similarity",
    "deserialize",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mse",
    "msle",
    "poisson",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
]

#: Keras's fuzz factor, `keras.config.epsilon()`: probabilities are clipped to
#: [EPSILON, 1 - EPSILON] before their log is taken.
EPSILON = 1e-7

#: Keras 3's reductions (None is the same as "none").
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---------------------------------------------------------------------------
# Getting y_true and y_pred into shape.
# ---------------------------------------------------------------------------


def _as_prediction(y_pred: Any, owner: str, dtype: Any = None) -> Tensor:
    """y_pred as a float Tensor: of `dtype` when given, else of its own float type (floatx
    for integers, lists and Python numbers)."""
    if isinstance(y_pred, Tensor):
        tensor = y_pred
    else:
        try:
            tensor = Tensor(y_pred)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"{owner}: y_pred must be a Tensor or an array of numbers ({e})"
            ) from None
    if dtype is not None:
        tensor = tensor.astype(dtype)
    elif tensor.dtype.kind != "f":
        tensor = tensor.astype(floatx())
    if tensor.ndim == 0:
        raise ValueError(f"{owner}: y_pred must have at least 1 dimension, received a scalar")
    return tensor


def _as_target(y_true: Any, dtype: np.dtype, owner: str) -> Tensor:
    """The targets as a Tensor of the predictions' float type (a constant unless given as a
    Tensor that requires grad)."""
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


def _check_axis(owner: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: argument `axis` must be an integer, received axis={value!r}")
    return int(value)


def _class_axis(owner: str, axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{owner}: axis={axis} is out of range for y_pred with {ndim} dimensions"
        )
    return axis % ndim


def _log_probabilities(y_pred: Tensor, from_logits: bool, axis: int) -> Tensor:
    """log of the class probabilities along `axis`.

    From logits: the log-softmax `z - logsumexp(z)`, which never overflows. From
    probabilities: renormalized to sum to 1, clipped to [EPSILON, 1 - EPSILON], then the log
    (Keras's steps, in Keras's order).
    """
    if from_logits:
        return y_pred - logsumexp(y_pred, axis=axis, keepdims=True)
    return _probabilities(y_pred, axis).log()


def _probabilities(y_pred: Tensor, axis: int) -> Tensor:
    """y_pred renormalized to sum to 1 along `axis`, clipped to [EPSILON, 1 - EPSILON]."""
    probabilities = y_pred / y_pred.sum(axis=axis, keepdims=True)
    return probabilities.clip(EPSILON, 1.0 - EPSILON)


# ---------------------------------------------------------------------------
# The per-sample loss functions: regression.
# ---------------------------------------------------------------------------


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean squared error per sample: `mean((y_pred - y_true)^2, axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return ((y_pred - y_true) ** 2).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean absolute error per sample: `mean(|y_pred - y_true|, axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return (y_pred - y_true).abs().mean(axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean absolute percentage error per sample:

        100 * mean(|y_true - y_pred| / max(|y_true|, EPSILON), axis=-1)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    scale = y_true.abs().clip(EPSILON, None)  # the targets are constants
    return ((y_true - y_pred) / scale).abs().mean(axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean squared logarithmic error per sample:

        mean((log(max(y_pred, EPSILON) + 1) - log(max(y_true, EPSILON) + 1))^2, axis=-1)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    first_log = (maximum(y_pred, EPSILON) + 1.0).log()
    second_log = (maximum(y_true, EPSILON) + 1.0).log()
    return ((first_log - second_log) ** 2).mean(axis=-1)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    """x / max(||x||, EPSILON) along `axis` (Keras's `normalize`), written with the max inside
    the square root so that a zero vector's gradient is 0, not NaN."""
    squares = (x * x).sum(axis=axis, keepdims=True)
    return x / maximum(squares, EPSILON**2).sqrt()


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Negative cosine similarity per sample: `-sum(l2_normalize(y_true) *
    l2_normalize(y_pred), axis)`; -1 for vectors pointing the same way, 0 for orthogonal
    ones, 1 for opposite ones (so minimizing it aligns them)."""
    owner = "cosine_similarity"
    axis = _check_axis(owner, axis)
    y_true, y_pred = _prepare(y_true, y_pred, owner)
    axis = _class_axis(owner, axis, y_pred.ndim)
    return -(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis)).sum(axis=axis)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Huber loss per sample, the mean over the last axis of, with e = y_pred - y_true,

        0.5 e^2                        where |e| <= delta
        delta |e| - 0.5 delta^2        elsewhere

    quadratic near 0, linear (robust to outliers) beyond delta.
    """
    owner = "huber"
    delta = _check_number(owner, "delta", delta, 0.0)
    y_true, y_pred = _prepare(y_true, y_pred, owner)
    error = y_pred - y_true
    abs_error = error.abs()
    quadratic = error * error * 0.5
    linear = abs_error * delta - 0.5 * delta**2
    return where(abs_error <= delta, quadratic, linear).mean(axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """Logarithm of the hyperbolic cosine of the error per sample, the mean over the last axis
    of `log(cosh(e))`, e = y_pred - y_true, computed as `e + softplus(-2 e) - log(2)`, which
    never overflows. About e^2 / 2 for small e, |e| - log(2) for large e."""
    from .activations import softplus  # the activations import the engine, not us

    y_true, y_pred = _prepare(y_true, y_pred, "log_cosh")
    error = y_pred - y_true
    return (error + softplus(error * -2.0) - float(np.log(2.0))).mean(axis=-1)


# ---------------------------------------------------------------------------
# Hinge losses (for labels -1/1; labels 0/1 are converted, as Keras does).
# ---------------------------------------------------------------------------


def _hinge_labels(y_true: Tensor) -> Tensor:
    """Binary 0/1 labels become -1/1; labels of any other values are kept."""
    if np.all((y_true.data == 0) | (y_true.data == 1)):
        return y_true * 2.0 - 1.0
    return y_true


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Hinge loss per sample: `mean(max(1 - y_true * y_pred, 0), axis=-1)`, with labels in
    {-1, 1} (0/1 labels are converted to -1/1)."""
    y_true, y_pred = _prepare(y_true, y_pred, "hinge")
    return maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0).mean(axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Squared hinge loss per sample: `mean(max(1 - y_true * y_pred, 0)^2, axis=-1)`, with
    labels in {-1, 1} (0/1 labels are converted to -1/1)."""
    y_true, y_pred = _prepare(y_true, y_pred, "squared_hinge")
    return (maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0) ** 2).mean(axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Categorical hinge loss per sample, with one-hot targets:

        max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)

    the best wrong class's score against the right class's, with a margin of 1.
    """
    y_true, y_pred = _prepare(y_true, y_pred, "categorical_hinge")
    positive = (y_true * y_pred).sum(axis=-1)
    negative = ((1.0 - y_true) * y_pred).max(axis=-1)
    return maximum(negative - positive + 1.0, 0.0)


# ---------------------------------------------------------------------------
# Probabilistic losses.
# ---------------------------------------------------------------------------


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """Kullback-Leibler divergence per sample: `sum(y_true * log(y_true / y_pred), axis=-1)`,
    with both clipped to [EPSILON, 1] first."""
    y_true, y_pred = _prepare(y_true, y_pred, "kl_divergence")
    y_true = y_true.clip(EPSILON, 1.0)
    y_pred = y_pred.clip(EPSILON, 1.0)
    return (y_true * (y_true / y_pred).log()).sum(axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """Poisson loss per sample: `mean(y_pred - y_true * log(y_pred + EPSILON), axis=-1)`, the
    negative log-likelihood of counts y_true under rates y_pred (up to a constant)."""
    y_true, y_pred = _prepare(y_true, y_pred, "poisson")
    return (y_pred - y_true * (y_pred + EPSILON).log()).mean(axis=-1)


class _SigmoidCrossEntropy(Function):
    """The binary cross-entropy of logits z against targets y, without overflow:

        -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z))  =  max(z, 0) - z y + log(1 + exp(-|z|))

    d/dz = sigmoid(z) - y;   d/dy = -z.
    """

    name = "sigmoid_cross_entropy"
    derivative = "d/dz = sigmoid(z) - y, d/dy = -z"

    def forward(ctx, z, y):
        ctx.save_for_backward(z, y)
        return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))

    def backward(ctx, grad):
        z, y = ctx.saved_tensors
        grad_z = grad * (sigmoid(z) - y) if ctx.needs_input_grad[0] else None
        grad_y = grad * -z if ctx.needs_input_grad[1] else None
        return grad_z, grad_y


def _smooth_binary(y_true: Tensor, label_smoothing: float) -> Tensor:
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing else y_true


def _clipped_binary_crossentropy(y_true: Tensor, p: Tensor) -> Tensor:
    """-(y log(p) + (1 - y) log(1 - p)), p clipped to [EPSILON, 1 - EPSILON] first."""
    p = p.clip(EPSILON, 1.0 - EPSILON)
    return -(y_true * p.log() + (1.0 - y_true) * (1.0 - p).log())


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
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        per_element = _SigmoidCrossEntropy.apply(y_pred, y_true)
    else:
        per_element = _clipped_binary_crossentropy(y_true, y_pred)
    return per_element.mean(axis=axis)


def binary_focal_crossentropy(
    y_true: Any, y_pred: Any, apply_class_balancing: bool = False, alpha: float = 0.25,
    gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
) -> Tensor:
    """Binary focal cross-entropy per sample (Lin et al., 2017): the binary cross-entropy of
    each element times `(1 - p_t)^gamma`, which shrinks the loss of well-classified examples,
    then the mean over `axis`:

        p_t = y p + (1 - y)(1 - p),   focal = (1 - p_t)^gamma * bce(y, p)
        focal * (y alpha + (1 - y)(1 - alpha))       (apply_class_balancing=True)

    p is `sigmoid(y_pred)` with `from_logits=True`. gamma = 0 is the plain cross-entropy.
    """
    owner = "binary_focal_crossentropy"
    apply_class_balancing = _check_bool(owner, "apply_class_balancing", apply_class_balancing)
    alpha = _check_fraction(owner, "alpha", alpha)
    gamma = _check_number(owner, "gamma", gamma, 0.0)
    label_smoothing = _check_fraction(owner, "label_smoothing", label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred, owner)
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        from .activations import sigmoid

        y_pred = sigmoid(y_pred)
    bce = _clipped_binary_crossentropy(y_true, y_pred)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = (1.0 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(axis=axis)


def _smooth_categorical(y_true: Tensor, label_smoothing: float) -> Tensor:
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


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
    y_true = _smooth_categorical(y_true, label_smoothing)
    return -(y_true * _log_probabilities(y_pred, from_logits, axis)).sum(axis=axis)


def categorical_focal_crossentropy(
    y_true: Any, y_pred: Any, alpha: float = 0.25, gamma: float = 2.0,
    from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
) -> Tensor:
    """Categorical focal cross-entropy per sample (Lin et al., 2017):

        sum(alpha * (1 - p)^gamma * -y_true * log(p), axis)

    with p `y_pred` (or its softmax, `from_logits=True`) renormalized along `axis` and
    clipped to [EPSILON, 1 - EPSILON]. The factor (1 - p)^gamma shrinks the loss of
    classes predicted well, so training dwells on the hard examples.
    """
    owner = "categorical_focal_crossentropy"
    alpha = _check_number(owner, "alpha", alpha, 0.0)
    gamma = _check_number(owner, "gamma", gamma, 0.0)
    label_smoothing = _check_fraction(owner, "label_smoothing", label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred, owner)
    y_true = _smooth_categorical(y_true, label_smoothing)
    if from_logits:
        from .activations import softmax

        y_pred = softmax(y_pred, axis=axis)
    p = _probabilities(y_pred, axis)
    cross_entropy = -y_true * p.log()
    return ((1.0 - p) ** gamma * alpha * cross_entropy).sum(axis=axis)


def _check_ignore_class(owner: str, ignore_class: Any) -> int | None:
    if ignore_class is None:
        return None
    if isinstance(ignore_class, bool) or not isinstance(ignore_class, numbers.Integral):
        raise TypeError(
            f"{owner}: argument `ignore_class` must be an integer label or None, received "
            f"ignore_class={ignore_class!r}"
        )
    return int(ignore_class)


def _class_labels(y_true: Any, y_pred: Tensor, axis: int, owner: str,
                  ignore_class: int | None = None) -> np.ndarray:
    """Integer labels of shape y_pred.shape without `axis`, each in [0, classes) or equal to
    `ignore_class`."""
    labels = np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true)
    if labels.dtype.kind not in "fiu":
        raise TypeError(
            f"{owner}: y_true must hold integer class labels, received dtype {labels.dtype}"
        )
    if labels.ndim == y_pred.ndim and labels.ndim > 0 and labels.shape[axis] == 1:
        labels = labels.squeeze(axis=axis)
    expected = y_pred.shape[:axis] + y_pred.shape[axis + 1:]
    if labels.shape != expected:
        raise ValueError(
            f"{owner}: y_true must hold one label per row of y_pred: expected shape "
            f"{expected} (or {expected + (1,)}), received {labels.shape}"
        )
    if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
        raise ValueError(f"{owner}: y_true must hold whole numbers (class labels)")
    classes = y_pred.shape[axis]
    real = labels if ignore_class is None else labels[labels != ignore_class]
    if real.size and (real.min() < 0 or real.max() >= classes):
        also = "" if ignore_class is None else f" (or equal ignore_class={ignore_class})"
        raise ValueError(
            f"{owner}: labels must be in [0, {classes}){also} for y_pred with {classes} "
            f"classes, received labels from {real.min():g} to {real.max():g}"
        )
    return labels.astype(np.intp, copy=False)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None,
    axis: int = -1,
) -> Tensor:
    """Categorical cross-entropy with integer labels: `-log(p[label])` per sample, with p as
    in `categorical_crossentropy` (the labels are one-hot encoded, as Keras does).

    Args:
        y_true: class labels, shape (batch,) or (batch, 1) (y_pred's shape without `axis`).
        y_pred: probabilities, or logits with `from_logits=True`, shape (batch, classes).
        from_logits: whether `y_pred` holds logits.
        ignore_class: a label whose samples count for nothing (loss 0, no gradient), e.g.
            the "void" label -1 or 255 of segmentation maps. The class reductions then average
            over the other samples only. Other labels must be in [0, classes).
        axis: the class axis.
    """
    owner = "sparse_categorical_crossentropy"
    ignore_class = _check_ignore_class(owner, ignore_class)
    axis = _check_axis(owner, axis)
    y_pred = _as_prediction(y_pred, owner)
    axis = _class_axis(owner, axis, y_pred.ndim)
    labels = _class_labels(y_true, y_pred, axis, owner, ignore_class)
    classes = y_pred.shape[axis]
    if ignore_class is None:
        # rows of the identity picked by the labels: an operation (Index), so that ta.jit
        # records it with the labels as data
        one_hot = Tensor._wrap(_identity(classes, y_pred.dtype))[labels]
        if axis != one_hot.ndim - 1:  # the class axis where y_pred has it
            order = list(range(one_hot.ndim - 1))
            order.insert(axis, one_hot.ndim - 1)
            one_hot = one_hot.transpose(order)
        return -(one_hot * _log_probabilities(y_pred, from_logits, axis)).sum(axis=axis)
    valid = labels != ignore_class
    # Ignored samples get label 0 and a uniform stand-in prediction (finite, whatever the
    # input), and their loss is zeroed: no value and no gradient reaches them.
    one_hot = np.moveaxis(np.eye(classes, dtype=y_pred.dtype)[np.where(valid, labels, 0)],
                          -1, axis)
    valid_expanded = np.expand_dims(valid, axis)
    safe = where(valid_expanded, y_pred, 0.0 if from_logits else 1.0)
    per_sample = -(Tensor(one_hot) * _log_probabilities(safe, from_logits, axis)).sum(axis=axis)
    return where(valid, per_sample, 0.0)


mse = mean_squared_error
mae = mean_absolute_error


@functools.lru_cache(maxsize=32)
def _identity(classes: int, dtype: np.dtype) -> np.ndarray:
    """The identity matrix, made once per size and dtype (read-only: it is shared)."""
    eye = np.eye(classes, dtype=dtype)
    eye.flags.writeable = False
    return eye
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error


# ---------------------------------------------------------------------------
# Sample weights and reductions: Keras's reduce_weighted_values.
# ---------------------------------------------------------------------------


def _check_reduction(owner: str, reduction: Any) -> str | None:
    if reduction not in REDUCTIONS:  # also refuses unhashable values without a TypeError
        raise ValueError(
            f"{owner}: Invalid value for argument `reduction`: expected one of "
            f"{list(REDUCTIONS)}, received reduction={reduction!r}"
        )
    return reduction


def _sample_weight_array(sample_weight: Any, values_shape: tuple, dtype: np.dtype,
                         owner: str) -> np.ndarray:
    """The sample weights as a finite array of `dtype`, of a shape that multiplies the
    per-sample losses without changing their shape (after Keras's rank matching)."""
    raw = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
    try:
        weights = np.asarray(raw)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{owner}: sample_weight must be an array of numbers ({e})") from None
    if weights.dtype.kind not in "fiub":
        raise TypeError(
            f"{owner}: sample_weight must hold numbers, received an array of dtype "
            f"{weights.dtype}"
        )
    if not np.isfinite(weights).all():
        raise ValueError(f"{owner}: sample_weight must be finite, it contains NaN or inf")
    weights = weights.astype(dtype, copy=False)
    probe, matched = same_rank(np.empty(values_shape, dtype=bool), weights)
    try:
        fits = np.broadcast_shapes(probe.shape, matched.shape) == probe.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{owner}: sample_weight of shape {weights.shape} does not fit the per-sample "
            f"losses of shape {values_shape}: give one weight per sample (shape "
            f"({values_shape[0] if values_shape else 1},)), a scalar, or an array of their shape"
        )
    return weights


def reduce_weighted_values(values: Tensor, sample_weight: Any = None, mask: Any = None,
                           reduction: str | None = "sum_over_batch_size",
                           owner: str = "loss") -> Tensor:
    """Weight the per-sample losses and reduce them, as Keras's function of this name.

    A mask (where the loss counts, e.g. labels other than `ignore_class`) joins the sample
    weights; for "sum_over_batch_size" and "mean" the kept samples are scaled up by
    total / kept, so the result is the mean over the kept samples only.
    """
    reduction = _check_reduction(owner, reduction)
    weights = None
    if sample_weight is not None:
        weights = _sample_weight_array(sample_weight, values.shape, values.dtype, owner)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if reduction in ("mean", "sum_over_batch_size"):
            kept = mask.sum()
            float_mask = np.where(mask, mask.size / kept if kept else 0.0, 0.0)
        else:
            float_mask = mask
        float_mask = float_mask.astype(values.dtype)
        if weights is None:
            weights = float_mask
        else:
            float_mask, weights = same_rank(float_mask, weights)
            weights = weights * float_mask
    if weights is not None:
        values, weights = same_rank(values, weights)
        values = values * Tensor(weights)
    if reduction in (None, "none") or values.ndim == 0 or values.shape == (0,):
        return values
    if weights is None and reduction != "sum" and values.size:
        return values.mean()  # the sum over the number of values, in one step
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weights is not None:
        divisor = float(np.sum(weights))
    else:
        divisor = float(values.size)
    return total / divisor if divisor != 0 else total * 0.0  # Keras's divide_no_nan


# ---------------------------------------------------------------------------
# The classes: a per-sample function, weighted and reduced to one number.
# ---------------------------------------------------------------------------


class Loss:
    """Base class of losses: `call(y_true, y_pred)` gives per-sample values, and calling the
    loss weights them by `sample_weight` and reduces them.

    A subclass writes `call`, which receives `y_true` and `y_pred` as Tensors of the loss's
    dtype (`y_pred` as given when it is a float Tensor and `dtype` is None), so it can use
    Tensor methods (`(y_pred - y_true).abs().mean(axis=-1)`).

    Args:
        name: the loss's name.
        reduction: one of `REDUCTIONS` (see the module's docstring); Keras's default
            'sum_over_batch_size' is the mean of the weighted per-sample values.
        dtype: the float type computed in. None: the predictions' own float type (floatx for
            integers and lists; Keras would cast float predictions to floatx too).
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        owner = type(self).__name__
        self.reduction = _check_reduction(owner, reduction)
        if dtype is not None:
            checked = np.dtype(dtype) if _is_dtype(dtype) else None
            if checked is None or checked.kind != "f":
                raise ValueError(
                    f"{owner}: argument `dtype` must be a float type such as 'float32' or "
                    f"None, received dtype={dtype!r}"
                )
            dtype = checked.name
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{owner}: argument `name` must be a string, received {name!r}")
        self.name = name or _snake_case(owner)
        self._dtype = dtype

    @property
    def dtype(self) -> str:
        """The float type the loss computes in (floatx when given as None)."""
        return self._dtype or floatx()

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        owner = self.name
        y_pred = _as_prediction(y_pred, owner, self._dtype)
        y_true = _as_target(y_true, y_pred.dtype, owner)
        values = self.call(y_true, y_pred)
        if not isinstance(values, Tensor):  # a call written in numpy: a constant
            values = Tensor(np.asarray(values, dtype=y_pred.dtype))
        return reduce_weighted_values(values, sample_weight, self._mask(y_true, y_pred),
                                      self.reduction, owner)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")

    def _mask(self, y_true: Tensor, y_pred: Tensor) -> np.ndarray | None:
        """Where the per-sample values count (None: everywhere)."""
        return None

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild this loss, under Keras's names."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """A new loss from the output of `get_config()`, as Keras's `from_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _is_dtype(value: Any) -> bool:
    try:
        np.dtype(value)
    except TypeError:
        return False
    return value is not None


class LossFunctionWrapper(Loss):
    """A per-sample loss function turned into a `Loss`; extra keyword arguments are passed
    to the function at each call.

    Args:
        fn: a function `fn(y_true, y_pred, **kwargs)` returning per-sample values.
        name: the loss's name (default: the function's name).
        reduction: see `Loss`.
        dtype: see `Loss`.
        **kwargs: passed to `fn`.
    """

    def __init__(self, fn: Callable[..., Tensor], name: str | None = None,
                 reduction: str | None = "sum_over_batch_size", dtype: Any = None,
                 **kwargs: Any) -> None:
        if not callable(fn):
            raise TypeError(f"LossFunctionWrapper: fn must be callable, received {fn!r}")
        super().__init__(name or getattr(fn, "__name__", None), reduction, dtype)
        self.fn = fn
        self.fn_kwargs = kwargs

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        y_true, y_pred = same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        if cls is LossFunctionWrapper:
            raise ValueError(
                "LossFunctionWrapper.from_config: a wrapped function cannot be restored from "
                "a config; use the loss's own class (e.g. MeanSquaredError) instead"
            )
        return cls(**config)


class MeanSquaredError(LossFunctionWrapper):
    """The mean of `(y_pred - y_true)^2`: see `mean_squared_error`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_error, name, reduction, dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """The mean of `|y_pred - y_true|`: see `mean_absolute_error`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_error, name, reduction, dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """100 times the mean of `|y_true - y_pred| / |y_true|`: see
    `mean_absolute_percentage_error`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_percentage_error, name, reduction, dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """The mean of `(log(1 + y_pred) - log(1 + y_true))^2`: see
    `mean_squared_logarithmic_error`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_logarithmic_error, name, reduction, dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along `axis`: see `cosine_similarity`.

    Args:
        axis: the axis the vectors lie along. Defaults to -1.
        reduction, name, dtype: see `Loss`.
    """

    def __init__(self, axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "cosine_similarity", dtype: Any = None) -> None:
        self.axis = _check_axis("CosineSimilarity", axis)
        super().__init__(cosine_similarity, name, reduction, dtype, axis=self.axis)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for errors up to `delta`, linear beyond. See `huber`.

    Args:
        delta: where the quadratic part ends, a number >= 0. Defaults to 1.0.
        reduction, name, dtype: see `Loss`.
    """

    def __init__(self, delta: float = 1.0, reduction: str | None = "sum_over_batch_size",
                 name: str = "huber_loss", dtype: Any = None) -> None:
        self.delta = _check_number("Huber", "delta", delta, 0.0)
        super().__init__(huber, name, reduction, dtype, delta=self.delta)


class LogCosh(LossFunctionWrapper):
    """The mean of `log(cosh(y_pred - y_true))`: see `log_cosh`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "log_cosh",
                 dtype: Any = None) -> None:
        super().__init__(log_cosh, name, reduction, dtype)


class Hinge(LossFunctionWrapper):
    """The mean of `max(1 - y_true * y_pred, 0)`: see `hinge`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "hinge",
                 dtype: Any = None) -> None:
        super().__init__(hinge, name, reduction, dtype)


class SquaredHinge(LossFunctionWrapper):
    """The mean of `max(1 - y_true * y_pred, 0)^2`: see `squared_hinge`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(squared_hinge, name, reduction, dtype)


class CategoricalHinge(LossFunctionWrapper):
    """The margin of the best wrong class over the right one: see `categorical_hinge`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(categorical_hinge, name, reduction, dtype)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence: see `kl_divergence`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(kl_divergence, name, reduction, dtype)


class Poisson(LossFunctionWrapper):
    """The mean of `y_pred - y_true * log(y_pred)`: see `poisson`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "poisson",
                 dtype: Any = None) -> None:
        super().__init__(poisson, name, reduction, dtype)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy, for two classes (one sigmoid output) or several independent
    yes/no labels: see `binary_crossentropy`.

    Args:
        from_logits: whether predictions are logits (no sigmoid on the last layer).
        label_smoothing: in [0, 1].
        axis: the axis averaged over.
        reduction, name, dtype: see `Loss`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size",
                 name: str = "binary_crossentropy", dtype: Any = None) -> None:
        owner = "BinaryCrossentropy"
        self.from_logits = _check_bool(owner, "from_logits", from_logits)
        self.label_smoothing = _check_fraction(owner, "label_smoothing", label_smoothing)
        self.axis = _check_axis(owner, axis)
        super().__init__(binary_crossentropy, name, reduction, dtype,
                         from_logits=self.from_logits, label_smoothing=self.label_smoothing,
                         axis=self.axis)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal cross-entropy: see `binary_focal_crossentropy`.

    Args:
        apply_class_balancing: weight positives by alpha, negatives by 1 - alpha.
        alpha: in [0, 1]. Defaults to 0.25.
        gamma: the focusing exponent, >= 0. Defaults to 2.0.
        from_logits, label_smoothing, axis: as `BinaryCrossentropy`.
        reduction, name, dtype: see `Loss`.
    """

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = "sum_over_batch_size",
                 name: str = "binary_focal_crossentropy", dtype: Any = None) -> None:
        owner = "BinaryFocalCrossentropy"
        self.apply_class_balancing = _check_bool(owner, "apply_class_balancing",
                                                 apply_class_balancing)
        self.alpha = _check_fraction(owner, "alpha", alpha)
        self.gamma = _check_number(owner, "gamma", gamma, 0.0)
        self.from_logits = _check_bool(owner, "from_logits", from_logits)
        self.label_smoothing = _check_fraction(owner, "label_smoothing", label_smoothing)
        self.axis = _check_axis(owner, axis)
        super().__init__(binary_focal_crossentropy, name, reduction, dtype,
                         apply_class_balancing=self.apply_class_balancing, alpha=self.alpha,
                         gamma=self.gamma, from_logits=self.from_logits,
                         label_smoothing=self.label_smoothing, axis=self.axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with one-hot targets: see `categorical_crossentropy`.

    Args:
        from_logits: whether predictions are logits (no softmax on the last layer).
        label_smoothing: in [0, 1].
        axis: the class axis.
        reduction, name, dtype: see `Loss`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_crossentropy", dtype: Any = None) -> None:
        owner = "CategoricalCrossentropy"
        self.from_logits = _check_bool(owner, "from_logits", from_logits)
        self.label_smoothing = _check_fraction(owner, "label_smoothing", label_smoothing)
        self.axis = _check_axis(owner, axis)
        super().__init__(categorical_crossentropy, name, reduction, dtype,
                         from_logits=self.from_logits, label_smoothing=self.label_smoothing,
                         axis=self.axis)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical focal cross-entropy: see `categorical_focal_crossentropy`.

    Args:
        alpha: a weight >= 0 on every class. Defaults to 0.25.
        gamma: the focusing exponent, >= 0. Defaults to 2.0.
        from_logits, label_smoothing, axis: as `CategoricalCrossentropy`.
        reduction, name, dtype: see `Loss`.
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_focal_crossentropy", dtype: Any = None) -> None:
        owner = "CategoricalFocalCrossentropy"
        self.alpha = _check_number(owner, "alpha", alpha, 0.0)
        self.gamma = _check_number(owner, "gamma", gamma, 0.0)
        self.from_logits = _check_bool(owner, "from_logits", from_logits)
        self.label_smoothing = _check_fraction(owner, "label_smoothing", label_smoothing)
        self.axis = _check_axis(owner, axis)
        super().__init__(categorical_focal_crossentropy, name, reduction, dtype,
                         alpha=self.alpha, gamma=self.gamma, from_logits=self.from_logits,
                         label_smoothing=self.label_smoothing, axis=self.axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with integer class labels: see `sparse_categorical_crossentropy`.

    Args:
        from_logits: whether predictions are logits (no softmax on the last layer).
        ignore_class: a label to leave out of the loss (and out of the mean), or None.
        reduction, name, dtype: see `Loss`.
        axis: the class axis. Defaults to -1.
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = "sum_over_batch_size", axis: int = -1,
                 name: str = "sparse_categorical_crossentropy", dtype: Any = None) -> None:
        owner = "SparseCategoricalCrossentropy"
        self.from_logits = _check_bool(owner, "from_logits", from_logits)
        self.ignore_class = _check_ignore_class(owner, ignore_class)
        self.axis = _check_axis(owner, axis)
        super().__init__(sparse_categorical_crossentropy, name, reduction, dtype,
                         from_logits=self.from_logits, ignore_class=self.ignore_class,
                         axis=self.axis)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return self.fn(y_true, y_pred, **self.fn_kwargs)  # labels have their own rank rule

    def _mask(self, y_true: Tensor, y_pred: Tensor) -> np.ndarray | None:
        if self.ignore_class is None:
            return None
        labels = y_true.data
        axis = self.axis % y_pred.ndim
        if labels.ndim == y_pred.ndim:
            labels = labels.squeeze(axis=axis)
        return labels != self.ignore_class


# ---------------------------------------------------------------------------
# Looking losses up by name, and configs.
# ---------------------------------------------------------------------------


def _snake_case(name: str) -> str:
    snake = []
    for i, char in enumerate(name):
        if char.isupper() and i and not name[i - 1].isupper():
            snake.append("_")
        snake.append(char.lower())
    return "".join(snake)


_CLASSES = (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, CosineSimilarity, Huber, LogCosh, Hinge, SquaredHinge,
            CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy,
            CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy)
_FUNCTIONS = (mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge,
              squared_hinge, categorical_hinge, kl_divergence, poisson, binary_crossentropy,
              binary_focal_crossentropy, categorical_crossentropy,
              categorical_focal_crossentropy, sparse_categorical_crossentropy)

# Keras's names: each class by its name, each function by its name, and the short aliases.
_BY_NAME: dict[str, Any] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{fn.__name__: fn for fn in _FUNCTIONS},
    "bce": binary_crossentropy,
    "BCE": binary_crossentropy,
    "kld": kl_divergence,
    "KLD": kl_divergence,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
}


def serialize(loss: Any) -> dict[str, Any] | str:
    """A loss as Keras's config: `{"class_name": ..., "config": ...}` for a `Loss`, the name
    of a built-in function for a function."""
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    name = getattr(loss, "__name__", None)
    if name in _BY_NAME and _BY_NAME[name] is loss:
        return name
    raise ValueError(f"serialize: cannot serialize {loss!r}: not a Loss or a built-in loss")


def deserialize(config: Any) -> Loss | Callable[..., Tensor]:
    """The inverse of `serialize`: a `Loss` from `{"class_name": ..., "config": ...}`."""
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"deserialize: expected a name or a dict with 'class_name' and 'config', "
            f"received {config!r:.80}"
        )
    found = _BY_NAME.get(config["class_name"])
    if not (inspect.isclass(found) and issubclass(found, Loss)):
        raise ValueError(f"deserialize: unknown loss class {config['class_name']!r}")
    return found.from_config(dict(config.get("config") or {}))


def get(identifier: Any) -> Loss | Callable[..., Tensor] | None:
    """The loss an argument like `compile(loss=...)` stands for, as Keras's `losses.get`.

    - None gives None;
    - a function name ('mse', 'binary_crossentropy', ...) gives that per-sample function;
    - a class name ('BinaryCrossentropy', ...) gives a new instance with default arguments;
    - a config dict (`serialize`'s) gives a new instance of that class;
    - a `Loss` or any callable `f(y_true, y_pred)` is returned as is.

    Names are case-sensitive, as in Keras; an unknown name raises ValueError naming the
    closest known ones.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
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
        "'mse', a config dict, a Loss, or a callable f(y_true, y_pred)."
    )
