"""What the benchmarks in this folder share: timing a call with the garbage collector off,
taking turns between contenders (round-robin) and keeping medians, describing the machine
(CPUs, BLAS threads, load average) next to every table, formatting the table, and profiling
a call with cProfile.

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
                gc_off: bool = True, number: int = 1) -> dict[str, list[float]]:
    """Time each contender `repeats` times (each time: seconds per call over `number`
    calls), taking turns: every round times each one once, so that a slow moment of a
    loaded machine hits all of them alike. Each round starts with the next contender, so
    that none always runs right after the same one (whose freed memory, for instance, it
    would reuse)."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(timed(contenders[name], gc_off, number))
    return times


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(t) for name, t in times.items()}


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


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns aligned: the first to the left, the others (numbers) to the right."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    text = [line(cells[0]), "-" * (sum(widths) + 2 * (len(widths) - 1))]
    text += [line(row) for row in cells[1:]]
    return "\n".join(text)


def verdict(value: float, target: float) -> str:
    """`ok` when a ratio meets its target (at most `target`), `MISSED` when it does not."""
    return "ok" if value <= target else "MISSED"


def profile(fn: Callable[[], Any], calls: int, title: str, lines: int = 25) -> None:
    """cProfile `calls` calls of `fn` and print the top functions by own and cumulative
    time (divide the times by `calls` for one call)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    print(f"\ncProfile of {calls} calls of {title} (divide times by {calls} for one call):")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
