"""Higher-order gradients: second derivatives of activations, and Newton's method
Every backward rule in this library is written with Tensor operations, so the backward
pass is itself a graph the engine can differentiate: ta.grad(..., create_graph=True)
returns a gradient that remembers how it was computed, and differentiating it again gives
the second derivative. We check f'' (and a third derivative) of several activations against
their formulas, then use the curvature for Newton's method, in one dimension and on a
logistic regression with a Hessian built row by row.
"""

from __future__ import annotations

import math

import numpy as np
from _common import check, picture_path, plots_or_none, say, section, start, wrote

import tinygrad_acts as ta
from tinygrad_acts import losses
from tinygrad_acts.activations import elu, relu, selu, sigmoid, softplus, tanh
from tinygrad_acts.plots import derivatives  # needs no matplotlib

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def main() -> None:
    out = start(__file__, __doc__)

    section("1. Second derivatives of activations")
    say("""
        The mechanism, on tanh at x = 0.5: differentiate once with create_graph=True, and
        the result is a Tensor with a graph of its own; differentiate that.

            x = ta.Tensor(0.5, dtype="float64", requires_grad=True)
            (first,) = ta.grad(tanh(x), x, create_graph=True)
            (second,) = ta.grad(first, x)
    """)
    x = ta.Tensor(0.5, dtype="float64", requires_grad=True)
    (first,) = ta.grad(tanh(x), x, create_graph=True)
    (second,) = ta.grad(first, x)
    t = math.tanh(0.5)
    print(f"    tanh'(0.5) = {first.item():.10f}  (1 - tanh^2 = {1 - t * t:.10f})")
    print(f"    tanh''(0.5) = {second.item():.10f}  (-2 tanh (1 - tanh^2) = "
          f"{-2 * t * (1 - t * t):.10f})")
    check(first.requires_grad and abs(second.item() + 2 * t * (1 - t * t)) < 1e-15,
          "the first derivative is itself differentiable, and its derivative is tanh''")
    say("""
        plots.derivatives(fn, x, order) repeats this (summing first: each output depends
        only on its own input, so d(sum f(x))/dx_i = f'(x_i)). Each row below: the
        engine's f'' against the formula, at 12 points in [-3, 3] that avoid 0 (where elu,
        selu and relu have a kink).
    """)
    points = np.array([-3, -2.5, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 2.5, 3], dtype=np.float64)
    s, t = 1 / (1 + np.exp(-points)), np.tanh(points)
    negative = points < 0
    formulas = {
        "tanh": (tanh, "-2 tanh (1 - tanh^2)", -2 * t * (1 - t**2)),
        "sigmoid": (sigmoid, "s (1 - s) (1 - 2 s)", s * (1 - s) * (1 - 2 * s)),
        "softplus": (softplus, "s (1 - s)", s * (1 - s)),
        "elu": (elu, "e^x for x < 0, else 0", np.where(negative, np.exp(points), 0.0)),
        "selu": (selu, "scale alpha e^x for x < 0, else 0",
                 np.where(negative, SELU_SCALE * SELU_ALPHA * np.exp(points), 0.0)),
        "relu": (relu, "0 (away from the kink)", np.zeros_like(points)),
    }
    header = ("f", "formula for f''", "max |engine - formula|")
    print(f"    {header[0]:<9} {header[1]:<36} {header[2]:>22}")
    for name, (fn, text, expected) in formulas.items():
        _, _, second = derivatives(fn, points, order=2)
        gap = np.abs(second - expected).max()
        print(f"    {name:<9} {text:<36} {gap:>22.1e}")
        check(gap < 1e-12, f"{name}'' matches {text}")

    say("""
        Nothing stops at two: tanh''' = -2 (1 - tanh^2)(1 - 3 tanh^2). And the curvature
        says where tanh bends most: |tanh''| peaks where tanh''' = 0, at
        x = atanh(1/sqrt(3)) = 0.6585.
    """)
    _, _, _, third = derivatives(tanh, points, order=3)
    gap = np.abs(third - (-2 * (1 - t**2) * (1 - 3 * t**2))).max()
    check(gap < 1e-12, f"tanh''' matches its formula (difference {gap:.1e})")
    grid = np.linspace(0, 2, 2001)
    _, _, second = derivatives(tanh, grid, order=2)
    peak = grid[np.abs(second).argmax()]
    check(abs(peak - math.atanh(1 / math.sqrt(3))) < 1e-3,
          f"|tanh''| is largest at x = {peak:.4f}, atanh(1/sqrt(3)) = 0.6585")

    section("2. Newton's method in one dimension")
    say("""
        Minimize f(x) = softplus(x) - 0.3 x. f'(x) = sigmoid(x) - 0.3 vanishes at
        x* = log(0.3 / 0.7) = -0.8473. Gradient descent steps x -= lr f'(x) with a fixed
        lr; Newton divides by the curvature instead, x -= f'(x) / f''(x), the step that
        would land exactly on the minimum of the local parabola. Near x* the error is
        squared at each step: the number of correct digits doubles.
    """)
    target = math.log(0.3 / 0.7)

    def slope_and_curvature(value: float) -> tuple[float, float]:
        x = ta.Tensor(value, dtype="float64", requires_grad=True)
        f = softplus(x) - 0.3 * x
        (first,) = ta.grad(f, x, create_graph=True)
        (second,) = ta.grad(first, x)
        return first.item(), second.item()

    newton, descent = 0.0, 0.0
    newton_errors, descent_errors = [], []
    print(f"    {'step':>4}  {'Newton |x - x*|':>16}  {'gradient descent (lr=1)':>24}")
    for step in range(6):
        newton_errors.append(abs(newton - target))
        descent_errors.append(abs(descent - target))
        print(f"    {step:>4}  {newton_errors[-1]:>16.3e}  {descent_errors[-1]:>24.3e}")
        g, h = slope_and_curvature(newton)
        newton -= g / h
        descent -= 1.0 * slope_and_curvature(descent)[0]
    check(newton_errors[4] < 1e-12, f"Newton reaches x* to 1e-12 in 4 steps: "
          f"{newton_errors[4]:.1e}")
    check(newton_errors[3] < newton_errors[2] ** 2,
          f"near x* each step squares the error (or better): {newton_errors[2]:.1e} -> "
          f"{newton_errors[3]:.1e}")
    check(descent_errors[5] > 1e-2, f"gradient descent is still {descent_errors[5]:.2f} away")
    say("""
        The catch: quadratic convergence is local. Started at x = 2, where the curvature
        sigmoid'(2) = 0.10 is small, the first Newton step overshoots far to the other side,
        where the curvature is smaller still, and the iterates run away. Practical Newton
        methods damp or safeguard the step.
    """)
    x, path = 2.0, [2.0]
    while abs(x) < 100 and len(path) < 10:
        g, h = slope_and_curvature(x)
        x -= g / h
        path.append(x)
    print("    from x = 2: " + " -> ".join(f"{v:.4g}" for v in path))
    check(abs(path[-1]) >= 100, f"undamped Newton diverges from x = 2 (|x| = {abs(path[-1]):.3g})")

    section("3. Newton on a logistic regression: the Hessian by double backward")
    say("""
        Three parameters w (two weights and a bias) of a logistic regression on 200 moons
        points, loss L(w) = mean binary cross-entropy + 0.01 |w|^2. The gradient g is one
        ta.grad with create_graph=True; row i of the Hessian is the gradient of g[i], one
        more backward pass each. Newton's step solves H d = g.
    """)
    X, y = ta.datasets.make_moons(200, noise=0.2, seed=0)
    features = np.column_stack([X.astype(np.float64), np.ones(len(X))])  # a column of 1s
    labels = y.astype(np.float64).reshape(-1, 1)
    penalty = 0.01

    def loss_of(w: ta.Tensor) -> ta.Tensor:
        logits = ta.Tensor(features) @ w.reshape(3, 1)
        cross_entropy = losses.binary_crossentropy(labels, logits, from_logits=True).mean()
        return cross_entropy + penalty * (w * w).sum()

    def gradient_and_hessian(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = ta.Tensor(values.copy(), requires_grad=True)
        (g,) = ta.grad(loss_of(w), w, create_graph=True)
        rows = [ta.grad(g[i], w, retain_graph=True)[0].numpy() for i in range(3)]
        return g.numpy(), np.stack(rows)

    w = np.zeros(3)
    _, hessian = gradient_and_hessian(w)
    p = np.full(len(features), 0.5)  # sigmoid(0): every prediction at w = 0
    weighted = features * (p * (1 - p))[:, None]
    exact = features.T @ weighted / len(features) + 2 * penalty * np.eye(3)
    gap = np.abs(hessian - exact).max()
    check(gap < 1e-12, f"the double-backward Hessian equals X^T diag(p(1-p)) X / n + 2 lambda I "
          f"(difference {gap:.1e})")
    check(ta.gradgradcheck(loss_of, [ta.Tensor(np.array([0.5, -1.0, 0.2]), requires_grad=True)]),
          "gradgradcheck confirms the loss's second derivatives numerically")
    norms = []
    for step in range(8):
        g, hessian = gradient_and_hessian(w)
        norms.append(np.abs(g).max())
        loss = loss_of(ta.Tensor(w)).item()
        print(f"    step {step}: loss {loss:.10f}   max |g| {norms[-1]:.2e}")
        if norms[-1] < 1e-12:
            break
        w = w - np.linalg.solve(hessian, g)
    print(f"    w = {np.round(w, 4)}")
    check(norms[-1] < 1e-12 and len(norms) <= 7,
          f"Newton drives the gradient below 1e-12 in {len(norms) - 1} steps")

    section("Picture")
    plots = plots_or_none()
    if plots is not None:
        figure = plots.new_figure(figsize=(10, 3.6), layout="constrained")
        for ax, name in zip(figure.subplots(1, 3), ("tanh", "softplus", "selu"), strict=True):
            plots.plot_activation(name, ax=ax)  # f, f' and f'' from the engine
        path = picture_path(out, "second_derivatives.png")
        plots.save_figure(figure, path)
        wrote(path)


if __name__ == "__main__":
    main()
