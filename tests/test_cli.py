"""The command line, `tinygrad-acts` / `python -m tinygrad_acts`: every command through
`main([...])` in the same process (small settings), `--help` once through a real process,
and argparse's clear errors (exit code 2) for bad arguments."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run_cli as run

from tinygrad_acts import cli, commands
from tinygrad_acts.activations import rectifiers
from tinygrad_acts.ops import where

REPO_ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("train", "lessons", "lesson", "graph", "gradcheck", "gallery", "selu")




def _accuracy(label, text):
    return float(re.search(rf"{label} accuracy: ([\d.]+)%", text).group(1)) / 100


# ---- help -------------------------------------------------------------------------------------


def test_python_dash_m_help_in_a_fresh_process():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT),
                                                       os.environ.get("PYTHONPATH", "")])}
    process = subprocess.run([sys.executable, "-m", "tinygrad_acts", "--help"], cwd=REPO_ROOT,
                             env=env, capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("usage: tinygrad-acts")
    for command in COMMANDS:
        assert command in process.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: tinygrad-acts {command}")


# ---- bad arguments: argparse's message and exit code 2 -------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["fly"], "invalid choice: 'fly'"),
        (["train", "--epochs", "0"], "expected a positive integer, received 0"),
        (["train", "--lr", "fast"], "expected a positive number, received 'fast'"),
        (["train", "--hidden", "16,x"], "comma-separated layer widths"),
        (["train", "--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["train", "--activation", "relux"], "Did you mean 'relu'"),
        (["train", "--activation", "glu"], "glu splits its input in two halves"),
        (["train", "--activation", "threshold"], "threshold needs its parameters"),
        (["train", "--initializer", "lecun"], "Unknown initializer: 'lecun'"),
        (["train", "--plot", "boundary.jpg"], "ending in .png, .svg or .pdf"),
        (["lesson", "three"], "expected a positive integer, received 'three'"),
        (["graph"], "the following arguments are required: -o/--output"),
        (["graph", "-o", "graph.pdf"], "ending in .svg, .png or .dot"),
        (["gradcheck", "relu", "sellu"], "Did you mean 'selu'"),
        (["gallery"], "the following arguments are required: -o/--output-dir"),
        (["selu", "--depth", "-3"], "expected a positive integer, received -3"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "usage: tinygrad-acts" in err and out == ""


# ---- train ------------------------------------------------------------------------------------


def test_train_reports_training_and_held_out_accuracy(capsys):
    code, out, err = run(capsys, "train", "--samples", "300", "--epochs", "25",
                         "--hidden", "16,16", "--seed", "1")
    assert code == 0, err
    assert "Training an MLP 2 -> 16 -> 16 -> 1 (selu, lecun_normal) on moons" in out
    assert "Epoch 25/25" in out  # progress (one line per epoch: the output is not a terminal)
    # A linear boundary gets about 88% of the moons; the MLP bends around them.
    assert _accuracy("training", out) > 0.95
    assert _accuracy("held-out", out) > 0.95


def test_train_quiet_multiclass_with_a_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "pictures" / "blobs.png"
    code, out, err = run(capsys, "train", "--dataset", "blobs", "--samples", "150",
                         "--epochs", "3", "--activation", "tanh", "--quiet", "--plot", str(plot))
    assert code == 0, err
    assert "2 -> 16 -> 16 -> 3 (tanh" in out  # three blobs: three logits
    assert "Epoch" not in out
    assert _accuracy("held-out", out) > 0.9  # well-separated blobs
    assert plot.read_bytes().startswith(b"\x89PNG")
    assert f"decision boundary saved to {plot}" in out


def test_train_is_reproducible_with_a_seed(capsys):
    argv = ("train", "--samples", "100", "--epochs", "2", "--quiet", "--seed", "3",
            "--dataset", "circles", "--noise", "0.1")
    first, second = run(capsys, *argv)[1], run(capsys, *argv)[1]
    assert re.sub(r"trained in .*", "", first) == re.sub(r"trained in .*", "", second)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf * 0 in the diverging forward pass
def test_train_says_when_training_diverges(capsys):
    code, _, err = run(capsys, "train", "--samples", "64", "--epochs", "3", "--quiet",
                       "--activation", "exponential", "--lr", "1e6")
    assert code == 1
    assert "training diverged" in err


# ---- lessons ------------------------------------------------------------------------------------


def test_lessons_folder_is_next_to_the_package():
    assert commands.LESSONS_DIR == REPO_ROOT / "lessons"


@pytest.fixture
def fake_lessons(tmp_path, monkeypatch):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "01_hello.py").write_text(
        '"""Hello, lessons\n\nMore text."""\nimport sys\nprint("lesson one", sys.argv[1:])\n'
    )
    (folder / "02_fails.py").write_text('"""A lesson that fails"""\nraise SystemExit(3)\n')
    (folder / "_common.py").write_text("# shared code, not a lesson\n")
    monkeypatch.setattr(commands, "LESSONS_DIR", folder)
    return folder


def test_lessons_lists_numbers_and_titles(capsys, fake_lessons):
    code, out, _ = run(capsys, "lessons")
    assert code == 0
    assert "  1  Hello, lessons\n  2  A lesson that fails\n" in out
    assert "_common" not in out


def test_lesson_runs_with_this_python_and_passes_output_dir(capfd, fake_lessons, tmp_path):
    code = cli.main(["lesson", "1", "--output-dir", str(tmp_path / "pictures")])
    out, _ = capfd.readouterr()
    assert code == 0
    assert f"lesson one ['--output-dir', '{tmp_path / 'pictures'}']" in out


def test_lesson_returns_the_lessons_exit_code(capfd, fake_lessons):
    assert cli.main(["lesson", "2"]) == 3


def test_lesson_that_does_not_exist(capsys, fake_lessons):
    code, _, err = run(capsys, "lesson", "7")
    assert code == 1
    assert "no lesson 7" in err and "lessons: 1, 2" in err


def test_missing_lessons_folder_says_where_it_looked(capsys, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "lessons"
    monkeypatch.setattr(commands, "LESSONS_DIR", missing)
    for argv in (["lessons"], ["lesson", "1"]):
        code, _, err = run(capsys, *argv)
        assert code == 1
        assert f"looked in {missing}" in err


# ---- graph -------------------------------------------------------------------------------------


def test_graph_of_the_expression_as_dot_and_svg(capsys, tmp_path):
    dot = tmp_path / "new" / "neuron.dot"
    code, out, err = run(capsys, "graph", "-o", str(dot))
    assert code == 0, err
    source = dot.read_text()
    assert source.startswith("digraph")
    for name in ("x1", "w1", "x2*w2", "n", "o", "selu"):
        assert name in source
    # After o.backward(): do/dn = selu'(0.8814) = scale, and do/dw1 = x1 * scale.
    assert "grad 1.051" in source and "grad 2.101" in source
    svg = tmp_path / "neuron.svg"
    code, out, err = run(capsys, "graph", "-o", str(svg))
    assert code == 0, err
    assert "<svg" in svg.read_text()
    assert f"saved to {svg}" in out


def test_graph_of_the_mlp_groups_operations_by_layer(capsys, tmp_path):
    dot = tmp_path / "mlp.dot"
    code, _, err = run(capsys, "graph", "--example", "mlp", "-o", str(dot))
    assert code == 0, err
    source = dot.read_text()
    assert "cluster_dense" in source and "cluster_dense_1" in source
    assert "selu" in source and "loss" in source


# ---- gradcheck -----------------------------------------------------------------------------------


def test_gradcheck_all_activations_pass(capsys):
    code, out, _ = run(capsys, "gradcheck")
    assert code == 0
    assert "activations checked: all passed" in out
    assert "32 activations" in out
    assert "FAIL" not in out


def test_gradcheck_some_names(capsys):
    code, out, _ = run(capsys, "gradcheck", "relu6", "softmax")
    assert code == 0
    rows = [line.split()[0] for line in out.splitlines()[2:] if line.strip()][:-1]
    assert rows == ["relu6()", "softmax()", "softmax(axis=0)", "softmax(axis=None)"]


def test_gradcheck_fails_on_a_broken_backward(capsys, monkeypatch):
    def wrong_backward(ctx, grad):
        positive, out = ctx.saved_tensors
        return grad * where(positive, 1.0, out + 1.0)  # elu's derivative, not selu's

    monkeypatch.setattr(rectifiers.SELU, "backward", wrong_backward)
    code, out, _ = run(capsys, "gradcheck", "selu", "tanh")
    assert code == 1
    selu_row = next(line for line in out.splitlines() if line.startswith("selu()"))
    assert selu_row.split()[1] == "FAIL"
    assert "1 FAILED" in out


# ---- gallery, selu ------------------------------------------------------------------------------


def test_gallery_of_some_activations(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, err = run(capsys, "gallery", "-o", str(tmp_path / "g"), "selu", "softmax")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == [
        "overview.png", "selu.png", "softmax.png"]
    assert "2 activations drawn" in out


def test_commands_that_plot_say_when_matplotlib_is_missing(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    for argv in (["gallery", "-o", str(tmp_path)],
                 ["train", "--epochs", "1", "--plot", str(tmp_path / "b.png")]):
        code, out, err = run(capsys, *argv)
        assert code == 1
        assert 'pip install "tinygrad_acts[plot]"' in err
        assert "Epoch" not in out  # said before any training
    assert list(tmp_path.iterdir()) == []


def test_selu_statistics_table_plot_and_training(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "selu.png"
    code, out, err = run(capsys, "selu", "--depth", "4", "--width", "16", "--plot", str(plot),
                         "--train", "--epochs", "1")
    assert code == 0, err
    assert "Activations through 4 layers" in out
    table_rows = [line.split()[:2] for line in out.splitlines()]
    for config in (["selu", "lecun_normal"], ["relu", "lecun_normal"], ["tanh", "lecun_normal"]):
        assert config in table_rows
    assert plot.read_bytes().startswith(b"\x89PNG")
    assert f"per-layer statistics saved to {plot}" in out
    accuracies = re.findall(r"^(selu|relu|tanh) +[\d.]+ +([\d.]+)%$", out, flags=re.M)
    assert [name for name, _ in accuracies] == ["selu", "relu", "tanh"]
    assert all(0 <= float(a) <= 100 for _, a in accuracies)
