# %% [markdown]
# # Lesson 4: The activation family: saturation, Keras's relu, and the seed's walk-through
#
# Without a nonlinearity between them, stacked layers collapse into one linear map. The
# activation supplies the bend, and its derivative decides how well gradients travel back
# through it. We walk through tensorflow.keras.activations the way the seed blog post did
# (sigmoid, tanh, relu with alpha / max_value / threshold, LeakyReLU, elu, selu, softmax,
# softplus, softsign), with each function's value and derivative computed by the engine,
# and reproduce the post's two printed examples exactly.
#
# **Learning objectives**
#
# - read an activation's value and derivative off one backward pass;
# - recognise saturation and the vanishing gradient of stacked sigmoids;
# - use Keras's `relu(alpha, max_value, threshold)` and see each option's effect;
# - reproduce the seed post's two printed examples.
#
# Estimated time: 20 minutes

# %%
import math

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.activations import (
    elu,
    relu,
    selu,
    sigmoid,
    softmax,
    softplus,
    softsign,
    tanh,
)
from tinygrad_acts.layers import LeakyReLU
from tinygrad_acts.lessons import begin, check, picture, plots_or_none, show

out = begin(4)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_04

# %% [markdown]
# Two helpers for what follows: an activation's values and slopes at some points, one
# backward pass for all of them, and a small table to print them.

# %%
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

def value_and_slope(fn, xs, **params) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) at each x: one backward pass of sum(f(x)) gives every f'(x) at once,
    since each output depends only on its own input."""
    x = ta.Tensor(np.asarray(xs, dtype=np.float64), requires_grad=True)
    y = fn(x, **params)
    y.sum().backward()
    return y.numpy(), x.grad.numpy()


def table(label: str, xs, values, slopes) -> None:
    """A small table: x, f(x) and f'(x) in columns of 4 significant digits."""
    print(f"    {label}")
    for name, row in (("x", xs), ("f(x)", values), ("f'(x)", slopes)):
        print(f"      {name:<6}" + "".join(f"{v:>11.4g}" for v in row))


xs = [-10.0, -5.0, -2.0, 0.0, 2.0, 5.0, 10.0]

# %% [markdown]
# ## sigmoid: (0, 1), and saturation
#
# sigmoid(x) = 1 / (1 + e^-x) squashes any input into (0, 1). Its derivative
# sigmoid(x) (1 - sigmoid(x)) is at most 1/4 (at x = 0) and almost nothing once |x|
# is a few units: the unit saturates, and the gradient it passes back vanishes.

# %%
values, slopes = value_and_slope(sigmoid, xs)
table("sigmoid", xs, values, slopes)
check(slopes.max() == 0.25 and slopes.argmax() == xs.index(0.0),
      f"sigmoid' peaks at x = 0 with 0.25, got {slopes.max()}")
check(slopes[-1] < 5e-5, f"saturated at x = 10: sigmoid'(10) = {slopes[-1]:.2e} < 5e-5")

# %% [markdown]
# Stack ten sigmoids and the chain rule multiplies ten such derivatives, each at
# most 1/4: the gradient reaching the input is at most 4^-10, about 1e-6. This is
# the vanishing gradient problem of deep sigmoid networks.

# %%
x = ta.Tensor(0.0, dtype="float64", requires_grad=True)
h = x
for _ in range(10):
    h = sigmoid(h)
h.backward()
print(f"    d sigmoid^10(x)/dx at x = 0: {x.grad.item():.3e}   "
      f"(bound 0.25^10 = {0.25**10:.3e})")
check(0 < x.grad.item() <= 0.25**10, f"through 10 sigmoids the gradient is "
      f"{x.grad.item():.2e} <= 0.25^10")

# %% [markdown]
# ## tanh: zero-centred
#
# tanh(x) = 2 sigmoid(2x) - 1: the same S-curve stretched to (-1, 1) and centred on 0,
# with slope 1 at the origin (four times sigmoid's). Symmetric inputs give outputs
# with mean 0, where sigmoid's have mean 1/2; but it saturates just the same.

# %%
values, slopes = value_and_slope(tanh, xs)
table("tanh", xs, values, slopes)
grid = np.linspace(-4, 4, 81)
identity_gap = np.abs(tanh(grid).numpy() - (2 * sigmoid(2 * grid).numpy() - 1)).max()
check(identity_gap < 1e-12, f"tanh(x) = 2 sigmoid(2x) - 1 (difference {identity_gap:.1e})")
check(slopes[xs.index(0.0)] == 1.0, "tanh'(0) = 1")
check(slopes[xs.index(5.0)] < 2e-4, f"saturated at x = 5: tanh'(5) = {slopes[5]:.2e}")
mean_tanh, mean_sigmoid = tanh(grid).numpy().mean(), sigmoid(grid).numpy().mean()
check(abs(mean_tanh) < 1e-12 and abs(mean_sigmoid - 0.5) < 1e-12,
      f"over symmetric inputs tanh's mean is {mean_tanh:.1e}, sigmoid's {mean_sigmoid:.3f}")

# %% [markdown]
# ## relu, Keras style: ReLU, LeakyReLU and ThresholdedReLU in one
#
# The seed writes relu(x, alpha=0.0, max_value=None, threshold=0.0) (tf.keras 2's
# names; Keras 3 calls alpha negative_slope, and both work here):
#
#     x > threshold:   x, clipped at max_value if one is given
#     x <= threshold:  alpha * (x - threshold)
#
# Its derivative is 1 on the passing part, 0 above max_value, alpha below the
# threshold. On x = [-10, -5, 0, 5, 10], Keras's own test vectors:

# %%
grid5 = [-10.0, -5.0, 0.0, 5.0, 10.0]
cases = [
    ({}, [0, 0, 0, 5, 10], [0, 0, 0, 1, 1]),
    ({"alpha": 0.5}, [-5, -2.5, 0, 5, 10], [0.5, 0.5, 0.5, 1, 1]),
    ({"max_value": 5.0}, [0, 0, 0, 5, 5], [0, 0, 0, 0, 0]),
    ({"threshold": 5.0}, [0, 0, 0, 0, 10], [0, 0, 0, 0, 1]),
    ({"alpha": 0.5, "max_value": 5.0, "threshold": 5.0},
     [-7.5, -5, -2.5, 0, 5], [0.5, 0.5, 0.5, 0.5, 0]),
]
for params, expected_values, expected_slopes in cases:
    values, slopes = value_and_slope(relu, grid5, **params)
    call = ", ".join(["x"] + [f"{k}={v}" for k, v in params.items()])
    print(f"    relu({call}):  f = {values}   f' = {slopes}")
    check(np.array_equal(values, expected_values) and np.array_equal(slopes, expected_slopes),
          f"relu({call}) gives {expected_values} with slopes {expected_slopes}")

# %% [markdown]
# The threshold is strict: at x == threshold the output is 0, and just above it jumps
# to x (here from 0 to 5). relu'(0) is taken as 0, as PyTorch does.
#
# Plain relu's derivative is exactly 0 for every negative input: a unit whose inputs
# are all negative passes no gradient back and never learns again (a "dead" unit).
# The leaky version keeps a slope alpha there. As a function, relu(x, alpha=0.1); as
# a layer, the seed's example:

# %%
layer = LeakyReLU(alpha=0.1)
output = layer([1.0, -1.0, 1.5, 2.0])
print("    >>> layer = LeakyReLU(alpha=0.1)")
print("    >>> print(layer([1.0, -1.0, 1.5, 2.0]))")
print(f"    {output}")
expected = "Tensor([ 1.  -0.1  1.5  2. ], shape=(4,), dtype=float32)"
check(str(output) == expected, f"it prints exactly the seed's line: {expected}")
same = relu(ta.Tensor([1.0, -1.0, 1.5, 2.0]), alpha=0.1)
check(np.array_equal(same.numpy(), output.numpy()), "relu(x, alpha=0.1) gives the same")

# %% [markdown]
# ## elu and selu: a smooth negative side
#
# elu(x, alpha) = x for x > 0, alpha (e^x - 1) otherwise: negative outputs (so the
# mean can sit near 0) that saturate at -alpha instead of dropping to a dead 0.
# selu(x) = scale * elu(x, alpha) with scale = 1.0507 and alpha = 1.6733: the pair
# that keeps activations at mean 0 and variance 1 from layer to layer, provided the
# weights are initialized with kernel_initializer='lecun_normal' (lesson 8 shows it).

# %%
values, slopes = value_and_slope(elu, xs)
table("elu(x, alpha=1.0)", xs, values, slopes)
half, _ = value_and_slope(elu, [-10.0], alpha=0.5)
check(abs(values[0] + 1) < 1e-4 and abs(half[0] + 0.5) < 1e-4,
      f"elu saturates at -alpha: elu(-10) = {values[0]:.5f}, with alpha=0.5 {half[0]:.5f}")
values, slopes = value_and_slope(selu, xs)
table("selu", xs, values, slopes)
scaled_elu = SELU_SCALE * elu(np.asarray(xs), alpha=SELU_ALPHA).numpy()
check(np.allclose(values, scaled_elu, rtol=1e-12, atol=0),
      "selu(x) = scale * elu(x, alpha=1.6733)")
check(abs(values[0] + SELU_SCALE * SELU_ALPHA) < 1e-4,
      f"selu saturates at -scale * alpha = -1.7581: selu(-10) = {values[0]:.5f}")

# %% [markdown]
# ## softmax: a probability distribution over an axis
#
# softmax(x)_i = e^(x_i) / sum_j e^(x_j), along an axis (the last by default): every
# output in (0, 1), each row summing to 1. The seed's example:

# %%
logits = ta.Tensor(np.array([1.1, 2.3, 3.4], dtype=np.float32).reshape(1, 3))
probabilities = softmax(logits, axis=-1)
print("    >>> print(softmax(Tensor([[1.1, 2.3, 3.4]]), axis=-1))")
print(f"    {probabilities}")
seed_values = [0.06995795, 0.23226859, 0.69777346]
gap = np.abs(probabilities.numpy()[0] - seed_values).max()
check(probabilities.shape == (1, 3) and probabilities.dtype == np.float32 and gap < 1e-6,
      f"the seed's [[0.06995795 0.23226859 0.69777346]] to 1e-6 (difference {gap:.1e})")
check(abs(probabilities.numpy().sum() - 1) < 1e-6, "the row sums to 1")

# %% [markdown]
# (Lesson 6 is about computing it without overflow, and about its gradient.)
#
# ## softplus and softsign
#
# softplus(x) = log(1 + e^x) is a smooth relu: it never differs from relu by more
# than log 2 (at x = 0), and its derivative is exactly the sigmoid. softsign(x) =
# x / (1 + |x|) is an S-curve like tanh whose tails approach +-1 polynomially, not
# exponentially: its derivative 1 / (1 + |x|)^2 dies far more slowly.

# %%
grid = np.linspace(-6, 6, 121)
plus_values, plus_slopes = value_and_slope(softplus, grid)
gap_relu = (plus_values - np.maximum(grid, 0)).max()
check(abs(gap_relu - math.log(2)) < 1e-12,
      f"softplus(x) - relu(x) is at most log 2 = 0.6931: max {gap_relu:.4f}")
gap_sigmoid = np.abs(plus_slopes - sigmoid(grid).numpy()).max()
check(gap_sigmoid < 1e-12, f"softplus' = sigmoid (difference {gap_sigmoid:.1e})")
_, sign_slopes = value_and_slope(softsign, [5.0])
_, tanh_slopes = value_and_slope(tanh, [5.0])
print(f"    at x = 5: softsign' = {sign_slopes[0]:.4f}, tanh' = {tanh_slopes[0]:.2e}")
check(abs(sign_slopes[0] - 1 / 36) < 1e-12 and sign_slopes[0] > 100 * tanh_slopes[0],
      "softsign'(5) = 1/36, over 100 times tanh'(5)")

# %% [markdown]
# ## Pictures: each function with its derivatives
#
# Each picture draws f, f' and f'' over [-5, 5], except where that would hide the point:
# relu capped at max_value = 6 is drawn up to x = 9, so that the cap shows (f flat at 6,
# f' dropping to 0 past it).

# %%
plots = plots_or_none()
if plots is not None:
    pictures = [
        ("sigmoid", {}, (-5, 5)), ("tanh", {}, (-5, 5)), ("relu", {}, (-5, 5)),
        ("relu", {"alpha": 0.1}, (-5, 5)), ("relu", {"max_value": 6.0}, (-3, 9)),
        ("relu", {"alpha": 0.1, "max_value": 3.0, "threshold": 1.0}, (-3, 5)),
        ("elu", {}, (-5, 5)), ("selu", {}, (-5, 5)), ("softplus", {}, (-5, 5)),
        ("softsign", {}, (-5, 5)),
    ]
    for name, params, x_range in pictures:
        suffix = "".join(f"_{k}_{v:g}" for k, v in params.items())
        path = picture(out, f"{name}{suffix}.png")
        plots.plot_activation(name, path=path, x_range=x_range, **params)
        show(path)

# %% [markdown]
# ## Your turn
#
# Write it yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 5    # sigmoid's backward
#     tinygrad-acts exercise start 6    # tanh's backward
#     tinygrad-acts exercise start 7    # softplus's backward
#     tinygrad-acts exercise start 8    # ELU's backward, with its alpha
#
# `start N` writes the exercise's file (a task, a signature and a TODO) in the current
# folder; `tinygrad-acts exercise check 5` grades it, and `exercise solution 5` shows
# one answer. `tinygrad-acts exercise list` shows them all.
