"""How big are the explorer pages, and how fast do they open in a headless browser?

For each example of `tinygrad-acts explore` (the README's neuron; a 2-layer Dense model's
loss; a 2-layer MLP built neuron by neuron as in micrograd, hundreds of nodes) this writes
the page and reports: the graph's size, the time to make the page in Python (Graphviz's
layout included), the page's size, the time for headless Chromium to open it from disk
until its script is ready (median of several fresh tabs), and the time to jump to its last
step (End). Targets from the issue: under 2 MB and under 3 s to open.

Chromium is the system's (Debian's `chromium`), driven by Playwright for Python; nothing is
downloaded. Without them, only the sizes are reported.

    python benchmarks/bench_explore.py [--repeats 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout as is
from harness import format_table, machine, verdict  # noqa: E402

from tinygrad_acts import commands  # noqa: E402
from tinygrad_acts.explore import explore, find_chromium  # noqa: E402
from tinygrad_acts.graph import format_values, graph_tensors  # noqa: E402

SIZE_TARGET = 2_000_000  # bytes
OPEN_TARGET = 3.0  # seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="tabs opened per page")
    parser.add_argument("--quick", action="store_true", help="one tab per page")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be positive, received {args.repeats}")
    repeats = 1 if args.quick else args.repeats
    executable = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or executable is None:
        print("(no browser: Playwright for Python and the system's chromium are needed for the "
              "opening times; sizes only)")
    with tempfile.TemporaryDirectory() as folder:
        if sync_playwright is None or executable is None:
            rows = measure(Path(folder), None, repeats)
        else:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, headless=True)
                rows = measure(Path(folder), browser, repeats)
                browser.close()
    print("checked: after each page's last step, every gradient shown equals the .grad "
          "that backward() then gives")
    print(machine())
    print(f"Chromium {executable}, {repeats} fresh tab(s) per page\n")
    print(format_table(
        ["example", "tensors + ops", "steps", "make s", "page kB", "open s (median)",
         "open s (max)", "End ms", "< 2 MB / < 3 s"],
        rows,
    ))
    return 0


def measure(folder: Path, browser, repeats: int) -> list[list]:
    """A row per example: its graph, page and (with a browser) opening times."""
    rows = []
    for name, make in commands.EXPLORE_EXAMPLES.items():
        root = make()
        tensors = graph_tensors(root)
        ops = sum(t._ctx is not None for t in tensors)
        start = time.perf_counter()
        path = explore(root, folder / f"{name}.html")
        build = time.perf_counter() - start
        size = path.stat().st_size
        steps = model_steps(path)
        check_final_grads(name, root, steps)
        opens, ends = [], []
        for _ in range(repeats if browser is not None else 0):
            tab = browser.new_page(viewport={"width": 1280, "height": 720})
            start = time.perf_counter()
            tab.goto(path.as_uri())
            tab.wait_for_function("() => window.explorer && window.explorer.ready")
            opens.append(time.perf_counter() - start)
            start = time.perf_counter()
            tab.keyboard.press("End")
            tab.wait_for_function("() => document.getElementById('next').disabled")
            ends.append(time.perf_counter() - start)
            tab.close()
        row = [name, f"{len(tensors)} + {ops}", len(steps), f"{build:.2f}", f"{size / 1024:.0f}"]
        if opens:
            median = statistics.median(opens)
            row += [f"{median:.2f}", f"{max(opens):.2f}", f"{statistics.median(ends) * 1000:.0f}",
                    f"{verdict(size, SIZE_TARGET)} / {verdict(median, OPEN_TARGET)}"]
        else:
            row += ["-", "-", "-", f"{verdict(size, SIZE_TARGET)} / -"]
        rows.append(row)
    return rows


def check_final_grads(name: str, root, steps: list) -> None:
    """The gradients the page shows after its last step are those backward() records."""
    shown = {}
    for step in steps:
        shown.update(step.get("grads", {}))
    root.backward()
    recorded = {f"n_t{i}": format_values(t.grad.data)
                for i, t in enumerate(graph_tensors(root)) if t.grad is not None}
    if shown != recorded:
        raise AssertionError(f"{name}: the page's last gradients differ from .grad")


def model_steps(path: Path) -> list:
    """The steps written into the page (its JSON model)."""
    page = path.read_text(encoding="utf-8")
    data = page.split('<script type="application/json" id="model">', 1)[1].split("</script>")[0]
    return json.loads(data.replace("<\\/", "</"))["steps"]


if __name__ == "__main__":
    sys.exit(main())
