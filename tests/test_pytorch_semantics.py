"""The engine follows PyTorch 2 where it had differed without a reason (issue 13), and the
backward pass changes nothing when it fails."""

from __future__ import annotations

import asyncio
import gc
import weakref

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Function, Tensor


def leaf(*values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


# ---- pow at a = 0 ------------------------------------------------------------------------


def test_pow_with_a_tensor_exponent_has_pytorchs_gradient_at_zero():
    x = Tensor(np.zeros(3), requires_grad=True)
    (x ** Tensor(np.array([0.0, 1.0, 2.0]))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0])


def test_pow_exponent_gradient_at_zero_base():
    base = Tensor(np.zeros(3))
    b = leaf(-1.0, 0.0, 2.0)
    with np.errstate(divide="ignore"):
        y = (base**b).sum()  # 0 ** -1 = inf
    with np.errstate(all="raise"):  # the backward pass warns of nothing
        y.backward()
    np.testing.assert_array_equal(b.grad.data, [-np.inf, 0.0, 0.0])


def test_pow_is_still_right_away_from_zero():
    a, b = leaf(0.5, 1.5, 2.0), leaf(-1.0, 0.5, 3.0)
    assert ta.gradcheck(lambda a, b: a**b, [a, b])
    assert ta.gradgradcheck(lambda a, b: a**b, [a, b])


# ---- create_graph: clearing the leaves' grads frees the graph ------------------------------


def test_clearing_a_leafs_grad_after_create_graph_frees_the_graph():
    gc.disable()
    try:
        x = leaf(1.0, 2.0)
        d = x * 3.0
        alive = weakref.ref(d)
        y = (d * d).sum()
        y.backward(create_graph=True)
        assert x.grad.requires_grad  # a leaf's grad is differentiable
        assert not d.grad.requires_grad  # an intermediate's is its value only
        del y, d
        x.grad = None
        assert alive() is None
    finally:
        gc.enable()


def test_a_leafs_grad_after_create_graph_differentiates_again():
    x = leaf(3.0)
    (x**3).sum().backward(create_graph=True)
    (g,) = ta.grad(x.grad.sum(), x)
    assert g.item() == pytest.approx(18.0)  # d/dx 3x^2 = 6x


# ---- a second backward -------------------------------------------------------------------


def test_second_backward_works_where_nothing_saved_is_needed():
    x = leaf(1.0, 2.0, 3.0)
    y = (x + 1.0).reshape(3, 1)[[0, 2]].sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 0.0, 2.0])


def test_second_backward_names_retain_graph_and_changes_no_grad():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    y.backward()
    before = x.grad.data.copy()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad.data, before)


def test_repeated_grad_over_one_loss_works_shard_by_shard():
    shards = [leaf(1.0, 2.0), leaf(3.0), leaf(-1.0, 0.5)]
    loss = sum((s * s).sum() for s in shards)
    grads = [ta.grad(loss, s)[0] for s in shards]
    for s, g in zip(shards, grads, strict=True):
        np.testing.assert_allclose(g.data, 2 * s.data)


def test_grad_with_no_inputs_raises():
    x = leaf(1.0)
    with pytest.raises(ValueError, match="inputs is empty"):
        ta.grad(x * 2.0, [])


def test_a_backward_may_return_extra_trailing_nones():
    class Twice(Function):
        def forward(ctx, a):
            return 2 * a

        def backward(ctx, grad):
            return grad * 2.0, None, None

    x = leaf(1.0, 2.0)
    Twice.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_a_backward_returning_a_gradient_too_many_raises():
    class Wrong(Function):
        def forward(ctx, a):
            return a

        def backward(ctx, grad):
            return grad, grad

    with pytest.raises(RuntimeError, match="returned 2 gradients for 1 inputs"):
        Wrong.apply(leaf(1.0)).sum().backward()


def test_requires_grad_false_on_a_non_leaf_raises():
    y = leaf(1.0) * 2.0
    with pytest.raises(ValueError, match="leaf"):
        y.requires_grad_(False)
    assert y.requires_grad


# ---- grad-mode decorators ----------------------------------------------------------------


@pytest.mark.parametrize("decorator", [ta.no_grad, ta.no_grad()])
def test_no_grad_decorates_with_and_without_parentheses(decorator):
    @decorator
    def f():
        return ta.is_grad_enabled()

    assert f() is False and ta.is_grad_enabled()


def test_decorated_generators_run_in_the_decorators_mode():
    @ta.no_grad
    def numbers():
        received = yield ta.is_grad_enabled()
        yield (received, ta.is_grad_enabled())
        return "done"

    gen = numbers()
    assert next(gen) is False
    assert ta.is_grad_enabled()  # between steps, the caller's mode
    assert gen.send(7) == (7, False)
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done"


def test_decorated_coroutines_run_in_the_decorators_mode():
    @ta.enable_grad
    async def inside():
        await asyncio.sleep(0)
        return ta.is_grad_enabled()

    with ta.no_grad():
        assert asyncio.run(inside()) is True
        assert not ta.is_grad_enabled()


# ---- broadcasting errors name the operation and both shapes ------------------------------


@pytest.mark.parametrize("op, name", [(lambda a, b: a + b, "add"), (lambda a, b: a * b, "mul"),
                                      (lambda a, b: a - b, "sub"), (lambda a, b: a / b, "div")])
def test_shapes_that_do_not_broadcast_are_named(op, name):
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones(4))
    with pytest.raises(ValueError, match=rf"{name}: shapes \(2, 3\), \(4,\) do not broadcast"):
        op(a, b)


# ---- a failing backward changes no .grad --------------------------------------------------


def test_a_backward_that_fails_midway_changes_no_grad():
    class Misfit(Function):
        def forward(ctx, a):
            return a.sum()

        def backward(ctx, grad):
            return grad.reshape(1)  # the wrong shape

    x = leaf(1.0, 2.0)
    y = x * 2.0
    with pytest.raises(RuntimeError, match="shape"):
        (Misfit.apply(y) + y.sum()).backward()
    assert x.grad is None and y.grad is None
