"""What each command of `tinygrad-acts` does. `cli.py` reads the arguments; `run_<command>`
receives them (an `argparse.Namespace`) and returns the exit code: 0 for success, 1 when the
work failed (a failed check, a missing lessons folder, a lesson's own non-zero code).

Each function imports what it needs when it runs, so that `--help` stays instant and a
command that needs no matplotlib runs without it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

#: Where `lessons` and `lesson N` look: `lessons/` at the root of a source checkout, next
#: to the package folder (a pip-installed package has no lessons).
LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"


def _error(message: str) -> int:
    print(f"tinygrad-acts: error: {message}", file=sys.stderr)
    return 1


def _matplotlib_missing() -> str | None:
    """None when matplotlib can be used, else what to do about it."""
    from .plots import require_matplotlib

    try:
        require_matplotlib()
    except ImportError as e:
        return str(e)
    return None


# ---- train ------------------------------------------------------------------------------


def _make_dataset(name: str, n_samples: int, noise: float | None,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    from . import datasets

    make = {"moons": datasets.make_moons, "circles": datasets.make_circles,
            "spirals": datasets.make_spirals, "blobs": datasets.make_blobs}[name]
    options = {}
    if noise is not None:  # a blob's spread is its noise
        options["cluster_std" if name == "blobs" else "noise"] = noise
    return make(n_samples=n_samples, seed=seed, **options)


def run_train(args: argparse.Namespace) -> int:
    """Train an MLP on a toy 2-D data set and report its accuracy on the training data and
    on as many fresh points from the same distribution, never seen in training.

    Two classes get one output (a logit) and `BinaryCrossentropy(from_logits=True)`; more
    classes (blobs) one logit per class and `SparseCategoricalCrossentropy(from_logits=True)`.
    """
    from . import config, losses, optimizers
    from .layers import Dense
    from .models import Sequential

    if args.plot is not None and (problem := _matplotlib_missing()):
        return _error(problem)  # said before training, not after
    config.set_seed(args.seed)
    # One draw of twice the samples, halved: the second half is the held-out sample. (Two
    # separate draws of blobs would place their centres differently.)
    X, y = _make_dataset(args.dataset, 2 * args.samples, args.noise, args.seed)
    X_train, y_train = X[: args.samples], y[: args.samples]
    X_test, y_test = X[args.samples:], y[args.samples:]
    n_classes = int(y.max()) + 1
    binary = n_classes == 2

    layers = [
        Dense(units, activation=args.activation, kernel_initializer=args.initializer,
              input_dim=2 if i == 0 else None)
        for i, units in enumerate(args.hidden)
    ]
    layers.append(Dense(1 if binary else n_classes, kernel_initializer=args.initializer))
    model = Sequential(layers)
    loss = (losses.BinaryCrossentropy(from_logits=True) if binary
            else losses.SparseCategoricalCrossentropy(from_logits=True))
    model.compile(optimizer=optimizers.Adam(learning_rate=args.lr), loss=loss,
                  metrics=["accuracy"])

    widths = " -> ".join(str(n) for n in (2, *args.hidden, layers[-1].units))
    print(f"Training an MLP {widths} ({args.activation}, {args.initializer}) on "
          f"{args.dataset}: {args.samples} samples, {args.epochs} epochs, batch size "
          f"{args.batch_size}, Adam(learning_rate={args.lr}), seed {args.seed}")
    start = time.perf_counter()
    try:
        model.fit(X_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                  verbose=0 if args.quiet else 1)
    except FloatingPointError as e:
        return _error(f"training diverged: {e}")
    seconds = time.perf_counter() - start

    _, train_accuracy = model.evaluate(X_train, y_train, verbose=0)
    _, test_accuracy = model.evaluate(X_test, y_test, verbose=0)
    print(f"trained in {seconds:.1f} s")
    print(f"training accuracy: {train_accuracy:.1%} ({len(y_train)} samples)")
    print(f"held-out accuracy: {test_accuracy:.1%} ({len(y_test)} fresh samples)")
    if args.plot is not None:
        from .plots import plot_decision_boundary

        path = plot_decision_boundary(
            model, X_train, y_train, args.plot,
            title=f"{args.dataset}, {args.activation}: {train_accuracy:.1%} right",
        )
        print(f"decision boundary saved to {path}")
    return 0


# ---- lessons ----------------------------------------------------------------------------


def _lesson_files() -> dict[int, Path]:
    """{number: file} of the lessons in LESSONS_DIR (see lessons.lesson_files)."""
    from .lessons import lesson_files

    return lesson_files(LESSONS_DIR)


def _lesson_title(path: Path) -> str:
    """The lesson's title, read without running the lesson."""
    from .lessons import title

    return title(path)


def run_lessons(args: argparse.Namespace) -> int:
    """List the lessons, numbered, with their titles."""
    try:
        files = _lesson_files()
    except FileNotFoundError as e:
        return _error(str(e))
    if not files:
        return _error(f"no lessons (files named NN_title.py) in {LESSONS_DIR}")
    for number, path in files.items():
        print(f"{number:3d}  {_lesson_title(path)}")
    print(f"\nRun one with: tinygrad-acts lesson N   (they live in {LESSONS_DIR})")
    return 0


def run_lesson(args: argparse.Namespace) -> int:
    """Run lesson N in the current folder: a lesson written in cells runs cell by cell, its
    prose printed and each code cell printed before what it prints (not with --no-code); an
    older plain script runs as a program of its own. Exit 1 when a claim or a cell fails."""
    from .lessons import is_percent_script, run

    try:
        files = _lesson_files()
    except FileNotFoundError as e:
        return _error(str(e))
    if args.number not in files:
        known = ", ".join(str(n) for n in files) or "none"
        return _error(f"no lesson {args.number} in {LESSONS_DIR} (lessons: {known})")
    path = files[args.number]
    if is_percent_script(path):
        try:
            return run(path, show_code=not getattr(args, "no_code", False),
                       output_dir=args.output_dir)
        except KeyboardInterrupt:
            return 130
    command = [sys.executable, "-c", _RUN_WITH_DEFAULT_SIGPIPE, str(path)]
    if args.output_dir is not None:
        command += ["--output-dir", str(args.output_dir)]
    try:
        code = subprocess.run(command, cwd=os.getcwd()).returncode
    except KeyboardInterrupt:  # Ctrl-C reached the lesson too; no traceback from us
        return 130
    return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as a shell says


#: Runs a lesson script as `python LESSON args` would, but with SIGPIPE's default action
#: (Python ignores it and raises BrokenPipeError instead): `tinygrad-acts lesson 4 | head`
#: then ends the lesson quietly when `head` has read enough, with no traceback.
_RUN_WITH_DEFAULT_SIGPIPE = (
    "import os, runpy, signal, sys\n"
    "if hasattr(signal, 'SIGPIPE'):\n"
    "    signal.signal(signal.SIGPIPE, signal.SIG_DFL)\n"
    "sys.argv = sys.argv[1:]\n"
    "sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


# ---- exercise ---------------------------------------------------------------------------


def run_exercise(args: argparse.Namespace) -> int:
    """`exercise list|start N|check N|solution N`: see tinygrad_acts.exercises."""
    from . import exercises

    if args.action == "list":
        for number, exercise in exercises.all_exercises().items():
            print(f"{number:3d}  {exercise.title:<48} (lesson {exercise.lesson})  "
                  f"{exercise.file_name}")
        print("\nStart one with: tinygrad-acts exercise start N   (then check N)")
        return 0
    try:
        exercise = exercises.get(args.number)
    except ValueError as e:
        return _error(str(e))
    if args.action == "solution":
        print(exercise.solution, end="")
        return 0
    if args.action == "start":
        try:
            path, written = exercises.start(args.number, args.dir)
        except OSError as e:
            return _error(f"cannot write the exercise in {args.dir}: {e}")
        if written:
            print(path)
            print(f"Edit it, then: tinygrad-acts exercise check {args.number}"
                  + (f" --dir {args.dir}" if str(args.dir) != "." else ""), file=sys.stderr)
        else:
            print(path)
            print(f"{path} exists already: left as it is (your work is never overwritten; "
                  "delete or rename it to start again)", file=sys.stderr)
        return 0
    result = exercises.check(args.number, args.dir)
    print(result.text)
    return 0 if result.passed else 1


# ---- graph ------------------------------------------------------------------------------


def _expression_example(backward: bool = True):
    """micrograd's neuron, `o = act(x1 w1 + x2 w2 + b)`, with SELU for tanh: every node
    named as in Karpathy's video, then `o.backward()` (unless `backward=False`) so the
    drawing shows each grad."""
    from .activations import selu
    from .tensor import Tensor

    def scalar(value: float, name: str, requires_grad: bool = False) -> Tensor:
        return Tensor(value, dtype="float64", requires_grad=requires_grad, name=name)

    x1, x2 = scalar(2.0, "x1"), scalar(0.0, "x2")
    w1, w2 = scalar(-3.0, "w1", True), scalar(1.0, "w2", True)
    b = scalar(6.8813735870195432, "b", True)
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.name, x2w2.name = "x1*w1", "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.name = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.name = "n"
    o = selu(n)
    o.name = "o"
    if backward:
        o.backward()
    return o


def _mlp_example(backward: bool = True):
    """The loss of a 2 -> 3 -> 1 SELU model on four moons points, after backward (unless
    `backward=False`): the drawing groups each layer's operations in a box named after the
    layer."""
    from . import config, datasets, losses
    from .layers import Dense, clear_session
    from .models import Sequential

    config.set_seed(0)
    clear_session()  # layer names dense and dense_1, whatever ran before
    X, y = datasets.make_moons(4, seed=0)
    model = Sequential([Dense(3, activation="selu", kernel_initializer="lecun_normal",
                              input_dim=2), Dense(1)])
    loss = losses.BinaryCrossentropy(from_logits=True)(y, model(X))
    loss.name = "loss"
    if backward:
        loss.backward()
    return loss


def run_graph(args: argparse.Namespace) -> int:
    """Render the graph of a small computation (after backward) to SVG, PNG or DOT."""
    from .graph import RendererNotFoundError, render_graph

    root = _expression_example() if args.example == "expression" else _mlp_example()
    path = Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        render_graph(root, path)
    except RendererNotFoundError as e:
        return _error(str(e))
    print(f"graph of the {args.example} example saved to {path}")
    return 0


# ---- explore ----------------------------------------------------------------------------


def _micrograd_mlp_example():
    """A 2 -> 4 -> 4 -> 1 tanh MLP written neuron by neuron on single numbers, as micrograd
    builds it, and its squared error on four points: hundreds of nodes, each layer's in a
    box of its own (`name_scope`), and every weight used once per point."""
    from .grad_mode import name_scope
    from .tensor import Tensor

    rng = np.random.default_rng(0)

    def number(value: float, name: str | None = None, requires_grad: bool = False) -> Tensor:
        return Tensor(value, dtype="float64", requires_grad=requires_grad, name=name)

    def layer(name: str, n_in: int, n_out: int, activation: bool):
        weights = [[number(rng.uniform(-1, 1), f"{name}/w{j}{i}", True) for i in range(n_in)]
                   for j in range(n_out)]
        biases = [number(0.0, f"{name}/b{j}", True) for j in range(n_out)]

        def call(inputs: list) -> list:
            with name_scope(name):
                outputs = []
                for w, b in zip(weights, biases, strict=True):
                    total = b
                    for wi, xi in zip(w, inputs, strict=True):
                        total = total + wi * xi
                    outputs.append(total.tanh() if activation else total)
                return outputs

        return call

    layers = [layer("layer_1", 2, 4, True), layer("layer_2", 4, 4, True),
              layer("output", 4, 1, False)]
    points = [(2.0, 3.0, 1.0), (3.0, -1.0, -1.0), (0.5, 1.0, -1.0), (1.0, 1.0, 1.0)]
    loss = None
    for k, (x1, x2, target) in enumerate(points):
        values = [number(x1, f"x{k}[0]"), number(x2, f"x{k}[1]")]
        for call in layers:
            values = call(values)
        error = (values[0] - number(target, f"y{k}")) ** 2
        loss = error if loss is None else loss + error
    loss.name = "loss"
    return loss


EXPLORE_EXAMPLES = {
    "neuron": lambda: _expression_example(backward=False),
    "mlp": lambda: _mlp_example(backward=False),
    "micrograd": _micrograd_mlp_example,
}


def run_explore(args: argparse.Namespace) -> int:
    """Write the explorer page of an example's backward pass; optionally a screenshot."""
    from .explore import explore, screenshot
    from .graph import RendererNotFoundError

    root = EXPLORE_EXAMPLES[args.example]()
    path = Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        explore(root, path)
    except RendererNotFoundError as e:
        return _error(str(e))
    size = path.stat().st_size
    print(f"the backward pass of the {args.example} example, step by step: {path} "
          f"({size / 1024:.0f} kB); open it in a browser")
    if args.screenshot is not None:
        try:
            screenshot(path, args.screenshot, step=args.step)
        except (ImportError, RuntimeError) as e:
            return _error(str(e))
        print(f"screenshot saved to {args.screenshot}")
    return 0


# ---- gradcheck, gallery -----------------------------------------------------------------


def run_gradcheck(args: argparse.Namespace) -> int:
    """Check first and second derivatives; 1 if any form of any activation fails."""
    from .checks import check_all, format_table

    results = check_all(args.names or None)
    print(format_table(results))
    return 0 if all(r.ok for r in results) else 1


def run_gallery(args: argparse.Namespace) -> int:
    """One PNG per activation (f, f', f'') and an overview grid."""
    from .plots import activation_gallery

    if problem := _matplotlib_missing():
        return _error(problem)
    paths = activation_gallery(args.output_dir, names=args.names or None)
    print(f"{len(paths) - 1} activations drawn in {Path(args.output_dir)} "
          f"(and {paths[-1].name}, all of them in one grid)")
    return 0


# ---- selu -------------------------------------------------------------------------------

def run_selu(args: argparse.Namespace) -> int:
    """SELU's self-normalization. By default the per-layer statistics through a deep network
    (the table, and with --plot a picture of the same networks); --fixed-point the moment
    map; --train the training comparison with its toggles; --sweep every setup at every
    depth."""
    from . import selfnorm

    if args.fixed_point:
        return _selu_fixed_point(args)
    if args.sweep:
        return _selu_sweep(args)
    if args.plot is not None and (problem := _matplotlib_missing()):
        return _error(problem)
    width = args.width or 256
    print(selfnorm.statistics_table(depth=args.depth, width=width, seed=args.seed))
    if args.plot is not None:
        from .plots import plot_layer_statistics

        stats = {
            f"{activation}, {initializer}": selfnorm.layer_statistics(
                activation, initializer, depth=args.depth, width=width, seed=args.seed)
            for activation, initializer in selfnorm.DEFAULT_CONFIGS
        }
        path = plot_layer_statistics(stats, args.plot)
        print(f"per-layer statistics saved to {path}")
    if args.train:
        print()
        return _selu_train(args)
    return 0


def _selu_train(args: argparse.Namespace) -> int:
    """`selu --train`: each activation trained with the toggles; loss, accuracy and the
    per-layer statistics before and after (ActivationStatistics)."""
    from . import selfnorm

    width, epochs = args.width or 64, args.epochs or 60
    dropout = {"none": None, "dropout": ("standard", args.dropout_rate),
               "alpha": ("alpha", args.dropout_rate)}[args.dropout]
    optimizer = selfnorm.make_optimizer(args.optimizer, args.lr)
    toggles = [f"{args.init}", f"dropout {args.dropout}"
               + (f" ({args.dropout_rate:g})" if dropout else ""),
               "inputs in pixel units (unstandardized)" if args.unstandardized
               else "standardized inputs", repr(optimizer)]
    print(f"Training networks of {args.depth} hidden layers Dense({width}) on two spirals, "
          f"{epochs} epochs: {', '.join(toggles)}. Progress on stderr.")
    results = {}
    for activation in args.activations:
        results[activation] = selfnorm.train_deep(
            activation, epochs=epochs, depth=args.depth, width=width, learning_rate=args.lr,
            seed=args.seed, initializer=args.init, dropout=dropout,
            standardized=not args.unstandardized, optimizer=args.optimizer, progress=True)
    X, y = selfnorm.spirals(args.seed, standardized=not args.unstandardized)
    print(f"{'activation':<12}{'loss':>8}{'accuracy':>10}")
    for name, (_history, stats) in results.items():
        loss, accuracy = stats.model.evaluate(X, y, verbose=0)
        print(f"{name:<12}{loss:>8.4f}{accuracy:>10.1%}")
    print()
    print(selfnorm.training_statistics_table(results))
    if args.plot is not None:
        path = Path(args.plot)
        path = selfnorm.plot_training(results, path.with_name(f"{path.stem}_training"
                                                              f"{path.suffix}"))
        print(f"per-layer statistics during training saved to {path}")
    return 0


def _selu_fixed_point(args: argparse.Namespace) -> int:
    """`selu --fixed-point`: the map iterated, the Jacobian at (0, 1), and the picture."""
    from . import selfnorm

    print(selfnorm.fixed_point_report())
    if problem := _matplotlib_missing():
        print(f"(no picture: {problem})")
        return 0
    path = selfnorm.plot_fixed_point(args.plot or Path("selu_fixed_point.png"))
    print(f"trajectories in the (mean, variance) plane saved to {path}")
    return 0


def _selu_sweep(args: argparse.Namespace) -> int:
    """`selu --sweep`: every setup at every depth; the table and the accuracy-vs-depth
    picture. Arguments are checked (by argparse and run_sweep) before any training."""
    from . import selfnorm

    settings = dict(selfnorm.QUICK_SWEEP if args.quick else selfnorm.SWEEP_DEFAULTS)
    if args.depths is not None:
        settings["depths"] = tuple(args.depths)
    if args.width is not None:
        settings["width"] = args.width
    if args.epochs is not None:
        settings["epochs"] = args.epochs
    if args.optimizer != "sgd" or args.lr is not None:  # the --train toggles, when given
        settings["optimizer"] = args.optimizer
        settings["learning_rate"] = args.lr if args.lr is not None else (
            selfnorm.make_optimizer(args.optimizer).learning_rate)
    picture = None if (problem := _matplotlib_missing()) else (args.plot
                                                                or Path("selu_sweep.png"))
    setups = args.setups or list(selfnorm.SETUPS)
    optimizer = selfnorm.make_optimizer(settings["optimizer"], settings["learning_rate"],
                                        settings["momentum"])
    print(f"Sweep: {len(setups)} setups x depths {' '.join(map(str, settings['depths']))}; "
          f"hidden layers of width {settings['width']}, two spirals ({settings['samples']} "
          f"training points, as many held out), {settings['epochs']} epochs of "
          f"{optimizer!r}, "
          f"batch {settings['batch_size']}, seed {args.seed}. Progress on stderr.")
    start = time.perf_counter()
    results = selfnorm.run_sweep(setups, seed=args.seed, jobs=args.jobs, **settings)
    print(selfnorm.sweep_table(results))
    print(f"({time.perf_counter() - start:.0f} s; top variance at start: the last hidden "
          "layer's output before training, in training mode)")
    if picture is None:
        print(f"(no picture: {problem})")
    else:
        print(f"accuracy against depth saved to {selfnorm.plot_sweep(results, picture)}")
    return 0
