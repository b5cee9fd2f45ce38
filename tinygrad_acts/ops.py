"""The primitive operations: every Tensor method is one of these Functions.

Each reads like micrograd: the forward rule on numpy arrays, and right below it the backward
rule, written with Tensor operations so that it can be differentiated again. When an input
was broadcast in the forward pass, its gradient is summed back to its shape (`sum_to`):
the gradient of a value used many times is the sum of the gradients of each use.

A backward rule computes an input's gradient only when `ctx.needs_input_grad` says that
input wants one: `x @ W` with data `x` must not pay for a second matrix product.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function
from .tensor import Tensor
from .validation import normalize_axis

# ---- arithmetic ----------------------------------------------------------------------------


class Add(Function):
    """a + b;  d/da = 1, d/db = 1."""

    derivative = "d/da = 1, d/db = 1"

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return a + b

    def backward(ctx, grad):
        a_shape, b_shape = ctx.shapes
        return grad.sum_to(a_shape), grad.sum_to(b_shape)


class Sub(Function):
    """a - b;  d/da = 1, d/db = -1."""

    derivative = "d/da = 1, d/db = -1"

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return a - b

    def backward(ctx, grad):
        a_shape, b_shape = ctx.shapes
        grad_b = (-grad).sum_to(b_shape) if ctx.needs_input_grad[1] else None
        return grad.sum_to(a_shape), grad_b


class Mul(Function):
    """a * b;  d/da = b, d/db = a."""

    derivative = "d/da = b, d/db = a"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = (grad * b).sum_to(a.shape) if ctx.needs_input_grad[0] else None
        grad_b = (grad * a).sum_to(b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Function):
    """a / b;  d/da = 1/b, d/db = -a/b^2 = -(a/b)/b."""

    derivative = "d/da = 1/b, d/db = -a/b^2 = -out/b"

    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(b, out)
        ctx.a_shape = a.shape
        return out

    def backward(ctx, grad):
        b, out = ctx.saved_tensors
        grad_a = (grad / b).sum_to(ctx.a_shape) if ctx.needs_input_grad[0] else None
        grad_b = (-grad * out / b).sum_to(b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Neg(Function):
    """-a;  d/da = -1."""

    derivative = "d/da = -1"

    def forward(ctx, a):
        return -a

    def backward(ctx, grad):
        return -grad


class PowScalar(Function):
    """a ** p for a number p;  d/da = p * a^(p-1)  (0 for p = 0: a^0 = 1 is constant, where
    p * a^(p-1) would give 0 * inf = NaN at a = 0)."""

    name = "pow"
    derivative = "d/da = p * a^(p-1)"

    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        return a**exponent

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        p = ctx.params["exponent"]
        return grad * 0.0 if p == 0 else grad * p * a ** (p - 1)


class Pow(Function):
    """a ** b for tensors;  d/da = b * a^(b-1),  d/db = a^b * log(a).

    At a = 0 the formulas meet 0 * inf; PyTorch's values are taken there: d/da = 0 where
    b = 0 (a^0 = 1 is constant), and d/db = 0 where b >= 0 (a^b is 0 or 1), -inf or inf
    where b < 0."""

    derivative = "d/da = b * a^(b-1), d/db = a^b * log(a)"

    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):  # the places where() replaces
            if ctx.needs_input_grad[0]:
                slope = where(b == 0, 0.0, b * a ** (b - 1))
                grad_a = (grad * slope).sum_to(a.shape)
            if ctx.needs_input_grad[1]:
                slope = where((a == 0) * (b >= 0), 0.0, out * a.log())
                grad_b = (grad * slope).sum_to(b.shape)
        return grad_a, grad_b


class MatMul(Function):
    """a @ b;  d/da = grad @ b^T,  d/db = a^T @ grad (with numpy's rules for 1-D and
    batched operands: a 1-D operand is a row or a column, batch axes broadcast)."""

    derivative = "grad_a = grad @ b^T, grad_b = a^T @ grad"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        if a.ndim == 2 and b.ndim == 2:  # matrices: the rule as it is written above
            grad_a = grad @ b.T if ctx.needs_input_grad[0] else None
            grad_b = a.T @ grad if ctx.needs_input_grad[1] else None
            return grad_a, grad_b
        # A 1-D operand acts as a row (first) or a column (second) that the result lacks.
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        g2 = grad
        if a.ndim == 1:
            g2 = g2.expand_dims(-2 if b.ndim > 1 else 0)
        if b.ndim == 1:
            g2 = g2.expand_dims(-1)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = (g2 @ b2.swapaxes(-1, -2)).sum_to(a2.shape).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            grad_b = (a2.swapaxes(-1, -2) @ g2).sum_to(b2.shape).reshape(b.shape)
        return grad_a, grad_b


def _matmul_mismatch(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> str:
    """Why numpy refused a @ b, in words."""
    if not a_shape or not b_shape:
        return (f"matmul: operands must have at least 1 dimension, received shapes {a_shape} "
                f"and {b_shape}")
    b_inner = b_shape[-2] if len(b_shape) > 1 else b_shape[0]
    which = "second-to-last" if len(b_shape) > 1 else "only"
    if a_shape[-1] != b_inner:
        return (f"matmul: shapes {a_shape} and {b_shape} do not fit: the last axis of the "
                f"first ({a_shape[-1]}) must equal the {which} axis of the second ({b_inner})")
    return f"matmul: the batch axes of shapes {a_shape} and {b_shape} do not broadcast"


# ---- elementwise functions -----------------------------------------------------------------


class Exp(Function):
    """exp(a);  d/da = exp(a), the output itself."""

    derivative = "d/da = exp(a) = out"

    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    """log(a);  d/da = 1/a."""

    derivative = "d/da = 1/a"

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Log1p(Function):
    """log(1 + a), exact for tiny a;  d/da = 1 / (1 + a)."""

    derivative = "d/da = 1 / (1 + a)"

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a)

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a + 1)


class Expm1(Function):
    """exp(a) - 1, exact for tiny a;  d/da = exp(a) = out + 1."""

    derivative = "d/da = exp(a) = out + 1"

    def forward(ctx, a):
        out = np.expm1(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Sin(Function):
    """sin(a);  d/da = cos(a)."""

    derivative = "d/da = cos(a)"

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cos()


class Cos(Function):
    """cos(a);  d/da = -sin(a)."""

    derivative = "d/da = -sin(a)"

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * -a.sin()


class Sqrt(Function):
    """sqrt(a);  d/da = 1 / (2 sqrt(a))."""

    derivative = "d/da = 1 / (2 sqrt(a)) = 1 / (2 out)"

    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (out * 2)


class Abs(Function):
    """|a|;  d/da = sign(a) (0 at 0, as in PyTorch)."""

    derivative = "d/da = sign(a)"

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * Sign.apply(a)


class Sign(Function):
    """sign(a): -1, 0 or 1;  d/da = 0 (piecewise constant), so no gradient flows."""

    derivative = "d/da = 0"

    def forward(ctx, a):
        return np.sign(a)

    def backward(ctx, grad):
        return None


class Clip(Function):
    """clip(a, lo, hi);  d/da = 1 where lo <= a <= hi, else 0."""

    derivative = "d/da = 1 where min_value <= a <= max_value, else 0"

    def forward(ctx, a, min_value, max_value):
        ctx.save_for_backward(a)
        if a.dtype.kind == "f":  # no bound is an infinite one
            min_value = -np.inf if min_value is None else min_value
            max_value = np.inf if max_value is None else max_value
        return np.clip(a, min_value, max_value)

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.params["min_value"], ctx.params["max_value"]
        inside = (a >= (-np.inf if lo is None else lo)) * (a <= (np.inf if hi is None else hi))
        return grad * inside


class Cast(Function):
    """a converted to another float type;  the gradient is converted back."""

    derivative = "d/da = 1 (the gradient converted back to a's type)"

    def forward(ctx, a, dtype):
        ctx.input_dtype = a.dtype
        return a.astype(dtype)

    def backward(ctx, grad):
        return grad.astype(ctx.input_dtype)


class Maximum(Function):
    """max(a, b) elementwise;  the gradient goes to the larger, half to each on a tie."""

    derivative = "d/da = 1 where a > b, 1/2 where a = b, else 0 (and so for b)"
    wins = staticmethod(np.greater)

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # 1 where a wins, 0 where b wins, 1/2 on a tie: constants, as a mask is
        weight_a = (compare(type(ctx).wins, a, b).astype(grad.dtype)
                    + compare(np.equal, a, b).astype(grad.dtype) * 0.5)
        return (grad * weight_a).sum_to(a.shape), (grad * (1 - weight_a)).sum_to(b.shape)


class Minimum(Maximum):
    """min(a, b) elementwise;  the gradient goes to the smaller, half to each on a tie."""

    derivative = "d/da = 1 where a < b, 1/2 where a = b, else 0 (and so for b)"
    wins = staticmethod(np.less)

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)


class Compare(Function):
    """a op b elementwise, for op one of numpy's comparisons (np.greater, np.equal...): a
    boolean mask. No gradient flows through it: a mask is piecewise constant. It is an
    operation all the same, so that a mask computed from values inside a backward rule is
    a kernel that `ta.jit` records, not a constant frozen into the recording."""

    derivative = "none: the result is boolean"

    def forward(ctx, a, b, op):
        return op(a, b)

    def backward(ctx, grad):
        return None, None


def compare(op: Any, a: Tensor, b: Tensor) -> Tensor:
    """`op(a, b)` as a boolean Tensor (outside the graph: it carries no gradient)."""
    return Tensor._wrap(broadcasting(Compare, a, b, op=op).data)


class Where(Function):
    """where(condition, a, b);  the gradient goes to a where condition holds, else to b."""

    derivative = "d/da = 1 where condition, else 0; d/db = the opposite"

    def forward(ctx, condition, a, b):
        ctx.shapes = (a.shape, b.shape)
        ctx.save_for_backward(condition)
        return np.where(condition, a, b)

    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        zero = Tensor._wrap(np.zeros((), dtype=grad.dtype))
        grad_a = where(condition, grad, zero).sum_to(a_shape) if ctx.needs_input_grad[1] else None
        grad_b = where(condition, zero, grad).sum_to(b_shape) if ctx.needs_input_grad[2] else None
        return None, grad_a, grad_b


# ---- reductions ----------------------------------------------------------------------------


def _keepdims_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape of a reduction over `axis` with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _drop_axes(kept: np.ndarray, axis: tuple[int, ...] | None) -> np.ndarray:
    """A keepdims=True reduction's result without the reduced axes."""
    return kept.reshape(()) if axis is None else np.squeeze(kept, axis=axis)


class Sum(Function):
    """sum(a, axis);  d/da = 1 for every element: the gradient is spread back (broadcast)."""

    derivative = "d/da = 1 for every element summed"

    def forward(ctx, a, axis, keepdims):
        ctx.shape = a.shape
        return a.sum(axis=axis, keepdims=keepdims)

    def backward(ctx, grad):
        return _spread(grad, ctx)


def _spread(grad: Tensor, ctx: Function) -> Tensor:
    """The gradient of a reduction over ctx.params["axis"], spread back over the input: the
    reduced axes are put back (size 1) and broadcast."""
    axis = ctx.params["axis"]
    if axis is not None and not ctx.params["keepdims"]:
        grad = grad.reshape(_keepdims_shape(ctx.shape, axis))
    return BroadcastTo.apply(grad, shape=ctx.shape)


class Mean(Function):
    """mean(a, axis);  d/da = 1/n for every element, n the number averaged."""

    derivative = "d/da = 1/n for each of the n elements averaged"

    def forward(ctx, a, axis, keepdims):
        ctx.shape = a.shape
        out = a.mean(axis=axis, keepdims=keepdims)
        ctx.count = a.size // max(1, np.size(out))
        return out

    def backward(ctx, grad):
        return _spread(grad / ctx.count, ctx)


class _Extremum(Function):
    """max or min over axis;  the gradient goes to the elements equal to the result, shared
    equally between ties (as PyTorch's amax and amin)."""

    derivative = "d/da = 1/k for the k elements equal to the result, else 0"
    reduce = staticmethod(np.max)

    def forward(ctx, a, axis, keepdims):
        out = type(ctx).reduce(a, axis=axis, keepdims=True)
        ctx.save_for_backward(a, out)
        return out if keepdims else _drop_axes(out, axis)

    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        axis = ctx.params["axis"]
        kept = _keepdims_shape(a.shape, axis)
        winners = compare(np.equal, a, out.reshape(kept)).astype(grad.dtype)  # a mask
        return grad.reshape(kept) * (winners / winners.sum(axis=axis, keepdims=True))


class Max(_Extremum):
    reduce = staticmethod(np.max)


class Min(_Extremum):
    reduce = staticmethod(np.min)


class LogSumExp(Function):
    """log(sum(exp(a), axis)), computed as m + log(sum(exp(a - m))) with m = max(a) so that
    nothing overflows;  d/da = exp(a - logsumexp(a)) = softmax(a)."""

    derivative = "d/da = exp(a - out) = softmax(a)"

    def forward(ctx, a, axis, keepdims):
        m = np.max(a, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all -inf: log(0) = -inf, without a NaN
        with np.errstate(divide="ignore"):  # ... and without a warning
            out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
        ctx.save_for_backward(a)
        return out if keepdims else _drop_axes(out, axis)

    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        axis = ctx.params["axis"]
        kept = _keepdims_shape(a.shape, axis)
        # exp(a - lse) is written with the lse recomputed as a Tensor, so that the second
        # derivative (the softmax's Jacobian) is right.
        lse = logsumexp(a, axis=axis, keepdims=True)
        return grad.reshape(kept) * (a - lse).exp()


# ---- shapes --------------------------------------------------------------------------------


class Reshape(Function):
    """a with a new shape;  the gradient takes the old shape back."""

    derivative = "d/da = 1 (the gradient reshaped back)"

    def forward(ctx, a, shape):
        ctx.input_shape = a.shape
        return a.reshape(shape)

    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape)


class Transpose(Function):
    """a with its axes permuted;  the gradient is permuted back."""

    derivative = "d/da = 1 (the gradient's axes permuted back)"

    def forward(ctx, a, axes):
        return a.transpose(axes)

    def backward(ctx, grad):
        return grad.transpose(tuple(np.argsort(ctx.params["axes"])))


class BroadcastTo(Function):
    """a repeated along new or size-1 axes;  the gradient is summed back (SumTo).

    The result is a read-only view (numpy's broadcast_to): nothing is copied."""

    name = "broadcast_to"
    derivative = "d/da = 1 for each copy: the gradient summed back to a's shape"

    def forward(ctx, a, shape):
        ctx.input_shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(ctx, grad):
        return grad.sum_to(ctx.input_shape)


class SumTo(Function):
    """Sum over the axes that broadcasting to a.shape added: un-broadcasting;
    the gradient is broadcast again (BroadcastTo)."""

    name = "sum_to"
    derivative = "d/da = 1: the gradient broadcast back to a's shape"

    def forward(ctx, a, shape):
        ctx.input_shape = a.shape
        lead = a.ndim - len(shape)
        axes = list(range(lead))  # the axes that broadcasting put in front
        for i, n in enumerate(shape):
            if n == 1:  # and those it stretched from size 1
                axes.append(lead + i)
        return a.sum(axis=tuple(axes), keepdims=True).reshape(shape)

    def backward(ctx, grad):
        return grad.broadcast_to(ctx.input_shape)


def _is_basic(index: Any) -> bool:
    """Basic indexing (ints, slices, None, ...) picks each element at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


class Index(Function):
    """a[index];  the gradient is added back at the indexed places (IndexAdd), so an element
    picked twice gets both gradients."""

    derivative = "d/da = 1 at the indexed places (added up where picked twice), else 0"

    def forward(ctx, a, index):
        ctx.input_shape = a.shape
        return a[index]

    def backward(ctx, grad):
        return IndexAdd.apply(grad, index=ctx.params["index"], shape=ctx.input_shape)


class IndexAdd(Function):
    """zeros(shape) with g added at `index` (repeated indices accumulate);
    the gradient is read back at the same places (Index)."""

    name = "index_add"
    derivative = "d/dg = 1: the gradient read back at the indexed places"

    def forward(ctx, g, index, shape):
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out

    def backward(ctx, grad):
        return grad[ctx.params["index"]]


class CumSum(Function):
    """Running sums along an axis: out[i] = a[0] + ... + a[i];  d(out[i])/d(a[j]) = 1 for
    j <= i, so a[j] receives the sum of the gradients of out[j], out[j+1], ...: the running
    sum of the gradient taken from the end (reverse, cumsum, reverse)."""

    name = "cumsum"
    derivative = "d/da[j] = the sum of grad[i] over i >= j"

    def forward(ctx, a, axis):
        return np.cumsum(a, axis=axis)

    def backward(ctx, grad):
        axis = ctx.params["axis"]
        return _reversed(_reversed(grad, axis).cumsum(axis), axis)


def _reversed(t: Tensor, axis: int) -> Tensor:
    """`t` with the order along `axis` reversed (an Index, so differentiable)."""
    return t[(slice(None),) * axis + (slice(None, None, -1),)]


class Concatenate(Function):
    """Join tensors along an axis;  each input's gradient is its slice of the gradient."""

    derivative = "d/d(input i) = 1: its slice of the gradient"

    def forward(ctx, *arrays, axis):
        ctx.bounds = np.cumsum([0] + [a.shape[axis] for a in arrays])
        return np.concatenate(arrays, axis=axis)

    def backward(ctx, grad):
        axis = ctx.params["axis"]
        before = (slice(None),) * (axis % grad.ndim)
        return tuple(
            grad[before + (slice(int(lo), int(hi)),)] if needed else None
            for lo, hi, needed in zip(
                ctx.bounds[:-1], ctx.bounds[1:], ctx.needs_input_grad, strict=True
            )
        )


class Stack(Function):
    """Stack tensors along a new axis;  each input's gradient is its slice of the gradient."""

    derivative = "d/d(input i) = 1: its slice of the gradient"

    def forward(ctx, *arrays, axis):
        return np.stack(arrays, axis=axis)

    def backward(ctx, grad):
        axis = ctx.params["axis"] % grad.ndim
        before = (slice(None),) * axis
        return tuple(
            grad[before + (i,)] if needed else None for i, needed in enumerate(ctx.needs_input_grad)
        )


# ---- writing in place ----------------------------------------------------------------------


class Assign(Function):
    """target = value, written into target's own array: the way a weight or an optimizer's
    state changes (Keras's `variable.assign`). Every other operation makes a new array;
    this one changes an existing one, so that everything holding the weight sees the new
    values, and so that `ta.jit` records the update as a kernel and replays it. No gradient
    flows through an assignment."""

    derivative = None
    in_place = True  # writes into its first input (ta.jit shows it; Tensor.assign checks it)

    def forward(ctx, target, value):
        np.copyto(target, value)
        return target

    def backward(ctx, grad):
        return None, None


class AssignAdd(Assign):
    """target += value, in place (Keras's `assign_add`)."""

    name = "assign_add"

    def forward(ctx, target, value):
        return np.add(target, value, out=target)


class AssignSub(Assign):
    """target -= value, in place (Keras's `assign_sub`)."""

    name = "assign_sub"

    def forward(ctx, target, value):
        return np.subtract(target, value, out=target)


# ---- functions of several tensors ----------------------------------------------------------


def _tensors(values, argname: str) -> list[Tensor]:
    if not isinstance(values, (list, tuple)) or not values:
        raise TypeError(
            f"{argname} must be a non-empty list or tuple of tensors, received {values!r:.80}"
        )
    return _same_dtype([v if isinstance(v, Tensor) else Tensor(v) for v in values])


def _same_dtype(tensors: list[Tensor]) -> list[Tensor]:
    """The tensors cast to one dtype: the widest float type among them if there is one (an
    integer tensor combined with float32 gives float32, DESIGN.md), else numpy's."""
    floats = [t.data for t in tensors if t.data.dtype.kind == "f"]
    dtype = np.result_type(*(floats or [t.data for t in tensors]))
    return [t if t.dtype == dtype else t.astype(dtype) for t in tensors]


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (numpy's concatenate)."""
    tensors = _tensors(tensors, "concatenate: tensors")
    (axis,) = normalize_axis(axis, tensors[0].ndim)
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        outside_axis = t.shape[:axis] + t.shape[axis + 1 :]
        if t.ndim != len(first) or outside_axis != first[:axis] + first[axis + 1 :]:
            raise ValueError(
                f"concatenate: tensors[{i}] has shape {t.shape}, which does not match "
                f"tensors[0]'s {first} outside axis {axis}"
            )
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis: int = 0) -> Tensor:
    """Join tensors of the same shape along a new axis (numpy's stack)."""
    tensors = _tensors(tensors, "stack: tensors")
    (axis,) = normalize_axis(axis, tensors[0].ndim + 1)
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(
                f"stack: all tensors must have one shape; tensors[{i}] has {t.shape}, "
                f"tensors[0] has {tensors[0].shape}"
            )
    return Stack.apply(*tensors, axis=axis)


def broadcasting(fn: type[Function], *tensors: Tensor, **params: Any) -> Tensor:
    """fn.apply(*tensors, **params), explaining in words when numpy refuses to broadcast the
    shapes (or, for matmul, to multiply them)."""
    try:
        return fn.apply(*tensors, **params)
    except ValueError as error:
        raise shapes_error(fn, tensors, error) from None


def shapes_error(fn: type[Function], tensors: tuple[Tensor, ...], error: ValueError) -> Exception:
    """numpy's `error` from `fn` on `tensors`, in words when it is about their shapes."""
    if fn is MatMul:
        return ValueError(_matmul_mismatch(*(t.shape for t in tensors)))
    if "broadcast" not in str(error):
        return error
    shapes = ", ".join(str(t.shape) for t in tensors)
    return ValueError(f"{fn.op_name()}: shapes {shapes} do not broadcast")


def where(condition, x, y) -> Tensor:
    """`x` where `condition` holds, else `y` (numpy's where); differentiable in x and y."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if condition.dtype != bool:
        raise TypeError(f"where: condition must be boolean, received dtype {condition.dtype}")
    x, y = _operands(x, y)
    return broadcasting(Where, Tensor._wrap(condition), x, y)


def _operands(a, b) -> tuple[Tensor, Tensor]:
    """Two operands as Tensors, with the same rules as the binary operators."""
    if isinstance(a, Tensor):
        b = a._operand(b)
    elif isinstance(b, Tensor):
        a = b._operand(a)
    else:
        a, b = Tensor(a), Tensor(b)
    if a.dtype != b.dtype:
        a, b = _same_dtype([a, b])
    return a, b


def maximum(a, b) -> Tensor:
    """Elementwise maximum; on a tie each side gets half the gradient."""
    a, b = _operands(a, b)
    return broadcasting(Maximum, a, b)


def minimum(a, b) -> Tensor:
    """Elementwise minimum; on a tie each side gets half the gradient."""
    a, b = _operands(a, b)
    return broadcasting(Minimum, a, b)


def logsumexp(x, axis=None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x), axis)) without overflow; its gradient is the softmax."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.data.size == 0:
        raise ValueError(f"logsumexp of an empty tensor (shape {x.shape})")
    return LogSumExp.apply(x, axis=normalize_axis(axis, x.ndim), keepdims=keepdims)


# ---- compositions: operations written with the primitives above ---------------------------


def var(x: Tensor, axis=None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """The variance, numpy's: mean((x - mean(x))^2) over `axis`, the sum divided by n - ddof."""
    axes = normalize_axis(axis, x.ndim)
    n = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
    if isinstance(ddof, bool) or not isinstance(ddof, (int, np.integer)) or not 0 <= ddof < n:
        raise ValueError(f"var: ddof must be an integer from 0 to {n - 1}, received ddof={ddof!r}")
    centered = x - x.mean(axis=axes, keepdims=True)
    return (centered * centered).sum(axis=axes, keepdims=keepdims) / (n - ddof)


def std(x: Tensor, axis=None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """The standard deviation: sqrt(var)."""
    return var(x, axis=axis, ddof=ddof, keepdims=keepdims).sqrt()


def prod(x: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    """The product over `axis`, as a tree of multiplications: each step multiplies the
    first half of the elements by the second half, so that n elements take log2(n) steps and
    the derivative (the product of the others) is right even where an element is 0."""
    axes = normalize_axis(axis, x.ndim)
    axes = tuple(range(x.ndim)) if axes is None else axes
    for a in axes:
        x = _prod_along(x, a)
    return x if keepdims else x.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes))


def _prod_along(x: Tensor, axis: int) -> Tensor:
    """The product along one axis, keeping it (size 1)."""
    before = (slice(None),) * axis
    if x.shape[axis] == 0:  # the empty product
        return Tensor._wrap(np.ones(x.shape[:axis] + (1,) + x.shape[axis + 1 :], x.dtype))
    while x.shape[axis] > 1:
        n = x.shape[axis]
        half = n // 2
        product = x[before + (slice(0, half),)] * x[before + (slice(half, 2 * half),)]
        x = concatenate([product, x[before + (slice(n - 1, n),)]], axis) if n % 2 else product
    return x


def norm(x: Tensor, ord=None, axis=None, keepdims: bool = False) -> Tensor:
    """numpy.linalg.norm's vector norms over `axis` (all elements when None): ord None or 2
    (Euclidean), 1, inf, -inf, or any other number p: (sum |x|^p)^(1/p); and 'fro'. At
    x = 0 the Euclidean norm has no derivative: like sqrt at 0, the gradient is not finite
    there (PyTorch gives 0)."""
    if ord is None or ord == 2 or ord == "fro":
        return (x * x).sum(axis=axis, keepdims=keepdims).sqrt()
    if isinstance(ord, str) or isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise ValueError(f"norm: ord must be None, 'fro' or a number, received ord={ord!r}")
    if ord == np.inf:
        return x.abs().max(axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return x.abs().min(axis=axis, keepdims=keepdims)
    if ord == 1:
        return x.abs().sum(axis=axis, keepdims=keepdims)
    if ord == 0:
        raise ValueError("norm: ord=0 counts non-zero elements and has no gradient")
    return (x.abs() ** ord).sum(axis=axis, keepdims=keepdims) ** (1 / ord)
