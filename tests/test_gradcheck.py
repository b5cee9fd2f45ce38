"""ta.gradcheck and ta.gradgradcheck: PyTorch's algorithm (central differences, one backward
per output element) and defaults, their errors and warnings, the mismatch table, and the
point of gradgradcheck: a backward that is right to first order but not differentiable."""

import inspect
import warnings

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Function, Tensor


def _x(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


class Sin(Function):
    """sin(x), with the right backward: grad * cos(x) in Tensor operations.

    (cos(x) = sin(x + pi/2), so the backward is built from Sin itself.)"""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Sin.apply(x + np.pi / 2)


class SinWithNumpyBackward(Function):
    """sin(x) whose backward multiplies by cos(x) computed with numpy: right values, but a
    constant to the graph, so the second derivative comes out 0 instead of -sin(x)."""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Tensor(np.cos(x.data))


class WrongSquare(Function):
    """x^2 with a wrong derivative (3x instead of 2x)."""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x * 3.0


def test_defaults_are_pytorchs():
    for fn in (ta.gradcheck, ta.gradgradcheck):
        params = inspect.signature(fn).parameters
        assert params["eps"].default == 1e-6
        assert params["atol"].default == 1e-5
        assert params["rtol"].default == 1e-3
        assert params["raise_exception"].default is True


def test_a_right_gradient_passes():
    x = _x(0.3, -1.2, 2.0)
    assert ta.gradcheck(lambda t: (t * t.exp()).sum(), [x]) is True
    assert ta.gradcheck(Sin.apply, x) is True  # a single Tensor works as well as a list


def test_several_inputs_outputs_and_constant_arguments():
    a = Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    b = Tensor(np.random.default_rng(1).standard_normal(3), requires_grad=True)
    const = Tensor(np.array([1.0, 2.0, 3.0]))  # does not require grad: not checked

    def fn(a, b, const, power):
        return (a * b) ** power, (a + const).sum(axis=0)

    assert ta.gradcheck(fn, [a, b, const, 2])
    assert ta.gradgradcheck(fn, [a, b, const, 2])


def test_inputs_are_left_unchanged():
    x = _x(0.3, -1.2)
    before = x.data.copy()
    ta.gradcheck(lambda t: (t**3).sum(), [x])
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None  # gradcheck uses ta.grad, which touches no .grad


def test_a_non_contiguous_input():
    # x.data.reshape(-1) of a transposed array is a copy: nudging it would change nothing.
    data = np.random.default_rng(0).standard_normal((3, 2)).T
    x = Tensor(data, requires_grad=True)
    assert not x.data.flags.c_contiguous
    assert ta.gradcheck(lambda t: (t * t * np.arange(3.0)).sum(), [x])


def test_uses_central_differences():
    # f = x^3 at x = 1 with eps = 1e-3: the central difference is 3 + eps^2 = 3.000001, a
    # one-sided one would be 3.003. Only the central one passes a 1e-5 relative tolerance.
    x = _x(1.0)
    assert ta.gradcheck(lambda t: t**3, [x], eps=1e-3, atol=0.0, rtol=1e-5)
    assert not ta.gradcheck(lambda t: t**3, [x], eps=1e-3, atol=0.0, rtol=1e-7,
                            raise_exception=False)


def test_a_wrong_gradient_raises_with_a_readable_table():
    x = Tensor(np.array([[1.0, 2.0], [3.0, -4.0]]), requires_grad=True)
    with pytest.raises(ta.GradcheckError) as info:
        ta.gradcheck(WrongSquare.apply, [x])
    message = str(info.value)
    assert "output 0 with respect to input 0" in message
    assert "4 of 16 Jacobian entries differ" in message
    for column in ("output index", "input index", "numerical", "analytical", "abs error"):
        assert column in message
    # the worst entry comes first: at x = -4, numerical -8, analytical -12
    first_row = message.splitlines()[2].split()
    assert first_row[:4] == ["(1,", "1)", "(1,", "1)"]
    assert float(first_row[4]) == pytest.approx(-8.0) and float(first_row[5]) == -12.0
    assert isinstance(info.value, RuntimeError)  # a library error class, like PyTorch's


def test_raise_exception_false_returns_false():
    assert ta.gradcheck(WrongSquare.apply, [_x(1.0, 2.0)], raise_exception=False) is False


def test_the_input_position_counts_every_argument():
    a, b = _x(1.0), _x(2.0)
    with pytest.raises(ta.GradcheckError, match="with respect to input 2"):
        ta.gradcheck(lambda a, k, b: a * k + WrongSquare.apply(b), [a, 3.0, b])


def test_the_table_is_cut_after_ten_rows():
    with pytest.raises(ta.GradcheckError, match="and 2 more"):
        ta.gradcheck(WrongSquare.apply, [Tensor(np.arange(1.0, 13.0), requires_grad=True)])


def test_float32_inputs_warn():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="float32"):
        ta.gradcheck(lambda t: t * 2.0, [x], eps=1e-2, atol=1e-3)


def test_float64_inputs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ta.gradcheck(lambda t: t * 2.0, [_x(1.0)])


@pytest.mark.parametrize("check", [ta.gradcheck, ta.gradgradcheck])
def test_no_input_requiring_grad_is_a_value_error(check):
    with pytest.raises(ValueError, match="requires_grad=True"):
        check(lambda t: t * 2.0, [Tensor(np.array([1.0]))])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"eps": 0}, ValueError, "eps must be positive"),
        ({"eps": -1e-6}, ValueError, "eps.*-1e-06"),
        ({"atol": -1.0}, ValueError, "atol.*-1.0"),
        ({"rtol": "big"}, ValueError, "rtol.*'big'"),
    ],
)
def test_bad_tolerances(kwargs, error, message):
    with pytest.raises(error, match=message):
        ta.gradcheck(lambda t: t * 2.0, [_x(1.0)], **kwargs)


@pytest.mark.parametrize("check", [ta.gradcheck, ta.gradgradcheck])
def test_fn_must_be_callable_and_return_tensors(check):
    with pytest.raises(TypeError, match="callable.*int"):
        check(3, [_x(1.0)])
    with pytest.raises(TypeError, match="output 1 is ndarray"):
        check(lambda t: (t, t.data), [_x(1.0)])


def test_an_output_that_does_not_depend_on_the_inputs():
    x = _x(1.0, 2.0)
    assert ta.gradcheck(lambda t: (t * 2.0, Tensor(np.ones(2))), [x])


# ---- gradgradcheck -------------------------------------------------------------------------
def test_gradgradcheck_passes_a_differentiable_backward():
    x = _x(0.3, -1.2, 2.0)
    assert ta.gradgradcheck(Sin.apply, [x])
    assert ta.gradgradcheck(lambda t: (t**3).sum(), [x])


def test_gradgradcheck_catches_a_backward_written_with_numpy():
    x = _x(0.3, -1.2, 2.0)
    assert ta.gradcheck(SinWithNumpyBackward.apply, [x])  # right to first order
    with pytest.raises(ta.GradcheckError, match="Jacobian mismatch"):
        ta.gradgradcheck(SinWithNumpyBackward.apply, [x])
    assert ta.gradgradcheck(SinWithNumpyBackward.apply, [x], raise_exception=False) is False


def test_gradgradcheck_with_given_grad_outputs():
    x = _x(0.5, 1.5)
    g = Tensor(np.array([2.0, -1.0]), requires_grad=True)
    assert ta.gradgradcheck(lambda t: t**3, [x], grad_outputs=[g])
    with pytest.raises(ValueError, match=r"one entry per output \(1\), received 2"):
        ta.gradgradcheck(lambda t: t**3, [x], grad_outputs=[g, g])


def test_gradgradcheck_of_a_linear_function():
    # The first derivative does not depend on x at all: its Jacobian in x is zero.
    x = _x(0.5, 1.5)
    assert ta.gradgradcheck(lambda t: t * 3.0 + 1.0, [x])
