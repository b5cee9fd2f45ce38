"""Run every benchmark in this folder, one after another, and print their tables.

Each script runs in its own process (with the same Python), so that one benchmark's memory
and threads do not disturb the next; its output is printed as it comes. At the end, a
summary: each script's exit status and how long it took. The exit status is 0 only when
every script succeeded.

    python benchmarks/run_all.py [--quick] [NAME ...]

NAME picks some of the benchmarks (`deep_chain`, `bench_deep_chain` or
`bench_deep_chain.py`); by default all of them run. `--quick` is passed on to each script:
a smoke run, fast, whose numbers mean little.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the helpers beside this file, also when it is imported
from harness import format_table  # noqa: E402

SCRIPTS = (
    "bench_tiny_mlp.py",
    "bench_large_mlp.py",
    "bench_activations.py",
    "bench_deep_chain.py",
    "bench_training.py",
    "bench_explore.py",
)


def script_named(name: str) -> str:
    """`deep_chain`, `bench_deep_chain` and `bench_deep_chain.py` all name one script."""
    stem = name.removesuffix(".py")
    stem = stem if stem.startswith("bench_") else f"bench_{stem}"
    if f"{stem}.py" not in SCRIPTS:
        known = ", ".join(s.removeprefix("bench_").removesuffix(".py") for s in SCRIPTS)
        raise ValueError(f"unknown benchmark {name!r}; known: {known}")
    return f"{stem}.py"


def run_script(script: str, quick: bool) -> tuple[int, float]:
    """Run one benchmark, its output going straight to ours; its exit status and seconds."""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"\n{'=' * 30} {script}{' --quick' if quick else ''} (load average {load}) "
          f"{'=' * 30}", flush=True)
    start = time.perf_counter()
    command = [sys.executable, str(HERE / script)] + (["--quick"] if quick else [])
    status = subprocess.run(command, check=False).returncode
    return status, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run of each benchmark (passed on to every script)")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="benchmarks to run (default: all)")
    args = parser.parse_args(argv)
    try:
        scripts = [script_named(n) for n in args.names] if args.names else list(SCRIPTS)
    except ValueError as e:
        parser.error(str(e))
    results = {script: run_script(script, args.quick) for script in scripts}
    print(f"\n{'=' * 30} summary {'=' * 30}")
    print(format_table(
        ["benchmark", "exit status", "seconds"],
        [[s, "ok" if status == 0 else f"FAILED ({status})", f"{seconds:.1f}"]
         for s, (status, seconds) in results.items()],
    ))
    return 0 if all(status == 0 for status, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
