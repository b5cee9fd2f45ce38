"""Reverse-mode automatic differentiation: the backward pass over a recorded graph.

Every Tensor made by a `Function` remembers that Function's context (`tensor._ctx`), and the
context remembers its inputs (`ctx.parents`). The backward pass has three steps:

1. **order** the graph: every tensor after the tensors it was computed from
   (`topological_order`);
2. **propagate** from the result back to the leaves, in the reverse of that order: a tensor's
   gradient is complete once every tensor that used it is done, so it is summed over its
   uses, then handed to its operation's `backward`, which gives its inputs' gradients
   (`propagate`);
3. **store** the gradients in `.grad` (`Tensor.backward`), or return those asked for
   (`ta.grad`, which changes no `.grad`).

Because nothing is stored before step 2 has finished, a backward pass that fails (a freed
graph, a rule that returns the wrong shape) changes no `.grad`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from .grad_mode import state
from .tensor import Tensor


def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """The tensors that `roots` were computed from, each after all of its inputs.

    An iterative depth-first search (micrograd's is recursive, and Python's recursion limit
    stops it near 1,000 nodes; this one handles chains of any length). Only tensors that
    require grad are visited: the others cannot pass a gradient on.
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
                stack.append((t, iter(t._ctx.parents if t._ctx else ())))
                break
        else:  # every input is placed: the tensor goes after them
            stack.pop()
            if tensor is not None:
                order.append(tensor)
    return order


def propagate(
    order: list[Tensor], root_grads: dict[Tensor, Tensor], *, retain_graph: bool,
    create_graph: bool,
) -> dict[Tensor, Tensor]:
    """The gradient of every tensor in `order`, from the gradients of the roots: each
    tensor's operation turns the gradient of its output into its inputs' gradients (the
    chain rule), and what reaches a tensor from its uses is summed. Operations whose inputs
    are not in `order` are not called. Unless `retain_graph`, what each operation saved is
    freed once its backward has run. With `create_graph`, the pass is itself recorded."""
    grads = dict(root_grads)
    in_order = set(order)
    previous_mode, state.grad_enabled = state.grad_enabled, create_graph
    try:
        for tensor in reversed(order):
            ctx, grad = tensor._ctx, grads.get(tensor)
            if ctx is None or grad is None or in_order.isdisjoint(ctx.parents):
                continue
            for parent, parent_grad in zip(ctx.parents, ctx._run_backward(grad), strict=True):
                if parent_grad is not None and parent in in_order:
                    grads[parent] = grads[parent] + parent_grad if parent in grads else parent_grad
            if not retain_graph:
                ctx.free_saved()
    finally:
        state.grad_enabled = previous_mode
    return grads


def store_grads(grads: dict[Tensor, Tensor], create_graph: bool) -> None:
    """Add each gradient to its tensor's `.grad`. A leaf (a weight that user code may update
    or clip in place) gets an array of its own (`_own`); with `create_graph` it gets the
    differentiable gradient, and intermediates a detached one: their values, for drawing,
    without a path back into the graph (so clearing the leaves' grads frees the graph).
    Each entry leaves `grads` as it is stored, so that a leaf's original is freed before the
    next one is copied: at the peak, one weight's gradient is held twice, not all of them."""
    while grads:
        tensor, grad = grads.popitem()
        if tensor._ctx is None:  # a leaf
            if not create_graph and tensor.grad is None:  # (a sum below is a new array)
                grad = _own(grad)
        elif grad.requires_grad:  # (only with create_graph, or a root's given gradient)
            grad = grad.detach()
        tensor.grad = grad if tensor.grad is None else tensor.grad + grad


def _own(grad: Tensor) -> Tensor:
    """`grad` itself if nothing else holds it or its array, else a copy. A gradient the pass
    has just computed is held by nobody else and can be stored as it is (PyTorch's
    AccumulateGrad "steals" it the same way); one that may be shared is copied: the root
    gradient the user passed in, one array handed to two inputs (`a + b`'s rule), a view of
    another array (a reshape's), an array that `ta.jit` is recording. `sys.getrefcount`
    counts the references, its own argument among them: the caller's variable, this
    function's parameter and the argument hold the Tensor; the Tensor and the argument its
    array."""
    array = grad.data
    if (sys.getrefcount(grad) == 3 and sys.getrefcount(array) == 3 and array.base is None
            and array.flags.writeable):
        return grad
    return Tensor._wrap(array.copy())


def backward(root: Tensor, grad: Any, *, retain_graph: bool | None, create_graph: bool) -> None:
    """`root.backward(...)`: every tensor `root` was computed from gets its `.grad`."""
    if not isinstance(root, Tensor) or not root.requires_grad:
        raise ValueError(
            "backward: this tensor does not require grad: it does not depend on any "
            "tensor with requires_grad=True (or it was computed under ta.no_grad())"
        )
    root_grad = check_root_grad(root, grad, "grad")
    retain_graph = create_graph if retain_graph is None else retain_graph
    grads = propagate(topological_order([root]), {root: root_grad},
                      retain_graph=retain_graph, create_graph=create_graph)
    store_grads(grads, create_graph)


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
    outputs = _checked_tensors(outputs, "outputs")
    inputs = _checked_tensors(inputs, "inputs")
    root_grads = _root_grads(outputs, grad_outputs)
    retain_graph = create_graph if retain_graph is None else retain_graph
    order = leading_to(topological_order(outputs), inputs)
    used = set(order)
    for i, t in enumerate(inputs):
        if t not in used and not allow_unused:
            raise ValueError(
                f"grad: inputs[{i}] (shape {t.shape}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
    grads = propagate(order, root_grads, retain_graph=retain_graph, create_graph=create_graph)
    return tuple(grads.get(t) for t in inputs)


def leading_to(order: list[Tensor], inputs: Sequence[Tensor]) -> list[Tensor]:
    """The tensors of `order` from which one of `inputs` can be reached (inputs included):
    the only part of the graph that `grad` needs to walk."""
    needed = set(inputs)
    for tensor in order:  # the inputs of a tensor come before it
        if tensor._ctx is not None and needed.intersection(tensor._ctx.parents):
            needed.add(tensor)
    return [t for t in order if t in needed]


def _checked_tensors(value, argname: str) -> list[Tensor]:
    """`outputs` or `inputs` of `grad`: Tensors that require grad, at least one."""
    values = [value] if isinstance(value, Tensor) else value
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, Tensor) for v in values):
        raise TypeError(
            f"grad: {argname} must be a Tensor or a sequence of Tensors, "
            f"received {type(value).__name__}: {value!r:.80}"
        )
    if not values:
        raise ValueError(f"grad: {argname} is empty: pass at least one Tensor")
    for i, t in enumerate(values):
        if not t.requires_grad:
            raise ValueError(
                f"grad: {argname}[{i}] does not require grad (shape {t.shape}): it does not "
                "depend on any tensor with requires_grad=True (or was made under ta.no_grad())"
            )
    return list(values)


def _root_grads(outputs: list[Tensor], grad_outputs) -> dict[Tensor, Tensor]:
    """Each output's starting gradient (summed where an output is given twice)."""
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad: grad_outputs must have one entry per output ({len(outputs)}), "
            f"received {len(grad_outputs)}"
        )
    root_grads: dict[Tensor, Tensor] = {}
    for output, g in zip(outputs, grad_outputs, strict=True):
        g = check_root_grad(output, g, "grad_outputs")
        root_grads[output] = root_grads[output] + g if output in root_grads else g
    return root_grads


def check_root_grad(root: Tensor, grad: Any, argname: str) -> Tensor:
    """The gradient a backward pass starts from: given by the user (a Tensor or an array
    of the root's shape), or 1 for a scalar root."""
    if grad is None:
        if root.size != 1:
            raise ValueError(
                f"{argname} can be left out only for a scalar result; the result has shape "
                f"{root.shape}: pass a gradient of that shape (e.g. ta.Tensor(np.ones("
                f"{root.shape})))"
            )
        return Tensor._wrap(np.ones(root.shape, dtype=root.dtype))
    if not isinstance(grad, Tensor):
        try:
            grad = Tensor(np.asarray(grad, dtype=root.dtype))
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
