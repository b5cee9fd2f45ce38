"""Issue 13's command-line items: output paths checked before anything runs, a reader that
leaves early, Ctrl-C, --version, and numbers refused in argument parsing."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run_cli as run

import tinygrad_acts
from tinygrad_acts import commands

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT),
                                                   os.environ.get("PYTHONPATH", "")])}




def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"tinygrad-acts {tinygrad_acts.__version__}"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--lr", "inf"], "argument --lr: expected a positive number, received inf"),
        (["train", "--lr", "nan"], "argument --lr"),
        (["train", "--noise", "1e300"], "argument --noise: expected a number in [0, 10]"),
        (["train", "--noise", "inf"], "argument --noise"),
        (["train", "--noise", "-0.1"], "argument --noise"),
    ],
)
def test_numbers_refused_in_argument_parsing(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and out == ""


def unwritable_cases(tmp_path):
    (tmp_path / "a_folder.png").mkdir()
    (tmp_path / "a_file").write_text("")
    cases = [
        (["train", "--plot", str(tmp_path / "a_folder.png")], "it is a folder"),
        (["train", "--plot", str(tmp_path / "a_file" / "x.png")], "is a file, not a folder"),
        (["selu", "--plot", str(tmp_path / "a_file" / "x.png")], "is a file, not a folder"),
        (["graph", "-o", str(tmp_path / "a_file" / "g.svg")], "is a file, not a folder"),
        (["gallery", "-o", str(tmp_path / "a_file")], "it is a file, not a folder"),
        (["lesson", "1", "--output-dir", str(tmp_path / "a_file")], "not a folder"),
    ]
    if os.path.isdir("/proc/self"):
        cases.append((["train", "--plot", "/proc/x.svg"], "cannot write /proc/x.svg"))
        cases.append((["graph", "-o", "/proc/x.svg"], "cannot write /proc/x.svg"))
    return cases


def test_unwritable_outputs_are_one_line_before_anything_runs(capsys, tmp_path, monkeypatch):
    def must_not_run(args):
        raise AssertionError("the command ran")

    for name in ("run_train", "run_selu", "run_graph", "run_gallery", "run_lesson"):
        monkeypatch.setattr(commands, name, must_not_run)
    for argv, message in unwritable_cases(tmp_path):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "", argv
        assert err.count("\n") == 1 and err.startswith("tinygrad-acts: error: argument "), err
        assert message in err, (argv, err)


def test_a_lesson_whose_reader_leaves_early_ends_quietly(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "_common.py").write_text("WORD = 'line'\n")
    (folder / "01_long.py").write_text(
        "from _common import WORD\nfor i in range(200000):\n    print(WORD, i)\n")
    script = (
        "import sys; from pathlib import Path; from tinygrad_acts import cli, commands; "
        f"commands.LESSONS_DIR = Path({str(folder)!r}); sys.exit(cli.main(['lesson', '1']))"
    )
    process = subprocess.run(f'"{sys.executable}" -c "{script}" | head -3', shell=True,
                             env=ENV, capture_output=True, text=True, timeout=60)
    assert process.stdout == "line 0\nline 1\nline 2\n"
    assert process.stderr == ""  # no BrokenPipeError traceback


def test_a_command_whose_reader_leaves_early_ends_quietly(capsys, monkeypatch):
    def writes_to_a_closed_pipe(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(commands, "run_lessons", writes_to_a_closed_pipe)
    code, _, err = run(capsys, "lessons")
    assert code == 141 and err == ""


def test_ctrl_c_during_train_prints_one_line_and_exits_130():
    process = subprocess.Popen(
        [sys.executable, "-m", "tinygrad_acts", "train", "--epochs", "100000", "--quiet",
         "--samples", "64"],
        env={**ENV, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        assert process.stdout.readline().startswith("Training an MLP")  # training has begun
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err == "tinygrad-acts: interrupted\n"
