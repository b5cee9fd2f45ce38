"""Tests of the rectifiers, sigmoids and shrinkage activations: values against the formulas
evaluated in float64, Keras's test vectors, stability at extreme inputs, dtypes, first and
second derivatives (gradcheck, gradgradcheck), the derivative at each kink, argument
checking, and, where PyTorch is installed, agreement with its functions."""

import doctest
import warnings

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Tensor
from tinygrad_acts.activations import rectifiers, shrinkage, sigmoids
from tinygrad_acts.activations.rectifiers import (
    celu,
    elu,
    leaky_relu,
    relu,
    relu6,
    selu,
    threshold,
)
from tinygrad_acts.activations.shrinkage import hard_shrink, soft_shrink, tanh_shrink
from tinygrad_acts.activations.sigmoids import (
    hard_sigmoid,
    hard_tanh,
    log_sigmoid,
    sigmoid,
    softsign,
    sparse_sigmoid,
    tanh,
)

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# ---- the formulas, written plainly in float64 (independent of the implementations) ---------


def _exp(x):
    with np.errstate(over="ignore"):  # exp of a branch np.where then discards
        return np.exp(x)


def ref_relu(x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=None):
    slope = negative_slope if alpha is None else alpha
    top = x if max_value is None else np.minimum(x, max_value)
    return np.where(x > threshold, top, slope * (x - threshold))


def ref_leaky_relu(x, negative_slope=0.2, alpha=None):
    slope = negative_slope if alpha is None else alpha
    return np.where(x >= 0, x, slope * x)


def ref_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (_exp(x) - 1))


def ref_celu(x, alpha=1.0):
    return np.maximum(x, 0) + alpha * (_exp(np.minimum(x, 0) / alpha) - 1)


def ref_soft_shrink(x, threshold=0.5):
    return np.where(x > threshold, x - threshold, np.where(x < -threshold, x + threshold, 0.0))


def ref_hard_shrink(x, threshold=0.5):
    return np.where(np.abs(x) > threshold, x, 0.0)


REFERENCES = {
    relu: ref_relu,
    leaky_relu: ref_leaky_relu,
    relu6: lambda x: np.minimum(np.maximum(x, 0), 6),
    elu: ref_elu,
    selu: lambda x: SELU_SCALE * ref_elu(x, SELU_ALPHA),
    celu: ref_celu,
    threshold: lambda x, threshold, default_value: np.where(x > threshold, x, default_value),
    sigmoid: lambda x: 1 / (1 + _exp(-x)),
    hard_sigmoid: lambda x: np.clip(x / 6 + 0.5, 0, 1),
    log_sigmoid: lambda x: -np.logaddexp(0, -x),
    sparse_sigmoid: lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, 0.5 * (x + 1))),
    tanh: np.tanh,
    hard_tanh: lambda x: np.clip(x, -1, 1),
    softsign: lambda x: x / (1 + np.abs(x)),
    soft_shrink: ref_soft_shrink,
    hard_shrink: ref_hard_shrink,
    tanh_shrink: lambda x: x - np.tanh(x),
}

# (function, parameters, points where the function or its derivative has a kink)
CASES = [
    (relu, {}, [0.0]),
    (relu, {"negative_slope": 0.1}, [0.0]),
    (relu, {"negative_slope": 1.5}, [0.0]),  # a slope above 1 stays on the negative side
    (relu, {"alpha": 0.1}, [0.0]),  # the seed's tf.keras 2 spelling
    (relu, {"max_value": 6.0}, [0.0, 6.0]),
    (relu, {"max_value": 2.5}, [0.0, 2.5]),
    (relu, {"threshold": 1.5}, [1.5]),
    (relu, {"threshold": 2.0, "negative_slope": 0.3}, [2.0]),
    (relu, {"threshold": 5.0, "max_value": 5.0}, [5.0]),
    (relu, {"negative_slope": 0.5, "max_value": 5.0, "threshold": 5.0}, [5.0]),
    (relu, {"negative_slope": 0.25, "max_value": 4.0, "threshold": 1.0}, [1.0, 4.0]),
    (leaky_relu, {}, [0.0]),
    (leaky_relu, {"negative_slope": 0.3}, [0.0]),
    (leaky_relu, {"negative_slope": 2.0}, [0.0]),
    (leaky_relu, {"alpha": 0.1}, [0.0]),
    (relu6, {}, [0.0, 6.0]),
    (elu, {}, [0.0]),
    (elu, {"alpha": 0.5}, [0.0]),
    (elu, {"alpha": 2.0}, [0.0]),
    (selu, {}, [0.0]),
    (celu, {}, [0.0]),
    (celu, {"alpha": 0.5}, [0.0]),
    (celu, {"alpha": 2.0}, [0.0]),
    (threshold, {"threshold": 1.0, "default_value": -2.0}, [1.0]),
    (threshold, {"threshold": 0.0, "default_value": 0.0}, [0.0]),
    (threshold, {"threshold": -0.5, "default_value": 3.0}, [-0.5]),
    (sigmoid, {}, []),
    (hard_sigmoid, {}, [-3.0, 3.0]),
    (log_sigmoid, {}, []),
    (sparse_sigmoid, {}, [-1.0, 1.0]),
    (tanh, {}, []),
    (hard_tanh, {}, [-1.0, 1.0]),
    (softsign, {}, [0.0]),  # its second derivative jumps at 0
    (soft_shrink, {}, [-0.5, 0.5]),
    (soft_shrink, {"threshold": 1.0}, [-1.0, 1.0]),
    (soft_shrink, {"threshold": 0.0}, [0.0]),
    (hard_shrink, {}, [-0.5, 0.5]),
    (hard_shrink, {"threshold": 1.0}, [-1.0, 1.0]),
    (hard_shrink, {"threshold": 0.0}, [0.0]),
    (tanh_shrink, {}, []),
]


def case_id(case):
    fn, params, _ = case
    return fn.__name__ + "".join(f"-{k}={v}" for k, v in params.items())


IDS = [case_id(c) for c in CASES]
ALL_FUNCTIONS = sorted(REFERENCES, key=lambda f: f.__name__)

EXTREMES = [1e4, -1e4, 1000.0, -1000.0, 88.7, -88.7, 30.0, -30.0, 1e-7, -1e-7, 0.0, -0.0]


def grid_float32():
    """-12 to 12 in steps of 1/64 (every kink above lies on it), and the extremes."""
    return np.concatenate([np.arange(-768, 769) / 64, EXTREMES]).astype(np.float32)


def expected(fn, params, x32):
    return REFERENCES[fn](x32.astype(np.float64), **params).astype(np.float32)


@pytest.fixture
def strict_numerics():
    """Every warning is an error, and so is any overflow, 0/0 or x/0 inside numpy."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


# ---- values --------------------------------------------------------------------------------


@pytest.mark.usefixtures("strict_numerics")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_matches_the_formula_in_float64(case):
    fn, params, _ = case
    x = grid_float32()
    out = fn(Tensor(x), **params)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected(fn, params, x), rtol=2e-6, atol=2e-6)


@pytest.mark.usefixtures("strict_numerics")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_extreme_inputs_give_finite_values_and_gradients(case):
    fn, params, _ = case
    x = Tensor(np.array(EXTREMES, dtype=np.float32), requires_grad=True)
    y = fn(x, **params)
    y.sum().backward()
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad.data))
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_float64_stays_float64_and_matches_the_formula(case):
    fn, params, _ = case
    x = np.random.default_rng(0).uniform(-10, 10, size=50)
    out = fn(x, **params)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, REFERENCES[fn](x, **params), rtol=1e-12, atol=1e-14)


def test_relu_keras_test_vectors():
    x = [-10.0, -5.0, 0.0, 5.0, 10.0]
    table = [
        ({"negative_slope": 0.5}, [-5, -2.5, 0, 5, 10]),
        ({"max_value": 5}, [0, 0, 0, 5, 5]),
        ({"threshold": 5}, [0, 0, 0, 0, 10]),
        ({"threshold": 5, "max_value": 5}, [0, 0, 0, 0, 5]),
        ({"negative_slope": 0.5, "max_value": 5, "threshold": 5}, [-7.5, -5, -2.5, 0, 5]),
    ]
    for params, want in table:
        np.testing.assert_array_equal(relu(x, **params).data, np.array(want, np.float32))


def test_keras_test_vectors_on_minus_one_to_three():
    x = [-1, 0, 1, 2, 3]
    table = [
        (sigmoid, {}, [0.26894143, 0.5, 0.7310586, 0.880797, 0.95257413]),
        (softsign, {}, [-0.5, 0, 0.5, 0.6666667, 0.75]),
        (leaky_relu, {}, [-0.2, 0, 1, 2, 3]),
        (hard_sigmoid, {}, [0.33333334, 0.5, 0.6666667, 0.8333334, 1.0]),
        (elu, {}, [-0.63212055, 0, 1, 2, 3]),
        (elu, {"alpha": 0.5}, [-0.31606027, 0, 1, 2, 3]),
        (selu, {}, [-1.1113307, 0.0, 1.050701, 2.101402, 3.152103]),
    ]
    for fn, params, want in table:
        out = fn(x, **params)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.data, want, rtol=1e-6, atol=1e-6, err_msg=fn.__name__)


def test_leaky_relu_like_tf_keras_layer():
    x = [-3.0, -1.0, 0.0, 2.0]
    want = np.array([-0.9, -0.3, 0.0, 2.0], np.float32)
    np.testing.assert_allclose(leaky_relu(x, alpha=0.3).data, want, rtol=1e-6)
    np.testing.assert_allclose(leaky_relu(x, negative_slope=0.3).data, want, rtol=1e-6)
    np.testing.assert_allclose(relu(x, alpha=0.3).data, want, rtol=1e-6)


def test_seed_example_relu_alpha():
    out = relu([1.0, -1.0, 1.5, 2.0], alpha=0.1)
    np.testing.assert_array_equal(out.data, np.array([1.0, -0.1, 1.5, 2.0], np.float32))
    assert repr(out) == "Tensor([ 1.  -0.1  1.5  2. ], shape=(4,), dtype=float32)"


def test_relu_gives_positive_zero_in_the_zeroed_region():
    x = np.array([-np.inf, -5.0, -1.0, -1e-30, 0.0, 1e-30, 0.5, 1.0], np.float32)
    forms = [{}, {"threshold": 1.0}, {"max_value": 3.0}, {"threshold": 1.0, "max_value": 3.0}]
    for params in forms:
        out = relu(x, **params).data
        assert not np.any(np.signbit(out)), params
    assert relu([-0.0]).data[0] == 0.0  # (the formula's 0 * -0.0 may keep the sign)
    # exactly at the threshold, the slope multiplies 0
    assert relu([5.0], negative_slope=0.5, threshold=5.0).data[0] == 0.0
    assert not np.signbit(relu([5.0], negative_slope=0.5, threshold=5.0).data[0])


def test_relu_threshold_is_strict():
    out = relu([4.999, 5.0, 5.001], threshold=5.0).data
    np.testing.assert_array_equal(out, np.array([0.0, 0.0, 5.001], np.float32))


def test_slopes_above_one_stay_on_the_negative_side():
    # Keras 3's numpy backend computes max(x, slope * x), which swaps the sides for slope > 1
    np.testing.assert_allclose(leaky_relu([-1.0, 2.0], negative_slope=2.0).data, [-2.0, 2.0])
    np.testing.assert_allclose(relu([-1.0, 2.0], negative_slope=3.0).data, [-3.0, 2.0])


def test_selu_constants_and_saturation():
    assert rectifiers.SELU_ALPHA == SELU_ALPHA and rectifiers.SELU_SCALE == SELU_SCALE
    x = np.array([-1e4, -50.0], np.float64)
    np.testing.assert_allclose(selu(x).data, -SELU_SCALE * SELU_ALPHA, rtol=1e-15)
    np.testing.assert_allclose(elu(x, alpha=0.7).data, -0.7, rtol=1e-15)


@pytest.mark.usefixtures("strict_numerics")
def test_sigmoid_family_at_the_extremes():
    x = np.array([-1000.0, -88.7, 88.7, 1000.0], np.float32)
    np.testing.assert_array_equal(sigmoid(x).data[[0, 3]], [0.0, 1.0])
    # tails kept, not rounded to 0: sigmoid(-88.7) ~ 3e-39, log_sigmoid(20) ~ -2e-9
    np.testing.assert_allclose(sigmoid(x).data[1], np.exp(-88.7), rtol=1e-3)
    np.testing.assert_allclose(log_sigmoid([20.0]).data, [-2.0611537e-09], rtol=1e-6)
    want = [-1000.0, -88.7, -np.exp(-88.7), 0.0]
    np.testing.assert_allclose(log_sigmoid(x).data, want, rtol=1e-3)
    np.testing.assert_allclose(elu([-1e-7]).data, [-1e-7], rtol=1e-6)  # expm1, not exp - 1


# ---- inputs and dtypes ---------------------------------------------------------------------


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=lambda f: f.__name__)
def test_accepts_tensors_arrays_lists_and_numbers(fn):
    params = {"threshold": 0.5, "default_value": 0.0} if fn is threshold else {}
    ints = [[-2, 0], [1, 3]]
    want = expected(fn, params, np.array(ints, np.float32))
    for value in (ints, np.array(ints), Tensor(np.array(ints)), Tensor(ints)):
        out = fn(value, **params)
        assert isinstance(out, Tensor) and out.dtype == np.float32 and out.shape == (2, 2)
        np.testing.assert_allclose(out.data, want, rtol=2e-6, atol=2e-6)
    scalar = fn(-2, **params)
    assert scalar.shape == () and scalar.dtype == np.float32
    np.testing.assert_allclose(scalar.data, want[0, 0], rtol=2e-6, atol=2e-6)
    assert fn(np.array([True, False]), **params).dtype == np.float32
    assert fn(np.float16([-1.0, 2.0]), **params).dtype == np.float16
    ta.set_floatx("float64")  # integers become floatx, whatever it is
    assert fn(np.array(ints), **params).dtype == np.float64


def test_scalar_inputs_have_gradients():
    for fn, params, _ in CASES:
        x = Tensor(np.float64(-0.3), requires_grad=True)
        fn(x, **params).backward()
        assert x.grad.shape == () and np.isfinite(x.grad.item())


def test_input_that_is_not_numeric_is_refused():
    with pytest.raises(TypeError):
        relu("not a tensor")
    with pytest.raises(TypeError):
        sigmoid({"x": 1})


def test_graph_labels_show_the_parameters():
    x = Tensor([1.0, -2.0], requires_grad=True)
    assert relu(x)._ctx.label() == "relu"
    assert relu(x, negative_slope=0.1)._ctx.label() == "relu(negative_slope=0.1)"
    assert relu(x, alpha=0.1)._ctx.label() == "relu(negative_slope=0.1)"
    assert relu(x, max_value=6, threshold=1)._ctx.label() == "relu(max_value=6, threshold=1)"
    assert leaky_relu(x)._ctx.label() == "leaky_relu(negative_slope=0.2)"
    assert elu(x, alpha=0.5)._ctx.label() == "elu(alpha=0.5)"
    assert soft_shrink(x)._ctx.label() == "soft_shrink(threshold=0.5)"
    assert threshold(x, 1, 0)._ctx.label() == "threshold(threshold=1, default_value=0)"
    for fn in ALL_FUNCTIONS:
        params = {"threshold": 0.5, "default_value": 0.0} if fn is threshold else {}
        assert fn(x, **params)._ctx.op_name() == fn.__name__


def test_docstring_examples():
    for module in (rectifiers, sigmoids, shrinkage):
        assert doctest.testmod(module).failed == 0, module.__name__


# ---- derivatives ---------------------------------------------------------------------------


def away_from_kinks(kinks, n=16, low=-8.0, high=8.0, seed=0):
    """n float64 points in [low, high], each at least 1e-3 from every kink, plus a point on
    each side of each kink."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=4 * n)
    for k in kinks:
        x = x[np.abs(x - k) >= 1e-3]
    near = [k + d for k in kinks for d in (-0.01, 0.01)]
    return np.concatenate([x[:n], near])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck_and_gradgradcheck(case):
    fn, params, kinks = case
    x = Tensor(away_from_kinks(kinks), requires_grad=True)
    assert ta.gradcheck(lambda t: fn(t, **params), x)
    assert ta.gradgradcheck(lambda t: fn(t, **params), x)


def derivative_at(fn, points, **params):
    x = Tensor(np.array(points, np.float64), requires_grad=True)
    fn(x, **params).sum().backward()
    return x.grad.data


@pytest.mark.parametrize(
    "fn, params, points, want",
    [
        (relu, {}, [0.0], [0.0]),
        (relu, {"negative_slope": 0.1}, [0.0], [0.1]),
        (relu, {"threshold": 5.0}, [5.0], [0.0]),
        (relu, {"threshold": 5.0, "negative_slope": 0.5}, [5.0], [0.5]),
        (relu, {"max_value": 5.0}, [0.0, 5.0], [0.0, 0.0]),
        (relu, {"threshold": 5.0, "max_value": 5.0, "negative_slope": 0.5}, [5.0, 6.0], [0.5, 0]),
        (leaky_relu, {}, [0.0], [0.2]),
        (relu6, {}, [0.0, 6.0], [0.0, 0.0]),
        (elu, {}, [0.0], [1.0]),
        (elu, {"alpha": 0.5}, [0.0], [0.5]),
        (selu, {}, [0.0], [SELU_SCALE * SELU_ALPHA]),
        (celu, {"alpha": 2.0}, [0.0], [1.0]),
        (threshold, {"threshold": 1.0, "default_value": 7.0}, [1.0], [0.0]),
        (hard_sigmoid, {}, [-3.0, 3.0], [0.0, 0.0]),
        (sparse_sigmoid, {}, [-1.0, 1.0], [0.0, 0.0]),
        (hard_tanh, {}, [-1.0, 1.0], [0.0, 0.0]),
        (soft_shrink, {}, [-0.5, 0.5], [0.0, 0.0]),
        (hard_shrink, {}, [-0.5, 0.5], [0.0, 0.0]),
        (softsign, {}, [0.0], [1.0]),
        (tanh_shrink, {}, [0.0], [0.0]),
        (sigmoid, {}, [0.0], [0.25]),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_derivative_at_the_kinks(fn, params, points, want):
    np.testing.assert_allclose(derivative_at(fn, points, **params), want, rtol=1e-12)


def test_derivatives_in_the_flat_and_linear_pieces():
    x = [-8.0, -2.0, 2.0, 8.0]
    np.testing.assert_array_equal(derivative_at(hard_sigmoid, x), [0, 1 / 6, 1 / 6, 0])
    np.testing.assert_array_equal(derivative_at(sparse_sigmoid, x), [0, 0, 0, 0])
    np.testing.assert_array_equal(derivative_at(relu, x, negative_slope=1.5), [1.5, 1.5, 1, 1])
    np.testing.assert_array_equal(derivative_at(relu, x, max_value=4.0), [0, 0, 1, 0])
    np.testing.assert_array_equal(derivative_at(threshold, x, threshold=2.0, default_value=1.0),
                                  [0, 0, 0, 1])


# ---- arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: relu([1.0], negative_slope=0.1, alpha=0.1), TypeError, "alpha"),
        (lambda: relu([1.0], 0.0, alpha=0.1), TypeError, "twice"),
        (lambda: leaky_relu([1.0], negative_slope=0.2, alpha=0.1), TypeError, "alpha"),
        (lambda: relu([1.0], threshold=-1.0), ValueError, r"threshold.*-1\.0"),
        (lambda: relu([1.0], max_value=-2), ValueError, r"max_value.*-2"),
        (lambda: relu([1.0], negative_slope=-0.1), ValueError, r"negative_slope.*-0\.1"),
        (lambda: relu([1.0], alpha=-0.1), ValueError, r"alpha.*-0\.1"),
        (lambda: relu([1.0], negative_slope="0.1"), TypeError, r"negative_slope.*'0\.1'"),
        (lambda: relu([1.0], negative_slope=None), TypeError, "negative_slope.*None"),
        (lambda: relu([1.0], threshold=True), TypeError, "threshold.*True"),
        (lambda: relu([1.0], max_value=float("nan")), ValueError, "max_value.*nan"),
        (lambda: leaky_relu([1.0], negative_slope=-1), ValueError, "negative_slope.*-1"),
        (lambda: leaky_relu([1.0], alpha="a"), TypeError, "alpha"),
        (lambda: elu([1.0], alpha="1"), TypeError, "alpha"),
        (lambda: elu([1.0], alpha=float("inf")), ValueError, "alpha.*inf"),
        (lambda: celu([1.0], alpha=0), ValueError, "alpha.*0"),
        (lambda: celu([1.0], alpha=-1.0), ValueError, r"alpha.*-1\.0"),
        (lambda: threshold([1.0], None, 0.0), TypeError, "threshold.*None"),
        (lambda: threshold([1.0], 0.0, "zero"), TypeError, "default_value.*'zero'"),
        (lambda: soft_shrink([1.0], threshold=-0.5), ValueError, r"threshold.*-0\.5"),
        (lambda: hard_shrink([1.0], threshold=[0.5]), TypeError, "threshold"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_threshold_has_no_defaults():
    with pytest.raises(TypeError):
        threshold([1.0])  # type: ignore[call-arg]


def test_numpy_scalars_as_parameters_keep_float32():
    out = relu(np.float32([-1.0, 2.0]), negative_slope=np.float64(0.5), max_value=np.int64(1))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, [-0.5, 1.0])
    assert elu(np.float32([-1.0]), alpha=np.float64(0.5)).dtype == np.float32


# ---- PyTorch -------------------------------------------------------------------------------


def torch_equivalents():
    """Our case -> a function of a torch tensor computing the same thing."""
    F = pytest.importorskip("torch.nn.functional")
    torch = pytest.importorskip("torch")
    return torch, [
        (relu, {}, F.relu),
        (relu, {"negative_slope": 0.1}, lambda t: F.leaky_relu(t, 0.1)),
        (relu, {"negative_slope": 1.5}, lambda t: F.leaky_relu(t, 1.5)),
        (relu, {"max_value": 6.0}, F.relu6),
        (relu, {"max_value": 2.5}, lambda t: F.hardtanh(t, 0.0, 2.5)),
        (relu, {"threshold": 1.5}, lambda t: F.threshold(t, 1.5, 0.0)),
        (leaky_relu, {}, lambda t: F.leaky_relu(t, 0.2)),
        (leaky_relu, {"negative_slope": 2.0}, lambda t: F.leaky_relu(t, 2.0)),
        (relu6, {}, F.relu6),
        (elu, {}, F.elu),
        (elu, {"alpha": 0.5}, lambda t: F.elu(t, 0.5)),
        (selu, {}, F.selu),
        (celu, {}, F.celu),
        (celu, {"alpha": 2.0}, lambda t: F.celu(t, 2.0)),
        (threshold, {"threshold": 1.0, "default_value": -2.0}, lambda t: F.threshold(t, 1.0, -2.0)),
        (sigmoid, {}, torch.sigmoid),
        (hard_sigmoid, {}, F.hardsigmoid),
        (log_sigmoid, {}, F.logsigmoid),
        (sparse_sigmoid, {}, lambda t: (F.hardtanh(t) + 1) / 2),
        (tanh, {}, torch.tanh),
        (hard_tanh, {}, F.hardtanh),
        (softsign, {}, F.softsign),
        (soft_shrink, {}, F.softshrink),
        (soft_shrink, {"threshold": 1.0}, lambda t: F.softshrink(t, 1.0)),
        (hard_shrink, {}, F.hardshrink),
        (hard_shrink, {"threshold": 1.0}, lambda t: F.hardshrink(t, 1.0)),
        (tanh_shrink, {}, F.tanhshrink),
    ]


def values_and_derivatives(fn, params, x):
    t = Tensor(x, requires_grad=True)
    y = fn(t, **params)
    y.sum().backward()
    return y.data, t.grad.data


def torch_values_and_derivatives(torch, fn, x):
    t = torch.tensor(x, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return y.detach().numpy(), t.grad.numpy()


def test_values_and_derivatives_agree_with_pytorch():
    torch, equivalents = torch_equivalents()
    # the grid includes every kink, so this checks the kink conventions against PyTorch too
    grid = np.concatenate([np.arange(-768, 769) / 64, [1e4, -1e4, 88.7, -88.7, 30.0, -30.0]])
    for fn, params, torch_fn in equivalents:
        name = case_id((fn, params, None))
        for dtype, tol in ((np.float32, 2e-6), (np.float64, 1e-12)):
            x = grid.astype(dtype)
            value, derivative = values_and_derivatives(fn, params, x)
            want_value, want_derivative = torch_values_and_derivatives(torch, torch_fn, x)
            np.testing.assert_allclose(value, want_value, rtol=tol, atol=tol, err_msg=name)
            # (torch's float64 hardsigmoid backward uses 1/6 rounded to float32: ours is exact)
            dtol = max(tol, 1e-7) if fn is hard_sigmoid else tol
            np.testing.assert_allclose(
                derivative, want_derivative, rtol=dtol, atol=dtol, err_msg=f"{name} derivative"
            )
