"""Tests of tinygrad_acts.trace_backward: the backward pass explained step by step."""

import re

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import graph
from tinygrad_acts.engine import Function


def scalar_expression():
    """y = exp(x * w + x) at x = 2, w = -0.5: y = e, dy/dx = e * (w + 1), dy/dw = e * x."""
    x = ta.Tensor(2.0, requires_grad=True, name="x")
    w = ta.Tensor(-0.5, requires_grad=True, name="w")
    y = (x * w + x).exp()
    y.name = "y"
    return x, w, y


def rule_line(tensor):
    """The rule line trace_backward writes for the operation that computed `tensor`: its
    Function's declared `derivative`, or the operation's name when it declares none."""
    ctx = tensor._ctx
    derivative = getattr(type(ctx), "derivative", None)
    return "rule      " + (derivative or f"{ctx.op_name()}: no derivative declared "
                                          f"(see {type(ctx).__name__}.backward)")


def steps_of(text):
    """{step number: its lines}."""
    steps, current = {}, None
    for line in text.splitlines():
        if m := re.match(r"step (\d+)  ", line):
            current = int(m.group(1))
            steps[current] = [line]
        elif current is not None and line.startswith("    "):
            steps[current].append(line.strip())
        else:
            current = None
    return steps


def test_a_scalar_expression_reads_like_the_chain_rule():
    x, w, y = scalar_expression()
    text = ta.trace_backward(y)
    steps = steps_of(text)
    assert len(steps) == 3 and "3 operations" in text
    # In backward's order: the last operation first.
    assert [lines[0] for lines in steps.values()] == [
        "step 1  y = exp(t3)", "step 2  t3 = add(t2, x)", "step 3  t2 = mul(x, w)",
    ]
    assert rule_line(y) in steps[1]
    assert rule_line(y._ctx.parents[0]._ctx.parents[0]) in steps[3]
    assert "inputs    a = x = 2;  b = w = -0.5" in steps[3]
    assert "upstream  dy/dy = 1" in steps[1]
    assert "sends     dy/dt3 = dy/dy × dy/da = 1 × 2.718 = 2.718   (to a)" in steps[1]
    assert "upstream  dy/dt3 = 2.718" in steps[2]
    # Multiplying by a negative local derivative is written with parentheses.
    assert "sends     dy/dx = dy/dt2 × dt2/da = 2.718 × (-0.5) = -1.359   (to a)" in steps[3]
    assert "dy/dw = dy/dt2 × dt2/db = 2.718 × 2 = 5.437   (to b)" in steps[3]
    # x is used twice: its gradient is the sum of two parts (e * 1 + e * w = e / 2).
    leaves = text.split("Gradients of the inputs")[1]
    assert "dy/dx = 1.359   (the sum of the parts sent by step 2 as b, step 3 as a)" in leaves
    assert "dy/dw = 5.437" in leaves


def test_the_numbers_are_those_of_backward():
    x, w, y = scalar_expression()
    text = ta.trace_backward(y)
    y.backward()
    assert f"dy/dx = {graph.format_number(x.grad.item())}   (the sum" in text
    assert f"dy/dw = {graph.format_number(w.grad.item())}\n" in text + "\n"
    assert x.grad.item() == pytest.approx(np.e / 2, rel=1e-6)


def test_it_touches_no_grad_and_leaves_the_graph_usable():
    x, w, y = scalar_expression()
    earlier = ta.Tensor(5.0)
    x.grad = earlier
    first = ta.trace_backward(y)
    assert x.grad is earlier and w.grad is None and y.grad is None
    assert ta.is_grad_enabled()
    assert ta.trace_backward(y) == first  # nothing was freed: it can run again
    y.backward()  # and backward still can (it would raise had the saved values been freed)
    assert x.grad.item() == pytest.approx(5.0 + np.e / 2, rel=1e-6)


def test_after_backward_it_reads_the_recorded_gradients():
    x, w, y = scalar_expression()
    y.backward(retain_graph=True)
    grads = (x.grad, w.grad)
    assert "dy/dw = 5.437" in ta.trace_backward(y)
    assert (x.grad, w.grad) == grads
    y.backward()  # frees the saved values (and adds to the leaves' grads)
    x.grad = w.grad = None
    x, w, y = scalar_expression()
    y.backward()
    text = ta.trace_backward(y)
    assert "read from the gradients it recorded" in text
    steps = steps_of(text)
    assert steps[1][0] == "step 1  y = exp(t3)" and rule_line(y) in steps[1]
    assert "upstream  dy/dt3 = 2.718" in steps[2]
    assert "grads     dy/dx = 1.359   (.grad of a)" in steps[3]
    assert "dy/dw = 5.437   (.grad of b)" in steps[3]
    assert text.rstrip().endswith("dy/dw = 5.437")
    assert x.grad.item() == pytest.approx(np.e / 2, rel=1e-6)  # untouched
    # A graph freed by a backward pass from elsewhere recorded nothing here: say so.
    a = ta.Tensor(1.0, requires_grad=True)
    b = a.exp()
    c = b * 2.0
    b.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ta.trace_backward(c)


def test_it_prints_as_text_and_shows_as_text_in_a_notebook():
    _, _, y = scalar_expression()
    trace = ta.trace_backward(y)
    assert isinstance(trace, str) and str(trace) == trace
    assert repr(trace) == str(trace)  # not one quoted line with \n in it
    assert "\\n" not in repr(trace) and repr(trace).count("\n") > 5
    html = trace._repr_html_()
    assert html.startswith("<pre") and "dy/dw = 5.437" in html
    assert "<" not in html[html.index(">") + 1:html.rindex("</pre>")]  # escaped

    class Printer:
        def __init__(self):
            self.parts = []

        def text(self, value):
            self.parts.append(value)

    printer = Printer()
    trace._repr_pretty_(printer, False)
    assert "".join(printer.parts) == str(trace)


def test_a_constant_input_gets_nothing_and_tensors_are_named_as_in_the_drawing():
    x = ta.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="x")
    c = ta.Tensor([0.5, -1.0], name="c")
    y = (x * c).sum(axis=1)
    text = ta.trace_backward(y, grad=[1.0, 2.0])
    steps = steps_of(text)
    assert "start     dt3/dt3 = [1, 2]" in text
    assert steps[1][0] == "step 1  t3 = sum(t2, axis=(1,), keepdims=False)"
    assert "sends     dt3/dt2 = [[1, 1], [2, 2]]   (to a)" in steps[1]
    assert "sends     dt3/dx = [[0.5, -1], [1, -2]]   (to a)" in steps[2]
    assert "nothing to b = c: a constant needs no gradient" in steps[2]
    # The automatic names are the drawing's: t2 and t3 are the records of x * c and its sum.
    drawing = ta.draw_graph(y).source
    assert 'label="{t2|(2, 2) float32}|data [[0.5, -2], [1.5, -4]]' in drawing
    assert 'label="{t3|(2,) float32}|data [-1.5, -2.5]' in drawing


def test_large_values_are_summarised_and_names_that_are_not_identifiers_are_wrapped():
    rng = np.random.default_rng(0)
    kernel = ta.Tensor(rng.normal(size=(3, 4)), requires_grad=True, name="dense/kernel")
    y = (kernel * 3.0).sum()
    text = ta.trace_backward(y)
    k = kernel.data
    summary = f"mean {k.mean():.4g} std {k.std():.4g} min {k.min():.4g} max {k.max():.4g}"
    assert f"inputs    a = dense/kernel = {summary};  b = t1 = 3" in text
    assert "dt3/d(dense/kernel) = mean 3 std 0 min 3 max 3   (to a)" in text


def test_the_rule_is_the_declared_derivative_not_the_docstring():
    a = ta.Tensor([1.0, 2.0], requires_grad=True)

    class Square(Function):
        """a * a;  d/da = this docstring is not read."""

        derivative = "d/da = 2 a"

        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * 2.0 * a

    class Undeclared(Square):
        """a ** 2;  d/da = 2 a."""

        derivative = None

    text = ta.trace_backward(Square.apply(a).sum())
    assert "    rule      d/da = 2 a\n    inputs" in text
    assert "docstring" not in text
    text = ta.trace_backward(Undeclared.apply(a).sum())
    assert "rule      undeclared: no derivative declared (see Undeclared.backward)" in text
    assert "a ** 2" not in text


def test_bad_arguments():
    with pytest.raises(TypeError, match="root must be a Tensor, received float"):
        ta.trace_backward(1.0)
    with pytest.raises(ValueError, match="root does not require grad"):
        ta.trace_backward(ta.Tensor([1.0]) * 2.0)
    x = ta.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="only for a scalar result"):
        ta.trace_backward(x * 2.0)
    with pytest.raises(ValueError, match=r"must have the result's shape \(2,\)"):
        ta.trace_backward(x * 2.0, grad=[1.0, 2.0, 3.0])


def test_a_long_chain_is_traced_without_recursion():
    x = ta.Tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(3000):
        y = y * 1.0
    text = ta.trace_backward(y)
    assert len(steps_of(text)) == 3000
    assert re.search(r"\n    dt\d+/dx = 1$", text)
