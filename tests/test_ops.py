"""Every primitive operation of tinygrad_acts.ops: forward values against numpy, first
derivatives (gradcheck) and second derivatives (gradgradcheck) in float64, on shapes that
broadcast; float32 stays float32; and Hypothesis properties of broadcasting and its adjoint,
un-broadcasting (sum_to)."""

import gc
import weakref
import zlib
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_acts as ta
from tinygrad_acts import Tensor, ops


# ---- how inputs are drawn ------------------------------------------------------------------
@dataclass(frozen=True)
class Uniform:
    """Values uniform in [low, high]."""

    shape: tuple
    low: float = -2.0
    high: float = 2.0

    def draw(self, rng):
        return rng.uniform(self.low, self.high, self.shape)


@dataclass(frozen=True)
class AwayFromZero:
    """Values of random sign with magnitude in [low, high]: keeps |x|, 1/x and kinks at 0
    far from the finite-difference step."""

    shape: tuple
    low: float = 0.5
    high: float = 2.0

    def draw(self, rng):
        return rng.uniform(self.low, self.high, self.shape) * rng.choice([-1.0, 1.0], self.shape)


@dataclass(frozen=True)
class AwayFrom:
    """Uniform values in [-2, 2] pushed at least `margin` away from each of `points`
    (the kinks of clip)."""

    shape: tuple
    points: tuple
    margin: float = 0.05

    def draw(self, rng):
        x = rng.uniform(-2.0, 2.0, self.shape)
        for p in self.points:
            near = np.abs(x - p) < self.margin
            x[near] = p + np.where(x[near] >= p, self.margin, -self.margin)
        return x


def U(*shape):
    return Uniform(shape)


def P(*shape):
    return Uniform(shape, 0.5, 2.0)  # positive: log, sqrt, fractional powers


def A(*shape):
    return AwayFromZero(shape)


_mask_rng = np.random.default_rng(1234)
MASK_34 = _mask_rng.random((3, 4)) > 0.5  # a fixed condition for where
MASK_4 = np.array([True, False, True, True])
EYE_23 = np.eye(2, 3, dtype=np.float32)  # a numpy operand on the left of @

# name, function of Tensors, the same with numpy, inputs
CASES = [
    # arithmetic, with broadcasting on both sides
    ("add", lambda a, b: a + b, np.add, [U(3, 1, 4), U(2, 4)]),
    ("add_scalar_right", lambda a: a + 1.5, lambda a: a + 1.5, [U(2, 3)]),
    ("radd_scalar", lambda a: 1.5 + a, lambda a: 1.5 + a, [U(2, 3)]),
    ("sub", lambda a, b: a - b, np.subtract, [U(4, 1), U(3)]),
    ("rsub_scalar", lambda a: 2.0 - a, lambda a: 2.0 - a, [U(2, 3)]),
    ("mul", lambda a, b: a * b, np.multiply, [U(2, 1, 3), U(4, 1)]),
    ("mul_same_tensor", lambda a: a * a, lambda a: a * a, [U(3, 2)]),
    ("div", lambda a, b: a / b, np.divide, [U(2, 3), A(3)]),
    ("div_broadcast_numerator", lambda a, b: a / b, np.divide, [U(3), A(2, 3)]),
    ("rdiv_scalar", lambda a: 1.0 / a, lambda a: 1.0 / a, [A(2, 3)]),
    ("neg", lambda a: -a, np.negative, [U(2, 3)]),
    ("pow_scalar_2", lambda a: a**2, lambda a: a**2, [U(2, 3)]),
    ("pow_scalar_3", lambda a: a**3, lambda a: a**3, [U(2, 3)]),
    ("pow_scalar_half", lambda a: a**0.5, np.sqrt, [P(2, 3)]),
    ("pow_scalar_negative", lambda a: a**-1.5, lambda a: a**-1.5, [P(2, 3)]),
    ("pow_scalar_zero", lambda a: a**0, lambda a: a**0, [U(2, 3)]),
    ("pow_tensor", lambda a, b: a**b, np.power, [P(2, 3), U(3)]),
    ("rpow_scalar", lambda b: 2.0**b, lambda b: 2.0**b, [U(2, 3)]),
    # matmul: 2-D, 1-D on either side, and batched with broadcasting batch axes
    ("matmul_2d", lambda a, b: a @ b, np.matmul, [U(3, 4), U(4, 2)]),
    ("matmul_vec_mat", lambda a, b: a @ b, np.matmul, [U(4), U(4, 2)]),
    ("matmul_mat_vec", lambda a, b: a @ b, np.matmul, [U(3, 4), U(4)]),
    ("matmul_vec_vec", lambda a, b: a @ b, np.matmul, [U(4), U(4)]),
    ("matmul_batched", lambda a, b: a @ b, np.matmul, [U(2, 3, 4), U(2, 4, 2)]),
    ("matmul_batched_broadcast", lambda a, b: a @ b, np.matmul, [U(2, 1, 3, 4), U(3, 4, 2)]),
    ("matmul_batched_vec", lambda a, b: a @ b, np.matmul, [U(4), U(2, 4, 3)]),
    ("matmul_vec_batched", lambda a, b: a @ b, np.matmul, [U(2, 3, 4), U(4)]),
    ("rmatmul_array", lambda b: EYE_23 @ b, lambda b: EYE_23 @ b, [U(3, 2)]),
    # elementwise functions
    ("exp", lambda a: a.exp(), np.exp, [U(2, 3)]),
    ("log", lambda a: a.log(), np.log, [P(2, 3)]),
    ("sqrt", lambda a: a.sqrt(), np.sqrt, [P(2, 3)]),
    ("abs", lambda a: a.abs(), np.abs, [A(2, 3)]),
    (
        "clip",
        lambda a: a.clip(-0.5, 0.7),
        lambda a: np.clip(a, -0.5, 0.7),
        [AwayFrom((3, 4), (-0.5, 0.7))],
    ),
    ("clip_min_only", lambda a: a.clip(min_value=0.2), lambda a: np.maximum(a, 0.2),
     [AwayFrom((3, 4), (0.2,))]),
    ("clip_max_only", lambda a: a.clip(max_value=0.2), lambda a: np.minimum(a, 0.2),
     [AwayFrom((3, 4), (0.2,))]),
    ("maximum", ta.maximum, np.maximum, [U(3, 1), U(4)]),
    ("minimum", ta.minimum, np.minimum, [U(2, 3), U(3)]),
    ("maximum_scalar", lambda a: ta.maximum(a, 0.1), lambda a: np.maximum(a, 0.1),
     [AwayFrom((2, 3), (0.1,))]),
    ("where", lambda a, b: ta.where(MASK_34, a, b), lambda a, b: np.where(MASK_34, a, b),
     [U(4), U(3, 1)]),
    ("where_scalar", lambda a: ta.where(MASK_4, a, 0.0), lambda a: np.where(MASK_4, a, 0.0),
     [U(2, 4)]),
    # reductions
    ("sum_all", lambda a: a.sum(), np.sum, [U(2, 3, 4)]),
    ("sum_axis", lambda a: a.sum(axis=1), lambda a: a.sum(axis=1), [U(2, 3, 4)]),
    ("sum_axes_keepdims", lambda a: a.sum(axis=(0, -1), keepdims=True),
     lambda a: a.sum(axis=(0, -1), keepdims=True), [U(2, 3, 4)]),
    ("mean_all", lambda a: a.mean(), np.mean, [U(2, 3, 4)]),
    ("mean_axis", lambda a: a.mean(axis=-1), lambda a: a.mean(axis=-1), [U(2, 3, 4)]),
    ("mean_axes_keepdims", lambda a: a.mean(axis=(0, 2), keepdims=True),
     lambda a: a.mean(axis=(0, 2), keepdims=True), [U(2, 3, 4)]),
    ("max_all", lambda a: a.max(), np.max, [U(3, 4)]),
    ("max_axis", lambda a: a.max(axis=0), lambda a: a.max(axis=0), [U(3, 4)]),
    ("max_axes_keepdims", lambda a: a.max(axis=(0, 2), keepdims=True),
     lambda a: a.max(axis=(0, 2), keepdims=True), [U(2, 3, 4)]),
    ("min_all", lambda a: a.min(), np.min, [U(3, 4)]),
    ("min_axis", lambda a: a.min(axis=-1), lambda a: a.min(axis=-1), [U(3, 4)]),
    ("logsumexp_all", lambda a: ta.logsumexp(a), lambda a: np.log(np.exp(a).sum()), [U(3, 4)]),
    ("logsumexp_axis", lambda a: ta.logsumexp(a, axis=1),
     lambda a: np.log(np.exp(a).sum(axis=1)), [U(3, 4)]),
    ("logsumexp_keepdims", lambda a: ta.logsumexp(a, axis=(0, 2), keepdims=True),
     lambda a: np.log(np.exp(a).sum(axis=(0, 2), keepdims=True)), [U(2, 3, 2)]),
    # shapes
    ("reshape_args", lambda a: a.reshape(6, 4), lambda a: a.reshape(6, 4), [U(2, 3, 4)]),
    ("reshape_tuple", lambda a: a.reshape((4, -1)), lambda a: a.reshape(4, -1), [U(2, 3, 4)]),
    ("flatten", lambda a: a.flatten(), np.ravel, [U(2, 3)]),
    ("expand_dims", lambda a: a.expand_dims(1), lambda a: np.expand_dims(a, 1), [U(2, 3)]),
    ("squeeze", lambda a: a.squeeze(), np.squeeze, [U(2, 1, 3)]),
    ("transpose_default", lambda a: a.transpose(), np.transpose, [U(2, 3, 4)]),
    ("transpose_axes", lambda a: a.transpose(2, 0, 1), lambda a: a.transpose(2, 0, 1),
     [U(2, 3, 4)]),
    ("T", lambda a: a.T, lambda a: a.T, [U(2, 3)]),
    ("swapaxes", lambda a: a.swapaxes(0, -1), lambda a: a.swapaxes(0, -1), [U(2, 3, 4)]),
    ("broadcast_to", lambda a: a.broadcast_to((2, 3, 4)),
     lambda a: np.broadcast_to(a, (2, 3, 4)), [U(3, 1)]),
    ("sum_to", lambda a: a.sum_to((3, 1)),
     lambda a: a.sum(axis=0).sum(axis=-1, keepdims=True), [U(2, 3, 4)]),
    # indexing: basic, advanced, repeated (gradients accumulate), boolean, mixed
    ("index_int", lambda a: a[1], lambda a: a[1], [U(3, 4)]),
    ("index_element", lambda a: a[1, -1], lambda a: a[1, -1], [U(3, 4)]),
    ("index_slices", lambda a: a[1:, ::-2], lambda a: a[1:, ::-2], [U(3, 4)]),
    ("index_none_ellipsis", lambda a: a[..., None, 0], lambda a: a[..., None, 0], [U(2, 3, 4)]),
    ("index_list", lambda a: a[[2, 0]], lambda a: a[[2, 0]], [U(3, 4)]),
    ("index_repeated", lambda a: a[[0, 2, 0, 0]], lambda a: a[[0, 2, 0, 0]], [U(3, 4)]),
    ("index_array_2d", lambda a: a[np.array([[0, 1], [1, 1]])],
     lambda a: a[np.array([[0, 1], [1, 1]])], [U(3, 2)]),
    ("index_pairs_repeated", lambda a: a[[0, 0, 2], [1, 1, 3]],
     lambda a: a[[0, 0, 2], [1, 1, 3]], [U(3, 4)]),
    ("index_mixed", lambda a: a[1:, [3, 3, 0]], lambda a: a[1:, [3, 3, 0]], [U(3, 4)]),
    ("index_boolean", lambda a: a[MASK_34], lambda a: a[MASK_34], [U(3, 4)]),
    ("index_boolean_rows", lambda a: a[:, MASK_4], lambda a: a[:, MASK_4], [U(3, 4)]),
    ("index_tensor", lambda a: a[Tensor(np.array([1, 1, 0]))], lambda a: a[[1, 1, 0]],
     [U(3, 2)]),
    ("index_add", lambda g: ops.IndexAdd.apply(g, index=np.array([0, 3, 0]), shape=(4, 2)),
     lambda g: _index_add_reference(g, np.array([0, 3, 0]), (4, 2)), [U(3, 2)]),
    # joining
    ("concatenate_axis0", lambda a, b: ta.concatenate([a, b]), lambda a, b: np.concatenate([a, b]),
     [U(1, 3), U(2, 3)]),
    ("concatenate_three_axis1", lambda a, b, c: ta.concatenate([a, b, c], axis=1),
     lambda a, b, c: np.concatenate([a, b, c], axis=1), [U(2, 1, 3), U(2, 3, 3), U(2, 2, 3)]),
    ("concatenate_last_axis", lambda a, b: ta.concatenate((a, b), axis=-1),
     lambda a, b: np.concatenate((a, b), axis=-1), [U(2, 2), U(2, 3)]),
    ("stack_axis0", lambda a, b: ta.stack([a, b]), lambda a, b: np.stack([a, b]),
     [U(2, 3), U(2, 3)]),
    ("stack_last_axis", lambda a, b, c: ta.stack([a, b, c], axis=-1),
     lambda a, b, c: np.stack([a, b, c], axis=-1), [U(2, 3), U(2, 3), U(2, 3)]),
]


def _index_add_reference(g, index, shape):
    out = np.zeros(shape)
    for i, row in zip(index, g, strict=True):
        out[i] += row
    return out


def _inputs(name, specs, dtype=np.float64):
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # each case its own fixed data
    return [Tensor(s.draw(rng).astype(dtype), requires_grad=True) for s in specs]


PARAMS = [pytest.param(fn, ref, specs, id=name) for name, fn, ref, specs in CASES]


@pytest.mark.parametrize("fn, ref, specs", PARAMS)
def test_forward_matches_numpy(request, fn, ref, specs):
    inputs = _inputs(request.node.callspec.id, specs)
    out = fn(*inputs)
    expected = ref(*[x.data.copy() for x in inputs])
    assert isinstance(out, Tensor)
    assert out.shape == np.shape(expected)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert out.requires_grad


@pytest.mark.parametrize("fn, ref, specs", PARAMS)
def test_gradcheck(request, fn, ref, specs):
    assert ta.gradcheck(fn, _inputs(request.node.callspec.id, specs))


@pytest.mark.parametrize("fn, ref, specs", PARAMS)
def test_gradgradcheck(request, fn, ref, specs):
    assert ta.gradgradcheck(fn, _inputs(request.node.callspec.id, specs))


@pytest.mark.parametrize("fn, ref, specs", PARAMS)
def test_float32_stays_float32(request, fn, ref, specs):
    inputs = _inputs(request.node.callspec.id, specs, dtype=np.float32)
    out = fn(*inputs)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    for x in inputs:
        assert x.grad.dtype == np.float32
        assert x.grad.shape == x.shape


@pytest.mark.parametrize("fn, ref, specs", PARAMS)
def test_no_grad_records_nothing(request, fn, ref, specs):
    inputs = _inputs(request.node.callspec.id, specs)
    with ta.no_grad():
        out = fn(*inputs)
    assert not out.requires_grad
    assert out.is_leaf


# ---- what the generic cases do not pin down ------------------------------------------------
def test_repeated_index_accumulates_gradient():
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 1.0])


def test_repeated_index_with_weights():
    x = Tensor(np.arange(4.0), requires_grad=True)
    (x[[1, 1, 3]] * Tensor([1.0, 10.0, 100.0], dtype="float64")).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 11.0, 0.0, 100.0])


def test_boolean_index_gradient_is_the_mask():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    (x[MASK_34] * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2.0 * MASK_34)


def test_index_add_accumulates_repeated_rows():
    g = Tensor(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    out = ops.IndexAdd.apply(g, index=np.array([0, 3, 0]), shape=(4, 2))
    np.testing.assert_array_equal(out.data, [[6.0, 8.0], [0.0, 0.0], [0.0, 0.0], [3.0, 4.0]])


@pytest.mark.parametrize(
    "reduce, data, expected",
    [
        ("max", [1.0, 3.0, 3.0, 2.0], [0.0, 0.5, 0.5, 0.0]),
        ("min", [1.0, 3.0, 1.0, 1.0], [1 / 3, 0.0, 1 / 3, 1 / 3]),
    ],
)
def test_max_min_share_the_gradient_between_ties(reduce, data, expected):
    x = Tensor(np.array(data), requires_grad=True)
    getattr(x, reduce)().backward()
    np.testing.assert_allclose(x.grad.data, expected)


def test_max_ties_along_an_axis():
    x = Tensor(np.array([[2.0, 2.0], [1.0, 5.0]]), requires_grad=True)
    x.max(axis=1).backward(np.array([1.0, 1.0]))
    np.testing.assert_allclose(x.grad.data, [[0.5, 0.5], [0.0, 1.0]])


@pytest.mark.parametrize("fn", [ta.maximum, ta.minimum])
def test_maximum_minimum_split_ties_in_half(fn):
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 0.0, 5.0]), requires_grad=True)
    fn(a, b).sum().backward()
    if fn is ta.maximum:
        np.testing.assert_array_equal(a.grad.data, [0.5, 1.0, 0.0])
        np.testing.assert_array_equal(b.grad.data, [0.5, 0.0, 1.0])
    else:
        np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 1.0])
        np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.0])


def test_abs_has_zero_gradient_at_zero():
    x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, 0.0, 1.0])


def test_clip_passes_the_gradient_at_its_bounds():
    # As PyTorch's clamp: the bounds themselves count as inside.
    x = Tensor(np.array([-1.0, -0.5, 0.0, 0.7, 1.0]), requires_grad=True)
    x.clip(-0.5, 0.7).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64])
def test_clip_with_one_bound_keeps_the_dtype_and_nan(dtype):
    values = np.array([-3, -1, 0, 2, 5]).astype(dtype)
    for low, high in ((None, 2), (-1, None)):
        out = Tensor(values).clip(low, high).data
        assert out.dtype == dtype
        np.testing.assert_array_equal(out, np.clip(values, low, high))
    if values.dtype.kind == "f":
        assert np.isnan(Tensor(np.array([np.nan], dtype)).clip(max_value=0.0).item())


def test_pow_zero_has_zero_gradient_even_at_zero():
    x = Tensor(np.array([0.0, 2.0]), requires_grad=True)
    with np.errstate(all="raise"):
        (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_pow_exponent_gradient_at_a_zero_base():
    # PyTorch's first derivative: 0 where the base is 0 (its second derivative there is NaN).
    base = Tensor(np.array([0.0, 0.0, 2.0]))
    exponent = Tensor(np.array([2.0, 0.0, 3.0]), requires_grad=True)
    with np.errstate(all="raise"):
        (base**exponent).sum().backward()
    np.testing.assert_allclose(exponent.grad.data, [0.0, 0.0, 8.0 * np.log(2.0)])


def test_logsumexp_is_stable_for_large_and_infinite_inputs():
    with np.errstate(all="raise"):
        big = Tensor(np.array([1000.0, 1000.0]), requires_grad=True)
        out = ta.logsumexp(big)
        out.backward()
        np.testing.assert_allclose(out.item(), 1000.0 + np.log(2.0))
        np.testing.assert_allclose(big.grad.data, [0.5, 0.5])
        assert ta.logsumexp(Tensor(np.array([-np.inf, -np.inf]))).item() == -np.inf
        small = ta.logsumexp(Tensor(np.array([[-1000.0, -1000.0]])), axis=1)
        np.testing.assert_allclose(small.data, [-1000.0 + np.log(2.0)])


def test_cast_converts_and_returns_the_gradient_in_the_input_dtype():
    x = Tensor(np.array([0.3, 1.7]), requires_grad=True)
    y = x.astype("float32")
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, x.data.astype(np.float32))
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.data, 2 * x.data, rtol=1e-6)
    # float32 in the middle: finite differences need a coarse step there.
    assert ta.gradcheck(lambda t: t.astype("float32") * 3.0, [x], eps=1e-2, atol=1e-4)
    assert ta.gradgradcheck(lambda t: t.astype("float32") ** 2, [x], eps=1e-2, atol=1e-3)


def test_cast_of_an_integer_tensor_to_float():
    labels = Tensor(np.array([1, 0, 2]))
    as_float = labels.astype("float32")
    assert as_float.dtype == np.float32
    np.testing.assert_array_equal(as_float.data, [1.0, 0.0, 2.0])


def test_cast_to_integer_cuts_the_graph():
    # An integer tensor cannot carry a gradient, so it must not claim to need one.
    x = Tensor([1.5, 2.5], requires_grad=True)
    rounded = x.astype("int64")
    assert rounded.dtype == np.int64
    assert not rounded.requires_grad


def test_matmul_of_mismatched_shapes_names_both():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        Tensor(np.ones(3)) @ Tensor(np.ones(4))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        Tensor(2.0) @ Tensor(np.ones(2))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ta.concatenate([]), "non-empty"),
        (lambda: ta.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))]),
         r"tensors\[1\] has shape \(2, 4\)"),
        (lambda: ta.stack([Tensor(np.ones(2)), Tensor(np.ones(3))]), r"tensors\[1\] has \(3,\)"),
        (lambda: ta.maximum(Tensor(np.ones(2)), Tensor(np.ones(3))), r"\(2,\), \(3,\)"),
        (lambda: ta.where(np.ones(2), Tensor(np.ones(2)), 0.0), "boolean"),
        (lambda: ta.logsumexp(Tensor(np.ones((0, 2)))), "empty"),
        (lambda: Tensor(np.ones((0, 2))).max(), "empty"),
        (lambda: Tensor(np.ones((2, 3))).sum(axis=2), "out of range"),
        (lambda: Tensor(np.ones((2, 3))).sum(axis=(0, 0)), "repeats"),
        (lambda: Tensor(np.ones((2, 3))).mean(axis=1.0), "axis must be an int"),
        (lambda: Tensor(np.ones((2, 3))).transpose(0, 0), "axes"),
        (lambda: Tensor(np.ones((2, 3))).squeeze(0), "size 2"),
        (lambda: Tensor(np.ones(6)).reshape(4, 2), r"shape \(6,\).*\(4, 2\)"),
        (lambda: Tensor(np.ones((3, 1))).broadcast_to((1, 4)), r"\(3, 1\) to \(1, 4\)"),
        (lambda: Tensor(np.ones((4, 6))).sum_to((6, 4)), r"\(4, 6\).*\(6, 4\)"),
        (lambda: Tensor(np.ones(6)).sum_to((2, 3)), r"\(6,\).*\(2, 3\)"),
        (lambda: Tensor(np.ones(3)).clip(1.0, 0.0), "min_value"),
        (lambda: Tensor(np.ones(3)).clip("0"), "min_value"),
        (lambda: Tensor(np.ones(3)).astype("complex64"), "complex64"),
        (lambda: Tensor(np.ones(3)).astype("not a dtype"), "not a dtype"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_bad_index_raises_index_error_naming_the_shape():
    with pytest.raises(IndexError, match=r"\(3,\)"):
        Tensor(np.ones(3))[5]


# ---- the dtype rules of the functions of several tensors -----------------------------------
@pytest.mark.parametrize(
    "combine",
    [
        lambda i, f: ta.maximum(i, f),
        lambda i, f: ta.minimum(f, i),
        lambda i, f: ta.where(np.array([True, False]), i, f),
        lambda i, f: ta.concatenate([i, f]),
        lambda i, f: ta.stack([f, i]),
        lambda i, f: i + f,
        lambda i, f: f * i,
    ],
)
def test_integer_with_float32_gives_float32(combine):
    integers = Tensor(np.array([1, 2]))
    floats = Tensor([0.5, 1.5])
    assert combine(integers, floats).dtype == np.float32


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t ** np.float64(2.0),
        lambda t: t ** np.float64(1.5),
        lambda t: t.clip(np.float64(0.0), np.float64(2.0)),
        lambda t: t * np.float64(0.5),
        lambda t: ta.maximum(t, np.float64(0.5)),
    ],
)
def test_numpy_float64_scalars_do_not_upcast_float32(op):
    assert op(Tensor([0.5, 1.5])).dtype == np.float32


# ---- properties of broadcasting and un-broadcasting ----------------------------------------
def _unbroadcast(array, shape):
    """Reference un-broadcasting, written independently of the engine."""
    while array.ndim > len(shape):
        array = array.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and array.shape[axis] != 1:
            array = array.sum(axis=axis, keepdims=True)
    return array


def _array(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


BINARY = {
    "add": (lambda a, b: a + b, lambda a, b, g: (g, g)),
    "sub": (lambda a, b: a - b, lambda a, b, g: (g, -g)),
    "mul": (lambda a, b: a * b, lambda a, b, g: (g * b, g * a)),
    "div": (lambda a, b: a / b, lambda a, b, g: (g / b, -g * a / b**2)),
    "maximum": (ta.maximum, lambda a, b, g: (g * (a > b), g * (b > a))),
    "where": (lambda a, b: ta.where(a.data > 0, a, b), lambda a, b, g: (g * (a > 0), g * (a <= 0))),
}


@pytest.mark.parametrize("name", BINARY)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
       seed=st.integers(0, 2**16))
def test_binary_gradients_are_summed_back_to_each_operand(name, shapes, seed):
    fn, rule = BINARY[name]
    a_shape, b_shape = shapes.input_shapes
    a_data = _array(a_shape, seed)
    b_data = _array(b_shape, seed + 1) + 3.0  # away from 0 for div; maximum ties impossible
    a = Tensor(a_data, requires_grad=True)
    b = Tensor(b_data, requires_grad=True)
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    g = _array(shapes.result_shape, seed + 2)
    out.backward(g)
    a_full, b_full = np.broadcast_arrays(a_data, b_data)
    expected_a, expected_b = rule(a_full, b_full, g)
    assert a.grad.shape == a_shape and b.grad.shape == b_shape
    np.testing.assert_allclose(a.grad.data, _unbroadcast(expected_a, a_shape), rtol=1e-10)
    np.testing.assert_allclose(b.grad.data, _unbroadcast(expected_b, b_shape), rtol=1e-10)


@st.composite
def _shape_and_broadcast_target(draw):
    """A target shape, and a shape that broadcasts to it: some trailing axes of the target,
    some of them replaced by 1."""
    target = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    kept = draw(st.integers(0, len(target)))
    ones = draw(st.lists(st.booleans(), min_size=kept, max_size=kept))
    tail = target[len(target) - kept :]
    shape = tuple(1 if one else n for one, n in zip(ones, tail, strict=True))
    return shape, target


@given(shapes=_shape_and_broadcast_target(), seed=st.integers(0, 2**16))
def test_sum_to_is_the_adjoint_of_broadcast_to(shapes, seed):
    # <broadcast_to(x), y> == <x, sum_to(y)>: the two are transposes of each other, which is
    # why each one's backward is the other.
    shape, target = shapes
    x = _array(shape, seed)
    y = _array(target, seed + 1)
    broadcast = Tensor(x).broadcast_to(target)
    summed = Tensor(y).sum_to(shape)
    assert broadcast.shape == target and summed.shape == shape
    np.testing.assert_allclose(np.sum(broadcast.data * y), np.sum(x * summed.data), rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(summed.data, _unbroadcast(y, shape), rtol=1e-10, atol=1e-12)


@given(shapes=_shape_and_broadcast_target(), seed=st.integers(0, 2**16))
def test_sum_to_of_broadcast_to_multiplies_by_the_copies(shapes, seed):
    shape, target = shapes
    x = _array(shape, seed)
    copies = int(np.prod(target)) // max(1, int(np.prod(shape)))
    result = Tensor(x).broadcast_to(target).sum_to(shape)
    np.testing.assert_allclose(result.data, x * copies, rtol=1e-12)


@given(shapes=_shape_and_broadcast_target(), seed=st.integers(0, 2**16))
def test_broadcast_to_gradient_is_sum_to(shapes, seed):
    shape, target = shapes
    x = Tensor(_array(shape, seed), requires_grad=True)
    g = _array(target, seed + 1)
    x.broadcast_to(target).backward(g)
    np.testing.assert_allclose(x.grad.data, _unbroadcast(g, shape), rtol=1e-10, atol=1e-12)


@given(
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
    target=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
)
def test_sum_to_refuses_shapes_that_do_not_broadcast(shape, target):
    source = Tensor(np.zeros(shape))
    try:
        fits = np.broadcast_shapes(target, shape) == shape
    except ValueError:
        fits = False
    if fits:
        assert source.sum_to(target).shape == target
    else:
        with pytest.raises(ValueError, match="sum_to"):
            source.sum_to(target)


GRADCHECKED_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": ta.maximum,
    "minimum": ta.minimum,
    "where": lambda a, b: ta.where(a.data > 1.25, a, b),
}


@pytest.mark.parametrize("name", GRADCHECKED_BINARY)
@settings(max_examples=10)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_gradcheck_on_random_broadcasting_shapes(name, shapes, seed):
    a_shape, b_shape = shapes.input_shapes
    rng = np.random.default_rng(seed)
    # a in [0.5, 1], b in [1.5, 2]: positive for pow, apart for maximum and minimum
    a = Tensor(rng.uniform(0.5, 1.0, a_shape), requires_grad=True)
    b = Tensor(rng.uniform(1.5, 2.0, b_shape), requires_grad=True)
    fn = GRADCHECKED_BINARY[name]
    assert ta.gradcheck(fn, [a, b])
    assert ta.gradgradcheck(fn, [a, b])


@st.composite
def _shape_and_axis(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    axis = draw(st.none() | st.integers(-len(shape), len(shape) - 1)
                | hnp.valid_tuple_axes(len(shape), min_size=1))
    return shape, axis


REDUCTIONS = {
    "sum": (lambda t, axis, keep: t.sum(axis=axis, keepdims=keep), np.sum),
    "mean": (lambda t, axis, keep: t.mean(axis=axis, keepdims=keep), np.mean),
    "max": (lambda t, axis, keep: t.max(axis=axis, keepdims=keep), np.max),
    "min": (lambda t, axis, keep: t.min(axis=axis, keepdims=keep), np.min),
    "logsumexp": (
        lambda t, axis, keep: ta.logsumexp(t, axis=axis, keepdims=keep),
        lambda a, axis, keepdims: np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims)),
    ),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@settings(max_examples=15)
@given(shape_axis=_shape_and_axis(), keepdims=st.booleans(), seed=st.integers(0, 2**16))
def test_reductions_on_random_shapes_and_axes(name, shape_axis, keepdims, seed):
    shape, axis = shape_axis
    fn, reference = REDUCTIONS[name]
    x = Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)
    out = fn(x, axis, keepdims)
    np.testing.assert_allclose(out.data, reference(x.data, axis=axis, keepdims=keepdims),
                               rtol=1e-12)
    assert ta.gradcheck(lambda t: fn(t, axis, keepdims), [x])


@pytest.mark.parametrize("fn, ref, specs", PARAMS)
def test_graph_is_freed_by_reference_counting(request, fn, ref, specs):
    # No primitive may create a reference cycle: with the garbage collector off, dropping the
    # result frees the whole graph, before and after backward.
    inputs = _inputs(request.node.callspec.id, specs)
    gc.disable()
    try:
        out = fn(*inputs)
        out_ref = weakref.ref(out)
        ctx_ref = weakref.ref(out._ctx)
        out.backward(np.ones(out.shape))
        del out
        assert out_ref() is None and ctx_ref() is None
    finally:
        gc.enable()
