"""The command line: `tinygrad-acts` (also `python -m tinygrad_acts`).

    tinygrad-acts train                 train a toy MLP (moons, SELU, lecun_normal)
    tinygrad-acts lessons               list the lessons
    tinygrad-acts lesson 4              run lesson 4
    tinygrad-acts graph -o graph.svg    draw the graph of a small computation
    tinygrad-acts gradcheck [NAMES...]  check every activation's first and second derivatives
    tinygrad-acts gallery -o DIR        plot every activation with f' and f''
    tinygrad-acts selu                  per-layer statistics through 32 layers
    tinygrad-acts explore -o page.html  step through the backward pass in a browser

Each command imports what it needs when it runs, so `--help` is instant. Arguments are
checked before anything runs, output paths included (can they be written?); an error is one
line and a non-zero exit. Ctrl-C exits 130 with one line, and a reader that leaves early
(`tinygrad-acts lesson 4 | head -3`) ends the command quietly (exit 141, as SIGPIPE).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DATASETS = ("moons", "circles", "spirals", "blobs")


def _number(kind: type, minimum: float, strict: bool, expected: str,
            maximum: float = math.inf):
    """An argparse type: text -> `kind` (int or float), finite, at least `minimum` (or above
    it when `strict`) and at most `maximum`; argparse turns the error into "argument --x:
    expected ..."."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, received {text!r}") from None
        in_range = (value > minimum if strict else value >= minimum) and value <= maximum
        if not (in_range and math.isfinite(value)):  # also refuses nan and inf
            raise argparse.ArgumentTypeError(f"expected {expected}, received {value}")
        return value

    parse.__name__ = expected  # argparse names the type in some messages
    return parse


_positive_int = _number(int, 0, strict=True, expected="a positive integer")
_non_negative_int = _number(int, 0, strict=False, expected="an integer >= 0")
_positive_float = _number(float, 0.0, strict=True, expected="a positive number")
#: Noise is a standard deviation on data whose features span a few units: beyond 10 the
#: points are noise alone, and 1e300 would overflow to inf.
_noise = _number(float, 0.0, strict=False, expected="a number in [0, 10]", maximum=10.0)


def _hidden_sizes(text: str) -> tuple[int, ...]:
    """'16,16' -> (16, 16)."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer widths like 16,16, received {text!r}"
        ) from None
    if not sizes or any(n <= 0 for n in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be positive, received {text!r}")
    return sizes


def _known_name(text: str, module_name: str) -> str:
    """`text` if `tinygrad_acts.<module_name>.get` knows it; otherwise its error (which
    suggests the closest names) as argparse's."""
    import importlib

    try:
        importlib.import_module(f"tinygrad_acts.{module_name}").get(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def _activation_name(text: str) -> str:
    return _known_name(text, "activations")


def _hidden_activation(text: str) -> str:
    """An activation a hidden Dense layer can use: any name but glu (which halves the width)
    and threshold (which has no default parameters)."""
    name = _activation_name(text)
    if name == "glu":
        raise argparse.ArgumentTypeError(
            "glu splits its input in two halves and returns half the width, so it cannot be "
            "a Dense layer's activation here; choose another"
        )
    if name == "threshold":
        raise argparse.ArgumentTypeError(
            "threshold needs its parameters (threshold, default_value), which a layer's "
            "activation name cannot give; try relu, which has a threshold of 0"
        )
    return name


def _initializer_name(text: str) -> str:
    return _known_name(text, "initializers")


def _graph_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".svg", ".png", ".dot"):
        raise argparse.ArgumentTypeError(
            f"expected a file name ending in .svg, .png or .dot, received {text!r}"
        )
    return path


def _image_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise argparse.ArgumentTypeError(
            f"expected a file name ending in .png, .svg or .pdf, received {text!r}"
        )
    return path


def _html_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(
            f"expected a file name ending in .html, received {text!r}"
        )
    return path


def _png_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"expected a file name ending in .png, received {text!r}")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-acts",
        description="A teaching engine for automatic differentiation, with every Keras "
        "activation rebuilt from first principles.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train = sub.add_parser("train", help="train a toy MLP on a 2-D data set (the main job)",
                           description="Train a Keras-style MLP on a toy 2-D data set.")
    train.add_argument("--dataset", choices=DATASETS, default="moons", help="default: moons")
    train.add_argument("--samples", type=_positive_int, default=1000, help="default: 1000")
    train.add_argument("--noise", type=_noise, default=None,
                       help="data noise; for blobs, each blob's standard deviation "
                       "(default: the data set's own)")
    train.add_argument("--activation", type=_hidden_activation, default="selu",
                       help="the hidden layers' activation: a name of ta.activations "
                       "(default: selu)")
    train.add_argument("--initializer", type=_initializer_name, default="lecun_normal",
                       help="kernel initializer (default: lecun_normal)")
    train.add_argument("--hidden", type=_hidden_sizes, default=(16, 16),
                       help="hidden layer widths, comma-separated (default: 16,16)")
    train.add_argument("--epochs", type=_positive_int, default=40, help="default: 40")
    train.add_argument("--batch-size", type=_positive_int, default=32, help="default: 32")
    train.add_argument("--lr", type=_positive_float, default=0.01,
                       help="Adam's learning rate (default: 0.01)")
    train.add_argument("--seed", type=_non_negative_int, default=0, help="default: 0")
    train.add_argument("--plot", type=_image_path, metavar="FILE",
                       help="save the decision boundary to FILE (.png/.svg/.pdf)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(outputs_=(("--plot", "plot", False),))

    sub.add_parser("lessons", help="list the lessons", description="List the lessons.")
    lesson = sub.add_parser("lesson", help="run one lesson", description="Run lesson N.")
    lesson.add_argument("number", type=_positive_int, help="the lesson's number")
    lesson.add_argument("--output-dir", default=None,
                        help="where the lesson writes pictures (default: its own choice)")
    lesson.set_defaults(outputs_=(("--output-dir", "output_dir", True),))

    graph = sub.add_parser("graph", help="render the graph of a small computation",
                           description="Render a computation graph to SVG, PNG or DOT.")
    graph.add_argument("-o", "--output", type=_graph_path, required=True,
                       help="output file (.svg, .png, .dot)")
    graph.add_argument("--example", choices=("expression", "mlp"), default="expression",
                       help="a scalar expression or a small 2-layer model (default: expression)")
    graph.set_defaults(outputs_=(("-o/--output", "output", False),))

    check = sub.add_parser("gradcheck", help="check every activation's derivatives",
                           description="gradcheck and gradgradcheck every activation "
                           "(or those named) in float64; exits 1 on any failure.")
    check.add_argument("names", nargs="*", type=_activation_name, help="activation names")

    gallery = sub.add_parser("gallery", help="plot every activation with f' and f''",
                             description="A PNG per activation (f, f', f'' over [-5, 5]) and "
                             "an overview grid.")
    gallery.add_argument("-o", "--output-dir", type=Path, required=True,
                         help="folder for the PNGs (created if missing)")
    gallery.add_argument("names", nargs="*", type=_activation_name,
                         help="only these activations (default: all)")
    gallery.set_defaults(outputs_=(("-o/--output-dir", "output_dir", True),))

    selu = sub.add_parser("selu", help="SELU's self-normalization, layer by layer",
                          description="Per-layer mean and variance through a deep network for "
                          "SELU, ReLU and tanh (lecun_normal).")
    selu.add_argument("--depth", type=_positive_int, default=32, help="default: 32")
    selu.add_argument("--width", type=_positive_int, default=256, help="default: 256")
    selu.add_argument("--seed", type=_non_negative_int, default=0, help="default: 0")
    selu.add_argument("--plot", type=_image_path, metavar="FILE", help="save a plot to FILE")
    selu.add_argument("--train", action="store_true",
                      help="also train the 32-layer network on spirals with each activation")
    selu.add_argument("--epochs", type=_positive_int, default=60,
                      help="epochs for --train (default: 60)")

    explore = sub.add_parser("explore", help="step through the backward pass in a web page",
                             description="Write a self-contained HTML page that steps through "
                             "an example's forward and backward pass, operation by operation.")
    explore.add_argument("--example", choices=("neuron", "mlp", "micrograd"), default="neuron",
                         help="the README's neuron, a 2-layer Dense model's loss, or a 2-layer "
                         "MLP built neuron by neuron as in micrograd (default: neuron)")
    explore.add_argument("-o", "--output", type=_html_path, default=Path("explore.html"),
                         help="the page to write (default: explore.html)")
    explore.add_argument("--screenshot", type=_png_path, metavar="FILE",
                         help="also save a picture of the page to FILE (.png; needs playwright "
                         "and the system's chromium)")
    explore.add_argument("--step", type=int, default=None,
                         help="the step the screenshot shows (default: the last; -1 counts "
                         "from the end)")
    explore.set_defaults(outputs_=(("-o/--output", "output", False),
                                   ("--screenshot", "screenshot", False)))
    selu.set_defaults(outputs_=(("--plot", "plot", False),))
    return parser


def _unwritable_output(args: argparse.Namespace) -> str | None:
    """What is wrong with the first output path (of those each command declares in
    `outputs_`: option, attribute, is a folder) that could not be written, or None."""
    from .files import check_writable

    for option, attribute, folder in getattr(args, "outputs_", ()):
        path = getattr(args, attribute, None)
        if path is None:
            continue
        try:
            check_writable(path, folder=folder)
        except OSError as e:
            return f"argument {option}: {e}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if problem := _unwritable_output(args):  # before any training or lesson runs
        print(f"tinygrad-acts: error: {problem}", file=sys.stderr)
        return 2
    from . import commands

    handler = getattr(commands, f"run_{args.command}")
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("tinygrad-acts: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (`| head`). Point stdout at /dev/null so that Python's final flush
        # cannot fail again, and end as a process killed by SIGPIPE would.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141


if __name__ == "__main__":
    sys.exit(main())
