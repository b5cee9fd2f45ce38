"""What the benchmarks in this folder share: timing a call with the garbage collector off,
taking turns between contenders (round-robin) and keeping medians, checking that the
contenders compute the same loss and gradients as a reference, the SGD step of a contender,
describing the machine (CPUs, BLAS threads, load average) next to every table, formatting
the table, and profiling a call with cProfile.

It is a helper module, not a benchmark: the scripts beside it import it.
"""

from __future__ import annotations

import ctypes
import gc
import glob
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def timed(fn: Callable[[], Any], gc_off: bool = True, number: int = 1) -> float:
    """Seconds for one call of `fn`, averaged over `number` calls in a row. By default the
    garbage collector is off while they run (as `timeit` does), so that a collection
    triggered by earlier work is not charged to them. What `fn` returns is dropped (the
    last result after the clock stops)."""
    was_enabled = gc.isenabled()
    if gc_off:
        gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            result = fn()
        elapsed = time.perf_counter() - start
    finally:
        if was_enabled:
            gc.enable()
    del result
    return elapsed / number


def calls_per_sample(fns: Sequence[Callable[[], Any]], min_seconds: float = 0.05) -> int:
    """How many calls in a row make each timed sample last at least `min_seconds` for the
    slowest of `fns` (as timeit's autorange). A loaded machine takes the CPU away for a few
    milliseconds at a time: a sample much longer than that suffers it in proportion, rather
    than all or nothing."""
    slowest = max(timed(fn) for fn in fns)
    return max(1, math.ceil(min_seconds / max(slowest, 1e-9)))


def round_robin(contenders: dict[str, Callable[[], Any]], repeats: int,
                gc_off: bool = True, number: int = 1, rotate: bool = True,
                fewer: dict[str, int] | None = None) -> dict[str, list[float]]:
    """Time each contender `repeats` times (each time: seconds per call over `number`
    calls), taking turns: every round times each one once, so that a slow moment of a
    loaded machine hits all of them alike. Each round starts with the next contender, so
    that none always runs right after the same one (whose freed memory, for instance, it
    would reuse); `rotate=False` keeps the given order in every round.

    `fewer` names contenders too slow to time every round, with how many times to time
    each: every `repeats // n`-th round, from the first, until it has `n` times."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    every = {name: max(1, repeats // max(1, n)) for name, n in (fewer or {}).items()}
    for r in range(repeats):
        order = names[r % len(names):] + names[: r % len(names)] if rotate else names
        for name in order:
            if name in every and (r % every[name] or len(times[name]) >= fewer[name]):
                continue
            times[name].append(timed(contenders[name], gc_off, number))
    return times


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(t) for name, t in times.items()}


def check_gradients(name: str, loss: float, grads: Sequence[Any], reference_loss: float,
                    reference_grads: Sequence[np.ndarray], atol: float = 1e-6,
                    atol_of_largest: bool = False) -> None:
    """Raise an AssertionError naming contender `name` unless its loss equals numpy's
    `reference_loss` (relative tolerance 1e-5) and each gradient numpy's (relative
    tolerance 1e-4). The absolute tolerance is `atol`, or with `atol_of_largest` `atol`
    times the gradient's largest entry (for sums of many float32 terms)."""
    if not math.isclose(loss, reference_loss, rel_tol=1e-5):
        raise AssertionError(f"{name}: loss {loss} != numpy's {reference_loss}")
    for i, (g, ref) in enumerate(zip(grads, reference_grads, strict=True)):
        g = np.asarray(g, dtype=np.float64)
        scale = np.max(np.abs(ref)) if atol_of_largest else 1.0
        if not np.allclose(g, ref, rtol=1e-4, atol=atol * scale):
            largest = f" (largest entry {scale:.3g})" if atol_of_largest else ""
            raise AssertionError(f"{name}: gradient {i} differs from numpy's by up to "
                                 f"{np.max(np.abs(g - ref)):.3g}{largest}")


def check_same_math(contenders: Sequence[Any], problem: Sequence[Any], reference: Any,
                    **tolerances: Any) -> None:
    """Every contender's `loss_and_grads()` at the starting weights of `problem` equals the
    `reference` contender's (numpy's), as `check_gradients` compares them; then say so."""
    reference_loss, reference_grads = reference(*problem).loss_and_grads()
    for contender in contenders:
        loss, grads = contender(*problem).loss_and_grads()
        check_gradients(contender.name, loss, grads, reference_loss, reference_grads,
                        **tolerances)
    print(f"checked: loss and all {len(reference_grads)} gradients agree with numpy for "
          f"{len(contenders)} contenders")


def optional_contenders(*candidates: tuple[str, Any]) -> list[Any]:
    """Of the (module, contender) pairs, the contenders whose module is installed; a line
    for each one left out."""
    found = []
    for module, contender in candidates:
        try:
            __import__(module)
        except ImportError:
            print(f"({module} is not installed: {contender.name} is left out)")
        else:
            found.append(contender)
    return found


class SGDContender:
    """A contender whose `step()` is one plain SGD step: `loss_and_grads()`, then
    `update(grads)`, which takes `p -= lr * g` for every parameter (numpy arrays, in place;
    a subclass sets `lr`). `clear()` drops the gradients the parameters keep from the last
    step."""

    lr: float
    params: list[Any]

    def loss_and_grads(self) -> tuple[float, list[Any]]:
        raise NotImplementedError

    def step(self) -> float:
        loss, grads = self.loss_and_grads()
        self.update(grads)
        return loss

    def update(self, grads: Sequence[Any]) -> None:
        for p, g in zip(self.params, grads, strict=True):
            p -= self.lr * g

    def clear(self) -> None:
        for p in self.params:
            p.grad = None


class TensorSGDContender(SGDContender):
    """An SGDContender whose parameters are tinygrad_acts Tensors: the step updates their
    `.data` arrays in place (outside the graph)."""

    def update(self, grads: Sequence[Any]) -> None:
        for p, g in zip(self.params, grads, strict=True):
            p.data -= self.lr * g


class TorchSGDContender(SGDContender):
    """An SGDContender whose parameters are torch tensors (the module is `self.torch`): the
    step updates them in place under `torch.no_grad()`."""

    torch: Any

    def update(self, grads: Sequence[Any]) -> None:
        with self.torch.no_grad():
            super().update(grads)


def _openblas_function(suffix: str) -> Callable[..., int] | None:
    """A function of the OpenBLAS library numpy loaded (as in numpy's wheels), e.g.
    `get_num_threads`, or None when there is none. numpy does not expose the thread count,
    so the library is asked directly (loading it again gives the already loaded one)."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in glob.glob(str(libs / "lib*openblas*")):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas_", "openblas_"):
            for name in (f"{prefix}{suffix}64_", f"{prefix}{suffix}"):
                function = getattr(lib, name, None)
                if function is not None:
                    return function
    return None


def blas_threads() -> int | None:
    """How many threads numpy's BLAS uses, or None when it cannot be asked."""
    getter = _openblas_function("get_num_threads")
    return None if getter is None else int(getter())


def set_blas_threads(threads: int) -> None:
    """Make numpy's BLAS use `threads` threads (as OPENBLAS_NUM_THREADS would at start-up).
    On a loaded machine, threads of one matrix product that wait for each other's core can
    make it several times slower than one thread."""
    setter = _openblas_function("set_num_threads")
    if setter is None:
        raise RuntimeError("cannot set the BLAS threads: numpy's OpenBLAS was not found; "
                           "set OPENBLAS_NUM_THREADS before starting instead")
    setter(int(threads))


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed memory for reuse rather than hand it back to the
    system at once (what MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ do at start-up).
    Otherwise each megabyte-sized temporary array may be mapped afresh and page-faulted in,
    and on this machine that made the same numpy code run 1.8 ms in one run and 12 ms in
    the next: noise larger than the arithmetic being compared. Both contenders get the same
    allocator. Returns False where there is no glibc (the numbers are then only noisier)."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    # 32 MiB: the largest mmap threshold glibc accepts; the trim threshold has no such cap
    return bool(mallopt(m_mmap_threshold, 32 << 20)) and bool(mallopt(m_trim_threshold, 1 << 30))


def machine() -> str:
    """One line describing where the numbers come from: the load average matters, since a
    loaded machine slows everything (ratios less so, thanks to round-robin timing)."""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    threads = blas_threads()
    return (
        f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min); "
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"BLAS threads {threads if threads is not None else 'unknown'}"
    )


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]],
                 min_widths: Sequence[int] | None = None, gap: int = 2) -> str:
    """Columns aligned: the first to the left, the others (numbers) to the right, `gap`
    spaces apart, each at least as wide as `min_widths` says (default: as its widest cell)."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    if min_widths is not None:
        widths = [max(w, m) for w, m in zip(widths, min_widths, strict=True)]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))
        return (" " * gap).join([first, *rest]).rstrip()

    text = [line(cells[0]), "-" * (sum(widths) + gap * (len(widths) - 1))]
    text += [line(row) for row in cells[1:]]
    return "\n".join(text)


def verdict(value: float, target: float) -> str:
    """`ok` when a ratio meets its target (at most `target`), `MISSED` when it does not."""
    return "ok" if value <= target else "MISSED"


def profile(fn: Callable[[], Any], calls: int, title: str, lines: int = 25,
            heading: str | None = None) -> None:
    """cProfile `calls` calls of `fn` and print the top functions by own and cumulative
    time (divide the times by `calls` for one call), under `heading` (by default one made
    of `title`)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    if heading is None:
        heading = f"cProfile of {calls} calls of {title} (divide times by {calls} for one call):"
    print(f"\n{heading}")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
