"""The losses of issue 18 on Keras 3's own test vectors (keras/src/losses/losses_test.py),
every reduction and sample weights, gradients in float64, and bad arguments."""

import os

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import losses

Y_TRUE = np.array([[1, 9, 2], [-5, -2, 6]])
Y_PRED = np.array([[4, 8, 12], [8, 1, 3]], dtype="float32")
HINGE_TRUE = np.array([[0.0, 1.0], [0.0, 0.0]])
HINGE_PRED = np.array([[0.6, 0.4], [0.4, 0.6]])
BFCE_TRUE = np.asarray([1, 0, 1, 0]).reshape([2, 2])
BFCE_PRED = np.asarray([0.9, 0.8, 0.7, 0.2], dtype=np.float32).reshape([2, 2])
BFCE_LOGIT_TRUE = np.array([[1, 1, 0], [0, 1, 0]], dtype="float32")
BFCE_LOGITS = np.array([[1.5, -2.7, 2.9], [-3.8, 1.2, -4.5]])
CFCE_TRUE = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
CFCE_PRED = np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]], dtype="float32")
CFCE_LOGITS = np.array([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]])
KLD_PRED = np.asarray([0.4, 0.9, 0.12, 0.36, 0.3, 0.4], dtype=np.float32).reshape((2, 3))
KLD_TRUE = np.asarray([0.5, 0.8, 0.12, 0.7, 0.43, 0.8], dtype=np.float32).reshape((2, 3))
POISSON_PRED = np.asarray([1, 9, 2, 5, 2, 6], dtype=np.float32).reshape((2, 3))
POISSON_TRUE = np.asarray([4, 8, 12, 8, 1, 3], dtype=np.float32).reshape((2, 3))
HUBER_PRED = np.array([[0.9, 0.2, 0.2], [0.8, 0.4, 0.6]])
HUBER_TRUE = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
COLUMN = np.array([[1.2], [3.4]])


def import_keras():
    """Keras 3 on its numpy backend (no TensorFlow needed), or a skip where it is absent."""
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    return pytest.importorskip("keras")


def value(t):
    return np.asarray(t.data, dtype=np.float64)


def _huber_by_hand(delta):
    err = np.abs(HUBER_PRED - HUBER_TRUE)
    quadratic = np.minimum(err, delta)
    return 0.5 * quadratic**2 + delta * (err - quadratic)


_KLD = KLD_TRUE * np.log(KLD_TRUE / KLD_PRED)
_POISSON = POISSON_PRED - POISSON_TRUE * np.log(POISSON_PRED)
_LOGCOSH = np.log(np.cosh(Y_PRED - Y_TRUE))

# (loss, y_true, y_pred, sample_weight, Keras's expected value, decimal places Keras checks)
KERAS_VECTORS = [
    (losses.MeanSquaredError(), Y_TRUE, Y_PRED, None, 49.5, 5),
    (losses.MeanSquaredError(), Y_TRUE, Y_PRED, 2.3, 113.85, 4),
    (losses.MeanSquaredError(), Y_TRUE, Y_PRED, COLUMN, 767.8 / 6, 4),
    (losses.MeanSquaredError(reduction="sum"), Y_TRUE, Y_PRED, 2.3, 227.69998, 4),
    (losses.MeanSquaredError(reduction="mean_with_sample_weight"), Y_TRUE, Y_PRED, COLUMN,
     (110 / 3 * 1.2 + 187 / 3 * 3.4) / (1.2 + 3.4), 4),
    (losses.MeanSquaredError(), Y_TRUE.reshape(2, 3, 1), Y_PRED.reshape(2, 3, 1),
     np.array([3, 6, 5, 0, 4, 2]).reshape((2, 3)), 97.833336, 4),
    (losses.MeanSquaredError(), Y_TRUE, Y_PRED, 0, 0.0, 6),
    (losses.MeanAbsoluteError(), Y_TRUE, Y_PRED, None, 5.5, 5),
    (losses.MeanAbsoluteError(), Y_TRUE, Y_PRED, COLUMN, 81.4 / 6, 4),
    (losses.MeanAbsolutePercentageError(), Y_TRUE, Y_PRED, None, 211.8518, 3),
    (losses.MeanAbsolutePercentageError(), Y_TRUE, Y_PRED, 2.3, 487.259, 3),
    (losses.MeanAbsolutePercentageError(), Y_TRUE, Y_PRED, COLUMN, 422.8888, 3),
    (losses.MeanAbsolutePercentageError(), Y_TRUE.reshape(2, 3, 1), Y_PRED.reshape(2, 3, 1),
     np.array([3, 6, 5, 0, 4, 2]).reshape((2, 3)), 694.4444, 3),
    (losses.MeanSquaredLogarithmicError(), Y_TRUE, Y_PRED, None, 1.4370, 3),
    (losses.MeanSquaredLogarithmicError(), Y_TRUE, Y_PRED, 2.3, 3.3051, 3),
    (losses.MeanSquaredLogarithmicError(), Y_TRUE, Y_PRED, COLUMN, 3.7856, 3),
    (losses.Hinge(), HINGE_TRUE, HINGE_PRED, None, 1.3, 3),
    (losses.Hinge(reduction="sum"), HINGE_TRUE, HINGE_PRED, None, 2.6, 3),
    (losses.Hinge(), HINGE_TRUE, HINGE_PRED, [1, 0], 0.55, 3),
    (losses.Hinge(reduction="sum"), HINGE_TRUE, HINGE_PRED, [1, 0], 1.1, 3),
    (losses.Hinge(), HINGE_TRUE, HINGE_PRED, 0.0, 0.0, 6),
    (losses.SquaredHinge(), HINGE_TRUE, HINGE_PRED, None, 1.86, 3),
    (losses.SquaredHinge(reduction="sum"), HINGE_TRUE, HINGE_PRED, None, 3.72, 3),
    (losses.SquaredHinge(), HINGE_TRUE, HINGE_PRED, [1, 0], 0.73, 3),
    (losses.CategoricalHinge(), HINGE_TRUE, HINGE_PRED, None, 1.4, 3),
    (losses.CategoricalHinge(reduction="sum"), HINGE_TRUE, HINGE_PRED, None, 2.8, 3),
    (losses.CategoricalHinge(), HINGE_TRUE, HINGE_PRED, [1, 0], 0.6, 3),
    (losses.Huber(), HUBER_TRUE, HUBER_PRED, None, _huber_by_hand(1.0).sum() / 6, 3),
    (losses.Huber(delta=0.8), HUBER_TRUE, HUBER_PRED, 2.3, 2.3 * _huber_by_hand(0.8).sum() / 6,
     3),
    (losses.LogCosh(), Y_TRUE, Y_PRED, None, _LOGCOSH.sum() / 6, 3),
    (losses.LogCosh(), Y_TRUE, Y_PRED, 2.3, 2.3 * _LOGCOSH.sum() / 6, 3),
    (losses.KLDivergence(), KLD_TRUE, KLD_PRED, None, _KLD.sum() / 2, 3),
    (losses.KLDivergence(), KLD_TRUE, KLD_PRED, COLUMN,
     (_KLD * np.array([[1.2], [3.4]])).sum() / 2, 3),
    (losses.Poisson(), POISSON_TRUE, POISSON_PRED, None, _POISSON.sum() / 6, 3),
    (losses.Poisson(), POISSON_TRUE, POISSON_PRED, 2.3, 2.3 * _POISSON.sum() / 6, 3),
    (losses.BinaryFocalCrossentropy(gamma=2.0), BFCE_TRUE, BFCE_PRED, None, 0.268, 3),
    (losses.BinaryFocalCrossentropy(gamma=3.0, from_logits=True), BFCE_LOGIT_TRUE, BFCE_LOGITS,
     None, 0.799, 3),
    (losses.BinaryFocalCrossentropy(gamma=2.0), BFCE_TRUE, BFCE_PRED, 1.23, 0.3296, 3),
    (losses.BinaryFocalCrossentropy(gamma=3.0, from_logits=True), BFCE_LOGIT_TRUE, BFCE_LOGITS,
     3.21, 2.565, 3),
    (losses.BinaryFocalCrossentropy(gamma=2.0), BFCE_TRUE, BFCE_PRED, COLUMN, 0.34415, 3),
    (losses.BinaryFocalCrossentropy(gamma=3.0, from_logits=True), BFCE_LOGIT_TRUE, BFCE_LOGITS,
     COLUMN, 0.95977, 3),
    (losses.CategoricalFocalCrossentropy(), CFCE_TRUE, CFCE_PRED, None, 0.02059, 3),
    (losses.CategoricalFocalCrossentropy(from_logits=True), CFCE_TRUE, CFCE_LOGITS, None,
     0.000345, 3),
    (losses.CategoricalFocalCrossentropy(), CFCE_TRUE, CFCE_PRED, 2.3, 0.047368, 3),
    (losses.CategoricalFocalCrossentropy(from_logits=True), CFCE_TRUE, CFCE_LOGITS, 2.3,
     0.000794, 4),
    (losses.CategoricalFocalCrossentropy(), CFCE_TRUE, CFCE_PRED, np.array([[1.2], [3.4], [5.6]]),
     0.06987, 3),
    (losses.CategoricalFocalCrossentropy(from_logits=True), CFCE_TRUE, CFCE_LOGITS,
     np.array([[1.2], [3.4], [5.6]]), 0.001933, 3),
    (losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1),
     np.array([[1, 0, 0]]), np.array([[4.9, -0.5, 2.05]]), None, 0.06685, 3),
]


@pytest.mark.parametrize("loss, y_true, y_pred, sample_weight, expected, places",
                         KERAS_VECTORS, ids=lambda v: getattr(v, "name", None))
def test_keras_vectors(loss, y_true, y_pred, sample_weight, expected, places):
    result = loss(y_true, y_pred, sample_weight=sample_weight)
    assert result.shape == ()
    assert round(abs(result.item() - expected), places) == 0


@pytest.mark.parametrize("loss, expected", [
    (losses.Hinge(reduction=None), [1.1, 1.5]),
    (losses.SquaredHinge(reduction=None), [1.46, 2.26]),
    (losses.CategoricalHinge(reduction=None), [1.2, 1.6]),
])
def test_keras_vectors_unreduced(loss, expected):
    np.testing.assert_allclose(value(loss(HINGE_TRUE, HINGE_PRED)), expected, rtol=1e-6)


def test_keras_vectors_unreduced_focal():
    no_reduction = losses.BinaryFocalCrossentropy(gamma=2.0, reduction=None)
    np.testing.assert_allclose(value(no_reduction(BFCE_TRUE, BFCE_PRED)), (0.515547, 0.020513),
                               atol=1e-6)
    no_reduction = losses.CategoricalFocalCrossentropy(from_logits=True, reduction=None)
    np.testing.assert_allclose(value(no_reduction(CFCE_TRUE, CFCE_LOGITS)),
                               (1.5096224e-09, 2.4136547e-11, 1.0360638e-03), atol=1e-6)


def test_cosine_similarity_keras_vectors():
    def l2(x, axis):
        return x / np.sqrt(np.maximum((x**2).sum(axis=axis, keepdims=True), 1e-12))

    y_true = Y_TRUE.astype(np.float32)
    expected = (l2(y_true, 1) * l2(Y_PRED, 1)).sum(axis=1)
    assert losses.CosineSimilarity()(y_true, Y_PRED).item() == pytest.approx(-expected.mean(),
                                                                            abs=1e-3)
    assert losses.CosineSimilarity()(y_true, Y_PRED, sample_weight=2.3).item() == \
        pytest.approx(-2.3 * expected.mean(), abs=1e-3)
    expected0 = (l2(y_true, 0) * l2(Y_PRED, 0)).sum(axis=0)
    assert losses.CosineSimilarity(axis=0)(y_true, Y_PRED).item() == \
        pytest.approx(-expected0.mean(), abs=1e-3)


def test_all_correct_gives_zero():
    assert losses.MeanAbsolutePercentageError()(Y_TRUE, Y_TRUE).item() == 0
    assert losses.Huber()(HUBER_TRUE, HUBER_TRUE).item() == 0
    eye = np.eye(3, dtype="float32")
    assert losses.BinaryFocalCrossentropy(gamma=1.5)(eye, eye).item() == pytest.approx(0, abs=1e-3)
    logits = 200 * eye - 100
    assert losses.BinaryFocalCrossentropy(from_logits=True)(eye, logits).item() == \
        pytest.approx(0, abs=1e-3)
    assert losses.CategoricalFocalCrossentropy()(eye.astype("int64"), eye).item() == \
        pytest.approx(0, abs=1e-3)


def test_sparse_ignore_class_keras_vectors():
    logits = np.array([[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]])
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1, reduction=None)
    for y_true in (np.array([[-1, 2]]), np.array([[[-1], [2]]])):
        np.testing.assert_allclose(value(loss(y_true, logits)), [[0.0, 1.480129]], rtol=1e-5)
    # The mean is over the kept labels only (Keras's mask).
    mean = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    assert mean(np.array([[-1, 2]]), logits).item() == pytest.approx(1.480129, rel=1e-5)
    t = ta.Tensor(logits, requires_grad=True)
    mean(np.array([[-1, 2]]), t).backward()
    np.testing.assert_array_equal(t.grad.data[0, 0], 0)


def test_sparse_ignore_class_with_weights_and_reductions():
    probs = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4], [0.6, 0.2, 0.2]])
    labels = np.array([0, 2, 255, 1])
    per_sample = -np.log([0.2, 0.8, 1.0, 0.2])
    per_sample[2] = 0
    w = np.array([1.0, 0.5, 2.0, 3.0])
    make = lambda r: losses.SparseCategoricalCrossentropy(ignore_class=255, reduction=r)  # noqa: E731
    assert make("sum")(labels, probs, sample_weight=w).item() == pytest.approx(
        (per_sample * w).sum(), rel=1e-5)
    assert make("sum_over_batch_size")(labels, probs).item() == pytest.approx(
        per_sample.sum() / 3, rel=1e-5)
    assert make("sum_over_batch_size")(labels, probs, sample_weight=w).item() == \
        pytest.approx((per_sample * w).sum() / 3, rel=1e-5)
    assert make("mean_with_sample_weight")(labels, probs, sample_weight=w).item() == \
        pytest.approx((per_sample * w).sum() / (1 + 0.5 + 3), rel=1e-5)


def test_sparse_axis():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 4, 3))  # classes on axis 1
    labels = rng.integers(0, 4, size=(2, 3))
    moved = np.moveaxis(logits, 1, -1)
    expected = losses.sparse_categorical_crossentropy(labels, moved, from_logits=True)
    got = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True, axis=1)
    np.testing.assert_allclose(value(got), value(expected), rtol=1e-12)
    cls = losses.SparseCategoricalCrossentropy(from_logits=True, axis=1)
    assert cls(labels.reshape(2, 1, 3), logits).item() == pytest.approx(value(expected).mean())


def test_reductions_and_none():
    per_sample = value(losses.mean_squared_error(Y_TRUE, Y_PRED))
    for reduction in ("none", None):
        np.testing.assert_allclose(
            value(losses.MeanSquaredError(reduction=reduction)(Y_TRUE, Y_PRED, sample_weight=2.3)),
            per_sample * 2.3, rtol=1e-6)
    assert losses.MeanSquaredError(reduction="mean")(Y_TRUE, Y_PRED).item() == pytest.approx(49.5)
    # mean_with_sample_weight without weights is the plain mean; zero weights give 0, not NaN
    assert losses.MeanSquaredError(reduction="mean_with_sample_weight")(Y_TRUE, Y_PRED).item() \
        == pytest.approx(49.5)
    assert losses.MeanSquaredError(reduction="mean_with_sample_weight")(
        Y_TRUE, Y_PRED, sample_weight=[0, 0]).item() == 0


def test_dtype_argument():
    loss = losses.MeanSquaredError(dtype="float64")
    assert loss.dtype == "float64"
    assert loss(Y_TRUE, Y_PRED).dtype == np.float64
    assert losses.MeanSquaredError().dtype == ta.floatx()
    assert losses.MeanSquaredError()(Y_TRUE, Y_TRUE).dtype == np.float32  # ints become floatx
    with pytest.raises(ValueError, match="dtype='int32'"):
        losses.Huber(dtype="int32")


def test_custom_loss_subclass_receives_floatx_tensors():
    seen = []

    class MyLoss(losses.Loss):
        def call(self, y_true, y_pred):
            seen.append((type(y_true), type(y_pred), y_true.dtype, y_pred.dtype))
            return (y_pred - y_true).abs().mean(axis=-1)

    assert MyLoss()([[1, 2]], [[1, 4]]).item() == 1.0
    assert seen == [(ta.Tensor, ta.Tensor, np.float32, np.float32)]
    assert MyLoss().name == "my_loss"
    assert MyLoss()([[1, 2]], [[1, 4]], sample_weight=[3]).item() == 3.0


# ---- gradients, first and second, in float64 ------------------------------------------------

_RNG = np.random.default_rng(3)
_P = _RNG.uniform(0.1, 0.9, size=(4, 3))
_Z = _RNG.normal(size=(4, 3))
_YB = _RNG.integers(0, 2, size=(4, 3)).astype(float)
_YC = np.eye(3)[[0, 2, 1, 2]]
_YR = _RNG.normal(size=(4, 3))
_YR[np.abs(_YR - _Z) < 0.05] += 0.3  # away from the kinks of |e| and of Huber's delta
_W = np.array([1.0, 0.5, 2.0, 0.0])

GRAD_CASES = [
    (losses.Huber(delta=0.7), _YR, _Z),
    (losses.LogCosh(), _YR, _Z),
    (losses.Hinge(), _YB, _Z * 0.3 + 0.05),
    (losses.SquaredHinge(), _YB, _Z),
    (losses.CategoricalHinge(), _YC, _Z),
    (losses.KLDivergence(), _YC * 0.7 + 0.1, _P),
    (losses.Poisson(), _YB * 3, _P),
    (losses.CosineSimilarity(), _YR, _Z),
    (losses.CosineSimilarity(axis=0), _YR, _Z),
    (losses.MeanAbsolutePercentageError(), _YR, _Z),
    (losses.MeanSquaredLogarithmicError(), np.abs(_YR), _P * 3),
    (losses.BinaryFocalCrossentropy(), _YB, _P),
    (losses.BinaryFocalCrossentropy(apply_class_balancing=True, from_logits=True, gamma=1.5,
                                    label_smoothing=0.1), _YB, _Z),
    (losses.CategoricalFocalCrossentropy(), _YC, _P),
    (losses.CategoricalFocalCrossentropy(from_logits=True, gamma=3.0), _YC, _Z),
    (losses.SparseCategoricalCrossentropy(), np.array([0, 2, 1, 2]), _P),
    (losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1),
     np.array([0, 2, 1, 2]), _Z),
    (losses.SparseCategoricalCrossentropy(from_logits=True, axis=0), np.array([0, 3, 1]), _Z),
]


@pytest.mark.parametrize("loss, y_true, y_pred", GRAD_CASES, ids=lambda v: getattr(v, "name", None))
def test_gradcheck_and_gradgradcheck(loss, y_true, y_pred):
    x = ta.Tensor(np.array(y_pred, dtype=np.float64), requires_grad=True)
    weights = _W if getattr(loss, "axis", -1) == -1 else None
    assert ta.gradcheck(lambda t: loss(y_true, t, sample_weight=weights), [x])
    assert ta.gradgradcheck(lambda t: loss(y_true, t), [x])


@pytest.mark.parametrize("fn", [losses.huber, losses.log_cosh, losses.hinge, losses.squared_hinge,
                                losses.categorical_hinge, losses.kl_divergence, losses.poisson,
                                losses.cosine_similarity, losses.mean_absolute_percentage_error,
                                losses.mean_squared_logarithmic_error,
                                losses.binary_focal_crossentropy,
                                losses.categorical_focal_crossentropy])
def test_function_forms_give_one_value_per_sample_and_keep_float64(fn):
    y_true = _YC if "categorical" in fn.__name__ else _YB + 0.5
    out = fn(y_true, ta.Tensor(_P))
    assert out.shape == (4,) and out.dtype == np.float64
    assert ta.gradcheck(lambda t: fn(y_true, t).sum(), [ta.Tensor(_P, requires_grad=True)])


def test_log_cosh_does_not_overflow():
    with np.errstate(over="raise", invalid="raise"):
        out = losses.log_cosh([[0.0]], [[1e4]])
    assert out.item() == pytest.approx(1e4 - np.log(2))


# ---- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: losses.Huber(delta=-1), ValueError, "delta=-1"),
    (lambda: losses.Huber(delta=float("nan")), ValueError, "delta"),
    (lambda: losses.Hinge(reduction="abc"), ValueError, "reduction='abc'"),
    (lambda: losses.BinaryFocalCrossentropy(alpha=1.5), ValueError, "alpha=1.5"),
    (lambda: losses.CategoricalFocalCrossentropy(gamma=-2), ValueError, "gamma=-2"),
    (lambda: losses.SparseCategoricalCrossentropy(ignore_class=1.5), TypeError, "ignore_class"),
    (lambda: losses.SparseCategoricalCrossentropy(ignore_class=-1)([0, 3], [[0.5, 0.5]] * 2),
     ValueError, r"\[0, 2\) \(or equal ignore_class=-1\).*from 0 to 3"),
    (lambda: losses.SparseCategoricalCrossentropy(ignore_class=9)([0, -1], [[0.5, 0.5]] * 2),
     ValueError, "ignore_class=9"),
    (lambda: losses.SparseCategoricalCrossentropy(axis=2)([0, 1], [[0.5, 0.5]] * 2), ValueError,
     "axis=2"),
    (lambda: losses.MeanSquaredError()(Y_TRUE, Y_PRED, sample_weight=[1, 2, 3]), ValueError,
     r"sample_weight of shape \(3,\).*\(2,\)"),
    (lambda: losses.MeanSquaredError()(Y_TRUE, Y_PRED, sample_weight=["a", "b"]), TypeError,
     "sample_weight"),
    (lambda: losses.MeanSquaredError()(Y_TRUE, Y_PRED, sample_weight=[1, np.nan]), ValueError,
     "finite"),
])
def test_bad_arguments(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_get_serialize_and_config_round_trip():
    for name in ("huber", "log_cosh", "hinge", "kld", "KLD", "mape", "msle", "poisson",
                 "cosine_similarity", "binary_focal_crossentropy"):
        assert callable(losses.get(name))
    assert isinstance(losses.get("Huber"), losses.Huber)
    for loss in (losses.Huber(delta=0.5, reduction="sum", name="h"),
                 losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1, axis=1),
                 losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0),
                 losses.CosineSimilarity(axis=0, reduction=None)):
        again = losses.get(losses.serialize(loss))
        assert type(again) is type(loss) and again.get_config() == loss.get_config()
        assert type(loss).from_config(loss.get_config()).get_config() == loss.get_config()
    config = losses.SparseCategoricalCrossentropy().get_config()
    assert {"name", "reduction", "from_logits", "ignore_class"} <= set(config)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside Keras
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inside Keras
def test_against_keras_on_random_inputs():
    keras = import_keras()
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.95, (4, 3)).astype("float32")
    z = (rng.normal(size=(4, 3)) * 2).astype("float32")
    yb = rng.integers(0, 2, (4, 3)).astype("float32")
    yc = np.eye(3, dtype="float32")[rng.integers(0, 3, 4)]
    w = np.array([1.0, 0.5, 2.0, 0.0])
    cases = [("MeanAbsolutePercentageError", {}, yb * 3 - 1, z), ("Huber", {"delta": 0.3}, z, p),
             ("MeanSquaredLogarithmicError", {}, np.abs(z), p), ("CosineSimilarity", {}, z, p),
             ("LogCosh", {}, z, p), ("Hinge", {}, yb, z), ("SquaredHinge", {}, yb * 2 - 1, z),
             ("CategoricalHinge", {}, yc, z), ("KLDivergence", {}, yc * 0.8 + 0.05, p),
             ("Poisson", {}, yb * 3, p), ("BinaryFocalCrossentropy", {}, yb, p),
             ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "from_logits": True,
                                          "gamma": 1.5, "label_smoothing": 0.1}, yb, z),
             ("CategoricalFocalCrossentropy", {"from_logits": True, "alpha": 0.5,
                                               "label_smoothing": 0.2}, yc, z),
             ("SparseCategoricalCrossentropy", {"ignore_class": 1}, yc.argmax(1), p)]
    for name, kwargs, y_true, y_pred in cases:
        for reduction in ("sum_over_batch_size", "sum", "none", "mean_with_sample_weight"):
            for sample_weight in (None, w):
                expected = getattr(keras.losses, name)(reduction=reduction, **kwargs)(
                    y_true, y_pred, sample_weight=sample_weight)
                got = getattr(losses, name)(reduction=reduction, **kwargs)(
                    y_true, y_pred, sample_weight=sample_weight)
                np.testing.assert_allclose(value(got), np.asarray(expected), rtol=2e-6,
                                           atol=2e-6, err_msg=f"{name} {reduction}")
