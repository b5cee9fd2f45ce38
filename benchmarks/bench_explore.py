"""How big are the explorer pages, and how fast do they open in a headless browser?

For each example of `tinygrad-acts explore` (the README's neuron; a 2-layer Dense model's
loss; a 2-layer MLP built neuron by neuron as in micrograd, hundreds of nodes) this writes
the page and reports: the graph's size, the time to make the page in Python (Graphviz's
layout included), the page's size, the time for headless Chromium to open it from disk
until its script is ready (median of several fresh tabs), and the time to jump to its last
step (End). Targets from the issue: under 2 MB and under 3 s to open.

Chromium is the system's (Debian's `chromium`), driven by Playwright for Python; nothing is
downloaded.

    python benchmarks/bench_explore.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout as is
from harness import format_table, machine, verdict  # noqa: E402

from tinygrad_acts import commands  # noqa: E402
from tinygrad_acts.explore import explore, find_chromium  # noqa: E402
from tinygrad_acts.graph import graph_tensors  # noqa: E402

SIZE_TARGET = 2_000_000  # bytes
OPEN_TARGET = 3.0  # seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="tabs opened per page")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, received {args.repeats}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Playwright for Python is not installed: pip install playwright")
        return 1
    executable = find_chromium()
    if executable is None:
        print("no Chromium found: apt-get install chromium (or set TINYGRAD_ACTS_CHROMIUM)")
        return 1

    rows = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        for name, make in commands.EXPLORE_EXAMPLES.items():
            root = make()
            nodes = len(graph_tensors(root))
            ops = sum(t._ctx is not None for t in graph_tensors(root))
            start = time.perf_counter()
            path = explore(root, Path(folder) / f"{name}.html")
            build = time.perf_counter() - start
            size = path.stat().st_size
            opens, ends = [], []
            for _ in range(args.repeats):
                tab = browser.new_page(viewport={"width": 1280, "height": 720})
                start = time.perf_counter()
                tab.goto(path.as_uri())
                tab.wait_for_function("() => window.explorer && window.explorer.ready")
                opens.append(time.perf_counter() - start)
                start = time.perf_counter()
                tab.keyboard.press("End")
                tab.wait_for_function("() => document.getElementById('next').disabled")
                ends.append(time.perf_counter() - start)
                steps = tab.evaluate("window.explorer.count")
                tab.close()
            open_median = statistics.median(opens)
            rows.append([
                name, f"{nodes} + {ops}", steps, f"{build:.2f}", f"{size / 1024:.0f}",
                f"{open_median:.2f}", f"{max(opens):.2f}", f"{statistics.median(ends) * 1000:.0f}",
                f"{verdict(size, SIZE_TARGET)} / {verdict(open_median, OPEN_TARGET)}",
            ])
        browser.close()
    print(machine())
    print(f"Chromium {executable}, {args.repeats} fresh tabs per page\n")
    print(format_table(
        ["example", "tensors + ops", "steps", "make s", "page kB", "open s (median)",
         "open s (max)", "End ms", "< 2 MB / < 3 s"],
        rows,
    ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
