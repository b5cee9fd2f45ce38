"""Tests of the activations' numerics at the edges of the float range (issue 13): float16,
the dtype's largest numbers, +-inf, and logits far apart for sparsemax. Each gives the
right limit, without NaN and without a warning, and a finite gradient where the limit of
the derivative exists."""

import warnings

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Tensor
from tinygrad_acts.activations import (
    gelu,
    hard_silu,
    hard_swish,
    mish,
    selu,
    silu,
    softsign,
    sparsemax,
    squareplus,
)

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
DTYPES = ["float16", "float32", "float64"]


@pytest.fixture(autouse=True)
def strict_numerics():
    """Every warning an error, and every floating point problem but underflow raised."""
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        yield


def value_and_gradient(fn, x, dtype, **params):
    t = Tensor(np.asarray(x, dtype=dtype), requires_grad=True)
    out = fn(t, **params)
    out.backward(np.ones(out.shape, dtype=dtype))
    assert out.dtype == dtype and t.grad.dtype == dtype
    return out.data, t.grad.data


@pytest.mark.parametrize("dtype", DTYPES)
def test_mish_in_every_dtype(dtype):
    x = np.concatenate([np.linspace(-20, 20, 161), [-1e4, 1e4]]).astype(dtype)
    x = np.concatenate([x, [np.finfo(dtype).min, np.finfo(dtype).max]]).astype(dtype)
    out, grad = value_and_gradient(mish, x, dtype)
    x64 = x.astype(np.float64)
    softplus = np.logaddexp(x64, 0)
    t = np.tanh(softplus)
    want = x64 * t
    with np.errstate(over="ignore"):  # (in the reference: e^-x overflows, 1 / inf = 0)
        sigmoid = 1 / (1 + np.exp(-x64))
    want_grad = t + x64 * (1 - t * t) * sigmoid
    tol = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}[dtype]
    np.testing.assert_allclose(out, want.astype(dtype), rtol=tol, atol=tol)
    np.testing.assert_allclose(grad, want_grad, rtol=4 * tol, atol=4 * tol)


def test_float16_squareplus_far_left():
    out, grad = value_and_gradient(squareplus, [-1000.0, -100.0, 1000.0, -65504.0], "float16")
    x = np.array([-1000.0, -100.0, 1000.0, -65504.0])
    want = (x + np.sqrt(x * x + 4)) / 2
    np.testing.assert_allclose(out, want, rtol=2e-3)
    assert out[0] == pytest.approx(0.001, rel=2e-3)
    np.testing.assert_allclose(grad, (1 + x / np.sqrt(x * x + 4)) / 2, rtol=5e-3, atol=1e-7)


@pytest.mark.parametrize("dtype, large", [("float32", 1e30), ("float32", 3e38),
                                          ("float16", 1000.0), ("float16", 65504.0),
                                          ("float64", 1e300)])
def test_softsign_backward_does_not_overflow(dtype, large):
    out, grad = value_and_gradient(softsign, [-large, large, 0.5], dtype)
    x = np.array([-large, large, 0.5])
    np.testing.assert_allclose(out, x / (1 + np.abs(x)), rtol=1e-3)
    np.testing.assert_allclose(grad, (1 / (1 + np.abs(x))) ** 2, rtol=1e-3, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_selu_at_the_dtypes_largest_numbers(dtype):
    largest = np.finfo(dtype).max
    out, grad = value_and_gradient(selu, [largest, -largest], dtype)
    # scale * largest is beyond the range: inf, as PyTorch gives, with the slope's limits
    assert out[0] == np.inf
    np.testing.assert_allclose(out[1], -SELU_SCALE * SELU_ALPHA, rtol=1e-3)
    np.testing.assert_allclose(grad, [SELU_SCALE, 0.0], rtol=1e-3)


@pytest.mark.parametrize("dtype, large", [("float32", 1e8), ("float32", 3e7),
                                          ("float64", 1e16), ("float16", 3e3)])
def test_sparsemax_of_a_large_logit(dtype, large):
    out, grad = value_and_gradient(sparsemax, [[large, 0.0, 1.0], [0.0, large, -large]], dtype)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(grad, np.zeros((2, 3)))
    x = Tensor(np.array([large, 0.0, 1.0], dtype=dtype), requires_grad=True)
    sparsemax(x).backward(np.array([3.0, 1.0, 2.0], dtype=dtype))
    np.testing.assert_array_equal(x.grad.data, [0, 0, 0])  # one-hot: a flat neighbourhood


GATED = [
    ("gelu", gelu, {}),
    ("gelu_tanh", gelu, {"approximate": True}),
    ("silu", silu, {}),
    ("mish", mish, {}),
    ("hard_silu", hard_silu, {}),
    ("hard_swish", hard_swish, {}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, fn, params", GATED, ids=[g[0] for g in GATED])
def test_gated_activations_at_infinity(name, fn, params, dtype):
    out, grad = value_and_gradient(fn, [-np.inf, np.inf], dtype, **params)
    np.testing.assert_array_equal(out, [0.0, np.inf])
    np.testing.assert_array_equal(grad, [0.0, 1.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_softsign_at_infinity(dtype):
    out, grad = value_and_gradient(softsign, [-np.inf, np.inf], dtype)
    np.testing.assert_array_equal(out, [-1.0, 1.0])
    np.testing.assert_array_equal(grad, [0.0, 0.0])


@pytest.mark.parametrize("name, fn, params", GATED, ids=[g[0] for g in GATED])
def test_second_derivatives_at_infinity_are_finite(name, fn, params):
    x = Tensor(np.array([-np.inf, np.inf]), requires_grad=True)
    (first,) = ta.grad(fn(x, **params).sum(), x, create_graph=True)
    (second,) = ta.grad(first.sum(), x)
    np.testing.assert_array_equal(second.data, [0.0, 0.0])
