"""The Tensor's vocabulary with numpy's names: each operation equals numpy's and is checked
by gradcheck and gradgradcheck in float64 (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Tensor

RNG = np.random.default_rng(0)
X = RNG.uniform(-2, 2, (3, 4))
POSITIVE = RNG.uniform(0.5, 2, (3, 4))

CASES = [
    ("var", lambda t: t.var(), lambda a: a.var(), X),
    ("var axis ddof", lambda t: t.var(axis=1, ddof=1), lambda a: a.var(axis=1, ddof=1), X),
    ("std", lambda t: t.std(axis=0, keepdims=True), lambda a: a.std(axis=0, keepdims=True), X),
    ("prod", lambda t: t.prod(), lambda a: a.prod(), X),
    ("prod axis", lambda t: t.prod(axis=1), lambda a: a.prod(axis=1), X),
    ("prod axes keepdims", lambda t: t.prod(axis=(0, 1), keepdims=True),
     lambda a: a.prod(axis=(0, 1), keepdims=True), X),
    ("cumsum", lambda t: t.cumsum(), lambda a: a.cumsum(), X),
    ("cumsum axis", lambda t: t.cumsum(axis=0), lambda a: a.cumsum(axis=0), X),
    ("log1p", lambda t: t.log1p(), np.log1p, POSITIVE),
    ("expm1", lambda t: t.expm1(), np.expm1, X),
    ("sin", lambda t: t.sin(), np.sin, X),
    ("cos", lambda t: t.cos(), np.cos, X),
    ("norm", lambda t: t.norm(), lambda a: np.linalg.norm(a), X),
    ("norm axis", lambda t: t.norm(axis=1), lambda a: np.linalg.norm(a, axis=1), X),
    ("norm 1", lambda t: t.norm(ord=1, axis=0), lambda a: np.linalg.norm(a, ord=1, axis=0), X),
    ("norm 3", lambda t: t.norm(ord=3, axis=1), lambda a: np.linalg.norm(a, ord=3, axis=1), X),
    ("norm inf", lambda t: t.norm(ord=np.inf, axis=1),
     lambda a: np.linalg.norm(a, ord=np.inf, axis=1), X),
]


@pytest.mark.parametrize("name, op, reference, data", CASES, ids=[c[0] for c in CASES])
def test_equals_numpy(name, op, reference, data):
    np.testing.assert_allclose(op(Tensor(data)).data, reference(data), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, op, reference, data", CASES, ids=[c[0] for c in CASES])
def test_first_and_second_derivatives(name, op, reference, data):
    x = Tensor(data.copy(), requires_grad=True)
    assert ta.gradcheck(op, [x])
    assert ta.gradgradcheck(op, [x])


def test_prod_gradient_is_right_where_an_element_is_zero():
    x = Tensor(np.array([2.0, 0.0, 3.0, 0.5, 4.0]), requires_grad=True)
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 12.0, 0.0, 0.0, 0.0])
    y = Tensor(np.array([2.0, 0.0, 3.0]), requires_grad=True)
    assert ta.gradgradcheck(lambda t: t.prod(), [y])


def test_prod_of_an_empty_axis_is_one():
    np.testing.assert_array_equal(Tensor(np.ones((2, 0))).prod(axis=1).data, [1.0, 1.0])


def test_argmax_and_argmin_carry_no_gradient():
    x = Tensor(X, requires_grad=True)
    assert x.argmax().item() == np.argmax(X)
    np.testing.assert_array_equal(x.argmin(axis=1).data, np.argmin(X, axis=1))
    np.testing.assert_array_equal(x.argmax(axis=0, keepdims=True).data,
                                  np.argmax(X, axis=0, keepdims=True))
    assert not x.argmax().requires_grad and x.argmax().dtype.kind == "i"


def test_creation_functions():
    assert ta.zeros((2, 3)).dtype == np.float32 and ta.zeros((2, 3)).shape == (2, 3)
    assert ta.ones(4, dtype="float64").data.tolist() == [1.0] * 4
    like = Tensor(np.ones((2, 2), dtype=np.float64))
    assert ta.zeros_like(like).dtype == np.float64 and ta.ones_like(like).data.sum() == 4
    assert ta.ones((2,), requires_grad=True).requires_grad
    np.testing.assert_array_equal(ta.arange(5).data, np.arange(5))
    np.testing.assert_allclose(ta.arange(0.0, 1.0, 0.25).data, [0, 0.25, 0.5, 0.75])
    assert ta.arange(0.0, 1.0, 0.25).dtype == np.float32


def test_randn_is_seeded_by_set_seed():
    ta.set_seed(3)
    a = ta.randn(2, 3)
    ta.set_seed(3)
    b = ta.randn((2, 3))
    np.testing.assert_array_equal(a.data, b.data)
    assert a.shape == (2, 3) and a.dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda: Tensor(X).var(ddof=12), "ddof"),
    (lambda: Tensor(X).norm(ord="nuc"), "ord"),
    (lambda: Tensor(X).argmax(axis=(0, 1)), "axis"),
    (lambda: Tensor(np.ones(0)).argmax(), "empty"),
    (lambda: ta.zeros((2, -1)), "shape"),
    (lambda: ta.arange(0, 5, 0), "step"),
    (lambda: ta.arange(0, float("inf")), "stop"),
    (lambda: ta.randn(2, dtype="int32"), "float"),
])
def test_bad_arguments(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()
