"""gradcheck catches what PyTorch's catches (issue 13): a non-deterministic backward, a
backward that ignores the incoming gradient's scale, and an output whose shape or dtype
changes when an input is nudged."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Function, Tensor

RNG = np.random.default_rng(0)


class NoisyBackward(Function):
    """x * 2, whose backward adds noise far below the tolerance: only a repeat shows it."""

    def forward(ctx, a):
        return 2 * a

    def backward(ctx, grad):
        return grad * 2.0 + Tensor(RNG.standard_normal(grad.shape) * 1e-9)


class IgnoresGrad(Function):
    """x^2 summed, whose backward forgets the incoming gradient: right when seeded with 1."""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (a * a).sum()

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return a * 2.0


def test_a_non_deterministic_backward_is_caught():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(ta.GradcheckError, match="not deterministic"):
        ta.gradcheck(NoisyBackward.apply, [x])


def test_a_backward_that_ignores_the_incoming_gradient_is_caught():
    x = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    with pytest.raises(ta.GradcheckError, match="random grad_output"):
        ta.gradcheck(IgnoresGrad.apply, [x])


def test_an_output_that_changes_shape_under_the_nudge_is_caught():
    def shape_shifter(t):
        return t * 2.0 if t.data[0] == 1.0 else (t * 2.0).sum(axis=0, keepdims=True)

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(ta.GradcheckError, match="changed from shape"):
        ta.gradcheck(shape_shifter, [x])


def test_an_output_that_changes_dtype_under_the_nudge_is_caught():
    def dtype_shifter(t):
        return t * 2.0 if t.data[0] == 1.0 else (t * 2.0).astype("float32")

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(ta.GradcheckError, match="float32"):
        ta.gradcheck(dtype_shifter, [x])
