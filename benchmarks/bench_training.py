"""How many epochs per second does `model.fit` train the moons MLP at?

The network is the one of the moons example (issue 4): 2-16-16-1, two
`Dense(16, activation="selu", kernel_initializer="lecun_normal")` layers and a
`Dense(1)` giving a logit, trained with Adam (learning rate 0.01) on binary cross-entropy from
logits, with the accuracy metric, in batches of 32 on 1,000 moons (noise 0.1), shuffled every
epoch. The same training runs three ways:

- tinygrad_acts: `model.fit(X, y, epochs=..., batch_size=32, verbose=0)`, as a user writes it;
- the same with `model.compile(..., jit_compile=True)`: each step recorded by `ta.jit` and
  replayed (target: at least 2x the eager epochs per second; its weights after an epoch
  must equal eager's bit for bit);
- numpy by hand, for reference: the same loop written out (shuffle, forward, loss, backward,
  Keras's Adam, loss and accuracy for the epoch);
- PyTorch eager on the CPU with one thread (where installed): `nn.Sequential`,
  `BCEWithLogitsLoss`, `optim.Adam(eps=1e-7)`, the same loop.

All three start from the same weights. Before timing, their loss and gradients on a batch
must agree, and one epoch without shuffling must leave the engine with numpy's weights (so
Adam agrees too; PyTorch's Adam adds its epsilon after the bias correction, Keras's before,
so its weights drift apart where gradients are tiny: it is not compared there).
Each timed run trains a few epochs; the contenders take turns (round-robin) and the median
run gives the epochs per second. The garbage collector stays on: this is the time a user
waits for.

    python benchmarks/bench_training.py [--repeats 7] [--epochs 5] [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout as is
from bench_large_mlp import (  # noqa: E402  (the same SELU MLP by hand)
    selu_mlp_backward,
    selu_mlp_forward,
)
from harness import (  # noqa: E402
    check_gradients,
    format_table,
    machine,
    medians,
    optional_contenders,
    profile,
    round_robin,
)

import tinygrad_acts as ta  # noqa: E402
from tinygrad_acts.layers import Dense  # noqa: E402
from tinygrad_acts.losses import BinaryCrossentropy  # noqa: E402
from tinygrad_acts.models import Sequential  # noqa: E402
from tinygrad_acts.optimizers import Adam  # noqa: E402

SAMPLES = 1000
BATCH = 32
LEARNING_RATE = 0.01
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7  # Keras's Adam defaults


def make_model(jit_compile: bool = False) -> Sequential:
    model = Sequential([
        Dense(16, activation="selu", kernel_initializer="lecun_normal", input_dim=2),
        Dense(16, activation="selu", kernel_initializer="lecun_normal"),
        Dense(1),
    ])
    model.compile(optimizer=Adam(learning_rate=LEARNING_RATE),
                  loss=BinaryCrossentropy(from_logits=True), metrics=["accuracy"],
                  jit_compile=jit_compile)
    return model


def make_problem(seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The starting weights (W1, b1, W2, b2, W3, b3, from the engine's initializers) and the
    data: X float32 (1000, 2), y int (1000,)."""
    ta.set_seed(seed)
    weights = make_model().get_weights()
    x, y = ta.datasets.make_moons(SAMPLES, noise=0.1, seed=seed)
    return weights, x, y


# ---- the contenders: each trains for some epochs and reports the last epoch's loss and
# accuracy ----------------------------------------------------------------------------------
class Engine:
    name = "tinygrad_acts (fit)"

    jit_compile = False

    def __init__(self, weights, x, y):
        self.model = make_model(self.jit_compile)
        self.model.set_weights(weights)
        ta.set_seed(1)  # the shuffling order: the same as the other contenders' generators
        self.x, self.y = x, y

    def fit(self, epochs: int, shuffle: bool = True) -> tuple[float, float]:
        history = self.model.fit(self.x, self.y, epochs=epochs, batch_size=BATCH, verbose=0,
                                 shuffle=shuffle).history
        return history["loss"][-1], history["accuracy"][-1]

    def first_gradients(self, x, y) -> tuple[float, list[np.ndarray]]:
        """The loss and gradients of one batch, as `fit` computes them."""
        loss = self.model.loss(y, self.model(x, training=True))
        loss.backward()
        return loss.item(), [w.grad.data for w in self.model.trainable_weights]

    def weights(self) -> list[np.ndarray]:
        return self.model.get_weights()


class EngineJit(Engine):
    name = "tinygrad_acts (fit, jit_compile)"
    jit_compile = True


class NumpyByHand:
    name = "numpy by hand"

    def __init__(self, weights, x, y):
        self.params = [w.copy() for w in weights]
        self.m = [np.zeros_like(w) for w in weights]
        self.v = [np.zeros_like(w) for w in weights]
        self.iterations = 0
        self.x, self.y = x, y.astype(np.float32).reshape(-1, 1)
        self.rng = np.random.default_rng(1)

    def loss_and_grads(self, x, y):
        z, saved = selu_mlp_forward(self.params, x)
        # max(z, 0) - z y + log(1 + e^-|z|), averaged; d/dz = sigmoid(z) - y, from the same e
        e = np.exp(-np.abs(z))
        loss = float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(e)))
        d_z = np.maximum(e, z >= 0) / (1 + e)  # sigmoid(z): e <= 1, so max picks 1 or e
        d_z -= y
        d_z /= len(y)
        return loss, z, selu_mlp_backward(self.params, x, saved, d_z)

    def adam(self, grads):
        """Keras's Adam: the bias correction folded into the step size."""
        self.iterations += 1
        t = self.iterations
        alpha = LEARNING_RATE * math.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)
        for w, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m += (g - m) * (1 - BETA_1)
            v += (g * g - v) * (1 - BETA_2)
            w -= alpha * m / (np.sqrt(v) + EPSILON)

    def fit(self, epochs: int, shuffle: bool = True) -> tuple[float, float]:
        n = len(self.x)
        for _ in range(epochs):
            order = self.rng.permutation(n) if shuffle else np.arange(n)
            x, y = self.x[order], self.y[order]
            total_loss, correct = 0.0, 0
            for start in range(0, n, BATCH):
                x_batch, y_batch = x[start:start + BATCH], y[start:start + BATCH]
                loss, z, grads = self.loss_and_grads(x_batch, y_batch)
                self.adam(grads)
                total_loss += loss * len(y_batch)
                correct += int(np.count_nonzero((z > 0) == (y_batch > 0.5)))
        return total_loss / n, correct / n

    def first_gradients(self, x, y) -> tuple[float, list[np.ndarray]]:
        loss, _, grads = self.loss_and_grads(x, y.astype(np.float32).reshape(-1, 1))
        return loss, grads

    def weights(self) -> list[np.ndarray]:
        return self.params


class Torch:
    name = "torch (1 thread)"

    def __init__(self, weights, x, y):
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        self.model = torch.nn.Sequential(
            torch.nn.Linear(2, 16), torch.nn.SELU(),
            torch.nn.Linear(16, 16), torch.nn.SELU(),
            torch.nn.Linear(16, 1),
        )
        linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for layer, kernel, bias in zip(linears, weights[::2], weights[1::2], strict=True):
                layer.weight.copy_(torch.from_numpy(kernel.T.copy()))  # torch stores (out, in)
                layer.bias.copy_(torch.from_numpy(bias))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE,
                                          betas=(BETA_1, BETA_2), eps=EPSILON)
        self.loss_fn = torch.nn.BCEWithLogitsLoss()
        self.x = torch.from_numpy(x)
        self.y = torch.from_numpy(y.astype(np.float32).reshape(-1, 1))
        self.rng = np.random.default_rng(1)

    def fit(self, epochs: int, shuffle: bool = True) -> tuple[float, float]:
        torch, n = self.torch, len(self.x)
        for _ in range(epochs):
            order = self.rng.permutation(n) if shuffle else np.arange(n)
            order = torch.from_numpy(order)
            x, y = self.x[order], self.y[order]
            total_loss, correct = 0.0, 0
            for start in range(0, n, BATCH):
                x_batch, y_batch = x[start:start + BATCH], y[start:start + BATCH]
                self.optimizer.zero_grad()
                z = self.model(x_batch)
                loss = self.loss_fn(z, y_batch)
                loss.backward()
                self.optimizer.step()
                total_loss += loss.item() * len(y_batch)
                correct += int(((z > 0) == (y_batch > 0.5)).sum())
        return total_loss / n, correct / n

    def first_gradients(self, x, y) -> tuple[float, list[np.ndarray]]:
        y = self.torch.from_numpy(y.astype(np.float32).reshape(-1, 1))
        loss = self.loss_fn(self.model(self.torch.from_numpy(x)), y)
        loss.backward()
        grads = []
        for layer in self.model:
            if isinstance(layer, self.torch.nn.Linear):
                grads += [layer.weight.grad.numpy().T, layer.bias.grad.numpy()]
        return loss.item(), grads


def available_contenders() -> list[type]:
    return [NumpyByHand, Engine, EngineJit] + optional_contenders(("torch", Torch))


def check_same_math(contenders, problem) -> None:
    """Every contender's loss and gradients on the first batch, at the starting weights,
    equal numpy's; and one epoch without shuffling ends at the same weights for the engine
    as for numpy (so Adam agrees too; PyTorch's Adam adds its epsilon after the bias
    correction, Keras's before, so its weights drift apart where gradients are tiny)."""
    weights, x, y = problem
    x_batch, y_batch = x[:BATCH], y[:BATCH]
    reference = NumpyByHand(*problem)
    reference_loss, _, reference_grads = reference.loss_and_grads(
        x_batch, reference.y[:BATCH])
    for contender in contenders:
        loss, grads = contender(*problem).first_gradients(x_batch, y_batch)
        check_gradients(contender.name, loss, grads, reference_loss, reference_grads)
    engine = Engine(*problem)
    engine.fit(1, shuffle=False)
    reference.fit(1, shuffle=False)
    for i, (w, ref) in enumerate(zip(engine.weights(), reference.weights(), strict=True)):
        if not np.allclose(w, ref, rtol=1e-5, atol=1e-5):
            raise AssertionError(f"{Engine.name}: weight {i} after one epoch differs from "
                                 f"numpy's by up to {np.max(np.abs(w - ref)):.3g}")
    compiled = EngineJit(*problem)
    compiled.fit(1, shuffle=False)
    for i, (w, ref) in enumerate(zip(compiled.weights(), engine.weights(), strict=True)):
        if w.tobytes() != ref.tobytes():
            raise AssertionError(f"{EngineJit.name}: weight {i} after one epoch differs from "
                                 "eager fit's")
    print(f"checked: loss and gradients agree with numpy for {len(contenders)} contenders, "
          "and the engine's weights after one epoch too (jit_compile's bit for bit)")


def run(repeats: int, epochs: int):
    problem = make_problem()
    contenders = available_contenders()
    check_same_math(contenders, problem)
    runners = [contender(*problem) for contender in contenders]
    results = {}
    for runner in runners:
        results[runner.name] = runner.fit(1)  # warm-up
    times = round_robin({r.name: lambda r=r: results.__setitem__(r.name, r.fit(epochs))
                         for r in runners}, repeats, gc_off=False)
    return times, results, 1 + repeats * epochs


def print_table(times, results, epochs: int, total_epochs: int, repeats: int) -> None:
    median = medians(times)
    engine = median[Engine.name]
    steps = math.ceil(SAMPLES / BATCH)
    rows = [
        [name, f"{median[name] / epochs * 1e3:.1f}", f"{epochs / median[name]:.1f}",
         f"{steps * epochs / median[name]:.0f}", f"{engine / median[name]:.2f}x",
         f"{results[name][0]:.4f}", f"{results[name][1]:.3f}"]
        for name in times
    ]
    print(f"\ntraining the moons MLP: 2-16-16-1 SELU (lecun_normal), Adam {LEARNING_RATE}, "
          f"binary cross-entropy from logits, batch {BATCH}, {SAMPLES} samples "
          f"({steps} steps an epoch); medians of {repeats} runs of {epochs} epochs "
          "(round-robin)")
    print(machine())
    print(format_table(
        ["contender", "ms/epoch", "epochs/s", "steps/s", "engine time / this",
         "final loss", "final accuracy"],
        rows,
    ))
    print(f"(final loss and accuracy: of the last epoch, after {total_epochs} epochs)")
    print()
    print(f"tinygrad_acts: {epochs / engine:.1f} epochs per second")
    speedup = engine / median[EngineJit.name]
    print(f"jit_compile=True: {epochs / median[EngineJit.name]:.1f} epochs per second, "
          f"{speedup:.2f}x eager's (target >= 2: {'ok' if speedup >= 2 else 'MISSED'})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7,
                        help="timed runs per contender (default 7)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per timed run (default 5)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 run of 1 epoch")
    parser.add_argument("--profile", type=int, default=0, metavar="EPOCHS",
                        help="also profile this many epochs of the engine's fit with cProfile")
    args = parser.parse_args(argv)
    for name in ("repeats", "epochs"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive, received {getattr(args, name)}")
    if args.profile < 0:
        parser.error(f"--profile must be >= 0, received {args.profile}")
    repeats, epochs = (1, 1) if args.quick else (args.repeats, args.epochs)
    times, results, total_epochs = run(repeats, epochs)
    print_table(times, results, epochs, total_epochs, repeats)
    if args.profile:
        runner = Engine(*make_problem())
        profile(lambda: runner.fit(args.profile), 1, f"{args.profile} epochs of fit")


if __name__ == "__main__":
    main()
