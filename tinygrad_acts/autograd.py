"""Reverse-mode automatic differentiation: the backward pass over a recorded graph.

Every Tensor made by a `Function` remembers that Function's context (`tensor._ctx`), and the
context remembers its inputs (`ctx.parents`). Backward walks that graph from the result to the
leaves in reverse topological order, asking each context for the gradients of its inputs
(`Function.backward`) and summing what reaches each tensor from all its uses.

This module also holds the grad mode (`no_grad`, `enable_grad`): when it is off, operations
record nothing, and backward itself runs with it off unless `create_graph=True`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import engine  # (a cycle: engine imports this module; its names are used at call time)

if TYPE_CHECKING:
    from .engine import Tensor


class _State(threading.local):
    """Per-thread state: whether operations record a graph, and the layer being called."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.scope: str | None = None


state = _State()


def is_grad_enabled() -> bool:
    """True when operations record the graph that `backward` needs."""
    return state.grad_enabled


class _GradMode:
    """Sets the grad mode inside a `with` block or a decorated function, then restores it."""

    enabled: bool

    def __enter__(self) -> None:
        self._previous = state.grad_enabled
        state.grad_enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        state.grad_enabled = self._previous

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Context manager and decorator: operations inside record no graph (inference, updates)."""

    enabled = False


class enable_grad(_GradMode):
    """Context manager and decorator: record the graph again inside a `no_grad` block."""

    enabled = True


class name_scope:
    """Tags every operation recorded inside the block with `name` (a layer's name), so that
    the graph drawing can group a layer's operations together."""

    def __init__(self, name: str | None) -> None:
        self.name = name

    def __enter__(self) -> None:
        self._previous = state.scope
        state.scope = self.name

    def __exit__(self, *exc_info: object) -> None:
        state.scope = self._previous


def topological_order(roots: Sequence[Tensor], refuse_freed: bool = False) -> list[Tensor]:
    """The tensors that `roots` were computed from, each after all of its inputs.

    An iterative depth-first search (micrograd's is recursive, and Python's recursion limit
    stops it near 1,000 nodes; this one handles chains of any length). Only tensors that
    require grad are visited: the others cannot pass a gradient on. With `refuse_freed`, an
    operation whose saved values an earlier backward pass freed raises its error (so that
    backward refuses the graph before any `.grad` changes).

    Tensors are hashed by identity, so sets and dicts of them are sets and dicts of nodes.
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    # Each stack entry is a tensor and an iterator over its inputs still to visit; the first
    # stands for no tensor: its inputs are the roots.
    stack: list = [(None, iter(roots))]
    while stack:
        tensor, inputs = stack[-1]
        for t in inputs:
            if t.requires_grad and t not in visited:
                visited.add(t)
                ctx = t._ctx
                if ctx is None:  # a leaf has no inputs to place first
                    order.append(t)
                    continue
                if refuse_freed and ctx._saved is None:
                    ctx._call_backward(None)  # raises its "a second time" error
                stack.append((t, iter(ctx.parents)))
                break
        else:  # every input is placed: the tensor goes after them
            stack.pop()
            if tensor is not None:
                order.append(tensor)
    return order


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    *,
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> dict[Tensor, Tensor]:
    """Propagate `root_grads` from `roots` back through the graph.

    With `inputs=None` (what `Tensor.backward` does) every tensor that requires grad gets its
    gradient added to `.grad`. With `inputs` given (what `grad` does) no `.grad` is touched,
    only the part of the graph that leads to `inputs` is visited, and the gradients reaching
    `inputs` are returned.

    Gradients flow on unchanged where a rule passes them through (a + b hands the same
    gradient to a and b; reshape hands on a view), and nothing in the engine writes into a
    gradient, so tensors may share gradient arrays. A leaf - a weight that user code may
    update or clip in place - gets an array of its own.
    """
    order = topological_order(roots, refuse_freed=inputs is None)  # refuse before any change
    if inputs is not None:
        # Keep only the tensors from which some input can be reached (inputs included).
        wanted = set(inputs)
        leads_to_input: set[Tensor] = set()
        for tensor in order:  # inputs of a tensor come before it
            ctx = tensor._ctx
            if tensor in wanted or (
                ctx is not None and any(p in leads_to_input for p in ctx.parents)
            ):
                leads_to_input.add(tensor)
        order = [t for t in order if t in leads_to_input]
        for tensor in order:  # refuse before anything is computed
            if tensor._ctx is not None and tensor._ctx._saved is None:
                tensor._ctx._call_backward(None)  # raises its "a second time" error

    # The gradient reaching each tensor, summed over its uses, until the tensor is visited.
    pending: dict[Tensor, Tensor] = {}
    for root, grad in zip(roots, root_grads, strict=True):
        pending[root] = grad if root not in pending else pending[root] + grad
    results: dict[Tensor, Tensor] = {}
    tensor_class = engine.Tensor
    shared = set(root_grads)  # gradients that some tensor holds already
    previous_mode = state.grad_enabled
    state.grad_enabled = create_graph
    try:
        for tensor in reversed(order):
            grad = pending.pop(tensor, None)  # complete: every use of tensor came before
            if grad is None:
                continue
            ctx = tensor._ctx
            if inputs is None:  # add it to .grad
                if tensor.grad is not None:
                    tensor.grad = tensor.grad + grad
                else:
                    if ctx is None and (grad in shared or grad.data.base is not None):
                        grad = grad._copy()  # a leaf's own array
                    shared.add(grad)
                    tensor.grad = grad
            elif tensor in wanted:
                results[tensor] = grad
            if ctx is None:
                continue
            if inputs is not None and not any(p in leads_to_input for p in ctx.parents):
                continue  # an input computed from tensors that lead to no other input
            i = 0
            # (zip's strict= keyword costs more than the rest of this line: the lengths
            # were checked by _call_backward)
            for parent, parent_grad in zip(ctx.parents, ctx._call_backward(grad)):  # noqa: B905
                if parent_grad is not None and parent.requires_grad:
                    if (
                        parent_grad.__class__ is not tensor_class
                        or parent_grad.data.shape != parent.data.shape
                        or parent_grad.data.dtype is not parent.data.dtype
                    ):
                        parent_grad = ctx._checked_grad(i, parent_grad)  # raises, or converts
                    total = pending.get(parent)
                    pending[parent] = parent_grad if total is None else total + parent_grad
                i += 1
            if not retain_graph:
                ctx._saved = None  # free what forward saved
    finally:
        state.grad_enabled = previous_mode
    return results


def _as_sequence(value, argname: str) -> list:
    if isinstance(value, engine.Tensor):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, engine.Tensor) for v in value):
        return list(value)
    raise TypeError(
        f"grad: {argname} must be a Tensor or a sequence of Tensors, "
        f"received {type(value).__name__}: {value!r:.80}"
    )


def default_root_grad(root: Tensor, argname: str) -> Tensor:
    """The gradient of a scalar result with respect to itself: 1 (of the root's dtype)."""
    shape = root.data.shape
    if root.data.size != 1:
        raise ValueError(
            f"{argname} can be left out only for a scalar result; the result has shape "
            f"{shape}: pass a gradient of that shape (e.g. ta.Tensor(np.ones({shape})))"
        )
    one = np.array(1, dtype=root.data.dtype)  # (np.ones is a Python function: slower)
    return engine._tensor(one if shape == () else one.reshape(shape))


def check_root_grad(root: Tensor, grad, argname: str) -> Tensor:
    """Validate a user-given gradient for `root`: same shape, float, made a Tensor."""
    if grad is None:
        return default_root_grad(root, argname)
    if not isinstance(grad, engine.Tensor):
        try:
            grad = engine.Tensor(np.asarray(grad, dtype=root.dtype))
        except (TypeError, ValueError):
            raise TypeError(
                f"{argname} must be a Tensor or an array of numbers of shape {root.shape}, "
                f"received {type(grad).__name__}: {grad!r:.80}"
            ) from None
    if grad.shape != root.shape:
        raise ValueError(
            f"{argname} must have the result's shape {root.shape}, received shape {grad.shape}"
        )
    return grad


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Gradients of `outputs` with respect to `inputs`, returned as a tuple of Tensors.

    Like `torch.autograd.grad`: `.grad` of no tensor is changed. `grad_outputs` weights each
    output (required for non-scalar outputs). With `create_graph=True` the returned
    gradients are themselves differentiable, for second and higher derivatives.
    `retain_graph=None` means the value of `create_graph`. An input the outputs do not
    depend on is an error unless `allow_unused=True`, which gives None for it.
    """
    outputs = _as_sequence(outputs, "outputs")
    inputs = _as_sequence(inputs, "inputs")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad: grad_outputs must have one entry per output ({len(outputs)}), "
            f"received {len(grad_outputs)}"
        )
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise ValueError(f"grad: inputs[{i}] does not require grad (shape {t.shape})")
    for i, t in enumerate(outputs):
        if not t.requires_grad:
            raise ValueError(
                f"grad: outputs[{i}] does not require grad: it does not depend on any "
                "tensor with requires_grad=True (or was computed under ta.no_grad())"
            )
    root_grads = [
        check_root_grad(o, g, "grad_outputs") for o, g in zip(outputs, grad_outputs, strict=True)
    ]
    if retain_graph is None:
        retain_graph = create_graph
    grads = run_backward(
        outputs, root_grads, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs
    )
    result = []
    for i, t in enumerate(inputs):
        g = grads.get(t)
        if g is None and not allow_unused:
            raise ValueError(
                f"grad: inputs[{i}] (shape {t.shape}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        result.append(g)
    return tuple(result)
