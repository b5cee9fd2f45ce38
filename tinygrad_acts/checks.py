"""Every activation's first and second derivatives, checked against finite differences.

For each registered activation (the 32 names of `ta.activations`, and any registered with
`ta.activations.register`), its page lists the parameter forms worth checking (the defaults,
and the parameters that change the derivative's code path) and the kinks of each form: the
points where the function or its derivative jumps. Finite differences are meaningless across
a kink, so the checked inputs are kept at least `KINK_MARGIN` away. `CATALOGUE` is that
list, read live from the registry.

    from tinygrad_acts import checks
    checks.check_activation("relu", negative_slope=0.1)
    # CheckResult(name='relu', params={'negative_slope': 0.1}, first_ok=True, ...)
    print(checks.format_table(checks.check_all()))

Each check runs `ta.gradcheck` (first derivatives) and `ta.gradgradcheck` (second
derivatives: the backward pass itself differentiated) in float64 on a seeded input of 12
values: a vector, or a (3, 4) matrix for the activations that work along an axis (the
softmax family and glu).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import registry
from .activations.registry import Form
from .gradcheck import _analytical_jacobians, _numerical_jacobians, gradcheck, gradgradcheck
from .tensor import Tensor

__all__ = [
    "CATALOGUE",
    "KINK_MARGIN",
    "CheckResult",
    "Form",
    "check_activation",
    "check_all",
    "format_table",
]

#: How close a checked input may come to a kink.
KINK_MARGIN = 0.05

#: The finite-difference step and tolerances (those of `ta.gradcheck`).
EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3

_SEED = 0
_N_VALUES = 12
_MATRIX_SHAPE = (3, 4)

#: For each registered name (aliases included), the forms to check: a live view of the
#: registry, so that an activation registered later is in it too.
CATALOGUE = registry.FORMS


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one form of one activation.

    Attributes:
        name: the activation's name.
        params: the parameters it was called with.
        first_ok: whether `gradcheck` passed (first derivatives).
        second_ok: whether `gradgradcheck` passed (second derivatives).
        worst_error: the largest |analytical - numerical| entry of the first-derivative
            Jacobian (NaN when the activation raised).
        error: what the activation raised, if it raised (then both checks count as failed).
    """

    name: str
    params: dict[str, Any]
    first_ok: bool
    second_ok: bool
    worst_error: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_ok and self.second_ok

    @property
    def label(self) -> str:
        """The call checked, e.g. `relu(negative_slope=0.1)`."""
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.name}({args})"


# ---- inputs that stay away from the kinks ---------------------------------------------------


def _kink_distance(form: Form) -> Callable[[np.ndarray], np.ndarray]:
    """Each entry's distance to its nearest kink: to fixed points, or as the form's own
    distance function says (sparsemax's kinks move with its input)."""
    if callable(form.kinks):
        return lambda x: form.kinks(x, **form.params)
    kinks = np.asarray(form.kinks, dtype=np.float64)

    def distance(x: np.ndarray) -> np.ndarray:
        if not kinks.size:
            return np.full(x.shape, np.inf)
        return np.min(np.abs(x[..., None] - kinks), axis=-1)

    return distance


def _checked_input(name: str, form: Form) -> np.ndarray:
    """12 seeded float64 values at least KINK_MARGIN from every kink.

    A vector's values are spread evenly over a range that reaches 1.5 past the outermost
    kinks (and [-3, 3] at least), one random value in each of 12 equal slices, so every piece
    of a piecewise function is visited. Axis activations get a (3, 4) matrix of normal values.
    """
    rng = np.random.default_rng(_SEED)
    distance = _kink_distance(form)
    if not registry.ENTRIES[name].elementwise:
        x = rng.standard_normal(_MATRIX_SHAPE)
        while np.min(distance(x)) < KINK_MARGIN:
            x = rng.standard_normal(_MATRIX_SHAPE)
        return x
    points = () if callable(form.kinks) else form.kinks
    low = min(-3.0, min(points, default=0.0) - 1.5)
    high = max(3.0, max(points, default=0.0) + 1.5)
    edges = np.linspace(low, high, _N_VALUES + 1)
    x = rng.uniform(edges[:-1], edges[1:])
    # A slice is wider than twice the margin, so redrawing the values too near a kink ends.
    while np.any(too_near := distance(x) < KINK_MARGIN):
        x[too_near] = rng.uniform(edges[:-1], edges[1:])[too_near]
    return x


# ---- the checks -------------------------------------------------------------------------------


def check_activation(name: str, **params: Any) -> CheckResult:
    """Check one activation's first and second derivatives with `params`.

    Kinks are looked up in `CATALOGUE` for a form with the same parameters; parameters not
    catalogued are checked on an input kept away from the default form's kinks only.

    Args:
        name: a registered activation's name (one of the 32 of `ta.activations`, or one of
            yours).
        **params: the activation's keyword arguments.

    Returns:
        A `CheckResult`. An exception raised by the activation is caught and reported in
        `error`, so that one broken activation does not hide the others' results.
    """
    if not isinstance(name, str) or name not in CATALOGUE:
        raise ValueError(
            f"check_activation: argument `name` must be one of the activations' names "
            f"({', '.join(sorted(CATALOGUE))}), received name={name!r}"
        )
    forms = CATALOGUE[name]
    form = next((f for f in forms if f.params == params), Form(params, forms[0].kinks))
    activation = registry.ENTRIES[name].function

    def fn(x: Tensor) -> Tensor:
        return activation(x, **params)

    x = Tensor(_checked_input(name, form), requires_grad=True)
    try:
        first_ok = gradcheck(fn, x, eps=EPS, atol=ATOL, rtol=RTOL, raise_exception=False)
        second_ok = gradgradcheck(fn, x, eps=EPS, atol=ATOL, rtol=RTOL, raise_exception=False)
        # gradcheck says yes or no; the size of the disagreement tells how close it was.
        outputs = (fn(x),)
        numerical = _numerical_jacobians(fn, (x,), [x], outputs, EPS)[0][0]
        analytical = _analytical_jacobians(outputs, [x])[0][0]
        worst_error = float(np.max(np.abs(analytical - numerical)))
    except Exception as e:  # noqa: BLE001 - reported in the table, not raised
        return CheckResult(name, params, False, False, float("nan"),
                           f"{type(e).__name__}: {e}")
    return CheckResult(name, params, first_ok, second_ok, worst_error)


def check_all(names: Iterable[str] | None = None) -> list[CheckResult]:
    """Check every catalogued form of the activations named (all registered by default), in
    alphabetical order of name (duplicates are checked once)."""
    if names is None:
        chosen = sorted(CATALOGUE)
    else:
        if isinstance(names, str):
            raise TypeError(
                f"check_all: argument `names` must be a list of names or None, received the "
                f"string {names!r} (write [{names!r}])"
            )
        chosen = list(dict.fromkeys(names))
        unknown = [n for n in chosen if n not in CATALOGUE]
        if unknown:
            raise ValueError(
                f"check_all: unknown activation names {unknown}; expected names among "
                f"{', '.join(sorted(CATALOGUE))}"
            )
    return [check_activation(name, **form.params) for name in chosen for form in CATALOGUE[name]]


def format_table(results: list[CheckResult]) -> str:
    """The results as a text table: the call checked, first order, second order, worst error;
    then the errors raised, and a last line counting the failures."""
    header = ("activation", "first order", "second order", "worst error")
    rows = [
        (r.label, "ok" if r.first_ok else "FAIL", "ok" if r.second_ok else "FAIL",
         f"{r.worst_error:.1e}")
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    lines = [line(header), line(tuple("-" * w for w in widths)), *map(line, rows)]
    lines += [f"{r.label}: {r.error}" for r in results if r.error]
    failed = sum(not r.ok for r in results)
    names = len({r.name for r in results})
    summary = f"{len(results)} forms of {names} activations checked: "
    lines.append("")
    lines.append(summary + ("all passed" if failed == 0 else f"{failed} FAILED"))
    return "\n".join(lines)
