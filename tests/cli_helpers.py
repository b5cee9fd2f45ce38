"""What the command-line tests share: running `tinygrad-acts` in-process."""

from __future__ import annotations

from tinygrad_acts import cli


def run_cli(capsys, *argv):
    """main(argv) -> (exit code, stdout, stderr); argparse's exits become codes too."""
    try:
        code = cli.main(list(argv))
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err
