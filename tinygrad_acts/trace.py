"""The backward pass explained step by step: `trace_backward(root)`.

    x = ta.Tensor(2.0, requires_grad=True, name="x")
    y = (x * x).exp()
    y.name = "y"
    print(ta.trace_backward(y))

walks the graph in the order `backward()` does and, for each operation, writes the gradient
that reaches it from above (upstream), the derivative rule it applies (its Function's
`derivative` attribute), and the gradient it sends to each of its inputs. When every
value is a single number it writes the chain rule out as a product, upstream times the
local derivative with respect to the operation's input `a` (here `x`, for `t1 = x * x`):
`dy/dx = dy/dt1 × dt1/da = 54.6 × 2 = 109.2`.

It runs a pass of its own and changes nothing: no `.grad` is touched and the graph keeps its
saved values, so `backward()` can run after it. After a `backward()` that freed the saved
values, it reads the gradients that pass recorded in each tensor's `.grad` instead.

The result is a `BackwardTrace`: a string (print it, search it) that a notebook displays
as the text it is, not as one quoted line.
"""

from __future__ import annotations

import html
import math
from typing import Any

from .autograd import check_root_grad, topological_order
from .function import Function
from .function import short_repr as _short
from .grad_mode import no_grad
from .graph import argument_name, format_number, format_values, graph_tensors, tensor_names
from .tensor import Tensor

_INDENT = "    "


class BackwardTrace(str):
    """The text of a trace: a `str` (print it, search it, compare it) that shows as that
    text in a notebook or at Python's prompt, not as one quoted, escaped line."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        return f"<pre style='line-height: 1.25'>{html.escape(str(self))}</pre>"


def trace_backward(root: Tensor, grad: Any = None) -> BackwardTrace:
    """Explain the backward pass from `root`, one operation at a time, as text.

    Args:
        root: the result to differentiate; it must require grad.
        grad: the gradient of some final quantity with respect to `root`; may be left out
            for a scalar root (it is then 1), as in `root.backward()`.

    Returns:
        The explanation, a multi-line string (a `BackwardTrace`). No `.grad` is changed
        and the graph stays usable. Before `backward()`, or after
        `backward(retain_graph=True)`, it runs a pass of its own; after a `backward()` that
        freed the graph's saved values, it reads the gradients that pass recorded (each
        tensor's `.grad`), and says so.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"trace_backward: root must be a Tensor, received {type(root).__name__}")
    if not root.requires_grad:
        raise ValueError(
            "trace_backward: root does not require grad: it does not depend on any tensor "
            "with requires_grad=True (or it was computed under ta.no_grad())"
        )
    root_grad = check_root_grad(root, grad, "grad")
    order = topological_order([root])
    if any(t._ctx is not None and t._ctx._saved is None for t in order):
        missing = [t for t in order if t.grad is None and (t._ctx is not None or t is root)]
        if missing:
            raise RuntimeError(
                "trace_backward: an earlier backward() freed this graph's saved values and "
                "did not record a gradient in every tensor of it (was it run from another "
                "result?); call trace_backward before backward(), or pass retain_graph=True "
                "to backward()"
            )
        return BackwardTrace(_Trace(root).recorded(order))
    return BackwardTrace(_Trace(root).explain(order, root_grad))


class _Trace:
    """The text of one trace: tensors are named as in the drawing (`t3`, or their name)."""

    def __init__(self, root: Tensor) -> None:
        self.names = tensor_names(graph_tensors(root))
        self.root = root

    def name(self, tensor: Tensor) -> str:
        return self.names[id(tensor)]

    def d(self, tensor: Tensor) -> str:
        """`dL/dx`: the derivative of the result with respect to `tensor`."""
        return f"d{self.name(self.root)}/d{_wrapped(self.name(tensor))}"

    def explain(self, order: list[Tensor], root_grad: Tensor) -> str:
        root = self.root
        steps = sum(1 for t in order if t._ctx is not None)
        lines = [
            f"Backward pass from {self.name(root)} (shape {root.shape}, {root.dtype}): "
            f"{steps} operation{'' if steps == 1 else 's'},",
            "in the order backward() visits them. Each applies the chain rule: the gradient",
            "arriving from above (upstream) times the operation's local derivative is the",
            "gradient it sends to each input.",
            "",
            f"start     {self.d(root)} = {format_values(root_grad.data)}",
        ]
        # The same walk as autograd.run_backward, narrated, summing into a dict, not .grad.
        grads: dict[int, Tensor] = {id(root): root_grad}
        senders: dict[int, list[str]] = {}  # 'step 2 as a': where each gradient came from
        step = 0
        with no_grad():  # the rules' Tensor operations must record nothing
            for tensor in reversed(order):
                ctx, upstream = tensor._ctx, grads.get(id(tensor))
                if ctx is None or upstream is None:
                    continue
                step += 1
                inputs = ";  ".join(
                    f"{argument_name(i)} = {self.name(p)} = {format_values(p.data)}"
                    for i, p in enumerate(ctx.parents)
                )
                rule = [
                    ("rule      " if i == 0 else " " * 10) + r for i, r in enumerate(_rule(ctx))
                ]
                lines += ["", f"step {step}  {self.equation(tensor)}"]
                lines += [_INDENT + line for line in rule]
                lines += [
                    f"{_INDENT}inputs    {inputs}",
                    f"{_INDENT}upstream  {self.received(tensor, upstream, senders)}",
                ]
                for position, sent in enumerate(ctx._run_backward(upstream)):
                    parent = ctx.parents[position]
                    lead = "sends     " if position == 0 else " " * 10
                    lines.append(_INDENT + lead + self.sent(tensor, upstream, position, sent))
                    if sent is not None and parent.requires_grad:
                        total = grads.get(id(parent))
                        grads[id(parent)] = sent if total is None else total + sent
                        senders.setdefault(id(parent), []).append(
                            f"step {step} as {argument_name(position)}"
                        )

        leaves = [t for t in order if t._ctx is None and id(t) in grads]
        if leaves:
            lines += ["", "Gradients of the inputs (what backward() would add to their .grad):"]
            lines += [_INDENT + self.received(t, grads[id(t)], senders) for t in leaves]
        return "\n".join(lines)

    def recorded(self, order: list[Tensor]) -> str:
        """The trace of a backward pass that ran already, from the `.grad` it recorded in
        every tensor: each operation's upstream gradient and each input's total (the sum
        over all its uses; a leaf's may also hold what earlier passes added)."""
        root = self.root
        steps = [t for t in reversed(order) if t._ctx is not None]
        lines = [
            f"Backward pass from {self.name(root)} (shape {root.shape}, {root.dtype}): "
            f"{len(steps)} operation{'' if len(steps) == 1 else 's'},",
            "in the order backward() visited them, read from the gradients it recorded in",
            "each tensor's .grad (backward() has run and freed the values the rules need, so",
            "what each operation sent to each input is shown as that input's total).",
            "",
            f"start     {self.d(root)} = {format_values(root.grad.data)}",
        ]
        for step, tensor in enumerate(steps, 1):
            ctx = tensor._ctx
            lines += ["", f"step {step}  {self.equation(tensor)}"]
            lines += [_INDENT + ("rule      " if i == 0 else " " * 10) + r
                      for i, r in enumerate(_rule(ctx))]
            lines.append(_INDENT + "inputs    " + ";  ".join(
                f"{argument_name(i)} = {self.name(p)} = {format_values(p.data)}"
                for i, p in enumerate(ctx.parents)))
            lines.append(f"{_INDENT}upstream  {self.d(tensor)} = "
                         f"{format_values(tensor.grad.data)}")
            for position, parent in enumerate(ctx.parents):
                lead = "grads     " if position == 0 else " " * 10
                argument = argument_name(position)
                if not parent.requires_grad:
                    text = f"nothing to {argument} = {self.name(parent)}: a constant"
                elif parent.grad is None:
                    text = f"{argument} = {self.name(parent)}: no .grad recorded"
                else:
                    text = (f"{self.d(parent)} = {format_values(parent.grad.data)}   "
                            f"(.grad of {argument})")
                lines.append(_INDENT + lead + text)
        leaves = [t for t in order if t._ctx is None and t.grad is not None]
        if leaves:
            lines += ["", "Gradients of the inputs (their .grad):"]
            lines += [f"{_INDENT}{self.d(t)} = {format_values(t.grad.data)}" for t in leaves]
        return "\n".join(lines)

    def equation(self, tensor: Tensor) -> str:
        """`t3 = relu(t2, negative_slope=0.1)`: the operation as a Python call."""
        ctx = tensor._ctx
        arguments = [self.name(p) for p in ctx.parents]
        arguments += [f"{key}={_short(value)}" for key, value in ctx.params.items()]
        return f"{self.name(tensor)} = {ctx.op_name()}({', '.join(arguments)})"

    def received(self, tensor: Tensor, grad: Tensor, senders: dict[int, list[str]]) -> str:
        """`dL/dt2 = 3.5`, and where it came from when it is the sum of several parts (the
        tensor is used more than once)."""
        text = f"{self.d(tensor)} = {format_values(grad.data)}"
        parts = senders.get(id(tensor), [])
        if len(parts) > 1:
            text += f"   (the sum of the parts sent by {', '.join(parts)})"
        return text

    def sent(self, tensor: Tensor, upstream: Tensor, position: int, sent: Tensor | None) -> str:
        """What the operation that computed `tensor` sends to its input at `position`."""
        parent, argument = tensor._ctx.parents[position], argument_name(position)
        if not parent.requires_grad:
            return f"nothing to {argument} = {self.name(parent)}: a constant needs no gradient"
        if sent is None:
            return f"nothing to {argument} = {self.name(parent)}"
        text = f"{self.d(parent)} = "
        up = upstream.item() if upstream.size == 1 else 0.0
        if sent.size == 1 and tensor.size == 1 and up != 0 and math.isfinite(up):
            # Single numbers: the chain rule as a product, upstream × local derivative.
            text += (
                f"{self.d(tensor)} × d{_wrapped(self.name(tensor))}/d{argument} = "
                f"{_factor(up)} × {_factor(sent.item() / up)} = "
            )
        return f"{text}{format_values(sent.data)}   (to {argument})"


def _rule(ctx: Function) -> list[str]:
    """The derivative rule: the Function's declared `derivative` (one line), or, where it
    declares none, the operation's name and where its rule is written."""
    derivative = getattr(type(ctx), "derivative", None)
    if derivative:
        return [str(derivative)]
    return [f"{ctx.op_name()}: no derivative declared (see {type(ctx).__name__}.backward)"]


def _wrapped(name: str) -> str:
    """A name as it reads after d: `x`, but `(dense/kernel)`."""
    return name if name.isidentifier() else f"({name})"


def _factor(value: float) -> str:
    """A number in a product: `2.718`, `(-0.5)`."""
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text
