"""`Function`: the one way a differentiable operation is defined, by the library and by you.

A Function has two halves, side by side as in micrograd:

    class Exp(Function):
        derivative = "d/da = exp(a), the output itself"

        def forward(ctx, a):               # numpy in, numpy out
            out = np.exp(a)
            ctx.save_for_backward(out)
            return out

        def backward(ctx, grad):           # Tensors in, Tensors out
            (out,) = ctx.saved_tensors
            return grad * out

`Exp.apply(t)` runs `forward` on `t`'s array. When `t` requires grad, the result remembers
the Function's context, `ctx`: the object that both halves receive, which holds the inputs
(`ctx.parents`), the keyword arguments (`ctx.params`) and what forward saved. The backward
pass (autograd.py) later calls `backward` with the gradient arriving at the output.

Because `backward` is written with Tensor operations, it can itself be recorded
(`create_graph=True`): that is how second derivatives come out (HIPS autograd's idea). For
that to be right, what backward uses must be the graph's own Tensors: `save_for_backward`
given the very input arrays or the very output array hands back, in `saved_tensors`, the
input Tensors and the output Tensor; anything else it is given is a constant.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from .grad_mode import state


class _Output:
    """Marker, among a context's saved values, for "the output of this operation"."""


_OUTPUT = _Output()


class Function:
    """A differentiable operation: subclass it and write `forward` and `backward`.

    - `forward(ctx, *arrays, **params)` computes the result from numpy arrays.
    - `backward(ctx, grad)` receives the gradient with respect to the output (a Tensor) and
      returns the gradient for each input (a Tensor, or None for an input that needs none),
      written with Tensor operations.
    - `MyOp.apply(*tensors, **params)` runs it and records it in the graph.
    - `derivative`: the local derivative in one line of text, shown by `trace_backward` and
      `explore` (e.g. "d/dx = 1 - out^2").

    Inside both halves `ctx` is the context of this one application: `ctx.save_for_backward`,
    `ctx.saved_tensors`, `ctx.needs_input_grad` (one bool per input), `ctx.params` (the
    keyword arguments), and any attribute you set in `forward`.
    """

    #: Name shown in graph drawings and traces; by default the class name in lower case.
    name: str | None = None
    #: The local derivative, in words and symbols, for traces and the explorer.
    derivative: str | None = None

    scope: str | None = None  # the layer being called when it was recorded (for drawings)
    _saved: tuple | None = ()  # what forward saved; None once a backward pass freed it
    _output: weakref.ref | None = None  # the output Tensor, when forward saved it

    def forward(ctx, *arrays: np.ndarray, **params: Any) -> np.ndarray:
        raise NotImplementedError(f"{type(ctx).__name__} must define forward(ctx, *arrays)")

    def backward(ctx, grad: Tensor) -> Tensor | tuple[Tensor | None, ...] | None:
        raise NotImplementedError(f"{type(ctx).__name__} must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Tensor:
        """Run the operation on `inputs` (Tensors; arrays and numbers become constants) and,
        when an input requires grad and the grad mode is on, record it in the result."""
        arrays, needs = [], []
        for t in inputs:
            if not isinstance(t, Tensor):  # a number or an array among them: make them Tensors
                return cls.apply(*as_tensors(inputs), **params)
            arrays.append(t.data)
            needs.append(t.requires_grad)
        ctx = cls()
        ctx.parents = inputs
        ctx.params = params
        ctx.needs_input_grad = tuple(needs)
        output = cls.forward(ctx, *arrays, **params)
        array = np.asarray(output)
        if state.recorder is not None:  # ta.jit is recording a step: this is one of its kernels
            ctx.scope = state.scope
            state.recorder.record(ctx, output, array)
        result = Tensor._wrap(array)
        if True in needs and state.grad_enabled:  # record: link the result to its context
            result._ctx = ctx
            result.requires_grad = True
            ctx.scope = state.scope
            if ctx._saved:
                saved = []
                for value in ctx._saved:
                    saved.append(ctx._graph_value(value, output, result))
                ctx._saved = tuple(saved)
        return result

    def save_for_backward(ctx, *values: Any) -> None:
        """Keep values for `backward`: input and output arrays come back as Tensors."""
        ctx._saved = values

    @property
    def saved_tensors(ctx) -> tuple:
        """What `forward` saved: the inputs and output as the graph's Tensors."""
        if ctx._saved is None:
            raise RuntimeError(
                f"Trying to backward through {ctx.label()} a second time: its saved values "
                "were already freed by the first backward(). Pass retain_graph=True to the first "
                "backward() (or ta.grad) to backward through the same graph again."
            )
        if ctx._output is None:  # forward did not save its output
            return ctx._saved
        output = ctx._output()
        return tuple([output if value is _OUTPUT else value for value in ctx._saved])

    def _graph_value(ctx, value: Any, output: Any, result: Tensor) -> Any:
        """A saved value as backward will see it: an input array is that input's Tensor,
        the output array is the result (held by a weak reference: the result refers to this
        context, and a strong reference back would be a cycle), another array a constant."""
        for parent in ctx.parents:
            if value is parent.data:
                return parent
        if value is output:
            ctx._output = weakref.ref(result)
            return _OUTPUT
        return Tensor._wrap(value) if isinstance(value, np.ndarray) else value

    def free_saved(ctx) -> None:
        """Release what forward saved (the backward pass does, unless retain_graph=True)."""
        ctx._saved = None

    def _run_backward(ctx, grad: Tensor) -> list[Tensor | None]:
        """`backward`'s gradients, checked in one place: one per input (extra trailing Nones
        are allowed), None for an input that needs no gradient, and each a Tensor of its
        input's shape, converted to its dtype (a float32 input of a float64 operation)."""
        grads = ctx.backward(grad)
        if not isinstance(grads, tuple):
            grads = (grads,)
        n = len(ctx.parents)
        if len(grads) != n and (len(grads) < n or grads[n:].count(None) != len(grads) - n):
            raise RuntimeError(
                f"{type(ctx).__name__}.backward returned {len(grads)} gradients for {n} inputs"
            )
        checked = []
        for i, parent in enumerate(ctx.parents):
            g = grads[i]
            if g is None or not parent.requires_grad:
                g = None  # no gradient is needed for this input
            elif not (isinstance(g, Tensor) and g.data.shape == parent.data.shape
                      and g.data.dtype == parent.data.dtype):
                g = ctx._mismatched_grad(parent, g, i)
            checked.append(g)
        return checked

    def _mismatched_grad(ctx, parent: Tensor, grad: Any, i: int) -> Tensor:
        """A gradient for input `i` (`parent`) that is not a Tensor of its shape and dtype:
        an error, or converted to the input's dtype."""
        if not isinstance(grad, Tensor):
            raise TypeError(
                f"{type(ctx).__name__}.backward must return Tensors (so that it is "
                f"differentiable), returned {type(grad).__name__} for input {i}"
            )
        if grad.shape != parent.shape:
            raise RuntimeError(
                f"{type(ctx).__name__}.backward returned a gradient of shape {grad.shape} "
                f"for input {i} of shape {parent.shape}"
            )
        return grad.astype(parent.dtype)

    @classmethod
    def op_name(cls) -> str:
        return cls.name or cls.__name__.lower()

    def label(ctx) -> str:
        """`name(param=value, ...)`, as shown in drawings: `relu(negative_slope=0.1)`."""
        args = ", ".join(f"{k}={short_repr(v)}" for k, v in ctx.params.items())
        return f"{ctx.op_name()}({args})" if args else ctx.op_name()


def short_repr(value: Any) -> str:
    """A parameter's value in a label: floats to 6 digits, large arrays by their shape."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, np.ndarray):
        return f"array{value.shape}" if value.size > 4 else np.array2string(value, separator=",")
    return repr(value)


def as_tensors(values: tuple) -> tuple[Tensor, ...]:
    """The inputs of an operation as Tensors: Tensors stay, a Python number takes the dtype
    of the first float Tensor among them (as in numpy and PyTorch), an array keeps its own."""
    like = next((v.dtype for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"), None)
    return tuple([_as_tensor(v, like) for v in values])


def _as_tensor(value: Any, like: np.dtype | None) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if like is not None and isinstance(value, (bool, int, float)):
        return Tensor._wrap(np.asarray(value, dtype=like))
    return Tensor(value)


# Tensors are made by Functions and Functions by Tensors' methods: each module imports the
# other at its end, once its own names exist.
from .tensor import Tensor  # noqa: E402
