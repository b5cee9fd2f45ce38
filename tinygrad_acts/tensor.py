"""`Tensor`: a numpy array that remembers how it was computed.

A Tensor holds its array (`.data`), whether gradients should flow to it (`.requires_grad`),
its gradient after a backward pass (`.grad`), and, when an operation made it, that
operation's context (`._ctx`: the Function applied, its inputs and what it saved). Those
contexts, linked through their inputs, are the graph that `backward()` walks.

Every method that computes something is one line that applies a Function of ops.py (or of
activations/): the Tensor itself knows no derivatives.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from . import config
from .grad_mode import state
from .validation import (
    broadcasts_to,
    checked_dtype,
    normalize_axis,
    python_number,
    reshaped,
    to_array,
)


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
        array = to_array(data.data if isinstance(data, Tensor) else data, dtype)
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
        self._ctx = None
        self.name = name

    @classmethod
    def _wrap(cls, array: np.ndarray) -> Tensor:
        """A Tensor around an array the engine computed (no checks needed)."""
        t = cls.__new__(cls)
        t.data = array
        t.grad = t._ctx = t.name = None
        t.requires_grad = False
        return t

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
        return ops.Transpose.apply(self, axes=tuple(range(self.ndim - 1, -1, -1)))

    @property
    def is_leaf(self) -> bool:
        """True for tensors not computed by a recorded operation (inputs, weights)."""
        return self._ctx is None

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (the same array, not a copy)."""
        _reading_value("numpy()")
        return self.data

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, this one has shape {self.shape}"
            )
        _reading_value("item()")
        return self.data.item()

    def tolist(self) -> Any:
        _reading_value("tolist()")
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
        _reading_value("bool()")
        return bool(self.data)

    __hash__ = object.__hash__  # comparisons return tensors, so identity is the hash

    def __repr__(self) -> str:
        _reading_value("printing")
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
                differentiated again (second derivatives). The leaves' `.grad` then refer
                back into the graph that refers to the leaves: a reference cycle, as in
                PyTorch; `x.grad = None` breaks it (intermediates get detached values).
        """
        autograd.backward(self, grad, retain_graph=retain_graph, create_graph=create_graph)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (it shares memory with this tensor)."""
        return Tensor._wrap(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(
                f"requires_grad_: requires_grad must be a bool, received {requires_grad!r}"
            )
        if not self.is_leaf:
            raise ValueError(
                "requires_grad_: only a leaf tensor's flag can be changed; this one was "
                "computed by an operation (use .detach() to get a leaf)"
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

    # ---- writing in place (weights, optimizer state) -----------------------------------
    def assign(self, value: Any) -> Tensor:
        """Write `value` into this tensor's array, in place (Keras's `variable.assign`);
        returns the tensor. Used for updates: no gradient flows through it, so a tensor that
        requires grad can only be assigned under `ta.no_grad()` (as in PyTorch), and only a
        leaf can be (a computed tensor's values are saved in the graph that made it)."""
        return self._write(ops.Assign, value, "assign")

    def assign_add(self, value: Any) -> Tensor:
        """`self += value`, in place (Keras's `assign_add`); see `assign`."""
        return self._write(ops.AssignAdd, value, "assign_add")

    def assign_sub(self, value: Any) -> Tensor:
        """`self -= value`, in place (Keras's `assign_sub`); see `assign`."""
        return self._write(ops.AssignSub, value, "assign_sub")

    def _write(self, fn: type, value: Any, what: str) -> Tensor:
        value = self._operand(value)
        if self.requires_grad and state.grad_enabled:
            raise RuntimeError(
                f"{what}: this tensor requires grad and the grad mode is on; an in-place "
                "update is not differentiable: do it inside `with ta.no_grad():`")
        if not self.is_leaf:
            raise ValueError(
                f"{what}: only a leaf tensor (a weight, a state) can be written in place; "
                "this one was computed by an operation")
        if not broadcasts_to(value.shape, self.shape):
            raise ValueError(
                f"{what}: a value of shape {value.shape} does not fit a tensor of shape "
                f"{self.shape}")
        if value.dtype.kind == "f" and self.dtype.kind != "f":
            raise TypeError(f"{what}: cannot write float values into a {self.dtype} tensor")
        if not self.data.flags.writeable:
            raise ValueError(f"{what}: this tensor's array is read-only (a broadcast view?)")
        fn.apply(self, value)
        return self

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
                return Tensor._wrap(np.asarray(other, dtype=self.data.dtype))
            return Tensor._wrap(np.asarray(other, dtype=config.floatx()))
        if isinstance(other, (np.ndarray, np.generic, list, tuple)):
            return Tensor(other)
        raise TypeError(
            f"unsupported operand: expected a Tensor, number, list or numpy array, received "
            f"{type(other).__name__}"
        )

    def __add__(self, other: Any) -> Tensor:
        return _binary(ops.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(ops.Add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary(ops.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(ops.Sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(ops.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(ops.Mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(ops.Div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(ops.Div, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _binary(ops.MatMul, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _binary(ops.MatMul, other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
            if exponent == 1:  # x ** 1 is x
                return self
            return ops.PowScalar.apply(self, exponent=python_number(exponent))
        return _binary(ops.Pow, self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _binary(ops.Pow, base, self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    # Comparisons give boolean tensors and carry no gradient (ops.Compare).
    def _compare(self, op, other: Any) -> Tensor:
        try:
            other = self._operand(other)
        except TypeError:  # something numpy compares in its own way (None, a string)
            return Tensor._wrap(np.asarray(op(self.data, other)))
        return ops.compare(op, self, other)

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

    def log1p(self) -> Tensor:
        return ops.Log1p.apply(self)

    def expm1(self) -> Tensor:
        return ops.Expm1.apply(self)

    def sin(self) -> Tensor:
        return ops.Sin.apply(self)

    def cos(self) -> Tensor:
        return ops.Cos.apply(self)

    def clip(self, min_value: float | None = None, max_value: float | None = None) -> Tensor:
        """Limit the values to [min_value, max_value]; the gradient passes where they are
        inside (bounds included), as in PyTorch's clamp."""
        for argname, v in (("min_value", min_value), ("max_value", max_value)):
            is_number = isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
            if v is not None and not is_number:
                raise TypeError(f"clip: {argname} must be a number or None, received {v!r}")
        # Python numbers, so that a numpy float64 bound does not make float32 data float64.
        min_value, max_value = python_number(min_value), python_number(max_value)
        if min_value is not None and max_value is not None and min_value > max_value:
            raise ValueError(
                f"clip: min_value ({min_value}) must not be greater than max_value ({max_value})"
            )
        return ops.Clip.apply(self, min_value=min_value, max_value=max_value)

    def astype(self, dtype: Any) -> Tensor:
        dtype = checked_dtype(dtype, "astype")
        if dtype == self.data.dtype:
            return self
        if dtype.kind != "f":  # integers and bools carry no gradient: cut the graph here
            return Tensor._wrap(self.data.astype(dtype))
        return ops.Cast.apply(self, dtype=dtype)

    # ---- reductions --------------------------------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.Sum.apply(self, axis=normalize_axis(axis, self.ndim), keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.Mean.apply(self, axis=normalize_axis(axis, self.ndim), keepdims=keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        self._check_not_empty("max")
        return ops.Max.apply(self, axis=normalize_axis(axis, self.ndim), keepdims=keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        self._check_not_empty("min")
        return ops.Min.apply(self, axis=normalize_axis(axis, self.ndim), keepdims=keepdims)

    def prod(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.prod(self, axis=axis, keepdims=keepdims)

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        return ops.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        return ops.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def norm(self, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.norm(self, ord=ord, axis=axis, keepdims=keepdims)

    def cumsum(self, axis: int | None = None) -> Tensor:
        """Running sums along `axis` (over the flattened tensor when None, as numpy)."""
        if axis is None:
            return ops.CumSum.apply(self.flatten(), axis=0)
        (axis,) = normalize_axis(axis, self.ndim)
        return ops.CumSum.apply(self, axis=axis)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Where the maximum is (an integer tensor: it carries no gradient)."""
        self._check_not_empty("argmax")
        return Tensor._wrap(np.asarray(np.argmax(self.data, axis=_one_axis(axis, self.ndim),
                                                 keepdims=keepdims)))

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Where the minimum is (an integer tensor: it carries no gradient)."""
        self._check_not_empty("argmin")
        return Tensor._wrap(np.asarray(np.argmin(self.data, axis=_one_axis(axis, self.ndim),
                                                 keepdims=keepdims)))

    def _check_not_empty(self, what: str) -> None:
        if self.data.size == 0:
            raise ValueError(f"{what}() of an empty tensor (shape {self.shape})")

    # ---- shapes ------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        """`t.reshape(6, 4)` or `t.reshape((6, 4))`; one dimension may be -1."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        new_shape = reshaped(self.data.shape, shape)
        if new_shape == self.data.shape:
            return self
        return ops.Reshape.apply(self, shape=new_shape)

    def flatten(self) -> Tensor:
        return self.reshape(-1)

    def expand_dims(self, axis: int) -> Tensor:
        (axis,) = normalize_axis(axis, self.ndim + 1)
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def squeeze(self, axis: Any = None) -> Tensor:
        axes = normalize_axis(axis, self.ndim)
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
        normalized = normalize_axis(axes, self.ndim, "axes")
        if len(normalized) != self.ndim:
            raise ValueError(
                f"transpose: axes must list each of the {self.ndim} axes once, received {axes}"
            )
        if normalized == tuple(range(self.ndim)):
            return self
        return ops.Transpose.apply(self, axes=normalized)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        (a,) = normalize_axis(axis1, self.ndim, "axis1")
        (b,) = normalize_axis(axis2, self.ndim, "axis2")
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(tuple(axes))

    def broadcast_to(self, shape: tuple[int, ...]) -> Tensor:
        shape = tuple(shape)
        if shape == self.shape:
            return self
        if not broadcasts_to(self.shape, shape):
            raise ValueError(f"broadcast_to: cannot broadcast shape {self.shape} to {shape}")
        return ops.BroadcastTo.apply(self, shape=shape)

    def sum_to(self, shape: tuple[int, ...]) -> Tensor:
        """Sum over the axes that broadcasting added, back to `shape`: un-broadcasting."""
        shape = tuple(shape)
        if shape == self.shape:
            return self
        if not broadcasts_to(shape, self.shape):  # else the sum would be silently wrong
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


def _reading_value(what: str) -> None:
    """A value read into Python while `ta.jit` records a step is frozen into the recording:
    the recorder warns (jit.py, "What a recording cannot see")."""
    if state.recorder is not None:
        state.recorder.read_value(what)


def _one_axis(axis: Any, ndim: int) -> int | None:
    """None, or one axis (argmax and argmin take no tuple)."""
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"axis must be an int or None, received {axis!r}")
    return normalize_axis(axis, ndim)[0]


def _index_arrays(index: Any) -> Any:
    """Tensors inside an index become arrays (indices carry no gradient)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _binary(fn: type, a: Any, b: Any) -> Tensor:
    """`a op b` as `fn.apply(a, b)`, one of them a Tensor: the other becomes one (see
    `_operand`), and an integer operand takes the other's float type."""
    if not isinstance(b, Tensor):
        b = a._operand(b)
    elif not isinstance(a, Tensor):
        a = b._operand(a)
    if a.data.dtype != b.data.dtype:
        a, b = _promote(a, b)
    try:
        return fn.apply(a, b)
    except ValueError as error:  # explained when it is about their shapes
        raise ops.shapes_error(fn, (a, b), error) from None


def _promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """An integer or bool tensor combined with a float one takes the float's dtype."""
    ka, kb = a.data.dtype.kind, b.data.dtype.kind
    if ka == "f" and kb != "f":
        return a, ops.Cast.apply(b, dtype=a.data.dtype)
    if kb == "f" and ka != "f":
        return ops.Cast.apply(a, dtype=b.data.dtype), b
    return a, b


# The operations are Functions on Tensors, and the backward pass walks Tensors: both modules
# import this one, so they are imported here at the end, once Tensor exists.
from . import autograd, ops  # noqa: E402
