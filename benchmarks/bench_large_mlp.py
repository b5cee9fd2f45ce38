"""How long does one training step of a large MLP take, and how much memory, against numpy
by hand?

The network is 784-512-512-10 with SELU, trained on one batch of 256 (MNIST-sized inputs,
random data) with sparse categorical cross-entropy from logits and plain SGD (lr = 0.01),
in float32. Here the matrix products dominate, so the engine's bookkeeping should be lost
in the noise: the targets are time <= 1.15x and peak memory <= 1.5x numpy by hand (not
1.3x: by design every node of the engine's graph keeps its `.grad`, DESIGN.md).

The contenders:

- tinygrad_acts, the way a user writes it: raw `ta.Tensor`s, `ta.activations.selu`, and the
  loss either as `logsumexp(logits) - logits[label]` or with Keras's
  `ta.losses.SparseCategoricalCrossentropy(from_logits=True)` (one-hot labels);
- numpy by hand: the forward pass and the backward pass written out with in-place
  operations where they are natural, on the same BLAS (the floor);
- PyTorch eager on the CPU, for reference (where installed), with as many threads as
  numpy's BLAS uses. Its memory is allocated outside Python's view, so only its time is
  reported.

Before timing, every contender's loss and gradients at the same starting weights are
checked against numpy's. Times are medians over steps taken in turns (round-robin), with
the garbage collector off during a step. Peak memory is measured with `tracemalloc` for one
step per contender, each in its own window, after warm-up steps and once the previous
step's graph and gradients are gone.

On a loaded machine, BLAS threads that wait for each other's core can make every matrix
product several times slower: `--blas-threads 1` (or OPENBLAS_NUM_THREADS=1) measures
without that.

    python benchmarks/bench_large_mlp.py [--repeats 15] [--quick] [--profile 5]
                                         [--blas-threads N]
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout as is
from harness import (  # noqa: E402
    SGDContender,
    TensorSGDContender,
    TorchSGDContender,
    blas_threads,
    check_same_math,
    format_table,
    machine,
    medians,
    profile,
    round_robin,
    set_blas_threads,
    verdict,
)

import tinygrad_acts as ta  # noqa: E402

LAYER_SIZES = (784, 512, 512, 10)
BATCH = 256
QUICK_BATCH = 16  # --quick checks that everything runs, not how fast
LR = 0.01
TIME_TARGET = 1.15
MEMORY_TARGET = 1.5

# Klambauer et al., 2017 (the same constants as ta.activations.selu)
SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717
SCALE_ALPHA = SELU_SCALE * SELU_ALPHA


def make_problem(batch: int = BATCH, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray,
                                                             np.ndarray]:
    """Starting weights (W1, b1, W2, b2, W3, b3), LeCun-normal as SELU wants, small random
    biases (so that their gradients are checked too), and one batch: inputs in [0, 1) and
    integer labels."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:], strict=True):
        params.append(rng.standard_normal((n_in, n_out)) / math.sqrt(n_in))
        params.append(rng.uniform(-0.1, 0.1, n_out))
    x = rng.uniform(0.0, 1.0, (batch, LAYER_SIZES[0]))
    labels = rng.integers(0, LAYER_SIZES[-1], batch)
    return [p.astype(np.float32) for p in params], x.astype(np.float32), labels


# ---- the contenders: each computes (loss, gradients) and takes one SGD step ----------------
class Engine(TensorSGDContender):
    """tinygrad_acts with the loss written as mean(logsumexp(logits) - logits[label]).
    `clear()` drops the gradients kept from the last step (and with them, nothing else: the
    graph itself went when the loss did)."""

    name = "tinygrad_acts (logsumexp loss)"
    lr = LR

    def __init__(self, params, x, labels):
        self.params = [ta.Tensor(p.copy(), requires_grad=True) for p in params]
        self.x, self.labels = ta.Tensor(x), labels
        self.rows = np.arange(len(labels))

    def loss(self, logits: ta.Tensor) -> ta.Tensor:
        return (ta.logsumexp(logits, axis=-1) - logits[self.rows, self.labels]).mean()

    def loss_and_grads(self):
        w1, b1, w2, b2, w3, b3 = self.params
        self.clear()
        h1 = ta.activations.selu(self.x @ w1 + b1)
        h2 = ta.activations.selu(h1 @ w2 + b2)
        loss = self.loss(h2 @ w3 + b3)
        loss.backward()
        return loss.item(), [p.grad.data for p in self.params]



class EngineKerasLoss(Engine):
    """tinygrad_acts with Keras's loss class, which one-hot encodes the labels."""

    name = "tinygrad_acts (SparseCCE loss)"

    def __init__(self, params, x, labels):
        super().__init__(params, x, labels)
        self.keras_loss = ta.losses.SparseCategoricalCrossentropy(from_logits=True)

    def loss(self, logits: ta.Tensor) -> ta.Tensor:
        return self.keras_loss(self.labels, logits)


def selu_forward(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """selu(z), and its negative part scale * alpha * (e^min(z, 0) - 1), which backward
    turns into the derivative."""
    negative = np.minimum(z, 0.0)
    np.expm1(negative, out=negative)
    negative *= SCALE_ALPHA
    out = np.maximum(z, 0.0)
    out *= SELU_SCALE
    out += negative
    return out, negative


def selu_backward(grad: np.ndarray, z: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """grad * selu'(z), in place in `grad` (its buffer is not needed again); selu'(z) is
    scale for z > 0 and negative + scale * alpha (= scale * alpha * e^z) for z <= 0, built
    in place in `negative`."""
    negative += SCALE_ALPHA
    np.copyto(negative, SELU_SCALE, where=z > 0)
    grad *= negative
    return grad


def selu_mlp_forward(params: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, tuple]:
    """The forward pass by hand of x -> SELU -> SELU -> linear (params W1, b1, W2, b2, W3,
    b3): the outputs (logits), and what `selu_mlp_backward` needs."""
    w1, b1, w2, b2, w3, b3 = params
    z1 = x @ w1
    z1 += b1
    h1, negative1 = selu_forward(z1)
    z2 = h1 @ w2
    z2 += b2
    h2, negative2 = selu_forward(z2)
    out = h2 @ w3
    out += b3
    return out, (z1, negative1, h1, z2, negative2, h2)


def selu_mlp_backward(params: list[np.ndarray], x: np.ndarray, saved: tuple,
                      d_out: np.ndarray) -> list[np.ndarray]:
    """The gradients of (W1, b1, W2, b2, W3, b3), given d loss / d outputs and what
    `selu_mlp_forward` saved."""
    _, _, w2, _, w3, _ = params
    z1, negative1, h1, z2, negative2, h2 = saved
    d_z2 = selu_backward(d_out @ w3.T, z2, negative2)
    d_z1 = selu_backward(d_z2 @ w2.T, z1, negative1)
    return [
        x.T @ d_z1, d_z1.sum(axis=0),
        h1.T @ d_z2, d_z2.sum(axis=0),
        h2.T @ d_out, d_out.sum(axis=0),
    ]


class NumpyByHand(SGDContender):
    name = "numpy by hand"
    lr = LR

    def __init__(self, params, x, labels):
        self.params = [p.copy() for p in params]
        self.x, self.labels = x, labels
        self.rows = np.arange(len(labels))

    def loss_and_grads(self):
        rows, labels = self.rows, self.labels
        logits, saved = selu_mlp_forward(self.params, self.x)
        # loss = mean(logsumexp(logits) - logits[label]), shifted by the row max (stable)
        top = logits.max(axis=1, keepdims=True)
        shifted = logits - top
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, labels]))
        # d loss / d logits = (softmax - one_hot) / batch, built in place in exp
        d_logits = exp
        d_logits /= total
        d_logits[rows, labels] -= 1.0
        d_logits /= len(labels)
        return loss, selu_mlp_backward(self.params, self.x, saved, d_logits)

    def clear(self):
        """Nothing outlives a step here."""


class Torch(TorchSGDContender):
    name = "torch"
    lr = LR

    def __init__(self, params, x, labels):
        import torch

        self.torch = torch
        self.params = [torch.tensor(p, requires_grad=True) for p in params]
        self.x, self.labels = torch.tensor(x), torch.tensor(labels)

    def loss_and_grads(self):
        torch = self.torch
        w1, b1, w2, b2, w3, b3 = self.params
        self.clear()
        h1 = torch.nn.functional.selu(self.x @ w1 + b1)
        h2 = torch.nn.functional.selu(h1 @ w2 + b2)
        loss = torch.nn.functional.cross_entropy(h2 @ w3 + b3, self.labels)
        loss.backward()
        return loss.item(), [p.grad for p in self.params]



def available_contenders() -> list[type]:
    contenders = [NumpyByHand, Engine, EngineKerasLoss]
    try:
        import torch
    except ImportError:
        print("(torch is not installed: left out)")
    else:
        threads = blas_threads()
        if threads:
            torch.set_num_threads(threads)
        threads = torch.get_num_threads()
        Torch.name = f"torch ({threads} thread{'s' if threads > 1 else ''})"
        contenders.append(Torch)
    return contenders


def peak_memory(runner) -> tuple[int, int]:
    """Peak and retained bytes allocated during one step, in a tracemalloc window of its
    own, which opens once the previous step's graph and gradients are gone."""
    runner.clear()
    gc.collect()
    tracemalloc.start()
    try:
        runner.step()
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, retained


def run(repeats: int, warmup: int,
        batch: int) -> tuple[dict[str, list[float]], dict[str, tuple[int, int]]]:
    problem = make_problem(batch)
    contenders = available_contenders()
    # to float32 rounding: the products sum 784 or 512 terms, in different orders
    check_same_math(contenders, problem, NumpyByHand, atol=1e-5, atol_of_largest=True)
    runners = [contender(*problem) for contender in contenders]
    for runner in runners:
        for _ in range(warmup):
            runner.step()
    memory = {r.name: peak_memory(r) for r in runners if not isinstance(r, Torch)}
    times = round_robin({r.name: r.step for r in runners}, repeats)
    return times, memory


def print_table(times: dict[str, list[float]], memory: dict[str, tuple[int, int]],
                batch: int) -> None:
    median = medians(times)
    floor_time = median[NumpyByHand.name]
    floor_memory = memory[NumpyByHand.name][0]
    rows = []
    for name, t in times.items():
        peak, retained = memory.get(name, (None, None))
        rows.append([
            name,
            f"{median[name] * 1e3:.2f}",
            f"{min(t) * 1e3:.2f}",
            len(t),
            f"{median[name] / floor_time:.2f}x",
            "-" if peak is None else f"{peak / 2**20:.2f}",
            "-" if peak is None else f"{retained / 2**20:.2f}",
            "-" if peak is None else f"{peak / floor_memory:.2f}x",
        ])
    sizes = "-".join(map(str, LAYER_SIZES))
    print(f"\none training step: {sizes} SELU MLP, batch {batch}, sparse categorical "
          f"cross-entropy from logits, SGD lr {LR}, float32")
    print(machine())
    print(format_table(
        ["contender", "median ms/step", "min ms/step", "steps", "time / numpy",
         "peak MiB", "kept MiB", "memory / numpy"],
        rows,
    ))
    print("(peak MiB: allocated during one step, tracemalloc; kept MiB: still held after it, "
          "e.g. the gradients in .grad)")
    print()
    for engine in (Engine, EngineKerasLoss):
        time_ratio = median[engine.name] / floor_time
        memory_ratio = memory[engine.name][0] / floor_memory
        print(f"{engine.name} / numpy by hand: time {time_ratio:.2f}x (target <= "
              f"{TIME_TARGET}: {verdict(time_ratio, TIME_TARGET)}), peak memory "
              f"{memory_ratio:.2f}x (target <= {MEMORY_TARGET}: "
              f"{verdict(memory_ratio, MEMORY_TARGET)})")
    torch_name = next((name for name in median if name.startswith("torch")), None)
    if torch_name:
        print(f"{Engine.name} / {torch_name}: time "
              f"{median[Engine.name] / median[torch_name]:.2f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15,
                        help="timed steps per contender (default 15)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: 2 steps each, batch {QUICK_BATCH}")
    parser.add_argument("--profile", type=int, default=0, metavar="STEPS",
                        help="also profile this many engine steps with cProfile")
    parser.add_argument("--blas-threads", type=int, metavar="N",
                        help="threads for numpy's BLAS (and torch); default: as started")
    args = parser.parse_args(argv)
    if args.repeats <= 0:
        parser.error(f"--repeats must be positive, received {args.repeats}")
    if args.profile < 0:
        parser.error(f"--profile must be >= 0, received {args.profile}")
    if args.blas_threads is not None:
        if args.blas_threads <= 0:
            parser.error(f"--blas-threads must be positive, received {args.blas_threads}")
        set_blas_threads(args.blas_threads)
    repeats, warmup, batch = (2, 1, QUICK_BATCH) if args.quick else (args.repeats, 3, BATCH)
    print_table(*run(repeats, warmup, batch), batch)
    if args.profile:
        runner = Engine(*make_problem())
        runner.step()
        profile(runner.step, args.profile, f"{Engine.name} step")


if __name__ == "__main__":
    main()
