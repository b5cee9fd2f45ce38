# %% [markdown]
# # Lesson 9: Higher-order gradients: second derivatives of activations, and Newton's method
#
# Every backward rule in this library is written with Tensor operations, so the backward
# pass is itself a graph the engine can differentiate: ta.grad(..., create_graph=True)
# returns a gradient that remembers how it was computed, and differentiating it again gives
# the second derivative. We check f'' (and a third derivative) of several activations against
# their formulas, then use the curvature for Newton's method, in one dimension and on a
# logistic regression with a Hessian built row by row.
#
# **Learning objectives**
#
# - take second derivatives with `ta.grad(..., create_graph=True)`;
# - check every activation's f'' against its formula, and with `ta.gradgradcheck`;
# - see where relu-like activations have no curvature;
# - use f'' for Newton's method, and watch it converge quadratically.
#
# Estimated time: 15 minutes

# %%
import math

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts import losses
from tinygrad_acts.activations import elu, relu, selu, sigmoid, softplus, tanh
from tinygrad_acts.lessons import begin, check, picture, plots_or_none, show
from tinygrad_acts.plots import derivatives  # needs no matplotlib

out = begin(9)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_09

# %% [markdown]
# SELU's two constants (lesson 8), used in the formulas below.

# %%
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# %% [markdown]
# ## 1. Second derivatives of activations
#
# The mechanism, on tanh at x = 0.5: differentiate once with create_graph=True, and
# the result is a Tensor with a graph of its own; differentiate that.
#
#     x = ta.Tensor(0.5, dtype="float64", requires_grad=True)
#     (first,) = ta.grad(tanh(x), x, create_graph=True)
#     (second,) = ta.grad(first, x)

# %%
x = ta.Tensor(0.5, dtype="float64", requires_grad=True)
(first,) = ta.grad(tanh(x), x, create_graph=True)
(second,) = ta.grad(first, x)
t = math.tanh(0.5)
print(f"    tanh'(0.5) = {first.item():.10f}  (1 - tanh^2 = {1 - t * t:.10f})")
print(f"    tanh''(0.5) = {second.item():.10f}  (-2 tanh (1 - tanh^2) = "
      f"{-2 * t * (1 - t * t):.10f})")
check(first.requires_grad and abs(second.item() + 2 * t * (1 - t * t)) < 1e-15,
      "the first derivative is itself differentiable, and its derivative is tanh''")

# %% [markdown]
# plots.derivatives(fn, x, order) repeats this (summing first: each output depends
# only on its own input, so d(sum f(x))/dx_i = f'(x_i)). Each row below: the
# engine's f'' against the formula, at 12 points in [-3, 3] that avoid 0 (where elu,
# selu and relu have a kink).

# %%
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

# %% [markdown]
# Nothing stops at two: tanh''' = -2 (1 - tanh^2)(1 - 3 tanh^2). And the curvature
# says where tanh bends most: |tanh''| peaks where tanh''' = 0, at
# x = atanh(1/sqrt(3)) = 0.6585.

# %%
_, _, _, third = derivatives(tanh, points, order=3)
gap = np.abs(third - (-2 * (1 - t**2) * (1 - 3 * t**2))).max()
check(gap < 1e-12, f"tanh''' matches its formula (difference {gap:.1e})")
grid = np.linspace(0, 2, 2001)
_, _, second = derivatives(tanh, grid, order=2)
peak = grid[np.abs(second).argmax()]
check(abs(peak - math.atanh(1 / math.sqrt(3))) < 1e-3,
      f"|tanh''| is largest at x = {peak:.4f}, atanh(1/sqrt(3)) = 0.6585")

# %% [markdown]
# ## 2. Newton's method in one dimension
#
# Minimize f(x) = softplus(x) - 0.3 x. f'(x) = sigmoid(x) - 0.3 vanishes at
# x* = log(0.3 / 0.7) = -0.8473. Gradient descent steps x -= lr f'(x) with a fixed
# lr; Newton divides by the curvature instead, x -= f'(x) / f''(x), the step that
# would land exactly on the minimum of the local parabola. Near x* the error is
# squared at each step: the number of correct digits doubles.

# %%
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

# %% [markdown]
# The catch: quadratic convergence is local. Started at x = 2, where the curvature
# sigmoid'(2) = 0.10 is small, the first Newton step overshoots far to the other side,
# where the curvature is smaller still, and the iterates run away. Practical Newton
# methods damp or safeguard the step.

# %%
x, path = 2.0, [2.0]
while abs(x) < 100 and len(path) < 10:
    g, h = slope_and_curvature(x)
    x -= g / h
    path.append(x)
print("    from x = 2: " + " -> ".join(f"{v:.4g}" for v in path))
check(abs(path[-1]) >= 100, f"undamped Newton diverges from x = 2 (|x| = {abs(path[-1]):.3g})")

# %% [markdown]
# ## 3. Newton on a logistic regression: the Hessian by double backward
#
# Three parameters w (two weights and a bias) of a logistic regression on 200 moons
# points, loss L(w) = mean binary cross-entropy + 0.01 |w|^2. The gradient g is one
# ta.grad with create_graph=True; row i of the Hessian is the gradient of g[i], one
# more backward pass each. Newton's step solves H d = g.

# %%
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

# %% [markdown]
# ## Pictures
#
# Newton's method itself: at each iterate x_k the engine's f'(x_k) and f''(x_k) give the
# parabola f(x_k) + f'(x_k) (x - x_k) + f''(x_k) (x - x_k)^2 / 2 that touches f there, and
# the next iterate is that parabola's lowest point (drawn from x0 = 1, where the first
# parabola is visibly not f). On the right, the distance to x* at
# each step: Newton's error is squared each step; gradient descent's shrinks by a
# constant factor. Then tanh, softplus and selu with f' and f'', from the engine.

# %%
plots = plots_or_none()
if plots is not None:
    figure = plots.new_figure(figsize=(10, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    xs = np.linspace(-2.5, 1.5, 401)
    fs = softplus(ta.Tensor(xs)).numpy() - 0.3 * xs
    left.plot(xs, fs, color="black", linewidth=2, label="f(x) = softplus(x) - 0.3 x")
    x_k, lowest = 1.0, fs.min()
    for k in range(3):
        g, h = slope_and_curvature(x_k)
        f_k = float(softplus(ta.Tensor(x_k)).item()) - 0.3 * x_k
        near = xs[np.abs(xs - x_k) < 2.3]
        parabola = f_k + g * (near - x_k) + 0.5 * h * (near - x_k) ** 2
        color = f"C{k}"
        left.plot(near, parabola, "--", color=color, label=f"parabola at x{k} = {x_k:.4f}")
        landing = x_k - g / h
        left.plot([x_k], [f_k], "o", color=color)
        left.annotate("", xy=(landing, f_k - 0.5 * g * g / h), xytext=(x_k, f_k),
                      arrowprops={"arrowstyle": "->", "color": color})
        x_k, lowest = landing, min(lowest, f_k - 0.5 * g * g / h)
    left.axvline(target, color="0.6", linewidth=0.8, label=f"x* = {target:.4f}")
    left.set(xlabel="x", ylabel="f(x)", title="Newton: jump to the parabola's minimum",
             ylim=(lowest - 0.05, fs.min() + 0.6))
    left.legend(fontsize="small")
    steps = np.arange(len(newton_errors))
    right.semilogy(steps, np.maximum(newton_errors, 1e-17), "o-", label="Newton")
    right.semilogy(steps, descent_errors, "s-", label="gradient descent (lr = 1)")
    right.set(xlabel="step", ylabel="|x - x*|", title="Digits doubled at each Newton step")
    right.grid(alpha=0.3)
    right.legend()
    path = picture(out, "newton.png")
    plots.save_figure(figure, path)
    show(path)

    figure = plots.new_figure(figsize=(10, 3.6), layout="constrained")
    for ax, name in zip(figure.subplots(1, 3), ("tanh", "softplus", "selu"), strict=True):
        plots.plot_activation(name, ax=ax)  # f, f' and f'' from the engine
    path = picture(out, "second_derivatives.png")
    plots.save_figure(figure, path)
    show(path)

# %% [markdown]
# ## Your turn
#
# Write it yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 15   # a Newton step with second derivatives
#
# `start N` writes the exercise's file (a task, a signature and a TODO) in the current
# folder; `tinygrad-acts exercise check 15` grades it, and `exercise solution 15` shows
# one answer. `tinygrad-acts exercise list` shows them all.
