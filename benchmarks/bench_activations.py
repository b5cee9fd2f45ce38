"""How long do the activations take, forward and backward, against the same math in numpy?

Each of Keras's 32 activations (30 functions: the aliases swish and hard_swish are silu and
hard_silu, timed once) runs forward and backward on 1,000,000 float32 values: the engine's
`y = ta.activations.<name>(x); y.backward(g)`, against a numpy version written by hand.
softmax, log_softmax and sparsemax take a (1000, 1000) array along the last axis, glu a
(1000, 2000) one. Parameters are Keras's defaults (threshold, which has none, gets
threshold=0.5, default_value=0).

Each numpy version computes the same formulas as the engine's forward (its stable forms,
expm1 for the exponential units, scipy's erfc for gelu), with the cheapest numpy calls that
give them (np.clip rather than np.maximum against 0, arithmetic on masks rather than
np.where: several times faster here), and its derivative the obvious efficient way:
reusing what the forward pass computed where a hand-writer would (sigmoid(x) for silu,
the softmax for log_softmax, Phi(x) for gelu), where the engine's backward, written in
Tensor operations so that it can be differentiated again, may recompute it. So the ratio
is what the engine's generality costs, not a difference of formulas.

Before timing, each engine output and gradient is checked against numpy's (allclose with
rtol 1e-5 and atol 1e-6: the derivatives of gelu, silu and mish cross 0, where float32
rounding leaves only an absolute agreement). Each activation's two versions are then timed
in turns (round-robin), with the garbage collector off, and the medians compared; each
timed sample repeats the call for at least 50 ms (as timeit does), so that the moments a
loaded machine takes the CPU away are spread over the samples rather than hitting some.
Targets: geometric mean of the ratios <= 1.3, worst ratio <= 2.0, over the activations that
compute something: linear (y = x, dx = g) costs numpy nothing, and its time is reported apart.

    python benchmarks/bench_activations.py [--repeats 7] [--quick] [--profile NAME]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.special import erfc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout as is
from harness import (  # noqa: E402
    calls_per_sample,
    format_table,
    keep_freed_memory,
    machine,
    profile,
    round_robin,
    verdict,
)

import tinygrad_acts as ta  # noqa: E402

SIZE = 1_000_000  # values; the activations over an axis take sqrt(SIZE) rows of them
QUICK_SIZE = 10_000  # --quick: a smoke run on small arrays
SAMPLE_SECONDS = 0.05  # each timed sample repeats the call for at least this long
GEOMEAN_TARGET = 1.3
WORST_TARGET = 2.0
PARAMS: dict[str, dict[str, float]] = {"threshold": {"threshold": 0.5, "default_value": 0.0}}
# numpy's version does nothing at all (y = x, dx = g): a ratio over ~0 means nothing, so
# these are left out of the targets, and their time is reported instead.
NO_WORK = {"linear"}

SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717
SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


# ---- the numpy versions: (x, g) -> (activation(x), g * activation'(x)) --------------------
def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x); e^-x overflows to inf below x = -88, and 1 / inf = 0 is right."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def relu(x, g):
    return np.clip(x, 0.0, np.inf), g * (x > 0)  # clip: several times faster than maximum


def leaky_relu(x, g, slope=0.2):
    derivative = (x > 0).astype(x.dtype)  # 1 above 0, slope at and below
    derivative *= 1 - slope
    derivative += slope
    return x * derivative, g * derivative


def relu6(x, g):
    return np.clip(x, 0.0, 6.0), g * ((x > 0) & (x < 6))


def threshold(x, g, threshold=0.5, default_value=0.0):
    above = x > threshold
    return np.where(above, x, default_value), g * above


# The exponential units avoid np.where, which is several times slower than arithmetic: the
# negative part is 0 for x > 0, so it can be added to max(x, 0), and the derivative built
# from it.
def elu(x, g, alpha=1.0):
    negative = alpha * np.expm1(np.minimum(x, 0.0))
    out = np.clip(x, 0.0, np.inf) + negative
    # 1 for x > 0; alpha e^x = negative + alpha for x <= 0
    return out, g * (negative + alpha + (x > 0).astype(x.dtype) * (1 - alpha))


def selu(x, g):
    scale_alpha = SELU_SCALE * SELU_ALPHA
    negative = scale_alpha * np.expm1(np.minimum(x, 0.0))
    out = SELU_SCALE * np.clip(x, 0.0, np.inf) + negative
    # scale for x > 0; scale alpha e^x = negative + scale alpha for x <= 0
    positive = (x > 0).astype(x.dtype)
    return out, g * (negative + scale_alpha + positive * (SELU_SCALE - scale_alpha))


def celu(x, g, alpha=1.0):
    negative = alpha * np.expm1(np.minimum(x, 0.0) / alpha)
    out = np.clip(x, 0.0, np.inf) + negative
    # 1 for x > 0; e^(x / alpha) = negative / alpha + 1 for x <= 0 (and 1 for x > 0 too)
    return out, g * (negative / alpha + 1)


def sigmoid(x, g):
    s = _sigmoid(x)
    return s, g * s * (1 - s)


def hard_sigmoid(x, g):
    return np.clip(x / 6 + 0.5, 0.0, 1.0), g * (np.abs(x) < 3) * (1 / 6)


def log_sigmoid(x, g):
    e = np.exp(-np.abs(x))
    out = np.minimum(x, 0.0) - np.log1p(e)
    # d/dx = sigmoid(-x): e / (1 + e) for x >= 0, 1 / (1 + e) for x < 0 (e <= 1), from the
    # same e
    return out, g * np.maximum(e, x < 0) / (1 + e)


def sparse_sigmoid(x, g):
    return np.clip((x + 1) * 0.5, 0.0, 1.0), g * (np.abs(x) < 1) * 0.5


def tanh(x, g):
    t = np.tanh(x)
    return t, g * (1 - t * t)


def hard_tanh(x, g):
    return np.clip(x, -1.0, 1.0), g * (np.abs(x) < 1)


def softsign(x, g):
    denominator = 1 + np.abs(x)
    return x / denominator, g / (denominator * denominator)


def soft_shrink(x, g, threshold=0.5):
    return x - np.clip(x, -threshold, threshold), g * (np.abs(x) > threshold)


def hard_shrink(x, g, threshold=0.5):
    keep = np.abs(x) > threshold
    return x * keep, g * keep


def tanh_shrink(x, g):
    t = np.tanh(x)
    return x - t, g * (t * t)


def softplus(x, g):
    e = np.exp(-np.abs(x))
    out = np.clip(x, 0.0, np.inf) + np.log1p(e)
    # d/dx = sigmoid(x): 1 / (1 + e) for x >= 0, e / (1 + e) for x < 0 (e <= 1), from the
    # same e
    return out, g * np.maximum(e, x >= 0) / (1 + e)


def silu(x, g):
    s = _sigmoid(x)
    out = x * s
    return out, g * (s + out * (1 - s))


def hard_silu(x, g):
    out = x * np.clip(x + 3, 0.0, 6.0) / 6
    # d/dx: 0 below -3, x / 3 + 1/2 between, 1 above 3
    return out, g * ((x / 3 + 0.5) * (np.abs(x) <= 3) + (x > 3))


def mish(x, g):
    # tanh(softplus(x)) = n / (n + 2) with n = e (e + 2), e = e^x (x capped at 20, as the
    # engine's); d/dx = t + 4 x e (1 + e) / (n + 2)^2
    e = np.exp(np.minimum(x, 20.0))
    n = e * (e + 2)
    d = n + 2
    t = n / d
    return x * t, g * (t + (x / d) * (e * (e + 1) / d) * 4)


def gelu(x, g):
    cdf = 0.5 * erfc(x * -SQRT_HALF)
    pdf = np.exp(x * x * -0.5) * INV_SQRT_2PI
    return x * cdf, g * (cdf + x * pdf)


def squareplus(x, g, b=4.0):
    root = np.sqrt(x * x + b)
    out = (b / 2) / (root + np.abs(x)) + np.clip(x, 0.0, np.inf)  # (x + root) / 2, stably
    return out, g * (out / root)  # (1 + x / root) / 2 = out / root


def sparse_plus(x, g):
    shifted = np.clip(x, -1.0, 1.0) + 1
    out = shifted * shifted * 0.25 + np.clip(x - 1, 0.0, np.inf)
    return out, g * (shifted * 0.5)


def exponential(x, g):
    out = np.exp(x)
    return out, g * out


def linear(x, g):
    return x, g


def softmax(x, g, axis=-1):
    out = np.exp(x - x.max(axis=axis, keepdims=True))
    out /= out.sum(axis=axis, keepdims=True)
    return out, out * (g - (g * out).sum(axis=axis, keepdims=True))


def log_softmax(x, g, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=axis, keepdims=True)
    out = shifted - np.log(total)
    exp /= total  # the softmax, kept for the derivative
    return out, g - exp * g.sum(axis=axis, keepdims=True)


def sparsemax(x, g):
    z_sorted = np.flip(np.sort(x, axis=-1), axis=-1)
    cumsum = np.cumsum(z_sorted, axis=-1)
    k = np.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    support_size = np.sum(1 + k * z_sorted > cumsum, axis=-1, keepdims=True)
    tau = np.take_along_axis(cumsum, support_size - 1, axis=-1) - 1
    tau /= support_size.astype(x.dtype)
    out = np.maximum(x - tau, 0.0)
    support = (out > 0).astype(x.dtype)  # float, so that the sums below stay float32
    total = (g * support).sum(axis=-1, keepdims=True)
    return out, support * (g - total / support.sum(axis=-1, keepdims=True))


def glu(x, g):
    a, b = np.split(x, 2, axis=-1)
    s = _sigmoid(b)
    out = a * s
    grad_a = g * s
    return out, np.concatenate([grad_a, grad_a * a * (1 - s)], axis=-1)


NUMPY: dict[str, Callable] = {fn.__name__: fn for fn in (
    relu, leaky_relu, relu6, threshold, elu, selu, celu,
    sigmoid, hard_sigmoid, log_sigmoid, sparse_sigmoid, tanh, hard_tanh, softsign,
    soft_shrink, hard_shrink, tanh_shrink,
    softplus, silu, hard_silu, mish, gelu, squareplus, sparse_plus, exponential, linear,
    softmax, log_softmax, sparsemax, glu,
)}


# ---- the engine version, the same call a user makes ----------------------------------------
def engine_version(name: str) -> Callable:
    activation = ta.activations.get(name)
    params = PARAMS.get(name, {})

    def run(x: np.ndarray, g: ta.Tensor) -> tuple[np.ndarray, np.ndarray]:
        t = ta.Tensor(x, requires_grad=True)
        y = activation(t, **params)
        y.backward(g)
        return y.data, t.grad.data

    return run


def canonical_names() -> list[str]:
    """The 30 distinct activations among the 32 names (an alias counts once)."""
    names = sorted({ta.activations.serialize(fn) for fn in ta.activations.ACTIVATIONS.values()})
    missing = set(names) - set(NUMPY)
    if missing:
        raise AssertionError(f"no numpy version written for {sorted(missing)}")
    return names


def make_inputs(name: str, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x (normal, standard deviation 3: both sides of every kink and threshold) and the
    incoming gradient g, float32, in the shape the activation is benchmarked on."""
    rows = max(1, round(math.sqrt(size)))  # 1000 x 1000 for a million values
    shape = {"softmax": (rows, rows), "log_softmax": (rows, rows), "sparsemax": (rows, rows),
             "glu": (rows, 2 * rows)}.get(name, (size,))
    rng = np.random.default_rng(seed)
    x = (3 * rng.standard_normal(shape)).astype(np.float32)
    out_shape = shape[:-1] + (shape[-1] // 2,) if name == "glu" else shape
    g = rng.standard_normal(out_shape).astype(np.float32)
    return x, g


def check_same_math(name: str, x: np.ndarray, g: np.ndarray) -> None:
    """The engine's output and gradient equal numpy's, both float32."""
    expected = NUMPY[name](x, g, **PARAMS.get(name, {}))
    got = engine_version(name)(x, ta.Tensor(g))
    for what, a, b in zip(("output", "gradient"), got, expected, strict=True):
        if a.dtype != np.float32 or b.dtype != np.float32:
            raise AssertionError(f"{name}: {what} dtypes {a.dtype} (engine), {b.dtype} (numpy)")
        if not np.allclose(a, b, rtol=1e-5, atol=1e-6):
            worst = np.max(np.abs(a.astype(np.float64) - b))
            raise AssertionError(f"{name}: the engine's {what} differs from numpy's by {worst:.3g}")


Result = tuple[tuple[int, ...], list[float], list[float]]  # shape, numpy and engine seconds


def run(names: list[str], size: int, repeats: int, sample_seconds: float) -> dict[str, Result]:
    """Check, then time, each activation: {name: (shape, numpy times, engine times)}."""
    results = {}
    for name in names:
        x, g = make_inputs(name, size)
        check_same_math(name, x, g)
        results[name] = (x.shape, *time_activation(name, x, g, repeats, sample_seconds))
    print(f"checked: the engine's output and gradient equal numpy's for {len(names)} activations")
    return results


def time_activation(name: str, x: np.ndarray, g: np.ndarray, repeats: int,
                    sample_seconds: float) -> tuple[list[float], list[float]]:
    """Seconds of numpy's and the engine's forward + backward, `repeats` samples each, in
    turns; a sample repeats the call enough times to last at least `sample_seconds`."""
    numpy_fn, engine_fn, g_tensor = NUMPY[name], engine_version(name), ta.Tensor(g)
    params = PARAMS.get(name, {})
    contenders = {
        "numpy": lambda: numpy_fn(x, g, **params),
        "engine": lambda: engine_fn(x, g_tensor),
    }
    number = calls_per_sample(contenders.values(), sample_seconds)
    times = round_robin(contenders, repeats, number=number)
    return times["numpy"], times["engine"]


def summary(ratios: dict[str, float], label: str) -> None:
    if not ratios:
        return
    geomean = statistics.geometric_mean(ratios.values())
    worst = max(ratios, key=ratios.get)
    print(f"{label}: geometric mean {geomean:.2f}x (target <= {GEOMEAN_TARGET}: "
          f"{verdict(geomean, GEOMEAN_TARGET)}), worst {worst} {ratios[worst]:.2f}x "
          f"(target <= {WORST_TARGET}: {verdict(ratios[worst], WORST_TARGET)})")


def print_table(results: dict[str, Result], repeats: int, sample_seconds: float) -> None:
    median_ratios = {name: statistics.median(engine) / statistics.median(numpy)
                     for name, (_, numpy, engine) in results.items()}
    min_ratios = {name: min(engine) / min(numpy) for name, (_, numpy, engine) in results.items()}

    def flag(name: str) -> str:
        if name in NO_WORK:
            return "(no work)"
        return "" if median_ratios[name] <= WORST_TARGET else "MISSED"

    rows = [
        [name, "x".join(map(str, shape)), f"{statistics.median(numpy) * 1e3:.2f}",
         f"{statistics.median(engine) * 1e3:.2f}", f"{median_ratios[name]:.2f}x",
         f"{min_ratios[name]:.2f}x", flag(name)]
        for name, (shape, numpy, engine) in results.items()
    ]
    print(f"\nforward + backward of each activation, float32: {repeats} samples of each, "
          f"in turns, each sample >= {sample_seconds * 1e3:.0f} ms of calls in a row")
    print(machine())
    print(format_table(
        ["activation", "shape", "numpy ms", "engine ms", "engine / numpy", "(of mins)",
         "<= 2.0"],
        rows,
    ))
    print("(ms per call: medians over the samples; 'of mins' compares the fastest samples, "
          "less sensitive to a loaded machine)")
    print()
    apart = sorted(NO_WORK & results.keys())
    doing_work = {k: v for k, v in median_ratios.items() if k not in NO_WORK}
    summary(doing_work, "engine / numpy" + (f", without {', '.join(apart)}" if apart else ""))
    for name in apart:
        engine_ms = statistics.median(results[name][2]) * 1e3
        print(f"{name}: not in the targets, since numpy does nothing (y = x, dx = g); the "
              f"engine's {engine_ms:.2f} ms per call\n  is its fixed cost, and the copy of g "
              "that gives x a .grad array of its own")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7,
                        help="timed samples per activation and version (default 7)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: {QUICK_SIZE:,} values, 1 call each")
    parser.add_argument("--profile", metavar="NAME",
                        help="also profile 20 engine runs of this activation with cProfile")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="activations to benchmark (default: all)")
    args = parser.parse_args(argv)
    if args.repeats <= 0:
        parser.error(f"--repeats must be positive, received {args.repeats}")
    names = canonical_names()
    for name in args.names + ([args.profile] if args.profile else []):
        if name not in names:
            parser.error(f"unknown activation {name!r}; known: {', '.join(names)}")
    size, repeats, seconds = (QUICK_SIZE, 1, 0.0) if args.quick else (SIZE, args.repeats,
                                                                       SAMPLE_SECONDS)
    if not keep_freed_memory():
        print("(glibc's malloc not found: freed memory goes back to the system, and page "
              "faults make the timings noisier)")
    print_table(run(args.names or names, size, repeats, seconds), repeats, seconds)
    if args.profile:
        x, g = make_inputs(args.profile, size)
        engine_fn, g_tensor = engine_version(args.profile), ta.Tensor(g)
        profile(lambda: engine_fn(x, g_tensor), 20, f"{args.profile} forward + backward")


if __name__ == "__main__":
    main()
