# %% [markdown]
# # Lesson 1: Derivatives by finite differences, and why central differences
#
# The derivative is a limit: f'(x) = lim (f(x + h) - f(x)) / h as h -> 0. A computer cannot
# take the limit, but it can take a small h. How small? And is there a better formula? This
# lesson measures the error of two formulas on f(x) = x^3 - 2x at x = 2, where the exact
# answer is f'(2) = 3 * 2^2 - 2 = 10, and then shows why an autodiff engine exists at all.
#
# **Learning objectives**
#
# - estimate a derivative with forward and central differences;
# - explain, from Taylor's series, why their errors shrink like h and h^2;
# - see rounding take over below the best step, and why gradcheck wants float64;
# - compare with the exact derivative the engine's backward pass gives.
#
# Estimated time: 15 minutes

# %%
import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.lessons import begin, check, picture, plots_or_none, show

out = begin(1)  # where the pictures go: --output-dir, or ./tinygrad_acts_output/lesson_01

# %% [markdown]
# The function, its exact derivative at x = 2, and the two formulas:

# %%
X0, EXACT = 2.0, 10.0
STEPS = [10.0**-k for k in range(1, 13)]  # h = 1e-1 ... 1e-12


def f(x):
    """Works on Python floats, numpy scalars and Tensors alike."""
    return x**3 - 2 * x


def forward_difference(x, h):
    return (f(x + h) - f(x)) / h


def central_difference(x, h):
    return (f(x + h) - f(x - h)) / (2 * h)

# %% [markdown]
# ## Two formulas, one table
#
# Forward difference: (f(x + h) - f(x)) / h. Central difference: (f(x + h) - f(x - h))
# / 2h. Here are their errors |estimate - 10| in float64 for h from 0.1 down to 1e-12:

# %%
forward = np.array([abs(forward_difference(X0, h) - EXACT) for h in STEPS])
central = np.array([abs(central_difference(X0, h) - EXACT) for h in STEPS])
print(f"    {'h':>8}  {'forward error':>14}  {'central error':>14}")
for h, e_f, e_c in zip(STEPS, forward, central, strict=True):
    print(f"    {h:8.0e}  {e_f:14.3e}  {e_c:14.3e}")

# %% [markdown]
# ## Why: Taylor's series
#
# f(x + h) = f(x) + h f'(x) + h^2/2 f''(x) + h^3/6 f'''(x) + ...
#
# So the forward difference is f'(x) + h/2 f''(x) + ...: its error shrinks like h (here
# h/2 * f''(2) = 6h). Subtracting f(x - h) cancels every even power, so the central
# difference is f'(x) + h^2/6 f'''(x) + ...: its error shrinks like h^2 (here exactly
# h^2, since f''' = 6). Dividing h by 10 divides the first error by 10 and the second by
# 100:

# %%
# h = 1e-2 -> 1e-3 is well inside the range where truncation, not rounding, dominates.
ratio_forward = forward[1] / forward[2]
ratio_central = central[1] / central[2]
print(f"    forward: error(1e-2) / error(1e-3) = {ratio_forward:.2f}")
print(f"    central: error(1e-2) / error(1e-3) = {ratio_central:.2f}")
check(9 < ratio_forward < 11,
      f"the forward error falls like h: ratio {ratio_forward:.2f}, expected about 10")
check(95 < ratio_central < 105,
      f"the central error falls like h^2: ratio {ratio_central:.2f}, expected about 100")

# %% [markdown]
# ## Why not h = 1e-12? Rounding
#
# Below some h the errors grow again. f(x + h) and f(x) agree in almost all their
# digits, and their difference keeps only the few that differ: float64 holds about 16
# significant digits (machine epsilon 2.2e-16), so the difference carries a rounding
# error of about 1e-16 * |f| that the division by h blows up. The total error is
# truncation + rounding, about h + 1e-16/h for the forward difference (best near
# h = 1e-8, the square root of epsilon) and h^2 + 1e-16/h for the central one (best near
# h = 1e-5, the cube root): the central difference is better at its best h, too.

# %%
best_f, best_c = forward.argmin(), central.argmin()
print(f"    best forward: error {forward[best_f]:.2e} at h = {STEPS[best_f]:.0e}")
print(f"    best central: error {central[best_c]:.2e} at h = {STEPS[best_c]:.0e}")
print(f"    central at h = 1e-12: error {central[-1]:.2e}")
check(1e-9 <= STEPS[best_f] <= 1e-7,
      f"the forward difference is best near h = 1e-8, found h = {STEPS[best_f]:.0e}")
check(1e-6 <= STEPS[best_c] <= 1e-4,
      f"the central difference is best near h = 1e-5, found h = {STEPS[best_c]:.0e}")
check(central[best_c] * 50 < forward[best_f],
      f"the best central error ({central[best_c]:.1e}) is over 50 times smaller than the "
      f"best forward error ({forward[best_f]:.1e})")
check(central[-1] > 1000 * central[best_c],
      f"at h = 1e-12 rounding dominates: error {central[-1]:.1e}, over 1000 times the best")

# %% [markdown]
# ## And in float32?
#
# float32 keeps only about 7 digits (epsilon 1.2e-7): the best central step is near
# 1e-7^(1/3), about 5e-3, and even there the error is large. That is why
# ta.gradcheck wants float64 inputs: its default step eps = 1e-6 would be hopeless
# in float32.

# %%
x32 = np.float32(X0)
errors32 = {h: abs(float(central_difference(x32, np.float32(h))) - EXACT)
            for h in (1e-1, 1e-2, 1e-3, 1e-4, 1e-6)}
for h, error in errors32.items():
    print(f"    float32, h = {h:.0e}: central error {error:.2e}")
best32 = min(errors32.values())
check(best32 > 1000 * central[best_c],
      f"float32's best central error ({best32:.1e}) is over 1000 times float64's "
      f"({central[best_c]:.1e})")
check(errors32[1e-6] > 0.1,
      f"float32 with h = 1e-6 is useless: error {errors32[1e-6]:.2f}")

# %% [markdown]
# ## What the engine does instead
#
# Reverse-mode autodiff applies the exact rules d(x^3)/dx = 3x^2 and d(2x)/dx = 2
# instead of measuring: no step size, no truncation error, and (as the next lessons
# show) every input's derivative from a single backward pass.

# %%
x = ta.Tensor(X0, dtype="float64", requires_grad=True, name="x")
y = f(x)
y.backward()
print(f"    y = x**3 - 2*x at x = 2: y = {y.item()}, backward gives dy/dx = {x.grad.item()}")
check(x.grad.item() == EXACT, f"backward gives exactly 10, got {x.grad.item()!r}")

# %% [markdown]
# Finite differences remain the referee: ta.gradcheck compares backward's answer with
# central differences (step 1e-6, float64), element by element.

# %%
passed = ta.gradcheck(f, [ta.Tensor([X0, -1.0, 0.5], dtype="float64", requires_grad=True)])
check(passed, "ta.gradcheck agrees with the backward pass of x**3 - 2*x")

# %% [markdown]
# ## The cost of measuring
#
# A numerical gradient of a function of n inputs needs 2n evaluations (two per
# input); backward needs one forward and one backward pass, whatever n is. With
# n = 1000:

# %%
rng = np.random.default_rng(0)
w = ta.Tensor(rng.normal(size=1000), requires_grad=True)
evaluations = 0


def loss(values: np.ndarray) -> float:
    """sum(tanh(w)) on plain numbers, counting how often it runs."""
    global evaluations
    evaluations += 1
    return float(np.tanh(values).sum())


ta.activations.tanh(w).sum().backward()
h = 1e-6
numerical = np.empty(w.size)
for i in range(w.size):
    step = np.zeros(w.size)
    step[i] = h
    numerical[i] = (loss(w.data + step) - loss(w.data - step)) / (2 * h)
worst = np.abs(numerical - w.grad.data).max()
print(f"    {evaluations} evaluations of the function for the numerical gradient;")
print(f"    the backward pass agrees to {worst:.1e} everywhere.")
check(worst < 1e-8, f"backward matches the central differences to 1e-8, worst {worst:.1e}")

# %% [markdown]
# ## Picture

# %%
plots = plots_or_none()
if plots is not None:
    # matplotlib's object-oriented API, as tinygrad_acts.plots uses: no backend to pick.
    figure = plots.new_figure(figsize=(6, 4), layout="constrained")
    ax = figure.add_subplot()
    ax.loglog(STEPS, forward, "o-", label="forward difference")
    ax.loglog(STEPS, central, "s-", label="central difference")
    ax.set(xlabel="step h", ylabel="|error| of f'(2)",
           title="Finite differences: rounding (left) against truncation (right)")
    ax.grid(alpha=0.3)
    ax.legend()
    path = picture(out, "finite_difference_errors.png")
    plots.save_figure(figure, path)
    show(path)

# %% [markdown]
# ## Your turn
#
# Write the central difference yourself, and let the grader test it:
#
#     tinygrad-acts exercise start 1      # writes 01_finite_differences.py to edit
#     tinygrad-acts exercise check 1      # grades it
#
# (`tinygrad-acts exercise list` shows them all.)
