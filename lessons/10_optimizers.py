# %% [markdown]
# # Lesson 10: Optimizers: SGD, momentum, RMSprop, Adam and AdamW in a narrow valley
#
# Backward gives each weight its gradient; the optimizer decides how far to move. Plain
# gradient descent uses one step size for every weight, and a loss surface that is steep in
# one direction and flat in another forces that step to suit the steep one, so progress
# along the flat one crawls. Momentum remembers the past steps and gathers speed along the
# valley; RMSprop and Adam divide each coordinate's step by a running size of its own
# gradients, so every coordinate moves at about the same pace. AdamW adds weight decay that
# does not go through that division. We run all five from the same start on the same
# valley and watch where they go.
#
# **Learning objectives**
#
# - see why one learning rate cannot suit a steep and a flat direction at once;
# - read the update rules of SGD, momentum, RMSprop, Adam and AdamW in `ta.optimizers`;
# - see Adam's first step: about `learning_rate` in every coordinate, whatever the gradient;
# - see what decoupled weight decay does to where AdamW ends.
#
# Estimated time: 15 minutes

# %%
import numpy as np

import tinygrad_acts as ta
from tinygrad_acts import optimizers
from tinygrad_acts.lessons import begin, check, picture, plots_or_none, show

out = begin(10)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_10

# %% [markdown]
# ## 1. The valley
#
# The loss is a quadratic bowl stretched a hundred times more along y than along x:
#
#     f(x, y) = 0.5 (0.1 (x - 1)^2 + 10 (y - 0.5)^2),   minimum at (1, 0.5)
#
# Its gradient is (0.1 (x - 1), 10 (y - 0.5)), and its curvatures are 0.1 and 10. Every
# optimizer starts at (-4, 2) and takes 100 steps, each one a forward pass, a backward
# pass and `optimizer.step([w])`, as in a training loop.

# %%
CURVATURE = np.array([0.1, 10.0])
MINIMUM = np.array([1.0, 0.5])
START = np.array([-4.0, 2.0])
STEPS = 100


def loss_of(w: ta.Tensor) -> ta.Tensor:
    d = w - ta.Tensor(MINIMUM)
    return 0.5 * (d * d * ta.Tensor(CURVATURE)).sum()


def descend(optimizer: optimizers.Optimizer, steps: int = STEPS) -> tuple[np.ndarray, np.ndarray]:
    """The points visited (steps + 1 of them) and the loss before each step."""
    w = ta.Tensor(START.copy(), requires_grad=True)
    points, losses = [w.data.copy()], []
    for _ in range(steps):
        w.grad = None
        loss = loss_of(w)
        loss.backward()
        losses.append(loss.item())
        optimizer.step([w])
        points.append(w.data.copy())
    return np.array(points), np.array(losses)


w = ta.Tensor(START.copy(), requires_grad=True)
loss_of(w).backward()
gradient = w.grad.numpy()
print(f"    at the start: loss {loss_of(w).item():.3f}, gradient {gradient}")
check(np.allclose(gradient, CURVATURE * (START - MINIMUM)),
      "backward gives the gradient (0.1 (x - 1), 10 (y - 0.5))")

# %% [markdown]
# ## 2. Gradient descent: one step size for both directions
#
# SGD moves `w -= learning_rate * gradient`. Along y the step multiplies the distance to
# the minimum by (1 - 10 lr) each time, so it must stay below 2 / 10 = 0.2, or y
# oscillates ever wider. With lr = 0.15, y overshoots, bounces and settles; x moves by
# only 0.1 lr = 1.5% of its distance per step.

# %%
paths, losses = {}, {}
paths["SGD"], losses["SGD"] = descend(optimizers.SGD(learning_rate=0.15))
first_step = paths["SGD"][1] - paths["SGD"][0]
print(f"    first step {first_step}: y jumps past the minimum, x barely moves")
end = paths["SGD"][-1]
print(f"    after {STEPS} steps: ({end[0]:.3f}, {end[1]:.3f}), loss {losses['SGD'][-1]:.4f}")
check(abs(end[1] - MINIMUM[1]) < 1e-6 and abs(end[0] - MINIMUM[0]) > 1.0,
      f"y has converged but x is still {abs(end[0] - MINIMUM[0]):.2f} from the minimum")
too_big, _ = descend(optimizers.SGD(learning_rate=0.25), steps=20)
check(abs(too_big[-1, 1] - MINIMUM[1]) > 100 * abs(START[1] - MINIMUM[1]),
      f"lr = 0.25 > 0.2: y oscillates wider each step (|y - 0.5| = "
      f"{abs(too_big[-1, 1] - MINIMUM[1]):.0f} after 20 steps)")

# %% [markdown]
# ## 3. Momentum: gather speed along the valley
#
# SGD with momentum keeps a velocity, `v = momentum * v - lr * g; w += v`. Along x the
# gradient keeps the same sign, so the velocity grows to about lr / (1 - momentum), 5 times
# a plain step with momentum = 0.8; along y the gradient changes sign, and the bounces
# partly cancel.

# %%
paths["momentum"], losses["momentum"] = descend(optimizers.SGD(0.15, momentum=0.8))
distance = {name: np.linalg.norm(p[-1] - MINIMUM) for name, p in paths.items()}
print(f"    distance to the minimum after {STEPS} steps: SGD {distance['SGD']:.4f}, "
      f"momentum {distance['momentum']:.4f}")
check(distance["momentum"] < distance["SGD"] / 100,
      "momentum ends over 100 times closer than SGD with the same learning rate")

# %% [markdown]
# ## 4. RMSprop and Adam: a step size per coordinate
#
# RMSprop divides each coordinate's step by the root of a running mean of its squared
# gradient, `w -= lr * g / sqrt(v + eps)`. Adam does the same with a running mean of the
# gradient itself on top (momentum), and corrects both averages for starting at zero. On
# its first step m = (1 - beta_1) g and v = (1 - beta_2) g^2, so the step is
# lr * g / |g| = lr * sign(g) in every coordinate: the gradients' sizes, 30 times apart
# here, no longer matter.

# %%
paths["RMSprop"], losses["RMSprop"] = descend(optimizers.RMSprop(learning_rate=0.05))
paths["Adam"], losses["Adam"] = descend(optimizers.Adam(learning_rate=0.1))
adam_first = paths["Adam"][1] - paths["Adam"][0]
print(f"    gradient at the start {gradient}, ratio {abs(gradient[1] / gradient[0]):.0f}")
print(f"    Adam's first step {adam_first}")
check(np.allclose(np.abs(adam_first), 0.1, rtol=1e-5),
      "Adam's first step is learning_rate = 0.1 in each coordinate")
rms_first = paths["RMSprop"][1] - paths["RMSprop"][0]
check(np.isclose(abs(rms_first[0]), abs(rms_first[1]), rtol=1e-5),
      f"RMSprop's first step is the same size in x and y ({abs(rms_first[0]):.4f})")
for name in ("RMSprop", "Adam"):
    distance[name] = np.linalg.norm(paths[name][-1] - MINIMUM)
    print(f"    {name}: ends at {np.round(paths[name][-1], 4)}, distance {distance[name]:.4f}")
check(distance["Adam"] < distance["SGD"] / 10,
      f"Adam ends {distance['SGD'] / distance['Adam']:.0f} times closer than SGD")

# %% [markdown]
# On this one valley, momentum with a well-chosen learning rate does best. What Adam buys
# is not needing that choice: multiply the loss by 100 (other units, a sum instead of a
# mean) and every gradient is 100 times larger. SGD's step grows with it and blows up;
# Adam's does not change, since it divides g by the size of g.

# %%
def scaled_loss_of(w: ta.Tensor) -> ta.Tensor:
    d = w - ta.Tensor(MINIMUM)
    return 50.0 * (d * d * ta.Tensor(CURVATURE)).sum()


def descend_scaled(optimizer: optimizers.Optimizer, steps: int) -> np.ndarray:
    w = ta.Tensor(START.copy(), requires_grad=True)
    for _ in range(steps):
        w.grad = None
        scaled_loss_of(w).backward()
        optimizer.step([w])
    return w.data.copy()


scaled_adam = descend_scaled(optimizers.Adam(learning_rate=0.1), STEPS)
print(f"    loss x 100: Adam ends at {np.round(scaled_adam, 4)} "
      f"(unscaled: {np.round(paths['Adam'][-1], 4)})")
check(np.allclose(scaled_adam, paths["Adam"][-1], atol=1e-4),
      "Adam's path does not depend on the scale of the loss")
scaled_sgd = descend_scaled(optimizers.SGD(learning_rate=0.15), 5)
check(abs(scaled_sgd[1]) > 1e6, f"SGD with the same learning rate blows up: y = "
      f"{scaled_sgd[1]:.2g} after 5 steps")

# %% [markdown]
# ## 5. AdamW: weight decay that is not rescaled
#
# Weight decay pulls every weight toward 0 a little at each step. Added to the gradient
# (L2 regularization), Adam would divide it by sqrt(v) like the rest; AdamW instead
# subtracts `lr * weight_decay * w` directly (Loshchilov & Hutter, "Decoupled Weight Decay
# Regularization"). It ends where the pull of the loss and the pull toward 0 balance, a
# little closer to the origin than the minimum.

# %%
paths["AdamW"], losses["AdamW"] = descend(optimizers.AdamW(learning_rate=0.1,
                                                           weight_decay=0.1))
print(f"    Adam ends at {np.round(paths['Adam'][-1], 3)}, "
      f"AdamW at {np.round(paths['AdamW'][-1], 3)}")
check(np.linalg.norm(paths["AdamW"][-1]) < np.linalg.norm(paths["Adam"][-1]),
      "AdamW ends closer to the origin than Adam: the decay pulls the weights in")

# %% [markdown]
# ## Pictures
#
# Left: the five paths on the contours of the loss. Right: the loss at each step, on a
# log scale.

# %%
plots = plots_or_none()
if plots is not None:
    figure = plots.new_figure(figsize=(11, 4.2), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=[1.6, 1])
    xs, ys = np.meshgrid(np.linspace(-4.5, 2.0, 200), np.linspace(-1.0, 2.5, 200))
    surface = 0.5 * (CURVATURE[0] * (xs - MINIMUM[0]) ** 2 + CURVATURE[1] * (ys - MINIMUM[1]) ** 2)
    left.contour(xs, ys, surface, levels=np.geomspace(0.01, 40, 14), colors="0.75",
                 linewidths=0.8)
    for name, points in paths.items():
        left.plot(points[:, 0], points[:, 1], marker=".", markersize=3, linewidth=1,
                  label=name)
        right.semilogy(np.maximum(losses[name], 1e-12), label=name)
    left.plot(*START, "ko")
    left.plot(*MINIMUM, "k*", markersize=12)
    left.set(xlabel="x", ylabel="y", title=f"{STEPS} steps from (-4, 2)")
    left.legend(loc="upper right", fontsize=8)
    right.set(xlabel="step", ylabel="loss", title="loss")
    path = picture(out, "optimizer_paths.png")
    plots.save_figure(figure, path)
    show(path)

# %% [markdown]
# ## Your turn
#
# - Rotate the valley by 45 degrees (replace `d` by `R @ d` for a rotation `R`): the steep
#   and flat directions are no longer x and y. Which optimizers still cope, and why do
#   RMSprop and Adam lose most of their edge?
# - Find the largest learning rate at which plain SGD still converges, and compare it with
#   2 / 10.
# - Try `optimizers.Nadam`, `optimizers.Lion` and `optimizers.Adagrad` on the same valley,
#   and a learning rate that changes with the step, e.g.
#   `optimizers.Adam(optimizers.schedules.CosineDecay(0.2, decay_steps=STEPS))`.
#
# Then write a momentum step yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 13   # an SGD-with-momentum step
#
# `tinygrad-acts exercise check 13` grades it, and `exercise solution 13` shows one answer.
