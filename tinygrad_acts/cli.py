"""The command line: `tinygrad-acts` (also `python -m tinygrad_acts`).

    tinygrad-acts train                 train a toy MLP (moons, SELU, lecun_normal)
    tinygrad-acts lessons               list the lessons
    tinygrad-acts lesson 4              run lesson 4
    tinygrad-acts graph -o graph.svg    draw the graph of a small computation
    tinygrad-acts gradcheck [NAMES...]  check every activation's first and second derivatives
    tinygrad-acts gallery -o DIR        plot every activation with f' and f''
    tinygrad-acts selu                  per-layer statistics through 32 layers
    tinygrad-acts selu --fixed-point    SELU's moment map and its fixed point
    tinygrad-acts selu --sweep          setups by depths: who trains, and why

Each command imports what it needs when it runs, so `--help` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DATASETS = ("moons", "circles", "spirals", "blobs")


def _number(kind: type, minimum: float, strict: bool, expected: str):
    """An argparse type: text -> `kind` (int or float), at least `minimum` (or above it when
    `strict`); argparse turns the error into "argument --x: expected ..."."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, received {text!r}") from None
        if not (value > minimum if strict else value >= minimum):  # also refuses nan
            raise argparse.ArgumentTypeError(f"expected {expected}, received {value}")
        return value

    parse.__name__ = expected  # argparse names the type in some messages
    return parse


_positive_int = _number(int, 0, strict=True, expected="a positive integer")
_non_negative_int = _number(int, 0, strict=False, expected="an integer >= 0")
_positive_float = _number(float, 0.0, strict=True, expected="a positive number")
_non_negative_float = _number(float, 0.0, strict=False, expected="a number >= 0")


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


def _optimizer_name(text: str) -> str:
    return _known_name(text, "optimizers")


def _dropout_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), received {text!r}")
    return value


def _setup_name(text: str) -> str:
    """A setup of `selu --sweep` (`selfnorm.SETUPS`), or its error, which lists them."""
    from .selfnorm import check_setups

    try:
        check_setups([text])
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-acts",
        description="A teaching engine for automatic differentiation, with every Keras "
        "activation rebuilt from first principles.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train = sub.add_parser("train", help="train a toy MLP on a 2-D data set (the main job)",
                           description="Train a Keras-style MLP on a toy 2-D data set.")
    train.add_argument("--dataset", choices=DATASETS, default="moons", help="default: moons")
    train.add_argument("--samples", type=_positive_int, default=1000, help="default: 1000")
    train.add_argument("--noise", type=_non_negative_float, default=None,
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

    sub.add_parser("lessons", help="list the lessons", description="List the lessons.")
    lesson = sub.add_parser("lesson", help="run one lesson", description="Run lesson N.")
    lesson.add_argument("number", type=_positive_int, help="the lesson's number")
    lesson.add_argument("--output-dir", default=None,
                        help="where the lesson writes pictures (default: its own choice)")

    graph = sub.add_parser("graph", help="render the graph of a small computation",
                           description="Render a computation graph to SVG, PNG or DOT.")
    graph.add_argument("-o", "--output", type=_graph_path, required=True,
                       help="output file (.svg, .png, .dot)")
    graph.add_argument("--example", choices=("expression", "mlp"), default="expression",
                       help="a scalar expression or a small 2-layer model (default: expression)")

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

    selu = sub.add_parser(
        "selu", help="SELU's self-normalization: statistics, fixed point, training, sweep",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="SELU's self-normalization (Klambauer et al., 2017).\n\n"
        "  selu                 per-layer mean and variance through a deep network at "
        "initialization\n"
        "  selu --fixed-point   the moment map, its fixed point (0, 1), the Jacobian there\n"
        "  selu --train         train deep networks on spirals, with per-layer statistics;\n"
        "                       --init, --dropout, --unstandardized, --optimizer break it on "
        "purpose\n"
        "  selu --sweep         every setup at every depth: accuracy and variance at start")
    selu.add_argument("--depth", type=_positive_int, default=32,
                      help="layers of the statistics table and of --train (default: 32)")
    selu.add_argument("--width", type=_positive_int, default=None,
                      help="units per layer (default: 256 for the table, 64 for --train, "
                      "64 for --sweep)")
    selu.add_argument("--seed", type=_non_negative_int, default=0, help="default: 0")
    selu.add_argument("--plot", type=_image_path, metavar="FILE",
                      help="save the picture to FILE (for --fixed-point and --sweep: default "
                      "selu_fixed_point.png, selu_sweep.png; for --train: the heatmaps too, "
                      "as FILE_training)")
    mode = selu.add_mutually_exclusive_group()
    mode.add_argument("--train", action="store_true",
                      help="train the deep network on spirals with each activation")
    mode.add_argument("--fixed-point", action="store_true",
                      help="iterate the moment map to its fixed point; Jacobian; picture")
    mode.add_argument("--sweep", action="store_true",
                      help="train every setup at every depth and tabulate")
    selu.add_argument("--epochs", type=_positive_int, default=None,
                      help="epochs for --train (default: 60) and --sweep (default: 100)")
    train = selu.add_argument_group("--train toggles")
    train.add_argument("--activations", nargs="+", type=_hidden_activation,
                       default=["selu", "relu", "tanh"], metavar="NAME",
                       help="activations to train (default: selu relu tanh)")
    train.add_argument("--init", type=_initializer_name, default="lecun_normal",
                       help="kernel initializer (default: lecun_normal; try he_normal)")
    train.add_argument("--dropout", choices=("none", "dropout", "alpha"), default="none",
                       help="Dropout or AlphaDropout after each hidden layer (default: none)")
    train.add_argument("--dropout-rate", type=_dropout_rate, default=0.1,
                       help="the dropout's rate (default: 0.1)")
    train.add_argument("--unstandardized", action="store_true",
                       help="inputs in pixel units (0..255) instead of mean 0, variance 1")
    train.add_argument("--optimizer", type=_optimizer_name, default="sgd",
                       help="sgd, adam, rmsprop, ... (default: sgd)")
    train.add_argument("--lr", type=_positive_float, default=None,
                       help="learning rate (default: 0.02 for sgd, else the optimizer's own)")
    sweep = selu.add_argument_group("--sweep options")
    sweep.add_argument("--depths", nargs="+", type=_positive_int, default=None, metavar="N",
                       help="depths to train (default: 2 8 16 32 64)")
    sweep.add_argument("--setups", nargs="+", type=_setup_name, default=None, metavar="NAME",
                       help="setups to train, quoted (default: all of them)")
    sweep.add_argument("--jobs", type=_positive_int, default=min(2, os.cpu_count() or 1),
                       help="runs trained at once, in separate processes (default: 2, or 1 "
                       "on a machine with one core)")
    sweep.add_argument("--quick", action="store_true",
                       help="smaller: depths 2 8 16, 256 samples, 20 epochs (under a minute)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from . import commands

    handler = getattr(commands, f"run_{args.command}")
    return int(handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
