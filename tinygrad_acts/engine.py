"""The engine: `Tensor`, a numpy array that remembers how it was computed, and `Function`,
the one way a differentiable operation is defined.

A Function has two halves, side by side as in micrograd:

    class Exp(Function):
        def forward(ctx, x):               # numpy in, numpy out
            out = np.exp(x)
            ctx.save_for_backward(out)
            return out

        def backward(ctx, grad):           # Tensors in, Tensors out
            (out,) = ctx.saved_tensors
            return grad * out              # d exp(x)/dx = exp(x)

`Exp.apply(t)` runs `forward` on `t`'s array and, when `t` requires grad, records the context
(`ctx`) in the result so that `backward` can be called later by `Tensor.backward`. Because
`backward` is written with Tensor operations, it is itself recorded when `create_graph=True`:
that is how second derivatives come out (HIPS autograd's idea).

Saving for backward: arrays passed to `ctx.save_for_backward` that are the very input arrays
or the very output array come back from `ctx.saved_tensors` as the graph's Tensors (so the
derivative of the backward rule is right); anything else saved is a constant. The output is
held through a weak reference, so a graph has no reference cycles and is freed by reference
counting as soon as nothing refers to its result.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator
from operator import attrgetter
from typing import Any

import numpy as np

from . import config
from .autograd import check_root_grad, run_backward, state


class _Output:
    """Marker, in a context's saved values, for "the output of this operation"."""


_OUTPUT = _Output()


# tensor -> its array / its flag, at C speed (Function.apply's hot path)
_data = attrgetter("data")
_requires_grad = attrgetter("requires_grad")


class Function:
    """A differentiable operation: subclass it and write `forward` and `backward`.

    - `forward(ctx, *arrays, **params)` computes the result from numpy arrays.
    - `backward(ctx, grad)` receives the gradient of the final result with respect to this
      operation's output (a Tensor) and returns the gradient for each input (a Tensor, or
      None for an input that needs none), written with Tensor operations.
    - `MyOp.apply(*tensors, **params)` runs it and records it in the graph.

    Inside both, `ctx` is the context of this one application: `ctx.save_for_backward`,
    `ctx.saved_tensors`, `ctx.needs_input_grad` (one bool per input), `ctx.params` (the
    keyword arguments), and any attribute you set in `forward`.

    In `forward`, `ctx.needs_input_grad` is empty when the result will not be recorded (under
    `no_grad`, inside a backward pass, or when no input requires grad): forward may then skip
    preparing what only backward needs (masks, saved intermediates).
    """

    #: Name shown in graph drawings and traces; by default the class name in lower case.
    name: str | None = None

    # Defaults, so that each application sets only what it needs.
    parents: tuple[Tensor, ...] = ()
    needs_input_grad: tuple[bool, ...] = ()
    params: dict[str, Any] = {}
    scope: str | None = None
    _saved: tuple | None = ()  # None once a backward pass has freed it
    _output_ref: weakref.ref | None = None

    def forward(ctx, *arrays: np.ndarray, **params: Any) -> np.ndarray:
        raise NotImplementedError(f"{type(ctx).__name__} must define forward(ctx, *arrays)")

    def backward(ctx, grad: Tensor) -> Tensor | tuple[Tensor | None, ...] | None:
        raise NotImplementedError(f"{type(ctx).__name__} must define backward(ctx, grad)")

    def save_for_backward(ctx, *values: Any) -> None:
        """Keep values for `backward`: input and output arrays are mapped back to Tensors.
        (When nothing is recorded, `needs_input_grad` is empty and nothing is kept.)"""
        if ctx.needs_input_grad:
            ctx._saved = values

    @property
    def saved_tensors(ctx) -> tuple:
        if ctx._saved is None:
            raise RuntimeError(
                f"{ctx.label()}: the values saved for backward were already freed by a "
                "backward pass; pass retain_graph=True to the first backward() to keep them"
            )
        if ctx._output_ref is None:
            return ctx._saved
        output = ctx._output_ref()
        if output is None:
            raise RuntimeError(f"{ctx.label()}: its output was freed; it cannot be used")
        return tuple([output if v is _OUTPUT else v for v in ctx._saved])

    @classmethod
    def op_name(cls) -> str:
        return cls.name or cls.__name__.lower()

    def label(ctx) -> str:
        """`name(param=value, ...)`, as shown in drawings: `relu(negative_slope=0.1)`."""
        args = ", ".join(f"{k}={_short(v)}" for k, v in ctx.params.items())
        return f"{ctx.op_name()}({args})" if args else ctx.op_name()

    @classmethod
    def apply(cls, *inputs: Tensor, **params: Any) -> Tensor:
        """Run the operation on `inputs` (Tensors; arrays and scalars become constants)."""
        for t in inputs:
            if t.__class__ is not Tensor:  # (a numpy array has a .data too: a memoryview)
                inputs = _as_tensors(inputs)
                break
        ctx = cls.__new__(cls)
        result = Tensor.__new__(Tensor)
        result.grad = None
        result.name = None
        n = len(inputs)
        if n == 2:  # the common cases spelled out: a tuple built here is cheaper
            a, b = inputs
            needs_input_grad = (a.requires_grad, b.requires_grad)
            arrays = (a.data, b.data)
        elif n == 1:
            needs_input_grad = (inputs[0].requires_grad,)
            arrays = (inputs[0].data,)
        else:
            needs_input_grad = tuple(map(_requires_grad, inputs))
            arrays = tuple(map(_data, inputs))
        if not (True in needs_input_grad and state.grad_enabled):  # nothing to record
            out = cls.forward(ctx, *arrays, **params)
            result.data = out if out.__class__ is np.ndarray else np.asarray(out)
            result.requires_grad = False
            result._ctx = None
            return result
        # Set before forward, which may skip what only backward needs when it is empty.
        ctx.needs_input_grad = needs_input_grad
        out = cls.forward(ctx, *arrays, **params)
        if out.__class__ is not np.ndarray:
            # numpy reductions, and operations on 0-d arrays, return numpy scalars
            scalar, out = out, np.asarray(out)
            if ctx._saved:  # a saved output is still the output
                ctx._saved = tuple([out if v is scalar else v for v in ctx._saved])
        result.data = out
        result.requires_grad = True
        result._ctx = ctx
        ctx.parents = inputs
        if params:
            ctx.params = params
        scope = state.scope
        if scope is not None:
            ctx.scope = scope
        if ctx._saved:
            ctx._saved = _resolve_saved(ctx, inputs, out, result)
        return result

    def _call_backward(ctx, grad: Tensor) -> tuple:
        """Call `backward`: a tuple of one gradient (or None) per input. Each gradient is
        then checked by `_checked_grad` (the backward pass does it for those that misfit)."""
        if ctx._saved is None:
            raise RuntimeError(
                f"Trying to backward through {ctx.label()} a second time: its saved values "
                "were freed after the first backward(). Pass retain_graph=True to the first "
                "backward() (or ta.grad) to backward through the same graph again."
            )
        grads = type(ctx).backward(ctx, grad)
        if grads.__class__ is not tuple:
            grads = (grads,)
        if len(grads) != len(ctx.parents):
            raise RuntimeError(
                f"{type(ctx).__name__}.backward returned {len(grads)} gradients for "
                f"{len(ctx.parents)} inputs"
            )
        return grads

    def _checked_grad(ctx, i: int, grad: Any) -> Tensor:
        """The gradient `backward` returned for input `i`, which must be a Tensor of that
        input's shape; converted to its dtype (a float32 input of a float64 operation)."""
        parent = ctx.parents[i]
        if grad.__class__ is not Tensor:
            raise TypeError(
                f"{type(ctx).__name__}.backward must return Tensors (so that it is "
                f"differentiable), returned {type(grad).__name__} for input {i}"
            )
        if grad.data.shape != parent.data.shape:
            raise RuntimeError(
                f"{type(ctx).__name__}.backward returned a gradient of shape {grad.shape} "
                f"for input {i} of shape {parent.shape}"
            )
        if grad.data.dtype != parent.data.dtype:
            grad = grad.astype(parent.dtype)
        return grad

    def _run_backward(ctx, grad: Tensor) -> tuple:
        """`backward`'s gradients, each checked, for the inputs that require grad."""
        return tuple([
            g if g is None or not parent.requires_grad else ctx._checked_grad(i, g)
            for i, (g, parent) in enumerate(zip(ctx._call_backward(grad), ctx.parents,
                                                strict=True))
        ])


def _resolve_saved(ctx: Function, inputs, out: np.ndarray, result: Tensor) -> tuple:
    """What `ctx.save_for_backward` was given, with the input arrays replaced by the input
    Tensors, the output array by a marker for the output (held weakly: no cycle), and other
    arrays wrapped as constant Tensors."""
    resolved = []
    for value in ctx._saved:
        for t in inputs:
            if value is t.data:
                resolved.append(t)
                break
        else:
            if value is out:
                ctx._output_ref = weakref.ref(result)
                resolved.append(_OUTPUT)
            elif isinstance(value, np.ndarray):
                resolved.append(_tensor(value))
            else:
                resolved.append(value)
    return tuple(resolved)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, np.ndarray):
        return f"array{value.shape}" if value.size > 4 else np.array2string(value, separator=",")
    return repr(value)


def _tensor(data: np.ndarray) -> Tensor:
    """A constant Tensor without validation: the engine's fast path for arrays it computed.
    (`Function.apply` builds the Tensors it records itself.)"""
    t = Tensor.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = False
    t._ctx = None
    t.name = None
    return t


def _as_tensors(values) -> tuple[Tensor, ...]:
    """Inputs of `Function.apply`: Tensors stay; Python scalars take the dtype of the first
    float Tensor among the inputs (as numpy and PyTorch do); arrays keep theirs."""
    like = next(
        (v.data.dtype for v in values if isinstance(v, Tensor) and v.data.dtype.kind == "f"),
        None,
    )
    return tuple(v if isinstance(v, Tensor) else _constant(v, like) for v in values)


def _constant(value: Any, like: np.dtype | None) -> Tensor:
    if isinstance(value, (bool, int, float)) and like is not None:
        return _tensor(np.asarray(value, dtype=like))
    return Tensor(value)


_DTYPE_KINDS = "fiub"  # float, signed and unsigned integer, bool


def _checked_dtype(dtype: Any, where: str) -> np.dtype:
    """`dtype` as a numpy dtype, which must be a float, integer or bool type."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{where}: dtype must be a numpy dtype or its name, received {dtype!r}"
        ) from None
    if dtype.kind not in _DTYPE_KINDS:
        raise TypeError(f"{where}: dtype must be a float, int or bool type, received {dtype}")
    return dtype


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """Tensor data from what a user passes, following the dtype policy (DESIGN.md)."""
    if dtype is not None:
        dtype = _checked_dtype(dtype, "Tensor")
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
    elif isinstance(data, (bool, int, float, list, tuple)):
        try:
            array = np.array(data, dtype=dtype or config.floatx())
        except ValueError as e:
            if "inhomogeneous" in str(e) or "sequence" in str(e):
                raise ValueError(
                    f"Tensor: data must be rectangular (every row the same length), "
                    f"received a ragged list: {data!r:.80}"
                ) from None
            raise TypeError(
                f"Tensor: data must hold numbers, received {data!r:.80} ({e})"
            ) from None
        except TypeError as e:
            raise TypeError(
                f"Tensor: data must hold numbers, received {data!r:.80} ({e})"
            ) from None
    else:
        raise TypeError(
            "Tensor: data must be a number, a (nested) list of numbers, a numpy array or a "
            f"Tensor, received {type(data).__name__}: {data!r:.80}"
        )
    if array.dtype.kind not in _DTYPE_KINDS:
        raise TypeError(
            f"Tensor: data must be numeric (float, int or bool), received dtype {array.dtype}"
        )
    return array


def _normalize_axis(axis: Any, ndim: int, argname: str = "axis") -> tuple[int, ...] | None:
    """None, an int or a tuple of ints, checked against `ndim`, as a tuple of axes >= 0."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    result = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{argname} must be an int, a tuple of ints or None, received {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{argname}={axis!r} is out of range for a tensor with {ndim} dimensions"
            )
        result.append(int(a) % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"{argname}={axis!r} repeats an axis")
    return tuple(result)


class Tensor:
    """A numpy array, and how it was computed, for reverse-mode differentiation.

    Args:
        data: a number, a (nested) list, a numpy array or a Tensor. Python numbers and lists
            become `ta.floatx()` (float32 by default), even when they hold ints; numpy
            arrays keep their dtype (integer arrays stay integer: labels).
        dtype: a dtype to convert to.
        requires_grad: whether `backward` should compute this tensor's gradient
            (floating point tensors only).
        name: a name shown in graph drawings.

    After `backward()`, `.grad` holds the gradient of the result with respect to this tensor,
    for every tensor in the graph (as in micrograd), not only for the leaves.
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "name", "__weakref__")
    # numpy hands `array * tensor` to our reflected operators instead of looping over us.
    __array_ufunc__ = None

    def __init__(
        self, data: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None
    ) -> None:
        array = _to_array(data, dtype)
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Tensor: requires_grad must be a bool, received {requires_grad!r}")
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating point tensors can require grad, received dtype "
                f"{array.dtype}; convert first, e.g. Tensor(data, dtype='float32', "
                "requires_grad=True)"
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Tensor: name must be a str or None, received {name!r}")
        self.data = array
        self.grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self._ctx: Function | None = None
        self.name = name

    # ---- what it is --------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def T(self) -> Tensor:
        """The axes reversed; a matrix transposed."""
        if self.data.ndim != 2:
            return self.transpose()
        if self.requires_grad and state.grad_enabled:
            return ops.Transpose.apply(self, axes=(1, 0))
        return _tensor(self.data.T)  # nothing to record (as in MatMul's backward): the view

    @property
    def is_leaf(self) -> bool:
        """True for tensors not computed by a recorded operation (inputs, weights)."""
        return self._ctx is None

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (the same array, not a copy)."""
        return self.data

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, this one has shape {self.shape}"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if dtype is None and not copy:
            return self.data
        return np.array(self.data, dtype=dtype, copy=True if copy else None)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        return bool(self.data)

    __hash__ = object.__hash__  # comparisons return tensors, so identity is the hash

    def __repr__(self) -> str:
        text = str(self.data)
        extra = ", requires_grad=True" if self.requires_grad else ""
        sep = "\n" if "\n" in text else ""
        return f"Tensor({sep}{text}, shape={self.shape}, dtype={self.dtype}{extra})"

    __str__ = __repr__

    # ---- gradients ---------------------------------------------------------------------
    def backward(
        self, grad: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Compute the gradient of this tensor with respect to every tensor it was computed
        from, and add it to their `.grad`.

        Args:
            grad: the gradient of some final quantity with respect to this tensor; may be left
                out for a scalar (it is then 1).
            retain_graph: keep the saved values so that backward can run through the graph
                again; None means the value of `create_graph`.
            create_graph: record the backward pass itself, so that the gradients can be
                differentiated again (second derivatives). The gradients then refer back
                into the graph that refers to the inputs: a reference cycle, as in PyTorch,
                which the garbage collector frees; set `x.grad = None` to break it early.
        """
        if not self.requires_grad:
            raise ValueError(
                "backward: this tensor does not require grad: it does not depend on any "
                "tensor with requires_grad=True (or it was computed under ta.no_grad())"
            )
        root_grad = check_root_grad(self, grad, "grad")
        if retain_graph is None:
            retain_graph = create_graph
        run_backward([self], [root_grad], retain_graph=retain_graph, create_graph=create_graph)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (it shares memory with this tensor)."""
        return _tensor(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(
                f"requires_grad_: requires_grad must be a bool, received {requires_grad!r}"
            )
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad_: only floating point tensors can require grad, this one is "
                f"{self.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def zero_grad(self) -> None:
        """Clear `.grad` (the next backward starts from nothing)."""
        self.grad = None

    def _copy(self) -> Tensor:
        return _tensor(self.data.copy())

    # ---- arithmetic --------------------------------------------------------------------
    def _operand(self, other: Any) -> Tensor:
        """The other operand of a binary operator, as a Tensor. A Python number takes this
        tensor's dtype (`t * 0.5` keeps float32); an integer tensor combined with a float
        becomes that float type."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (bool, int, float)):
            kind = self.data.dtype.kind
            if kind == "f" or (kind in "iu" and not isinstance(other, float)):
                return _tensor(np.asarray(other, dtype=self.data.dtype))
            return _tensor(np.asarray(other, dtype=config.floatx()))
        if isinstance(other, (np.ndarray, np.generic, list, tuple)):
            return Tensor(other)
        raise TypeError(
            f"unsupported operand: expected a Tensor, number, list or numpy array, received "
            f"{type(other).__name__}"
        )

    def __add__(self, other: Any) -> Tensor:
        return _binary(ops.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(ops.Add, self._operand(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary(ops.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(ops.Sub, self._operand(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(ops.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(ops.Mul, self._operand(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(ops.Div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(ops.Div, self._operand(other), self)

    def __matmul__(self, other: Any) -> Tensor:
        return _binary(ops.MatMul, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _binary(ops.MatMul, self._operand(other), self)

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
            return ops.PowScalar.apply(self, exponent=_python_number(exponent))
        return _binary(ops.Pow, self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _binary(ops.Pow, self._operand(base), self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    # Comparisons give boolean tensors and carry no gradient.
    def _compare(self, op, other: Any) -> Tensor:
        other = other.data if isinstance(other, Tensor) else other
        return _tensor(np.asarray(op(self.data, other)))

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(np.greater_equal, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    # ---- elementwise functions ---------------------------------------------------------
    def exp(self) -> Tensor:
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        return ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def clip(self, min_value: float | None = None, max_value: float | None = None) -> Tensor:
        """Limit the values to [min_value, max_value]; the gradient passes where they are
        inside (bounds included), as in PyTorch's clamp."""
        for argname, v in (("min_value", min_value), ("max_value", max_value)):
            is_number = isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
            if v is not None and not is_number:
                raise TypeError(f"clip: {argname} must be a number or None, received {v!r}")
        # Python numbers, so that a numpy float64 bound does not make float32 data float64.
        min_value, max_value = (_python_number(v) for v in (min_value, max_value))
        if min_value is not None and max_value is not None and min_value > max_value:
            raise ValueError(
                f"clip: min_value ({min_value}) must not be greater than max_value ({max_value})"
            )
        return ops.Clip.apply(self, min_value=min_value, max_value=max_value)

    def astype(self, dtype: Any) -> Tensor:
        dtype = _checked_dtype(dtype, "astype")
        if dtype == self.data.dtype:
            return self
        if dtype.kind != "f":  # integers and bools carry no gradient: cut the graph here
            return _tensor(self.data.astype(dtype))
        return ops.Cast.apply(self, dtype=dtype)

    # ---- reductions --------------------------------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.Sum.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.Mean.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        self._check_not_empty("max")
        return ops.Max.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        self._check_not_empty("min")
        return ops.Min.apply(self, axis=_normalize_axis(axis, self.ndim), keepdims=keepdims)

    def _check_not_empty(self, what: str) -> None:
        if self.data.size == 0:
            raise ValueError(f"{what}() of an empty tensor (shape {self.shape})")

    # ---- shapes ------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        """`t.reshape(6, 4)` or `t.reshape((6, 4))`; one dimension may be -1."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if shape == self.data.shape:
            return self
        new_shape = _reshaped(self.data.shape, shape)
        if new_shape == self.data.shape:
            return self
        return ops.Reshape.apply(self, shape=new_shape)

    def flatten(self) -> Tensor:
        return self.reshape(-1)

    def expand_dims(self, axis: int) -> Tensor:
        (axis,) = _normalize_axis(axis, self.ndim + 1)
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def squeeze(self, axis: Any = None) -> Tensor:
        axes = _normalize_axis(axis, self.ndim)
        if axes is None:
            axes = tuple(i for i, n in enumerate(self.shape) if n == 1)
        for a in axes:
            if self.shape[a] != 1:
                raise ValueError(
                    f"squeeze: axis {a} has size {self.shape[a]}, only axes of size 1 can go "
                    f"(shape {self.shape})"
                )
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in axes))

    def transpose(self, *axes: Any) -> Tensor:
        """Reverse the axes, or order them as given: `t.transpose(1, 0)`, `t.transpose((1, 0))`."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(range(self.ndim - 1, -1, -1))
        normalized = _normalize_axis(axes, self.ndim, "axes")
        if len(normalized) != self.ndim:
            raise ValueError(
                f"transpose: axes must list each of the {self.ndim} axes once, received {axes}"
            )
        if normalized == tuple(range(self.ndim)):
            return self
        return ops.Transpose.apply(self, axes=normalized)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        (a,) = _normalize_axis(axis1, self.ndim, "axis1")
        (b,) = _normalize_axis(axis2, self.ndim, "axis2")
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(tuple(axes))

    def broadcast_to(self, shape: tuple[int, ...]) -> Tensor:
        shape = tuple(shape)
        if shape == self.shape:
            return self
        if not _broadcasts_to(self.shape, shape):
            raise ValueError(f"broadcast_to: cannot broadcast shape {self.shape} to {shape}")
        return ops.BroadcastTo.apply(self, shape=shape)

    def sum_to(self, shape: tuple[int, ...]) -> Tensor:
        """Sum over the axes that broadcasting added, back to `shape`: un-broadcasting."""
        shape = tuple(shape)
        own = self.data.shape
        if shape == own:
            return self
        if own[len(own) - len(shape):] == shape:  # only leading axes were added (a bias)
            return ops.SumTo.apply(self, shape=shape)
        if not _broadcasts_to(shape, own):  # else the sum would be silently wrong
            raise ValueError(
                f"sum_to: cannot sum shape {self.shape} to {shape}: {shape} does not "
                f"broadcast to {self.shape}"
            )
        return ops.SumTo.apply(self, shape=shape)

    def __getitem__(self, index: Any) -> Tensor:
        index = _index_arrays(index)
        try:
            return ops.Index.apply(self, index=index)
        except (IndexError, TypeError, ValueError) as e:
            raise IndexError(
                f"index {index!r:.80} is invalid for shape {self.shape}: {e}"
            ) from None


def _index_arrays(index: Any) -> Any:
    """Tensors inside an index become arrays (indices carry no gradient)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _python_number(value: Any) -> Any:
    """A numpy scalar as the Python number it holds: Python numbers are "weak" in numpy 2
    (they take the array's dtype), numpy float64 scalars are not."""
    return value.item() if isinstance(value, np.generic) else value


def _reshaped(shape: tuple[int, ...], new: tuple[Any, ...]) -> tuple[int, ...]:
    """`new` with its -1 (if any) filled in, checked to hold as many elements as `shape`."""
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in new):
        raise TypeError(f"reshape: the shape must be integers, received {new!r}")
    new = tuple(int(n) for n in new)
    size, known = math.prod(shape), math.prod(n for n in new if n != -1)
    if new.count(-1) > 1 or any(n < -1 for n in new):
        raise ValueError(f"reshape: invalid shape {new}: at most one -1 and no other negatives")
    if -1 in new:
        if known == 0 or size % known:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {shape} ({size} elements) to {new}"
            )
        new = tuple(size // known if n == -1 else n for n in new)
    elif known != size:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {shape} ({size} elements) to {new} "
            f"({known} elements)"
        )
    return new


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """True when numpy broadcasting stretches `shape` to exactly `target`."""
    return len(shape) <= len(target) and all(
        n == m or n == 1 for n, m in zip(reversed(shape), reversed(target), strict=False)
    )


def _binary(fn: type[Function], a: Tensor, b: Any) -> Tensor:
    """`a op b` as `fn.apply(a, b)`: a number or array `b` becomes a Tensor (a Python number
    takes `a`'s dtype), and an integer operand takes the other's float type."""
    if b.__class__ is not Tensor:
        b = a._operand(b)
    if a.data.dtype is not b.data.dtype and a.data.dtype != b.data.dtype:
        a, b = _promote(a, b)
    return fn.apply(a, b)


def _promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """An integer or bool tensor combined with a float one takes the float's dtype."""
    ka, kb = a.data.dtype.kind, b.data.dtype.kind
    if ka == "f" and kb != "f":
        return a, _tensor(b.data.astype(a.data.dtype))
    if kb == "f" and ka != "f":
        return _tensor(a.data.astype(b.data.dtype)), b
    return a, b


from . import ops  # noqa: E402  (the primitive operations are Functions on Tensors: defined above)
