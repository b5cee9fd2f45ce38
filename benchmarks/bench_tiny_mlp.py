"""How long does one training step of a tiny MLP take, against the alternatives?

The network is 2-16-16-1 with tanh, trained with mean squared error and plain SGD
(lr = 0.1) on one batch of 100 points. The same step is written four ways:

- tinygrad_acts: raw `ta.Tensor`s, `x @ W1 + b1`, `.tanh()`, `loss.backward()`;
- ta.jit: the same step written as a user writes a compiled one (`ta.grad` and
  `optimizer.apply_gradients` with SGD), recorded by `ta.jit` and replayed (target: at most
  1.3x numpy by hand);
- numpy by hand: the forward pass and the backward pass written out (the floor: what any
  engine on numpy adds is the cost of its bookkeeping);
- PyTorch eager on the CPU with one thread (where installed);
- micrograd, a scalar engine (where installed): one Value per number, so far fewer
  steps are timed.

Before timing, every contender's loss and gradients at the same starting weights are
checked against numpy's, so that all of them compute the same thing. The contenders then
take turns (round-robin), so that a slow moment of the machine hits all of them alike; the
garbage collector is off while a step is timed (as in `timeit`).

    python benchmarks/bench_tiny_mlp.py [--repeats 300] [--quick] [--profile 200]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout as is
from harness import (  # noqa: E402
    SGDContender,
    TensorSGDContender,
    TorchSGDContender,
    check_same_math,
    format_table,
    medians,
    optional_contenders,
    profile,
    round_robin,
    verdict,
)

import tinygrad_acts as ta  # noqa: E402

LAYER_SIZES = (2, 16, 16, 1)
BATCH = 100
LR = 0.1


def make_problem(seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Starting weights (W1, b1, W2, b2, W3, b3) and one batch (x, y), all float32."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:], strict=True):
        params.append(rng.uniform(-1.0, 1.0, (n_in, n_out)) / math.sqrt(n_in))
        params.append(rng.uniform(-0.1, 0.1, n_out))
    x = rng.standard_normal((BATCH, LAYER_SIZES[0]))
    y = np.sin(2.0 * x[:, :1]) * np.cos(x[:, 1:])
    return [p.astype(np.float32) for p in params], x.astype(np.float32), y.astype(np.float32)


# ---- the contenders: each computes (loss, gradients) and takes one SGD step ----------------
class Engine(TensorSGDContender):
    name = "tinygrad_acts"
    lr = LR

    def __init__(self, params, x, y):
        self.params = [ta.Tensor(p.copy(), requires_grad=True) for p in params]
        self.x, self.y = ta.Tensor(x), ta.Tensor(y)

    def loss_and_grads(self):
        w1, b1, w2, b2, w3, b3 = self.params
        self.clear()
        h1 = (self.x @ w1 + b1).tanh()
        h2 = (h1 @ w2 + b2).tanh()
        out = h2 @ w3 + b3
        loss = ((out - self.y) ** 2).mean()
        loss.backward()
        return loss.item(), [p.grad.data for p in self.params]



class Jit(SGDContender):
    """The step compiled by ta.jit: forward, `ta.grad`, `SGD.apply_gradients`, replayed."""

    name = "ta.jit"
    lr = LR

    def __init__(self, params, x, y):
        self.params = [ta.Tensor(p.copy(), requires_grad=True) for p in params]
        self.x, self.y = ta.Tensor(x), ta.Tensor(y)
        self.optimizer = ta.optimizers.SGD(LR)
        self.compiled = ta.jit(self.train_step)

    def loss_and_grads(self, x=None, y=None):
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = ((self.x if x is None else x) @ w1 + b1).tanh()
        h2 = (h1 @ w2 + b2).tanh()
        out = h2 @ w3 + b3
        loss = ((out - (self.y if y is None else y)) ** 2).mean()
        grads = ta.grad(loss, self.params)
        return loss, grads

    def train_step(self, x, y):
        loss, grads = self.loss_and_grads(x, y)
        self.optimizer.apply_gradients(zip(grads, self.params, strict=True))
        return loss

    def step(self):
        return self.compiled(self.x, self.y)


def check_jit_equals_eager(problem, steps: int = 5) -> None:
    """ta.jit's replays leave the weights of the eager step, bit for bit."""
    compiled, eager = Jit(*problem), Jit(*problem)
    for _ in range(steps):
        compiled.step()
        eager.train_step(eager.x, eager.y)
    for i, (a, b) in enumerate(zip(compiled.params, eager.params, strict=True)):
        if a.data.tobytes() != b.data.tobytes():
            raise AssertionError(f"ta.jit: weight {i} after {steps} steps differs from eager")
    print(f"checked: ta.jit's weights after {steps} steps equal eager's bit for bit")


class NumpyByHand(SGDContender):
    name = "numpy by hand"
    lr = LR

    def __init__(self, params, x, y):
        self.params = [p.copy() for p in params]
        self.x, self.y = x, y

    def loss_and_grads(self):
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = np.tanh(self.x @ w1 + b1)
        h2 = np.tanh(h1 @ w2 + b2)
        diff = h2 @ w3 + b3 - self.y
        loss = float(np.mean(diff * diff))
        d_out = diff * (2.0 / diff.size)  # d mean(diff^2) / d out
        d_z2 = (d_out @ w3.T) * (1.0 - h2 * h2)  # tanh' = 1 - tanh^2
        d_z1 = (d_z2 @ w2.T) * (1.0 - h1 * h1)
        grads = [
            self.x.T @ d_z1, d_z1.sum(axis=0),
            h1.T @ d_z2, d_z2.sum(axis=0),
            h2.T @ d_out, d_out.sum(axis=0),
        ]
        return loss, grads


class Torch(TorchSGDContender):
    name = "torch (1 thread)"
    lr = LR

    def __init__(self, params, x, y):
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        self.params = [torch.tensor(p, requires_grad=True) for p in params]
        self.x, self.y = torch.tensor(x), torch.tensor(y)

    def loss_and_grads(self):
        w1, b1, w2, b2, w3, b3 = self.params
        self.clear()
        h1 = (self.x @ w1 + b1).tanh()
        h2 = (h1 @ w2 + b2).tanh()
        out = h2 @ w3 + b3
        loss = ((out - self.y) ** 2).mean()
        loss.backward()
        return loss.item(), [p.grad for p in self.params]



class Micrograd(SGDContender):
    name = "micrograd"
    lr = LR

    def __init__(self, params, x, y):
        from micrograd.engine import Value

        self.Value = Value
        # One Value per weight; each matrix as rows of Values, each bias as a list.
        self.params = [[[Value(float(v)) for v in row] for row in np.atleast_2d(p)]
                       for p in params]
        self.shapes = [p.shape for p in params]
        self.x, self.y = x.astype(float).tolist(), y.astype(float).ravel().tolist()
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))  # its sort is recursive

    def _tanh(self, v):
        """micrograd's Value has no tanh: add it the micrograd way, a node and a closure."""
        t = math.tanh(v.data)
        out = self.Value(t, (v,), "tanh")

        def _backward():
            v.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out

    def _dense(self, inputs, w, b, activation):
        outs = []
        for j, bias in enumerate(b[0]):
            z = sum((inputs[i] * w[i][j] for i in range(len(inputs))), bias)
            outs.append(activation(z) if activation else z)
        return outs

    def _all_values(self):
        return [v for p in self.params for row in p for v in row]

    def loss_and_grads(self):
        w1, b1, w2, b2, w3, b3 = self.params
        for v in self._all_values():
            v.grad = 0.0
        total = self.Value(0.0)
        for xi, yi in zip(self.x, self.y, strict=True):
            h1 = self._dense(xi, w1, b1, self._tanh)
            h2 = self._dense(h1, w2, b2, self._tanh)
            (out,) = self._dense(h2, w3, b3, None)
            total = total + (out - yi) ** 2
        loss = total * (1.0 / len(self.x))
        loss.backward()
        grads = [np.array([[v.grad for v in row] for row in p]).reshape(shape)
                 for p, shape in zip(self.params, self.shapes, strict=True)]
        return loss.data, grads

    def update(self, grads):
        """The gradients are the Values' own `.grad`s (`grads` holds copies of them)."""
        for v in self._all_values():
            v.data -= self.lr * v.grad


def available_contenders() -> list[type]:
    return [NumpyByHand, Engine, Jit] + optional_contenders(("torch", Torch),
                                                       ("micrograd", Micrograd))


def run(repeats: int, micrograd_repeats: int, warmup: int) -> dict[str, list[float]]:
    problem = make_problem()
    contenders = [c for c in available_contenders()
                  if micrograd_repeats or c is not Micrograd]  # 0 leaves micrograd out
    check_same_math([c for c in contenders if c is not Jit], problem, NumpyByHand)
    check_jit_equals_eager(problem)
    runners = [contender(*problem) for contender in contenders]
    for runner in runners:
        if not isinstance(runner, Micrograd):
            for _ in range(warmup):
                runner.step()
    # each round times every contender once, in this order (micrograd in some rounds only)
    return round_robin({runner.name: runner.step for runner in runners}, repeats,
                       rotate=False, fewer={Micrograd.name: micrograd_repeats})


def print_table(times: dict[str, list[float]]) -> None:
    median = {name: t * 1e6 for name, t in medians(times).items()}
    engine = median[Engine.name]
    print()
    print(f"one training step: {'-'.join(map(str, LAYER_SIZES))} tanh MLP, batch {BATCH}, "
          f"MSE, SGD lr {LR}, float32")
    print(format_table(
        ["contender", "median us/step", "min us/step", "steps", "engine / this"],
        [[name, f"{median[name]:.1f}", f"{min(t) * 1e6:.1f}", len(t),
          f"{engine / median[name]:.3g}x"] for name, t in times.items()],
        min_widths=[18, 15, 12, 6, 14], gap=1,
    ))
    print()
    print(f"engine / numpy by hand: {engine / median[NumpyByHand.name]:.2f}x")
    jit_ratio = median[Jit.name] / median[NumpyByHand.name]
    print(f"ta.jit / numpy by hand: {jit_ratio:.2f}x (target <= 1.3: {verdict(jit_ratio, 1.3)}); "
          f"eager engine / ta.jit: {engine / median[Jit.name]:.2f}x")
    if Torch.name in median:
        print(f"engine / torch (1 thread): {engine / median[Torch.name]:.2f}x")
    if Micrograd.name in median:
        print(f"micrograd / engine: {median[Micrograd.name] / engine:.0f}x")


def profile_engine(steps: int) -> None:
    """cProfile `steps` engine steps; per-step costs are the totals divided by `steps`."""
    runner = Engine(*make_problem())
    for _ in range(20):
        runner.step()
    profile(runner.step, steps, "engine steps", heading=f"cProfile of {steps} engine steps "
            f"(divide times by {steps} for one step):")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=300,
                        help="timed steps per contender (default 300)")
    parser.add_argument("--micrograd-repeats", type=int, default=5,
                        help="timed steps for micrograd, a scalar engine (default 5; 0 leaves "
                        "it out)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 20 steps, micrograd once")
    parser.add_argument("--profile", type=int, default=0, metavar="STEPS",
                        help="also profile this many engine steps with cProfile")
    args = parser.parse_args(argv)
    for name in ("repeats", "micrograd_repeats", "profile"):
        if getattr(args, name) < 0 or (name == "repeats" and args.repeats == 0):
            parser.error(f"--{name.replace('_', '-')} must be positive, received "
                         f"{getattr(args, name)}")
    repeats, micrograd_repeats, warmup = args.repeats, args.micrograd_repeats, 10
    if args.quick:
        repeats, micrograd_repeats, warmup = 20, min(micrograd_repeats, 1), 2
    print_table(run(repeats, micrograd_repeats, warmup))
    if args.profile:
        profile_engine(args.profile)


if __name__ == "__main__":
    main()
