"""What the exercises' graders share: the `Wrong` report, the hints for the classic
mistakes, and the checks of a backward rule (against the library's own activation, with
`gradcheck`, `gradgradcheck` and large inputs)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np

HINTS = {
    "chain rule": (
        "did you forget the chain rule? backward receives `grad`, the gradient arriving from "
        "above, and must return grad times the local derivative, not the local derivative "
        "alone."
    ),
    "broadcast": (
        "a gradient must have its input's shape: sum the broadcast gradient back over the "
        "axes that broadcasting added (and, keeping them, over those where the input had size "
        "1)."
    ),
    "numpy": (
        "the first derivative is right but the second is lost: a backward computed in numpy "
        "(on .data, with np. functions, or wrapped in a new Tensor) is a constant to the "
        "engine. Write it with Tensor operations on ctx.saved_tensors, so that it can be "
        "differentiated again."
    ),
    "unstable": (
        "the forward pass is unstable: exp of a large number overflows to inf (and inf - inf "
        "or inf / inf is nan), exp of a very negative one underflows to 0 (and log(0) is "
        "-inf). Use the stable form: subtract the maximum before exp, or write "
        "log(1 + e^x) as max(x, 0) + log1p(e^-|x|)."
    ),
}


class Wrong(Exception):
    """Where a student's answer is wrong: what, at which input, expected, got, and a hint."""

    def __init__(self, what: str, *, at: str | None = None, expected: Any = None,
                 got: Any = None, hint: str | None = None) -> None:
        super().__init__(what)
        self.what, self.at, self.expected, self.got = what, at, expected, got
        self.hint = HINTS.get(hint, hint) if hint else None
        self.hint_name = hint if hint in HINTS else None

    def report(self) -> str:
        lines = ["  " + self.what]
        if self.at is not None:
            lines.append(f"  input     {self.at}")
        if self.expected is not None:
            lines.append(f"  expected  {show(self.expected)}")
        if self.got is not None:
            lines.append(f"  got       {show(self.got)}")
        if self.hint:
            lines += textwrap.wrap("hint: " + self.hint, 88, initial_indent="  ",
                                   subsequent_indent="        ")
        return "\n".join(lines)


def show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, suppress_small=False, max_line_width=76,
                               threshold=12)
        return text.replace("\n", "\n" + " " * 12)
    if isinstance(value, float):
        return f"{value:.10g}"
    return repr(value)


def as_array(value: Any, what: str) -> np.ndarray:
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be a number or an array of numbers",
                    got=f"{type(value).__name__}: {value!r:.60}") from None


def function(namespace: dict, name: str) -> Callable:
    fn = namespace.get(name)
    if not callable(fn):
        raise Wrong(f"your file should define `{name}` (keep the stub's name)",
                    got=f"{name} = {fn!r:.60}" if name in namespace else "no such name")
    return fn


def compare(what: str, inputs: np.ndarray | None, expected: Any, got: Any, *,
            rtol: float = 1e-6, atol: float = 1e-9, hint: str | None = None,
            local: np.ndarray | None = None, upstream: np.ndarray | None = None) -> None:
    """Raise `Wrong` unless `got` equals `expected` (shape and values). The report shows the
    worst element: its input, the expected and the got value. With `local` (the local
    derivative alone) and `upstream` (the gradient passed in), a backward that returned the
    local derivative, or the gradient alone, gets the chain-rule hint."""
    expected = np.asarray(expected, dtype=np.float64)
    got_array = as_array(got, what)
    if got_array.shape != expected.shape:
        broadcast = (got_array.size > expected.size
                     and np.broadcast_shapes(got_array.shape, expected.shape) == got_array.shape)
        raise Wrong(f"{what} has the wrong shape",
                    expected=f"shape {expected.shape}", got=f"shape {got_array.shape}",
                    hint="broadcast" if broadcast else hint)
    with np.errstate(all="ignore"):
        close = np.isclose(got_array, expected, rtol=rtol, atol=atol, equal_nan=False)
    if close.all():
        return
    error = np.where(close, 0.0, np.abs(np.nan_to_num(got_array - expected, nan=np.inf)))
    worst = np.unravel_index(int(np.argmax(error)), expected.shape) if expected.ndim else ()
    at = None
    if inputs is not None:
        inputs = np.asarray(inputs)
        at = f"x = {show(inputs[worst]) if inputs.shape == expected.shape else show(inputs)}"
        if upstream is not None and np.shape(upstream) == expected.shape:
            at += f", upstream gradient grad = {show(np.asarray(upstream)[worst])}"
    if (hint is None and local is not None and upstream is not None
            and np.shape(upstream) == expected.shape):
        if (np.allclose(got_array, local, rtol=1e-6, atol=1e-12)
                or np.allclose(got_array, upstream, rtol=1e-6, atol=1e-12)):
            hint = "chain rule"
    if hint is None and np.all(np.isfinite(got_array)):
        nonzero = np.abs(expected) > 1e-12
        if nonzero.any():
            ratio = got_array[nonzero] / expected[nonzero]
            if np.allclose(ratio, ratio.flat[0], rtol=1e-6) and not np.isclose(ratio.flat[0], 1):
                hint = (f"every value is {ratio.flat[0]:.6g} times the expected one: a wrong "
                        "constant factor in your formula?")
    raise Wrong(f"{what} is wrong", at=at, expected=expected[worst], got=got_array[worst],
                hint=hint)


def check_activation_backward(fn: Callable, reference: Callable, params_list: list[dict],
                              points: np.ndarray, *, check_forward: bool = False,
                              large: np.ndarray | None = None,
                              diagnose: Callable | None = None) -> list[str]:
    """The checks of an activation's backward rule (and forward, with `check_forward`):
    values against `reference` with an upstream gradient that is not all ones, the chain
    rule, each parameter honoured, gradcheck, gradgradcheck, and (with `large`) finite
    values and gradients at large inputs. `diagnose(got, upstream, points)` may name the
    exercise's own classic mistake. Returns what was checked."""
    import tinygrad_acts as ta

    done = []
    for params in params_list:
        label = f"({', '.join(f'{k}={v}' for k, v in params.items())})" if params else ""
        x = ta.Tensor(points.copy(), requires_grad=True)
        y = fn(x, **params)
        if not isinstance(y, ta.Tensor):
            raise Wrong("your function should return a Tensor", got=type(y).__name__)
        x_ref = ta.Tensor(points.copy(), requires_grad=True)
        y_ref = reference(x_ref, **params)
        compare(f"the forward value{label}", points, y_ref.numpy(), y.numpy())
        # an upstream gradient that is not all ones: a backward that ignores it shows
        upstream = np.linspace(0.5, 2.0, y_ref.size)[::-1].reshape(y_ref.shape).copy()
        (got,) = ta.grad(y, x, grad_outputs=ta.Tensor(upstream))
        (expected,) = ta.grad(y_ref, x_ref, grad_outputs=ta.Tensor(upstream), retain_graph=True)
        (local,) = ta.grad(y_ref, x_ref, grad_outputs=ta.Tensor(np.ones_like(upstream)))
        hint = diagnose(got.numpy(), upstream, points) if diagnose else None
        if hint is None and params and params_list.index(params) > 0:
            hint = ("it was right for the first parameters and is wrong for these: read the "
                    "parameter from ctx.params instead of a fixed number")
        try:
            compare(f"the gradient{label} (what backward returns)", points, expected.numpy(),
                    got, local=local.numpy(), upstream=upstream, hint=hint)
        except Wrong as wrong:
            if wrong.hint is None and hint is not None:
                wrong.hint = hint
            raise
        done.append(f"backward{label} returns grad times the local derivative")
        if not ta.gradcheck(lambda t, p=params: fn(t, **p), [x], raise_exception=False):
            raise Wrong(f"ta.gradcheck{label} disagrees with your backward")
        done.append(f"ta.gradcheck{label} agrees with finite differences")
        if not ta.gradgradcheck(lambda t, p=params: fn(t, **p), [x], raise_exception=False):
            x2 = ta.Tensor(points.copy(), requires_grad=True)
            (first,) = ta.grad(fn(x2, **params).sum(), x2, create_graph=True)
            if not first.requires_grad:
                got2 = "nothing: the first derivative does not depend on x for the engine"
            else:
                got2 = ta.grad(first.sum(), x2)[0].numpy()
            x3 = ta.Tensor(points.copy(), requires_grad=True)
            (first_ref,) = ta.grad(reference(x3, **params).sum(), x3, create_graph=True)
            expected2 = ta.grad(first_ref.sum(), x3)[0].numpy()
            raise Wrong(f"ta.gradgradcheck{label} fails: the second derivative is wrong",
                        at=f"x = {show(points)}", expected=expected2, got=got2, hint="numpy")
        done.append(f"ta.gradgradcheck{label}: the second derivative is right too")
    if large is not None:
        for params in params_list[:1]:
            x = ta.Tensor(large.copy(), requires_grad=True)
            with np.errstate(all="ignore"):
                y = fn(x, **params)
                (g,) = ta.grad(y.sum(), x)
                y_ref = reference(ta.Tensor(large.copy()), **params).numpy()
            values, grads = y.numpy(), g.numpy()
            if not (np.all(np.isfinite(values)) and np.all(np.isfinite(grads))):
                raise Wrong("large inputs give inf or nan", at=f"x = {show(large)}",
                            expected=y_ref, got=values, hint="unstable" if check_forward
                            else "compute the derivative from the saved output or a stable "
                                 "form, so that no intermediate overflows")
            compare("the value at large inputs", large, y_ref, values, hint="unstable")
        done.append("large inputs give finite values and gradients")
    return done
