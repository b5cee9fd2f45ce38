"""Does backward through a very deep graph take time in proportion to its size?

The graph is a chain: x = x * 1.0001, then x = x + 0.0, alternating, on a tensor of 4
values, for 100,000 and for 200,000 operations (nodes), then a sum. The engine sorts the
graph without recursion (micrograd's recursive sort stops near 1,000 nodes), and every step
of backward should cost the same whatever the depth, so twice the nodes should take twice
the time: the target is time(200k) / time(100k) <= 2.3 for backward. The forward pass (the
Python loop that records the chain) is timed too.

Before timing, the gradient at the bottom of the chain is checked: 1.0001 (in float32) to
the power of the number of multiplications. The two depths are timed in turns (round-robin),
with the garbage collector off (as `timeit` does; with it on, its collections add to the
forward pass's time, which still grows in proportion); a chain is freed between runs,
outside the clock.

    python benchmarks/bench_deep_chain.py [--repeats 3] [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout as is
from harness import format_table, machine, profile, verdict  # noqa: E402

import tinygrad_acts as ta  # noqa: E402

DEPTHS = (100_000, 200_000)
QUICK_DEPTHS = (10_000, 20_000)  # --quick: a smoke run
FACTOR = 1.0001
RATIO_TARGET = 2.3


def build_chain(nodes: int) -> tuple[ta.Tensor, ta.Tensor]:
    """The bottom of the chain, and its top: `nodes` alternating operations, then a sum."""
    bottom = ta.Tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    x = bottom
    for _ in range(nodes // 2):
        x = x * FACTOR
        x = x + 0.0
    return bottom, x.sum()


def check_gradient(nodes: int) -> None:
    bottom, top = build_chain(nodes)
    top.backward()
    expected = float(np.float32(FACTOR)) ** (nodes // 2)
    if not np.allclose(bottom.grad.data, expected, rtol=1e-3):
        raise AssertionError(
            f"{nodes} nodes: gradient {bottom.grad.data} at the bottom, expected {expected:.6g}"
        )


def time_chain(nodes: int) -> tuple[float, float]:
    """Seconds to record the chain (forward) and to run backward through it, with the
    garbage collector off; the chain is freed after the clock stops."""
    gc.disable()
    try:
        start = time.perf_counter()
        bottom, top = build_chain(nodes)
        recorded = time.perf_counter()
        top.backward()
        done = time.perf_counter()
    finally:
        gc.enable()
    del bottom, top
    return recorded - start, done - recorded


def run(depths: tuple[int, ...], repeats: int) -> dict[int, tuple[list[float], list[float]]]:
    for nodes in depths:
        check_gradient(nodes)
    print(f"checked: the gradient through {' and '.join(f'{n:,}' for n in depths)} nodes is "
          f"{FACTOR} to the power of the number of multiplications")
    times: dict[int, tuple[list[float], list[float]]] = {n: ([], []) for n in depths}
    for _ in range(repeats):  # round-robin over the depths
        for nodes in depths:
            forward, backward = time_chain(nodes)
            times[nodes][0].append(forward)
            times[nodes][1].append(backward)
    return times


def print_table(times: dict[int, tuple[list[float], list[float]]], repeats: int) -> None:
    median = {n: (statistics.median(f), statistics.median(b)) for n, (f, b) in times.items()}
    rows = [
        [f"{n:,}", f"{f:.3f}", f"{b:.3f}", f"{f / n * 1e6:.1f}", f"{b / n * 1e6:.1f}"]
        for n, (f, b) in median.items()
    ]
    print(f"\nbackward through a chain of x * {FACTOR} and x + 0.0 on 4 float32 values, "
          f"medians of {repeats} (round-robin)")
    print(machine())
    print(format_table(
        ["nodes", "forward s", "backward s", "forward us/node", "backward us/node"], rows
    ))
    small, large = sorted(median)
    scale = large / small
    forward_ratio = median[large][0] / median[small][0]
    backward_ratio = median[large][1] / median[small][1]
    print()
    print(f"backward: time({large:,}) / time({small:,}) = {backward_ratio:.2f} "
          f"(linear: {scale:.1f}; target <= {RATIO_TARGET}: "
          f"{verdict(backward_ratio, RATIO_TARGET)})")
    print(f"forward:  time({large:,}) / time({small:,}) = {forward_ratio:.2f} "
          f"(linear: {scale:.1f})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs of each depth (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: {QUICK_DEPTHS[0]:,} and {QUICK_DEPTHS[1]:,} "
                             "nodes, once")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one backward through the smaller chain")
    args = parser.parse_args(argv)
    if args.repeats <= 0:
        parser.error(f"--repeats must be positive, received {args.repeats}")
    depths, repeats = (QUICK_DEPTHS, 1) if args.quick else (DEPTHS, args.repeats)
    print_table(run(depths, repeats), repeats)
    if args.profile:
        _, top = build_chain(depths[0])
        profile(top.backward, 1, f"backward through {depths[0]:,} nodes")


if __name__ == "__main__":
    main()
