"""The command line: `tinygrad-acts` (also `python -m tinygrad_acts`).

    tinygrad-acts train                 train a toy MLP (moons, SELU, lecun_normal)
    tinygrad-acts lessons               list the lessons
    tinygrad-acts lesson 4              run lesson 4, printing each code cell as it runs
    tinygrad-acts exercise list         the exercises; start, check, solution N
    tinygrad-acts graph -o graph.svg    draw the graph of a small computation
    tinygrad-acts gradcheck [NAMES...]  check every activation's first and second derivatives
    tinygrad-acts gallery -o DIR        plot every activation with f' and f''
    tinygrad-acts selu                  per-layer statistics through 32 layers
    tinygrad-acts explore -o page.html  step through the backward pass in a browser
    tinygrad-acts selu --fixed-point    SELU's moment map and its fixed point
    tinygrad-acts selu --sweep          setups by depths: who trains, and why

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
    lesson = sub.add_parser(
        "lesson", help="run one lesson",
        description="Run lesson N: its prose, and each code cell followed by what it prints.")
    lesson.add_argument("number", type=_positive_int, help="the lesson's number")
    lesson.add_argument("--output-dir", default=None,
                        help="where the lesson writes pictures (default: its own choice)")
    lesson.set_defaults(outputs_=(("--output-dir", "output_dir", True),))
    lesson.add_argument("--no-code", action="store_true",
                        help="print the narrative and what the code prints, not the code")

    exercise = sub.add_parser(
        "exercise", help="exercises with a grader: list, start, check, solution",
        description="Write the rule yourself; the grader says where it is wrong.")
    actions = exercise.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="one row per exercise", description="List the exercises.")
    for action, text in (("start", "write DIR/NN_name.py, the exercise's stub (never "
                                    "overwriting a file that exists), and print its path"),
                         ("check", "grade DIR/NN_name.py: exit 0 when it passes, 1 otherwise"),
                         ("solution", "print a reference solution")):
        parser_ = actions.add_parser(action, help=text.split(",")[0].split(":")[0],
                                     description=text[0].upper() + text[1:] + ".")
        parser_.add_argument("number", type=_positive_int, help="the exercise's number")
        if action != "solution":
            parser_.add_argument("--dir", default=".", type=Path,
                                 help="the folder of the exercise files (default: the current "
                                 "folder)")

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
    selu.set_defaults(outputs_=(("--plot", "plot", False),))

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
