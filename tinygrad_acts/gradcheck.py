"""Check gradients numerically: compare what backward computes with central differences.

The algorithm and defaults are PyTorch's (`torch.autograd.gradcheck`): for each input
element, nudge it by +eps and -eps and take (f(x + eps) - f(x - eps)) / (2 eps), a
derivative whose error shrinks like eps^2; build the numerical Jacobian from these, the
analytical one from one backward pass per output element, and require
|analytical - numerical| <= atol + rtol * |numerical| everywhere. Use float64 inputs: in
float32 the rounding error of f, divided by 2 eps, swamps the derivative.

Three more of PyTorch's checks catch backward rules that the Jacobians alone can miss:
the output must keep its shape and dtype when an input is nudged (else numpy broadcasting
could hide a wrong shape); two backward passes must agree exactly (a non-deterministic
backward); and a backward pass seeded with a random `grad_output`, not ones, must give
grad_output times the numerical Jacobian (a rule that forgets to multiply by the incoming
gradient is right for a scalar output seeded with 1).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` and `gradgradcheck` when a gradient disagrees with the finite
    differences; the message holds a table of the worst elements."""


def _as_tuple(value: Any) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _outputs(fn: Callable, inputs: tuple) -> tuple[Tensor, ...]:
    outputs = _as_tuple(fn(*inputs))
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(
                f"gradcheck: fn must return a Tensor or a tuple of Tensors, output {i} is "
                f"{type(out).__name__}"
            )
    return outputs


def _numerical_jacobians(fn, inputs, diff_inputs, outputs, eps) -> list[list[np.ndarray]]:
    """jacobians[i][o][k, j] = d output_o[k] / d input_i[j], by central differences."""
    jacobians = []
    for i, x in enumerate(diff_inputs):
        per_output = None
        # Nudge x's own array in place (element j in C order): x.data.reshape(-1) would be a
        # copy, not a view, when the array is not contiguous (a transposed array).
        for j, index in enumerate(np.ndindex(x.shape)):
            original = x.data[index]
            # fn runs with the grad mode as it is: gradgradcheck's fn differentiates inside.
            try:
                x.data[index] = original + eps
                plus = _same_outputs(_outputs(fn, inputs), outputs, i, index)
                x.data[index] = original - eps
                minus = _same_outputs(_outputs(fn, inputs), outputs, i, index)
            finally:
                x.data[index] = original
            if per_output is None:
                per_output = [np.zeros((p.size, x.size)) for p in plus]
            for o in range(len(outputs)):
                per_output[o][:, j] = (plus[o] - minus[o]) / (2 * eps)
        jacobians.append(per_output)
    return jacobians


def _same_outputs(nudged, outputs, i: int, index) -> list[np.ndarray]:
    """The nudged outputs as flat float64 arrays, after checking that nudging element
    `index` of input `i` changed no output's shape or dtype."""
    if len(nudged) != len(outputs):
        raise GradcheckError(
            f"fn returned {len(nudged)} outputs instead of {len(outputs)} when element "
            f"{index} of input {i} was nudged"
        )
    for o, (new, old) in enumerate(zip(nudged, outputs, strict=True)):
        if new.shape != old.shape or new.dtype != old.dtype:
            raise GradcheckError(
                f"output {o} changed from shape {old.shape} {old.dtype} to {new.shape} "
                f"{new.dtype} when element {index} of input {i} was nudged: a function "
                "checked by finite differences must keep its output's shape and dtype"
            )
    return [o.data.astype(np.float64).ravel() for o in nudged]


def _analytical_jacobians(outputs, diff_inputs) -> list[list[np.ndarray]]:
    """The same Jacobians, one backward pass per output element (a row at a time)."""
    jacobians = [[np.zeros((o.size, x.size)) for o in outputs] for x in diff_inputs]
    for o, out in enumerate(outputs):
        if not out.requires_grad:
            continue  # it does not depend on the inputs through the graph: all zeros
        for k in range(out.size):
            seed = np.zeros(out.size, dtype=out.dtype)
            seed[k] = 1
            grads = grad(
                out, diff_inputs, grad_outputs=Tensor(seed.reshape(out.shape)),
                retain_graph=True, allow_unused=True,
            )
            for i, g in enumerate(grads):
                if g is not None:
                    jacobians[i][o][k, :] = g.data.ravel()
    return jacobians


def _report(title, numerical, analytical, atol, rtol, out_shape, in_shape, max_rows=10) -> str:
    error = np.abs(analytical - numerical)
    bad = error > atol + rtol * np.abs(numerical)
    rows = np.argwhere(bad)
    worst = rows[np.argsort(-error[bad], kind="stable")][:max_rows]
    lines = [
        f"{title}: {len(rows)} of {bad.size} Jacobian entries differ "
        f"(allowed |analytical - numerical| <= {atol:g} + {rtol:g} * |numerical|)",
        f"  {'output index':>14}  {'input index':>14}  {'numerical':>14}  {'analytical':>14}"
        f"  {'abs error':>10}",
    ]
    for k, j in worst:
        out_index = np.unravel_index(k, out_shape) if out_shape else ()
        in_index = np.unravel_index(j, in_shape) if in_shape else ()
        lines.append(
            f"  {str(tuple(int(v) for v in out_index)):>14}  "
            f"{str(tuple(int(v) for v in in_index)):>14}  {numerical[k, j]:>14.6e}  "
            f"{analytical[k, j]:>14.6e}  {error[k, j]:>10.2e}"
        )
    if len(rows) > max_rows:
        lines.append(f"  ... and {len(rows) - max_rows} more")
    return "\n".join(lines)


def _validate_tolerances(eps: float, atol: float, rtol: float) -> None:
    for name, value in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"gradcheck: {name} must be a non-negative number, received {value!r}")
    if eps == 0:
        raise ValueError("gradcheck: eps must be positive, received 0")


def _checked_arguments(where, fn, inputs, eps, atol, rtol) -> tuple[tuple, list[Tensor]]:
    """Validate the arguments; return the inputs as a tuple, and the ones to check."""
    if not callable(fn):
        raise TypeError(f"{where}: fn must be callable, received {type(fn).__name__}")
    _validate_tolerances(eps, atol, rtol)
    inputs = _as_tuple(inputs)
    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not diff_inputs:
        raise ValueError(
            f"{where}: no input requires grad; pass at least one Tensor with requires_grad=True"
        )
    return inputs, diff_inputs


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients of `fn` at `inputs` against central finite differences.

    Args:
        fn: a function of the inputs returning a Tensor or a tuple of Tensors.
        inputs: a Tensor or a sequence of arguments; the Tensors with requires_grad=True
            are checked (at least one is needed). Use float64.
        eps: the finite-difference step.
        atol, rtol: the tolerance, |analytical - numerical| <= atol + rtol * |numerical|.
        raise_exception: raise `GradcheckError` on a mismatch (default) or return False.

    Returns:
        True when every entry of every Jacobian agrees.
    """
    inputs, diff_inputs = _checked_arguments("gradcheck", fn, inputs, eps, atol, rtol)
    for x in diff_inputs:
        if x.dtype != np.float64:
            warnings.warn(
                f"gradcheck: an input is {x.dtype}, not float64; finite differences in low "
                "precision are unreliable and the check may fail for that reason alone",
                UserWarning,
                stacklevel=2,
            )
    outputs = _outputs(fn, inputs)
    numerical = _numerical_jacobians(fn, inputs, diff_inputs, outputs, eps)
    analytical = _analytical_jacobians(outputs, diff_inputs)
    failures = []
    positions = [k for k, v in enumerate(inputs) if isinstance(v, Tensor) and v.requires_grad]
    for i, x in enumerate(diff_inputs):
        for o, out in enumerate(outputs):
            n, a = numerical[i][o], analytical[i][o]
            if not np.allclose(a, n, atol=atol, rtol=rtol, equal_nan=False):
                title = f"Jacobian mismatch for output {o} with respect to input {positions[i]}"
                failures.append(_report(title, n, a, atol, rtol, out.shape, x.shape))
    failures += _nondeterministic(analytical, _analytical_jacobians(outputs, diff_inputs))
    failures += _random_vjp_mismatches(outputs, diff_inputs, numerical, atol, rtol)
    if failures:
        if raise_exception:
            raise GradcheckError("\n\n".join(failures))
        return False
    return True


def _nondeterministic(first, second) -> list[str]:
    """Two backward passes through one graph must give the same numbers, to the last bit."""
    return [
        f"Backward is not deterministic: two backward passes give gradients of input {i} "
        f"with respect to output {o} that differ by up to {np.max(np.abs(a - b)):.3e}"
        for i, (per_a, per_b) in enumerate(zip(first, second, strict=True))
        for o, (a, b) in enumerate(zip(per_a, per_b, strict=True))
        if not np.array_equal(a, b, equal_nan=True)
    ]


def _random_vjp_mismatches(outputs, diff_inputs, numerical, atol, rtol) -> list[str]:
    """One backward pass seeded with a random grad_output u must give u^T J (numerical)."""
    rng = np.random.default_rng(0)
    used = [(o, out) for o, out in enumerate(outputs) if out.requires_grad]
    if not used:
        return []
    seeds = [rng.uniform(0.5, 1.5, out.shape) * rng.choice([-1, 1], out.shape) for _, out in used]
    grads = grad([out for _, out in used], diff_inputs, allow_unused=True, retain_graph=True,
                 grad_outputs=[Tensor(u, dtype=out.dtype) for u, (_, out) in zip(seeds, used,
                                                                                  strict=True)])
    failures = []
    for i, g in enumerate(grads):
        expected = sum(u.ravel() @ numerical[i][o] for u, (o, _) in zip(seeds, used, strict=True))
        got = np.zeros(diff_inputs[i].size) if g is None else g.data.astype(np.float64).ravel()
        if not np.allclose(got, expected, atol=atol, rtol=rtol):
            failures.append(
                f"Backward with a random grad_output gives the wrong gradient for input {i}: "
                f"expected grad_output times the numerical Jacobian, {expected[:4]}..., got "
                f"{got[:4]}... (does backward multiply by the incoming gradient?)"
            )
    return failures


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Sequence[Tensor] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check second derivatives: `gradcheck` the function that maps (inputs, grad_outputs)
    to the gradients of `fn` computed with `create_graph=True`.

    This is what catches a backward that is right but not differentiable, e.g. one written
    with numpy arrays (constants) where Tensor operations were needed. `grad_outputs`
    default to random float64 values drawn with `seed`.
    """
    inputs, _ = _checked_arguments("gradgradcheck", fn, inputs, eps, atol, rtol)
    n_inputs = len(inputs)
    outputs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [
            Tensor(rng.standard_normal(o.shape), dtype=np.float64, requires_grad=True)
            for o in outputs
        ]
    else:
        grad_outputs = list(_as_tuple(grad_outputs))
        if len(grad_outputs) != len(outputs):
            raise ValueError(
                f"gradgradcheck: grad_outputs must have one entry per output ({len(outputs)}), "
                f"received {len(grad_outputs)}"
            )

    def first_derivatives(*args):
        xs, gs = args[:n_inputs], args[n_inputs:]
        diff = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        outs = _outputs(fn, xs)
        used = [(o, g) for o, g in zip(outs, gs, strict=False) if o.requires_grad]
        if not used:
            return tuple(Tensor(np.zeros(x.shape, dtype=x.dtype)) for x in diff)
        grads = grad(
            [o for o, _ in used], diff, grad_outputs=[g for _, g in used],
            create_graph=True, allow_unused=True,
        )
        return tuple(
            g if g is not None else Tensor(np.zeros(x.shape, dtype=x.dtype))
            for g, x in zip(grads, diff, strict=False)
        )

    return gradcheck(
        first_derivatives, (*inputs, *grad_outputs), eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception,
    )
