"""The Tensor contract (DESIGN.md): construction and the dtype policy, printing, numpy
interoperation, bad input, and backward's semantics: reused nodes, accumulation, freed
buffers and retain_graph, grad modes, ta.grad, higher derivatives, memory and long chains."""

import gc
import threading
import weakref

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Function, Tensor


# ---- construction and the dtype policy -----------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [3, 2.5, True, [1, 2, 3], [[1, 2], [3, 4]], (1, 2.5), [[True, False]]],
    ids=["int", "float", "bool", "int list", "nested int list", "tuple", "bool list"],
)
def test_python_numbers_and_lists_become_floatx(data):
    t = Tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.array(data, dtype=np.float32))


def test_set_floatx_changes_the_type_of_python_data():
    ta.set_floatx("float64")
    assert ta.floatx() == "float64"
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(1.0).dtype == np.float64
    ta.set_floatx("float16")
    assert Tensor([1.0]).dtype == np.float16


@pytest.mark.parametrize("bad", ["float8", "int32", 32, None])
def test_set_floatx_rejects_other_values(bad):
    with pytest.raises(ValueError, match="float16.*float32.*float64"):
        ta.set_floatx(bad)
    assert ta.floatx() == "float32"


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64, bool])
def test_numpy_arrays_keep_their_dtype(dtype):
    array = np.arange(4).astype(dtype)
    assert Tensor(array).dtype == dtype


def test_numpy_scalar_keeps_its_dtype():
    assert Tensor(np.float64(2.0)).dtype == np.float64
    assert Tensor(np.int64(2)).dtype == np.int64


def test_dtype_argument_converts():
    assert Tensor([1, 2], dtype="float64").dtype == np.float64
    assert Tensor([1, 2], dtype=np.int32).dtype == np.int32
    assert Tensor(np.ones(2), dtype="float32").dtype == np.float32


def test_tensor_of_a_tensor_shares_the_data():
    a = Tensor(np.ones(3))
    b = Tensor(a)
    assert b.data is a.data


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda t: t * 0.5, np.float32),
        (lambda t: 0.5 * t, np.float32),
        (lambda t: t + 1, np.float32),
        (lambda t: 2 - t, np.float32),
        (lambda t: t / 3.0, np.float32),
        (lambda t: t**2, np.float32),
        (lambda t: 2.0**t, np.float32),
    ],
)
def test_python_scalar_operand_takes_the_tensor_dtype(make, expected):
    assert make(Tensor([1.0, 2.0])).dtype == expected
    assert make(Tensor(np.array([1.0, 2.0]))).dtype == np.float64
    assert make(Tensor(np.array([1.0, 2.0], dtype=np.float16))).dtype == np.float16


def test_integer_tensors_and_their_promotion():
    labels = Tensor(np.array([1, 2, 3]))
    assert labels.dtype == np.int64
    assert (labels + 1).dtype == np.int64  # an int scalar keeps ints
    assert (labels * 2).dtype == np.int64
    assert (labels * 0.5).dtype == np.float32  # a float scalar gives floatx
    assert (labels + Tensor([1.0, 2.0, 3.0])).dtype == np.float32  # int with float32: float32
    assert (Tensor(np.array([1.0, 2.0, 3.0])) * labels).dtype == np.float64
    np.testing.assert_array_equal((labels * 0.5).data, [0.5, 1.0, 1.5])


def test_mixed_integer_and_float_gradients_flow_to_the_float_tensor():
    labels = Tensor(np.array([1, 2, 3]))
    w = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    (w * labels).sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.data, [1.0, 2.0, 3.0])


# ---- what it is, printing, numpy -----------------------------------------------------------
def test_repr_reads_like_tensorflow():
    t = Tensor([1.0, -0.1, 1.5, 2.0])
    assert repr(t) == "Tensor([ 1.  -0.1  1.5  2. ], shape=(4,), dtype=float32)"
    assert str(t) == repr(t)


def test_repr_of_a_matrix_an_int_tensor_and_a_scalar():
    assert repr(Tensor(np.array([[1, 2], [3, 4]], dtype=np.int32))) == (
        "Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"
    )
    assert repr(Tensor(2.5)) == "Tensor(2.5, shape=(), dtype=float32)"
    assert "requires_grad=True" in repr(Tensor([1.0], requires_grad=True))


def test_attributes():
    t = Tensor(np.arange(6.0).reshape(2, 3), name="w")
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and t.dtype == np.float64
    assert t.name == "w"
    assert t.T.shape == (3, 2)
    assert t.numpy() is t.data
    assert t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert len(t) == 2
    assert [row.tolist() for row in t] == t.tolist()
    assert Tensor([[4.0]]).item() == 4.0
    assert float(Tensor(2.5)) == 2.5 and int(Tensor(np.array(3))) == 3
    assert t.is_leaf and t.grad is None and not t.requires_grad


def test_item_of_several_elements_names_the_shape():
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_np_asarray_gives_the_data():
    t = Tensor(np.arange(3.0))
    assert np.asarray(t) is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(np.array(t), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(np.exp(np.asarray(t)), np.exp(t.data))


def test_numpy_array_operands_on_either_side():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    left = np.array([10.0, 20.0]) * t  # numpy hands over to Tensor.__rmul__
    assert isinstance(left, Tensor)
    np.testing.assert_array_equal(left.data, [10.0, 40.0])
    assert isinstance([1.0, 1.0] + t, Tensor)


def test_data_is_live_for_in_place_updates():
    p = Tensor(np.ones(3), requires_grad=True)
    (p * 2.0).sum().backward()
    p.data -= 0.1 * p.grad.data
    np.testing.assert_allclose(p.data, [0.8, 0.8, 0.8])


@pytest.mark.parametrize("shape_args", [(6, 4), ((6, 4),), ([6, 4],), (-1, 4), ((3, -1),)])
def test_reshape_takes_ints_or_a_tuple(shape_args):
    t = Tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(t.reshape(*shape_args).data, t.data.reshape(*shape_args))


def test_comparisons_give_boolean_tensors_without_grad():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [
        (x < 2, [True, False, False]),
        (x <= 2, [True, True, False]),
        (x > 2, [False, False, True]),
        (x >= 2, [False, True, True]),
        (x == 2, [False, True, False]),
        (x != 2, [True, False, True]),
        (x > Tensor([0.0, 5.0, 0.0]), [True, False, True]),
    ]:
        assert result.dtype == np.bool_ and not result.requires_grad
        np.testing.assert_array_equal(result.data, expected)


def test_tensors_hash_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2


# ---- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: Tensor("abc"), TypeError, r"received str: 'abc'"),
        (lambda: Tensor(None), TypeError, "NoneType"),
        (lambda: Tensor({"a": 1}), TypeError, "dict"),
        (lambda: Tensor(["a", "b"]), TypeError, r"numbers.*\['a', 'b'\]"),
        (lambda: Tensor([[1, 2], [3]]), ValueError, r"ragged.*\[\[1, 2\], \[3\]\]"),
        (lambda: Tensor(1 + 2j), TypeError, "complex"),
        (lambda: Tensor(np.array([1 + 2j])), TypeError, "complex128"),
        (lambda: Tensor(np.array(["x"])), TypeError, "<U1"),
        (lambda: Tensor([1.0], dtype="float99"), TypeError, "float99"),
        (lambda: Tensor([1.0], dtype="complex64"), TypeError, "complex64"),
        (lambda: Tensor(np.array([1, 2]), requires_grad=True), TypeError, "int64"),
        (lambda: Tensor([1, 2], dtype="int32", requires_grad=True), TypeError, "int32"),
        (lambda: Tensor([1.0], requires_grad="yes"), TypeError, "requires_grad.*'yes'"),
        (lambda: Tensor([1.0], name=3), TypeError, "name.*3"),
        (lambda: Tensor(np.array([1, 2])).requires_grad_(), TypeError, "int64"),
        (lambda: Tensor([1.0]).requires_grad_("yes"), TypeError, "requires_grad.*'yes'"),
        (lambda: Tensor([1.0]) + "a", TypeError, "str"),
        (lambda: Tensor([1.0]) * None, TypeError, "NoneType"),
    ],
)
def test_bad_input_raises_naming_what_was_received(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_matmul_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 2\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2)))


def test_backward_of_a_non_scalar_needs_a_gradient():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(ValueError, match=r"scalar.*shape \(2,\)"):
        y.backward()


def test_backward_of_a_tensor_that_needs_no_grad():
    with pytest.raises(ValueError, match="does not require grad"):
        Tensor([1.0, 2.0]).sum().backward()
    x = Tensor([1.0], requires_grad=True)
    with ta.no_grad():
        y = x * 2.0
    with pytest.raises(ValueError, match="no_grad"):
        y.backward()


def test_backward_gradient_of_the_wrong_shape_or_kind():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(ValueError, match=r"shape \(2,\), received shape \(3,\)"):
        y.backward(np.ones(3))
    with pytest.raises(TypeError, match="grad.*'abc'"):
        y.backward("abc")
    assert y._ctx.parents[0].grad is None  # nothing happened


# ---- backward: the chain rule over a graph -------------------------------------------------
def test_reused_non_leaf_node():
    # b = a + a; c = b * b + b  =>  dc/da = (2b + 1) * 2 = 8a + 2
    a = Tensor(np.array([-1.5, 0.0, 2.0]), requires_grad=True)
    b = a + a
    c = b * b + b
    c.sum().backward()
    np.testing.assert_allclose(a.grad.data, 8 * a.data + 2)
    np.testing.assert_allclose(b.grad.data, 2 * b.data + 1)


def test_a_tensor_used_by_both_operands():
    x = Tensor([3.0], requires_grad=True)
    (x * x * x).sum().backward()  # d/dx x^3 = 3x^2
    np.testing.assert_allclose(x.grad.data, [27.0])


def test_every_node_keeps_its_grad():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3.0
    s = h * h
    y = s.sum()
    y.backward()
    assert y.grad.item() == 1.0
    np.testing.assert_allclose(s.grad.data, [1.0, 1.0])
    np.testing.assert_allclose(h.grad.data, 2 * h.data)
    np.testing.assert_allclose(x.grad.data, 18 * x.data)


def test_gradients_are_distinct_tensors():
    # Add passes one gradient Tensor to both inputs: each .grad must be its own object, so
    # that accumulating into one never changes the other.
    a = Tensor([1.0], requires_grad=True)
    b = Tensor([2.0], requires_grad=True)
    y = a + b
    y.backward(np.ones(1, dtype=np.float32))
    assert a.grad is not b.grad and a.grad is not y.grad


def test_explicit_gradient_for_a_non_scalar():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).backward(np.array([10.0, 100.0]))
    np.testing.assert_allclose(x.grad.data, [20.0, 400.0])


def test_backward_of_a_leaf():
    x = Tensor(3.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_inputs_that_need_no_grad_get_none():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([5.0, 6.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad.data, [5.0, 6.0])


def test_gradients_accumulate_across_backward_calls_until_zero_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3.0).sum().backward()
    (x * 4.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [7.0, 7.0])
    x.zero_grad()
    assert x.grad is None
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [5.0, 5.0])
    x.grad = None  # the other way to clear it
    (x * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_second_backward_names_retain_graph_and_the_graph_stays_readable():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    h = x.exp()
    y = (h * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    # saved buffers are released ...
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        _ = h._ctx.saved_tensors
    # ... but structure, values and grads stay readable (for drawing the graph)
    assert y._ctx.op_name() == "sum" and h._ctx.label() == "exp"
    assert y._ctx.parents[0]._ctx.parents[0] is h
    assert h._ctx.parents[0] is x and x.name == "x"
    np.testing.assert_allclose(h.data, np.exp(x.data))
    np.testing.assert_allclose(x.grad.data, np.exp(x.data) * (x.data + 1))
    np.testing.assert_allclose(h.grad.data, x.data)


def test_retain_graph_allows_a_second_backward():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 4 * x.data)


def test_retain_graph_defaults_to_create_graph():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward(create_graph=True)  # retain_graph=None -> True
    y.backward()  # retain_graph=None -> False
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    z = (x * x).sum()
    ta.grad(z, x, create_graph=True)
    ta.grad(z, x)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ta.grad(z, x)


# ---- grad modes ----------------------------------------------------------------------------
def test_no_grad_and_enable_grad_as_context_managers():
    x = Tensor([1.0], requires_grad=True)
    assert ta.is_grad_enabled()
    with ta.no_grad():
        assert not ta.is_grad_enabled()
        y = x * 2.0
        with ta.enable_grad():
            assert ta.is_grad_enabled()
            z = x * 2.0
        assert not ta.is_grad_enabled()
    assert ta.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad


def test_grad_modes_as_decorators():
    @ta.no_grad()
    def inference(t):
        assert not ta.is_grad_enabled()
        return t * 2.0

    @ta.enable_grad()
    def training(t):
        return t * 2.0

    x = Tensor([1.0], requires_grad=True)
    assert not inference(x).requires_grad
    assert ta.is_grad_enabled()
    with ta.no_grad():
        assert training(x).requires_grad
    assert inference.__name__ == "inference"  # functools.wraps


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with ta.no_grad():
            _ = 1 / 0
    assert ta.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = {}

    def worker():
        seen["worker"] = ta.is_grad_enabled()
        with ta.no_grad():
            seen["worker inside"] = ta.is_grad_enabled()

    with ta.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert not ta.is_grad_enabled()
    assert seen == {"worker": True, "worker inside": False}
    assert ta.is_grad_enabled()


def test_backward_restores_the_grad_mode():
    x = Tensor([1.0], requires_grad=True)
    with ta.no_grad():
        pass
    (x * 2.0).sum().backward()
    assert ta.is_grad_enabled()
    with ta.no_grad():
        y = x * 1.0
    assert not y.requires_grad


# ---- ta.grad, higher derivatives -----------------------------------------------------------
def test_grad_returns_gradients_without_touching_dot_grad():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    w = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    y = (x * w).sum()
    gx, gw = ta.grad(y, [x, w])
    np.testing.assert_array_equal(gx.data, w.data)
    np.testing.assert_array_equal(gw.data, x.data)
    assert x.grad is None and w.grad is None and y.grad is None
    assert not gx.requires_grad  # create_graph=False


def test_grad_with_respect_to_an_intermediate_tensor():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 2.0
    y = (h * h).sum()
    (gh,) = ta.grad(y, h)
    np.testing.assert_allclose(gh.data, 2 * h.data)


def test_grad_allow_unused():
    x = Tensor([1.0], requires_grad=True)
    unused = Tensor([2.0], requires_grad=True)
    y = (x * 2.0).sum()
    with pytest.raises(ValueError, match=r"inputs\[1\].*allow_unused=True"):
        ta.grad(y, [x, unused], retain_graph=True)
    gx, gu = ta.grad(y, [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(gx.data, [2.0])


def test_grad_with_grad_outputs_and_several_outputs():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y1 = x * 3.0
    y2 = (x * x).sum()
    (g,) = ta.grad([y1, y2], x, grad_outputs=[np.array([1.0, 10.0]), None])
    np.testing.assert_allclose(g.data, [3.0 + 2.0, 30.0 + 4.0])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x, y: ta.grad("y", x), TypeError, "outputs.*str"),
        (lambda x, y: ta.grad(y, [x, 3]), TypeError, "inputs"),
        (lambda x, y: ta.grad(y, Tensor([1.0])), ValueError, r"inputs\[0\] does not require"),
        (lambda x, y: ta.grad(Tensor([1.0]), x), ValueError, r"outputs\[0\] does not require"),
        (lambda x, y: ta.grad(y, x, grad_outputs=[None, None]), ValueError, "one entry per"),
        (lambda x, y: ta.grad(x * 2.0, x), ValueError, "scalar"),
        (lambda x, y: ta.grad(y, x, grad_outputs=np.ones(3)), ValueError, r"shape \(\)"),
    ],
)
def test_grad_bad_arguments(call, error, message):
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(error, match=message):
        call(x, y)


def test_second_and_third_derivatives_with_grad():
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    y = (x**3 * x.exp()).sum()  # f = x^3 e^x
    (g1,) = ta.grad(y, x, create_graph=True)
    (g2,) = ta.grad(g1.sum(), x, create_graph=True)
    (g3,) = ta.grad(g2.sum(), x)
    v, e = x.data, np.exp(x.data)
    np.testing.assert_allclose(g1.data, (v**3 + 3 * v**2) * e)
    np.testing.assert_allclose(g2.data, (v**3 + 6 * v**2 + 6 * v) * e)
    np.testing.assert_allclose(g3.data, (v**3 + 9 * v**2 + 18 * v + 6) * e)


def test_second_derivative_with_backward_create_graph():
    x = Tensor(np.array([0.5, -2.0]), requires_grad=True)
    (x.exp() * x).sum().backward(create_graph=True)
    first = x.grad
    assert first.requires_grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp(x.data) * (x.data + 2))


def test_mixed_second_derivative():
    x = Tensor(np.array([1.5]), requires_grad=True)
    w = Tensor(np.array([-0.5]), requires_grad=True)
    y = (x * x * w).sum()  # d2y/dx dw = 2x
    (gx,) = ta.grad(y, x, create_graph=True)
    (gxw,) = ta.grad(gx.sum(), w)
    np.testing.assert_allclose(gxw.data, 2 * x.data)


# ---- Function: defining an operation -------------------------------------------------------
class Square(Function):
    """x^2 with its derivative 2x written in Tensor operations."""

    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        return scale * x * x

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x * (2.0 * ctx.params["scale"])


class ExpSavesOutput(Function):
    name = "my_exp"

    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out, np.ones_like(x))
        return out

    def backward(ctx, grad):
        out, ones = ctx.saved_tensors
        ctx.seen = (out, ones)
        return grad * out * ones


def test_a_user_function_with_params():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    y = Square.apply(x, scale=3.0)
    np.testing.assert_allclose(y.data, 3 * x.data**2)
    assert y._ctx.label() == "square(scale=3)"
    assert y._ctx.needs_input_grad == (True,)
    assert ta.gradcheck(lambda t: Square.apply(t, scale=3.0), [x])
    assert ta.gradgradcheck(lambda t: Square.apply(t, scale=3.0), [x])


def test_saved_input_and_output_come_back_as_the_graph_tensors():
    x = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    y = ExpSavesOutput.apply(x)
    assert y._ctx.op_name() == "my_exp"
    out, ones = y._ctx.saved_tensors
    assert out is y  # the very output Tensor (held weakly)
    assert isinstance(ones, Tensor) and not ones.requires_grad  # anything else: a constant
    assert ta.gradgradcheck(ExpSavesOutput.apply, [x])


def test_apply_takes_numbers_and_arrays_as_constants():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ta.ops.Mul.apply(x, 3.0)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y.data, [3.0, 6.0])
    z = ta.ops.Add.apply(np.array([1.0, 1.0]), x)
    assert z._ctx.needs_input_grad == (False, True)


class WrongCount(Function):
    def forward(ctx, a, b):
        return a + b

    def backward(ctx, grad):
        return grad


class WrongShape(Function):
    def forward(ctx, a):
        return a.sum()

    def backward(ctx, grad):
        return grad


class ReturnsArray(Function):
    def forward(ctx, a):
        return a * 2

    def backward(ctx, grad):
        return grad.data * 2


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda x: WrongCount.apply(x, x), RuntimeError, "returned 1 gradients for 2 inputs"),
        (lambda x: WrongShape.apply(x), RuntimeError, r"shape \(\) for input 0 of shape \(2,\)"),
        (lambda x: ReturnsArray.apply(x).sum(), TypeError, "returned ndarray"),
    ],
)
def test_a_wrong_backward_is_reported(make, error, message):
    out = make(Tensor(np.array([1.0, 2.0]), requires_grad=True))
    with pytest.raises(error, match=message):
        out.backward(np.ones(out.shape))


def test_a_function_without_forward_or_backward():
    class Empty(Function):
        pass

    with pytest.raises(NotImplementedError, match="forward"):
        Empty.apply(Tensor([1.0]))


def test_detach_and_requires_grad_():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2.0).detach()
    assert not d.requires_grad and d.is_leaf
    c = Tensor([1.0, 2.0]).requires_grad_()
    assert c.requires_grad
    assert not c.requires_grad_(False).requires_grad


# ---- memory and long chains ----------------------------------------------------------------
@pytest.fixture
def gc_disabled():
    """Only reference counting frees objects: what it cannot free is a reference cycle."""
    gc.disable()
    yield
    gc.enable()


def test_an_intermediate_is_freed_when_the_result_is_dropped(gc_disabled):
    x = Tensor(np.ones(3), requires_grad=True)
    h = x.exp()  # saves its output, held weakly
    h_ref = weakref.ref(h)
    y = (h * x).sum()
    del h
    assert h_ref() is not None  # the graph still holds it
    del y
    assert h_ref() is None


def test_the_graph_is_freed_after_backward(gc_disabled):
    x = Tensor(np.ones(3), requires_grad=True)
    h = x.exp()
    h2 = h * x
    refs = [weakref.ref(t) for t in (h, h2)]
    y = h2.sum()
    y.backward()
    y_ref = weakref.ref(y)
    del h, h2, y
    assert all(r() is None for r in [*refs, y_ref])
    assert x.grad is not None  # the leaf keeps its grad


def test_a_graph_built_with_create_graph_is_collected_by_gc():
    # With create_graph=True x.grad refers back into a graph that refers to x: a cycle, as in
    # PyTorch. The garbage collector frees it.
    x = Tensor(np.ones(3), requires_grad=True)
    (x.exp() * x).sum().backward(create_graph=True)
    x_ref = weakref.ref(x)
    del x
    gc.collect()
    assert x_ref() is None


def test_backward_through_a_100000_node_chain():
    x = Tensor(np.float64(0.5), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0  # no recursion anywhere: micrograd's recursive sort dies near 1,000
    y.backward()
    assert y.item() == pytest.approx(100_000.5)
    assert x.grad.item() == 1.0


class SecondGradientWrong(Function):
    def forward(ctx, a, b):
        return a * b

    def backward(ctx, grad):
        return grad, grad.sum()


def test_a_wrong_gradient_for_the_second_input_names_that_input():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    out = SecondGradientWrong.apply(a, b).sum()
    with pytest.raises(RuntimeError, match=r"shape \(\) for input 1 of shape \(2,\)"):
        out.backward()
    assert a.grad is None and b.grad is None


class Float64Inside(Function):
    """Computes in float64 and hands back float64 gradients, whatever the input's dtype."""

    def forward(ctx, a):
        return a.astype(np.float64) * 3.0

    def backward(ctx, grad):
        return grad * 3.0


def test_a_gradient_is_converted_to_its_inputs_dtype():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    out = Float64Inside.apply(x)
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    (g,) = ta.grad(Float64Inside.apply(x).sum(), x)
    assert g.dtype == np.float32


@pytest.mark.parametrize(
    "a, target",
    [
        (np.array(2.5), (4, 5)),  # a reduction's gradient: 0-d
        (np.arange(3.0).reshape(1, 3), (2, 4, 3)),  # contiguous, with a size-1 axis
        (np.arange(6.0).reshape(2, 3)[:, ::2], (3, 2, 2)),  # not contiguous
    ],
)
def test_broadcasting_is_a_read_only_view(a, target):
    b = ta.ops.BroadcastTo.apply(Tensor(a), shape=target)
    np.testing.assert_array_equal(b.data, np.broadcast_to(a, target))
    assert not b.data.flags.writeable
    assert np.shares_memory(b.data, a)


def test_a_leaf_gets_a_writable_gradient_of_its_own_from_a_broadcast():
    x = Tensor(np.ones((3, 2)), requires_grad=True)
    x.sum().backward()  # the gradient of a sum is the 0-d 1 broadcast: a view
    assert x.grad.data.flags.writeable and x.grad.data.base is None
    x.grad.data *= 2.0  # user code may clip or scale it in place
    np.testing.assert_array_equal(x.grad.data, np.full((3, 2), 2.0))


class _Twice(Function):
    """2x, whose backward keeps a weak reference to the gradient it returns."""

    def forward(ctx, a):
        return a * 2

    def backward(ctx, grad):
        result = grad * 2
        _Twice.returned = weakref.ref(result.data)
        return result


def test_a_gradient_the_pass_computed_is_stored_without_a_copy():
    x = Tensor(np.ones(4), requires_grad=True)
    _Twice.apply(x).backward(np.ones(4))
    assert x.grad.data is _Twice.returned()  # held by nobody else: stored as it is


def test_a_gradient_that_may_be_shared_is_copied():
    g = Tensor(np.ones(3))
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    (a + b).backward(g)  # one array for both inputs, and it is the user's own
    assert not np.shares_memory(a.grad.data, b.grad.data)
    assert not np.shares_memory(a.grad.data, g.data) and not np.shares_memory(b.grad.data, g.data)
    c = Tensor(np.ones(3), requires_grad=True)
    (c + 0.0).backward(np.ones(3))  # the gradient given as an array: made a Tensor, once
    c.grad.data *= 5.0
    x = Tensor(np.ones(6), requires_grad=True)
    y = Tensor(np.ones((2, 3)), requires_grad=True)
    h = Tensor(np.ones((2, 3)))
    (x.reshape(2, 3) + y).backward(h)  # x's: a view of h's array
    for grad in (x.grad, y.grad):
        assert grad.data.base is None and not np.shares_memory(grad.data, h.data)
    x.grad.data *= 3.0
    np.testing.assert_array_equal(x.grad.data, np.full(6, 3.0))
    np.testing.assert_array_equal(y.grad.data, np.ones((2, 3)))
    np.testing.assert_array_equal(h.data, np.ones((2, 3)))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32])
@pytest.mark.parametrize("axis", [None, 0, (0, 1)])
def test_mean_equals_numpys_in_value_and_dtype(dtype, axis):
    a = (np.arange(24).reshape(2, 3, 4) % 7).astype(dtype)
    expected = a.mean(axis=axis)
    result = Tensor(a).mean(axis=axis)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result.data, expected)
