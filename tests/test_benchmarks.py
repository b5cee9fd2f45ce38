"""Smoke tests of the benchmark scripts in `benchmarks/`: each runs with `--quick` (a fast
run on small inputs, whose numbers mean nothing), exits with status 0 after checking that
its contenders compute the same thing, and prints its table. Bad arguments are refused.

The scripts are separate programs, so each runs in a subprocess with this Python. They are
independent, so they are all started at once (with one BLAS thread each, so that they do not
fight over the cores) and each test waits for its own: the whole module takes about as long
as the slowest script. No timing is asserted.

Marked slow: the module starts 14 Python processes, about 25 CPU-seconds with PyTorch
installed (three of the scripts import it), 11 without; on a loaded two-core machine that
is 45 s of waiting. (`pytest -m "not slow"` leaves it out.)
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

#: Each benchmark, and a column header of the table it prints.
TABLE_HEADERS = {
    "bench_tiny_mlp.py": "median us/step",
    "bench_large_mlp.py": "median ms/step",
    "bench_activations.py": "engine / numpy",
    "bench_deep_chain.py": "backward us/node",
    "bench_training.py": "epochs/s",
    "bench_explore.py": "page kB",
}
#: The scripts that refuse `--repeats 0` with argparse's error status, 2.
VALIDATING = ("bench_large_mlp.py", "bench_activations.py", "bench_deep_chain.py",
              "bench_training.py", "bench_explore.py")

COMMANDS = {
    **{(script, "--quick"): [script, "--quick"] for script in TABLE_HEADERS},
    **{(script, "--repeats 0"): [script, "--repeats", "0"] for script in VALIDATING},
    ("run_all.py", "--quick deep_chain"): ["run_all.py", "--quick", "deep_chain"],
    ("run_all.py", "unknown"): ["run_all.py", "no_such_benchmark"],
}
TIMEOUT = 600  # seconds: only a hung script should reach it, even on a loaded machine

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs():
    """Every command started at once; `runs[key]()` waits for one and returns
    (exit status, stdout, stderr)."""
    processes = {
        key: subprocess.Popen(
            [sys.executable, str(BENCHMARKS / script), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for key, (script, *args) in COMMANDS.items()
    }

    def wait(key):
        out, err = processes[key].communicate(timeout=TIMEOUT)
        return processes[key].returncode, out, err

    yield {key: (lambda key=key: wait(key)) for key in processes}
    for process in processes.values():
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.parametrize("script", list(TABLE_HEADERS))
def test_quick_run_checks_then_prints_its_table(runs, script):
    status, out, err = runs[(script, "--quick")]()
    assert status == 0, f"{script} --quick failed:\n{out}\n{err}"
    assert "checked:" in out  # the contenders were compared before being timed
    assert TABLE_HEADERS[script] in out


@pytest.mark.parametrize("script", VALIDATING)
def test_bad_argument_is_refused_naming_it(runs, script):
    status, out, err = runs[(script, "--repeats 0")]()
    assert status == 2
    assert "--repeats must be positive, received 0" in err
    assert "checked:" not in out  # refused before doing anything


def test_run_all_runs_the_benchmarks_named_and_sums_up(runs):
    status, out, err = runs[("run_all.py", "--quick deep_chain")]()
    assert status == 0, f"run_all.py failed:\n{out}\n{err}"
    assert TABLE_HEADERS["bench_deep_chain.py"] in out
    assert "bench_tiny_mlp.py" not in out  # only the one named
    summary = out.split("summary")[-1]
    assert "bench_deep_chain.py" in summary and "ok" in summary


def test_run_all_refuses_an_unknown_name(runs):
    status, _, err = runs[("run_all.py", "unknown")]()
    assert status == 2
    assert "unknown benchmark 'no_such_benchmark'" in err


def test_run_all_knows_every_benchmark_script():
    spec = importlib.util.spec_from_file_location("run_all", BENCHMARKS / "run_all.py")
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    on_disk = {path.name for path in BENCHMARKS.glob("bench_*.py")}
    assert set(run_all.SCRIPTS) == on_disk == set(TABLE_HEADERS)
