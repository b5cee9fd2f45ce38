"""Tests of the smooth activations (softplus, silu, hard_silu, mish, gelu, squareplus,
sparse_plus, exponential, linear) and of those over an axis (softmax, log_softmax,
sparsemax, glu): values against the formulas evaluated in float64, Keras's test vectors,
stability at extreme inputs, dtypes, first and second derivatives (gradcheck,
gradgradcheck), argument checking, and, where PyTorch is installed, agreement with it."""

import math
import warnings

import numpy as np
import pytest
from scipy.special import erf, expit

import tinygrad_acts as ta
from tinygrad_acts import Tensor
from tinygrad_acts.activations.normalizers import glu, log_softmax, softmax, sparsemax
from tinygrad_acts.activations.smooth import (
    exponential,
    gelu,
    hard_silu,
    hard_swish,
    linear,
    mish,
    silu,
    softplus,
    sparse_plus,
    squareplus,
    swish,
)

# ---- the formulas, written plainly in float64 (independent of the implementations) ---------


def ref_gelu(x, approximate=False):
    if approximate:
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def ref_sparse_plus(x):
    return np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4))


def ref_exponential(x):
    with np.errstate(over="ignore"):
        return np.exp(x)


def ref_softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def ref_sparsemax(x):
    """The paper's algorithm for one vector, in a plain loop."""
    z = np.sort(x)[::-1]
    k = max(k for k in range(1, len(z) + 1) if 1 + k * z[k - 1] > z[:k].sum())
    tau = (z[:k].sum() - 1) / k
    return np.maximum(x - tau, 0)


ELEMENTWISE = [
    ("softplus", softplus, {}, lambda x: np.logaddexp(x, 0)),
    ("silu", silu, {}, lambda x: x * expit(x)),
    ("hard_silu", hard_silu, {}, lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
    ("mish", mish, {}, lambda x: x * np.tanh(np.logaddexp(x, 0))),
    ("gelu", gelu, {}, ref_gelu),
    ("gelu_tanh", gelu, {"approximate": True}, lambda x: ref_gelu(x, approximate=True)),
    ("squareplus", squareplus, {}, lambda x: (x + np.sqrt(x * x + 4)) / 2),
    ("squareplus_b1", squareplus, {"b": 1}, lambda x: (x + np.sqrt(x * x + 1)) / 2),
    ("squareplus_b0", squareplus, {"b": 0}, lambda x: np.maximum(x, 0)),
    ("sparse_plus", sparse_plus, {}, ref_sparse_plus),
    ("exponential", exponential, {}, ref_exponential),
    ("linear", linear, {}, lambda x: x),
]

GRID = np.linspace(-12, 12, 241)
EXTREMES = np.array([-1e4, -1000, -88.7, -30, -1e-7, 0.0, 1e-7, 30, 88.7, 1000, 1e4])


class strict_numerics:
    """Every numpy warning an error, and every floating point problem but underflow raised:
    exp(-1000) = 0 underflows, which is how it should be."""

    def __enter__(self):
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("error")
        self._errstate = np.errstate(all="raise", under="ignore")
        self._errstate.__enter__()

    def __exit__(self, *exc_info):
        self._errstate.__exit__(*exc_info)
        self._warnings.__exit__(*exc_info)


def _float64_inputs(shape=(3, 4), low=-4.0, high=4.0, avoid=(), seed=0):
    """Random float64 inputs at least 0.05 away from the kinks in `avoid`."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=shape)
    for kink in avoid:
        close = np.abs(x - kink) < 0.05
        x[close] += 0.1
    return Tensor(x, requires_grad=True)


# ---- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, fn, params, ref", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_matches_float64_formula_on_grid_and_extremes(name, fn, params, ref):
    x = np.concatenate([GRID, EXTREMES]).astype(np.float32)
    expected = ref(x.astype(np.float64)).astype(np.float32)
    x_in = x.copy()
    with strict_numerics():
        out = fn(Tensor(x), **params)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, rtol=2e-6, atol=2e-6)
    np.testing.assert_array_equal(x, x_in)  # the input is not modified


@pytest.mark.parametrize("name, fn, params, ref", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_backward_at_extremes_is_finite_and_silent(name, fn, params, ref):
    x = Tensor(EXTREMES.astype(np.float32), requires_grad=True)
    with strict_numerics():
        out = fn(x, **params)
        out.backward(np.ones(out.shape, dtype=np.float32))
    assert x.grad.dtype == np.float32
    grad = x.grad.data
    if name == "exponential":  # e^x overflows to inf for x > 88.7, and so does its derivative
        assert np.isinf(grad[EXTREMES > 88.7]).all()
        grad = grad[EXTREMES <= 88.7]
    assert np.isfinite(grad).all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_derivatives_reach_their_limits_for_huge_inputs(dtype):
    # Each of these is ~0 for x << 0 and ~x for x >> 0: the derivative must go to 0 and 1,
    # without a NaN from inf * 0 or inf / inf, and without a warning.
    x = np.array([-1e30, -1e20, -1e4, 1e4, 1e20, 1e30], dtype=dtype)
    for name, fn, params, _ in ELEMENTWISE:
        if name in ("exponential", "linear", "squareplus_b0"):
            continue
        t = Tensor(x, requires_grad=True)
        with strict_numerics():
            fn(t, **params).backward(np.ones(x.shape, dtype=dtype))
        np.testing.assert_allclose(t.grad.data, [0, 0, 0, 1, 1, 1], atol=1e-7, err_msg=name)


def test_keras_vectors():
    x = [-1.0, 0.0, 1.0, 2.0, 3.0]
    vectors = {
        softplus: [0.31326166, 0.6931472, 1.3132616, 2.126928, 3.0485873],
        silu: [-0.26894143, 0, 0.7310586, 1.7615942, 2.8577223],
        (lambda t: gelu(t, approximate=True)): [-0.15880796, 0.0, 0.841192, 1.9545977, 2.9963627],
    }
    for fn, expected in vectors.items():
        np.testing.assert_allclose(fn(x).data, expected, rtol=1e-6, atol=1e-6)


def test_softmax_keras_vectors_for_each_axis():
    x = [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    row = [0.09003057, 0.24472848, 0.66524094]
    np.testing.assert_allclose(softmax(x).data, [row, row], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(softmax(x, axis=0).data, np.full((2, 3), 0.5), atol=1e-6)
    everything = [0.045015, 0.122364, 0.33262]
    np.testing.assert_allclose(softmax(x, axis=None).data, [everything] * 2, atol=1e-6)
    np.testing.assert_allclose(softmax(x, axis=(0, 1)).data, [everything] * 2, atol=1e-6)
    np.testing.assert_allclose(softmax([1.0, 2.0, 3.0]).data, row, atol=1e-6)  # 1-D


def test_seed_softmax_example():
    out = softmax(Tensor([[1.1, 2.3, 3.4]]), axis=-1)
    np.testing.assert_allclose(out.data, [[0.06995795, 0.23226859, 0.69777346]], atol=1e-6)
    assert repr(out).startswith("Tensor([[0.06995795 0.23226859 0.6977")
    assert repr(out).endswith("]], shape=(1, 3), dtype=float32)")


@pytest.mark.parametrize("axis", [-1, 0, 1, None, (0, 1)])
def test_softmax_and_log_softmax_match_the_formula(axis):
    x = np.random.default_rng(1).normal(size=(4, 5)) * 3
    np.testing.assert_allclose(softmax(x, axis=axis).data, ref_softmax(x, axis), rtol=1e-12)
    np.testing.assert_allclose(
        log_softmax(x, axis=axis).data, np.log(ref_softmax(x, axis)), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(softmax(x, axis=axis).data.sum(axis=axis), 1.0, rtol=1e-12)


def test_softmax_is_stable_for_logits_far_apart():
    logits = np.array([[0.0, 1e4, -1e4], [1e4, 1e4, 0.0]], dtype=np.float32)
    with strict_numerics():
        probabilities = softmax(logits).data
        log_probabilities = log_softmax(logits).data
    np.testing.assert_array_equal(probabilities, [[0, 1, 0], [0.5, 0.5, 0]])
    log_half = -math.log(2)
    expected = [[-1e4, 0, -2e4], [log_half, log_half, log_half - 1e4]]
    np.testing.assert_allclose(log_probabilities, expected, rtol=1e-7)


def test_sparsemax_follows_the_paper():
    out = sparsemax([[0.5, 1.2, -0.3, 2.0, 1.9]])
    np.testing.assert_allclose(out.data, [[0, 0, 0, 0.55, 0.45]], atol=1e-6)
    x = np.random.default_rng(2).normal(size=(6, 7)) * 2
    out = sparsemax(x).data
    np.testing.assert_allclose(out, [ref_sparsemax(row) for row in x], atol=1e-12)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)
    assert (out >= 0).all() and (out == 0).any()  # a distribution, with exact zeros
    np.testing.assert_allclose(sparsemax(x + 5.0).data, out, atol=1e-12)  # shift invariant
    np.testing.assert_allclose(sparsemax(x.T, axis=0).data, out.T, atol=1e-12)


def test_sparsemax_of_a_clear_winner_is_one_hot():
    np.testing.assert_array_equal(sparsemax([3.0, 1.0, 0.5]).data, [1.0, 0.0, 0.0])


def test_glu_gates_the_first_half_with_the_second():
    x = np.random.default_rng(3).normal(size=(2, 6))
    np.testing.assert_allclose(glu(x).data, x[:, :3] * expit(x[:, 3:]), rtol=1e-12)
    np.testing.assert_allclose(glu(x, axis=0).data, x[:1] * expit(x[1:]), rtol=1e-12)
    with strict_numerics():  # the gate's e^-b overflows silently to the right limit, 0
        np.testing.assert_array_equal(glu(np.float32([5.0, -1000.0])).data, [0.0])


def test_squareplus_is_accurate_where_the_plain_formula_cancels():
    x = np.float32([-1e4, -1e3, -30.0])
    expected = 4 / (2 * (np.sqrt(x.astype(np.float64) ** 2 + 4) - x)) * 1.0
    np.testing.assert_allclose(squareplus(x).data, expected, rtol=1e-6)
    assert squareplus(np.float32(-1e4)).item() == pytest.approx(1e-4, rel=1e-6)


def test_exponential_overflows_to_inf_without_warning():
    with strict_numerics():
        out = exponential(np.float32([1000.0, 0.0]))
    assert out.data[0] == np.inf and out.data[1] == 1.0


def test_aliases_are_the_same_functions():
    assert swish is silu
    assert hard_swish is hard_silu


def test_linear_returns_the_values_without_a_copy():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = linear(x)
    assert y is not x and y.data is not x.data
    assert np.shares_memory(y.data, x.data)
    np.testing.assert_array_equal(y.data, x.data)
    y.backward(np.float32([3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])
    assert y._ctx.label() == "linear"  # an operation of its own, shown in graphs


def test_gelu_mish_and_silu_known_values():
    assert gelu(np.float64(1.0)).item() == pytest.approx(0.8413447460685429, rel=1e-14)
    assert gelu(np.float64(-40.0)).item() == 0.0  # Phi(-40) underflows: no NaN, no 1 + (-1)
    assert mish(np.float64(-1.0)).item() == pytest.approx(-0.30340146137410895, rel=1e-14)
    assert silu(np.float64(-1000.0)).item() == 0.0
    assert softplus(np.float64(-20.0)).item() == pytest.approx(2.061153620314381e-09, rel=1e-12)


# ---- dtypes and inputs -----------------------------------------------------------------------

ALL_FUNCTIONS = [fn for _, fn, _, _ in ELEMENTWISE] + [softmax, log_softmax, sparsemax, glu]


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=lambda f: f.__name__)
def test_dtypes_and_input_kinds(fn):
    for dtype in (np.float16, np.float32, np.float64):
        assert fn(np.ones((2, 4), dtype=dtype)).dtype == dtype
    assert fn(np.ones((2, 4), dtype=np.int64)).dtype == np.float32  # integers become floatx
    assert fn([[1, 2, 3, 4]]).dtype == np.float32
    assert isinstance(fn(Tensor([[1.0, 2.0]])), Tensor)
    if fn not in (softmax, log_softmax, sparsemax, glu):
        assert fn(2).shape == ()  # a scalar


def test_integer_input_follows_floatx():
    ta.set_floatx("float64")
    assert softplus(np.arange(3)).dtype == np.float64


# ---- derivatives -----------------------------------------------------------------------------

GRADIENT_CASES = [
    ("softplus", softplus, ()),
    ("silu", silu, ()),
    ("hard_silu", hard_silu, (-3.0, 3.0)),
    ("mish", mish, ()),
    ("gelu", gelu, ()),
    ("gelu_tanh", lambda x: gelu(x, approximate=True), ()),
    ("squareplus", squareplus, ()),
    ("squareplus_b0.5", lambda x: squareplus(x, b=0.5), ()),
    ("sparse_plus", sparse_plus, (-1.0, 1.0)),
    ("exponential", exponential, ()),
    ("linear", linear, ()),
    ("softmax", softmax, ()),
    ("softmax_axis0", lambda x: softmax(x, axis=0), ()),
    ("softmax_all", lambda x: softmax(x, axis=None), ()),
    ("softmax_tuple", lambda x: softmax(x, axis=(0, 1)), ()),
    ("log_softmax", log_softmax, ()),
    ("log_softmax_axis0", lambda x: log_softmax(x, axis=0), ()),
    ("log_softmax_all", lambda x: log_softmax(x, axis=None), ()),
    ("sparsemax", lambda x: sparsemax(x * 0.5), ()),
    ("sparsemax_axis0", lambda x: sparsemax(x * 0.5, axis=0), ()),
    ("glu", glu, ()),
    ("glu_axis0", lambda x: glu(x.T, axis=0), ()),
]


@pytest.mark.parametrize("name, fn, kinks", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_gradcheck_and_gradgradcheck(name, fn, kinks):
    x = _float64_inputs(avoid=kinks)
    assert ta.gradcheck(fn, x)
    assert ta.gradgradcheck(fn, x)


@pytest.mark.parametrize("fn", [softplus, silu, mish, gelu, lambda x: gelu(x, approximate=True)])
def test_gradients_in_the_tails(fn):
    x = _float64_inputs(shape=(8,), low=-30.0, high=30.0, seed=4)
    assert ta.gradcheck(fn, x)
    assert ta.gradgradcheck(fn, x)


def test_sparsemax_gradient_sums_to_zero_over_the_support():
    # The outputs always sum to 1, so moving every input of a row together changes nothing.
    x = Tensor(np.random.default_rng(5).normal(size=(3, 6)), requires_grad=True)
    sparsemax(x).backward(np.random.default_rng(6).normal(size=(3, 6)))
    np.testing.assert_allclose(x.grad.data.sum(axis=-1), 0.0, atol=1e-12)


def test_hard_silu_derivative_at_the_kinks_follows_pytorch():
    # PyTorch 2's hardswish: 0 at -3 and 1 at 3, and a second derivative of 0 at both
    # (issue 13: the first derivative was [-0.5, 1.5] and the second 1/6).
    x = Tensor([-3.0, 3.0], dtype="float64", requires_grad=True)
    (first,) = ta.grad(hard_silu(x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(first.data, [0.0, 1.0])
    (second,) = ta.grad(first.sum(), x)
    np.testing.assert_array_equal(second.data, [0.0, 0.0])
    inside = Tensor([-2.0, 2.0], dtype="float64", requires_grad=True)
    (first,) = ta.grad(hard_silu(inside).sum(), inside, create_graph=True)
    (second,) = ta.grad(first.sum(), inside)
    np.testing.assert_allclose(second.data, [1 / 3, 1 / 3], rtol=1e-15)


def test_hard_silu_kinks_against_torch():
    torch = pytest.importorskip("torch")
    points = [-3.0, 3.0, -2.5, 0.0, 2.5, -4.0, 4.0]
    xt = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    (first_t,) = torch.autograd.grad(torch.nn.functional.hardswish(xt).sum(), xt,
                                     create_graph=True)
    (second_t,) = torch.autograd.grad(first_t.sum(), xt)
    x = Tensor(points, dtype="float64", requires_grad=True)
    (first,) = ta.grad(hard_swish(x).sum(), x, create_graph=True)
    (second,) = ta.grad(first.sum(), x)
    np.testing.assert_allclose(first.data, first_t.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(second.data, second_t.numpy(), rtol=1e-15)


def test_operations_are_labelled_with_their_parameters():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    assert softmax(x)._ctx.label() == "softmax(axis=-1)"
    assert log_softmax(x, axis=0)._ctx.label() == "log_softmax(axis=0)"
    assert gelu(x, approximate=True)._ctx.label() == "gelu(approximate=True)"
    assert squareplus(x)._ctx.label() == "squareplus(b=4)"
    assert hard_silu(x)._ctx.label() == "hard_silu"


# ---- arguments -------------------------------------------------------------------------------


def test_bad_arguments_raise_naming_the_value():
    with pytest.raises(ValueError, match="b=-1"):
        squareplus([1.0], b=-1)
    with pytest.raises(TypeError, match="b='4'"):
        squareplus([1.0], b="4")
    with pytest.raises(ValueError, match="nan"):
        squareplus([1.0], b=float("nan"))
    with pytest.raises(TypeError, match="approximate='yes'"):
        gelu([1.0], approximate="yes")
    with pytest.raises(ValueError, match="axis=2"):
        softmax([[1.0, 2.0]], axis=2)
    with pytest.raises(TypeError, match="axis"):
        softmax([[1.0, 2.0]], axis="last")
    with pytest.raises(TypeError, match="axis=\\(0, 1\\)"):
        sparsemax([[1.0, 2.0]], axis=(0, 1))
    with pytest.raises(ValueError, match="even"):
        glu([[1.0, 2.0, 3.0]])


# ---- PyTorch ---------------------------------------------------------------------------------


def _torch_cases():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    return torch, [
        (softplus, F.softplus),
        (silu, F.silu),
        (mish, F.mish),
        (gelu, F.gelu),
        (lambda x: gelu(x, approximate=True), lambda t: F.gelu(t, approximate="tanh")),
        (hard_silu, F.hardswish),
        (softmax, lambda t: F.softmax(t, dim=-1)),
        (lambda x: softmax(x, axis=0), lambda t: F.softmax(t, dim=0)),
        (log_softmax, lambda t: F.log_softmax(t, dim=-1)),
        (glu, lambda t: F.glu(t, dim=-1)),
        (lambda x: glu(x, axis=0), lambda t: F.glu(t, dim=0)),
    ]


def test_values_and_gradients_match_torch():
    torch, cases = _torch_cases()
    rng = np.random.default_rng(7)
    x_np = rng.uniform(-6, 6, size=(4, 6))
    for ours, theirs in cases:
        x = Tensor(x_np.copy(), requires_grad=True)
        out = ours(x)
        g = rng.normal(size=out.shape)
        out.backward(g)
        xt = torch.tensor(x_np, requires_grad=True)
        out_t = theirs(xt)
        out_t.backward(torch.tensor(g))
        np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
