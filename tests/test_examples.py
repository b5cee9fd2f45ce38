"""The examples run as a user would run them (`python examples/NAME.py --output-dir DIR`,
from a temporary folder), succeed, print what they promise, and write only into DIR."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from test_lessons import ROOT, run  # the same way of running a script as the lessons'

EXAMPLES = ROOT / "examples"
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
HAS_INTEROP = all(importlib.util.find_spec(m) for m in ("h5py", "safetensors"))


def run_example(name: str, tmp_path: Path):
    """Run examples/`name` in `tmp_path` with output folder `tmp_path/out`; it must succeed
    and write nothing outside that folder."""
    output_dir = tmp_path / "out"
    process = run([str(EXAMPLES / name), "--output-dir", str(output_dir)], cwd=tmp_path)
    assert process.returncode == 0, (
        f"exit status {process.returncode}\n--- stdout (end) ---\n{process.stdout[-3000:]}"
        f"\n--- stderr ---\n{process.stderr[-3000:]}"
    )
    assert [p.name for p in tmp_path.iterdir()] in ([], ["out"])
    return process, output_dir


def written(output_dir: Path) -> set[str]:
    return {p.name for p in output_dir.iterdir() if p.stat().st_size > 0}


def test_there_are_six_examples_with_docstrings():
    names = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert names == ["activation_gallery.py", "deep_selu.py", "draw_graph.py",
                     "gradcheck_activations.py", "graduate_to_keras.py", "train_moons.py"]
    for name in names:
        assert (EXAMPLES / name).read_text(encoding="utf-8").startswith('"""')


def test_train_moons(tmp_path):
    process, output_dir = run_example("train_moons.py", tmp_path)
    assert 'Model: "sequential"' in process.stdout
    accuracy = float(process.stdout.split("test accuracy ")[1].split()[0])
    assert accuracy >= 0.95
    if HAS_MATPLOTLIB:
        assert written(output_dir) == {"decision_boundary.png", "history.png"}


@pytest.mark.slow
def test_deep_selu(tmp_path):
    process, output_dir = run_example("deep_selu.py", tmp_path)
    variances = process.stdout.split("variance of layers 1, 8, 16, 32:")[1].split()[:4]
    assert all(0.5 < float(v) < 1.5 for v in variances), variances  # normalized at the start
    accuracy = float(process.stdout.split("test accuracy ")[1].split()[0])
    assert accuracy >= 0.9  # 32 layers, plain SGD: it learns
    if HAS_MATPLOTLIB:
        assert written(output_dir) == {"statistics.png", "history.png"}


def test_draw_graph(tmp_path):
    process, output_dir = run_example("draw_graph.py", tmp_path)
    assert "Backward pass from o" in process.stdout
    assert "do/dw1 = 1" in process.stdout
    files = written(output_dir)
    assert files in ({"neuron.svg", "model.svg"}, {"neuron.dot", "model.dot"})
    if "model.svg" in files:
        svg = (output_dir / "model.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "hidden" in svg and "relu(negative_slope=0.1)" in svg


def test_gradcheck_activations(tmp_path):
    process, output_dir = run_example("gradcheck_activations.py", tmp_path)
    assert "activations checked: all passed" in process.stdout
    assert "my_function: gradcheck ok, gradgradcheck ok" in process.stdout
    report = (output_dir / "gradcheck.txt").read_text(encoding="utf-8")
    assert "selu()" in report and "FAIL" not in report


@pytest.mark.slow
@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="the gallery needs matplotlib")
def test_activation_gallery(tmp_path):
    process, output_dir = run_example("activation_gallery.py", tmp_path)
    files = written(output_dir)
    assert {"overview.png", "selu.png", "softmax.png", "relu.png"} <= files
    assert len(files) == 32  # 30 activations, the overview, and one relu with parameters
    assert "wrote 31 pictures" in process.stdout


@pytest.mark.slow
@pytest.mark.skipif(not HAS_INTEROP, reason="saving for Keras needs h5py and safetensors")
def test_graduate_to_keras(tmp_path):
    process, output_dir = run_example("graduate_to_keras.py", tmp_path)
    assert written(output_dir) == {"moons.keras", "moons.safetensors"}
    if importlib.util.find_spec("keras") is None:
        assert "Keras could not be imported" in process.stdout
        return
    assert "opened it: largest difference" in process.stdout
    if "does not train" not in process.stdout:
        accuracy = float(process.stdout.split("Keras: test loss")[1].split("accuracy ")[1]
                         .split()[0])
        assert accuracy >= 0.9
