# %% [markdown]
# # Lesson 8: SELU's self-normalization: the fixed point, fair baselines, failure modes
#
# Klambauer et al. (2017) chose SELU's two constants, scale = 1.0507 and alpha = 1.6733, so
# that (mean 0, variance 1) is an attracting fixed point of the map from one layer's
# activation statistics to the next, when each unit's weights have variance 1/fan_in
# (`kernel_initializer='lecun_normal'`). We compute that map and its fixed point, check it
# against a real network, then compare SELU fairly (against ReLU with `he_normal`, and with
# BatchNormalization, not only against ReLU with `lecun_normal`), and break it on purpose:
# the wrong initializer, ordinary dropout, inputs nobody standardized.
#
# **Learning objectives**
#
# - compute the moment map g(mean, variance) of SELU, its fixed point (0, 1) and the
#   Jacobian there (largest singular value 0.7877 < 1: a contraction);
# - read per-layer statistics through 32 layers, and the heatmaps `ActivationStatistics`
#   draws during training;
# - compare SELU with the fair baselines, ReLU + `he_normal` and ReLU + BatchNormalization;
# - recognize the failure modes: `he_normal`, `Dropout` instead of `AlphaDropout`,
#   unstandardized inputs.
#
# Estimated time: 30 minutes

# %%
import numpy as np

import tinygrad_acts as ta
from tinygrad_acts import selfnorm
from tinygrad_acts.lessons import begin, check, picture, plots_or_none, show

out = begin(8)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_08
plots = plots_or_none()

# %% [markdown]
# ## 1. The map from one layer to the next, and its fixed point
#
# A unit sums its inputs x_i (mean mu, variance nu) with weights w_i. With
# omega = sum(w_i) and tau = sum(w_i^2), its pre-activation z is about N(mu omega, nu tau),
# and selu(z) has a new mean and variance: the moment map g(mu, nu). LeCun's initialization
# (weights of variance 1/n) gives omega = 0 and tau = 1 on average. `selfnorm.moment_map`
# computes g in closed form (integrals of each branch of selu against the normal density).

# %%
print("    g(0, 1) =", selfnorm.moment_map(0.0, 1.0))
mean, variance = selfnorm.moment_map(0.0, 1.0)
check(abs(mean) < 1e-12 and abs(variance - 1) < 1e-12, "(0, 1) is SELU's fixed point")

for start_variance, expected in {4.0: (2.94, 1.48, 1.12), 0.25: (0.33, 0.64, 0.875)}.items():
    path = selfnorm.iterate_moment_map(0.0, start_variance, steps=10)
    seen = path[[1, 5, 10], 1]
    print(f"    variance {start_variance:<4} -> after 1, 5, 10 layers: "
          + ", ".join(f"{v:.3f}" for v in seen))
    check(np.allclose(seen, expected, atol=0.01),
          f"from {start_variance}: {expected} after 1, 5 and 10 layers (the paper's figures)")

# %% [markdown]
# Near the fixed point, g acts like its Jacobian J (a 2x2 matrix of derivatives). If J's
# largest singular value is below 1, every small deviation from (0, 1) shrinks at each
# layer: the map is a contraction there. The first column is 0: with omega = 0 the
# pre-activation's mean is 0 whatever the inputs' mean, so the mean is forgotten in one layer.

# %%
jacobian = selfnorm.moment_jacobian(0.0, 1.0)
largest = np.linalg.norm(jacobian, 2)
print(f"    J at (0, 1) = [[{jacobian[0, 0]:.6f}, {jacobian[0, 1]:.6f}], "
      f"[{jacobian[1, 0]:.6f}, {jacobian[1, 1]:.6f}]]")
check(abs(largest - 0.7877) < 1e-4,
      f"the largest singular value of J is {largest:.4f} (the paper: 0.7877 < 1)")
if plots is not None:
    show(selfnorm.plot_fixed_point(picture(out, "fixed_point.png")))

# %% [markdown]
# The map is a model: it assumes the pre-activations are normal and the weights exactly
# (omega, tau) = (0, 1). A real layer of 512 units with `lecun_normal` weights, fed inputs
# of variance 4, should follow the prediction layer by layer.

# %%
ta.set_seed(0)
h = ta.Tensor(2.0 * np.random.default_rng(0).standard_normal((1000, 512)).astype(np.float32))
measured = []
with ta.no_grad():
    for _ in range(8):
        h = ta.layers.Dense(512, activation="selu", kernel_initializer="lecun_normal",
                            use_bias=False)(h)
        measured.append(float(h.numpy().var()))
predicted = selfnorm.iterate_moment_map(0.0, 4.0, steps=8)[1:, 1]
print("    layer      " + "".join(f"{n:>7}" for n in range(1, 9)))
print("    predicted  " + "".join(f"{v:7.3f}" for v in predicted))
print("    measured   " + "".join(f"{v:7.3f}" for v in measured))
worst = np.max(np.abs(np.array(measured) / predicted - 1))
check(worst < 0.1, f"a real network follows the map: within {worst:.1%} at every layer")

# %% [markdown]
# ## 2. Through 32 layers at initialization
#
# Now 32 layers `Dense(256, use_bias=False)`, a batch of 1000 standard normal inputs, one
# forward pass: each row is a layer's mean and variance, for SELU, ReLU and tanh with
# `lecun_normal`, and ReLU and SELU with `he_normal` (weights of twice the variance).

# %%
print(selfnorm.statistics_table(width=128))
stats = {f"{a}, {i}": selfnorm.layer_statistics(a, i, width=128, batch=500)
         for a, i in selfnorm.DEFAULT_CONFIGS}
snn = stats["selu, lecun_normal"]
check(np.abs(snn["mean"]).max() < 0.1 and np.abs(snn["var"] - 1).max() < 0.2,
      f"SELU + lecun_normal: every layer within 0.1 of mean 0 (worst "
      f"{np.abs(snn['mean']).max():.3f}) and 0.2 of variance 1 (worst "
      f"{np.abs(snn['var'] - 1).max():.3f})")
relu_var = stats["relu, lecun_normal"]["var"]
check(relu_var[-1] < 1e-6, f"ReLU + lecun_normal: the variance halves at each layer, to "
      f"{relu_var[-1]:.1e} at 32")
he_relu, he_selu = stats["relu, he_normal"], stats["selu, he_normal"]
check(he_relu["var"].min() > 0.1 and he_relu["mean"].min() > 0.3,
      f"ReLU + he_normal keeps the scale (variance >= {he_relu['var'].min():.2f}) but not the "
      f"centre (mean >= {he_relu['mean'].min():.2f}): the fair baseline")
check(he_selu["var"][-1] > 50, f"SELU + he_normal explodes: variance "
      f"{he_selu['var'][-1]:.0f} at layer 32")
if plots is not None:
    show(plots.plot_layer_statistics(stats, picture(out, "layer_statistics.png")))

# %% [markdown]
# In the picture, the mean's axis is linear within 0.01 of 0 and logarithmic beyond, so
# that SELU's mean (thick line, a few thousandths) and tanh's (dotted, even closer to 0)
# don't hide each other; the variance's axis is logarithmic: ReLU + `lecun_normal` falls
# as a straight line (a factor 2 per layer).
#
# ## 3. The fair comparison, and the failure modes: a sweep over depth
#
# `selfnorm.run_sweep` trains each setup on two spirals at several depths, with the same
# data, seed, optimizer and epochs, and measures the accuracy on the training points and
# on as many held-out ones, and the variance of the last hidden layer before training.
# This is the quick version (`tinygrad-acts selu --sweep --quick`); the README holds the
# full one. Progress shows on stderr.

# %%
quick = {**selfnorm.QUICK_SWEEP}
results = selfnorm.run_sweep(**quick)
print(selfnorm.sweep_table(results))
row = {(r.setup, r.depth): r for r in results}
deepest = max(quick["depths"])

# %% [markdown]
# The last column is the mechanism at work in the very networks trained. It needs no
# training to read: the variance of the last hidden layer's output, before the first step.

# %%
def start(name: str) -> list[float]:
    return [row[name, depth].start_variance for depth in quick["depths"]]

check(all(0.5 < v < 2 for v in start("SELU + lecun_normal")),
      "SELU + lecun_normal starts near variance 1 at every depth: "
      + ", ".join(f"{v:.2f}" for v in start("SELU + lecun_normal")))
check(start("ReLU + lecun_normal")[-1] < 1e-3 < 0.2 < start("ReLU + he_normal")[-1] < 5,
      f"at depth {deepest}, ReLU + lecun_normal's signal has faded to "
      f"{start('ReLU + lecun_normal')[-1]:.1e}; he_normal keeps it "
      f"({start('ReLU + he_normal')[-1]:.2f}): the fair baseline")
check(all(0.25 < v < 0.45 for v in start("ReLU + he_normal + BatchNormalization")),
      "with BatchNormalization every pre-activation is N(0, 1) on the batch, so the output "
      "is relu of it: variance 1/2 - 1/(2 pi) = 0.34 at every depth")
check(start("SELU + he_normal")[-1] > 10,
      f"SELU + he_normal explodes: {start('SELU + he_normal')[-1]:.0f} at depth {deepest}")
check(abs(start("SELU + AlphaDropout")[-1] - 1) < 0.1 < start("SELU + Dropout")[-1] - 1,
      f"AlphaDropout keeps the variance near 1 ({start('SELU + AlphaDropout')[-1]:.2f}); "
      f"ordinary Dropout pushes it to {start('SELU + Dropout')[-1]:.2f}")
check(start("SELU on unstandardized inputs")[0] > 100,
      f"inputs in pixel units start the network at variance "
      f"{start('SELU on unstandardized inputs')[0]:.0f}, far from the fixed point")
relu_deep = row["ReLU + lecun_normal", deepest].train_accuracy
check(relu_deep < 0.6, f"ReLU + lecun_normal at depth {deepest} does not learn: "
      f"{relu_deep:.1%} of its training points right (half of them is a coin toss)")
for depth in quick["depths"]:
    best = max((r for r in results if r.depth == depth), key=lambda r: r.test_accuracy)
    print(f"    depth {depth:>2}: best held-out accuracy {best.test_accuracy:.1%} "
          f"({best.setup})")
if plots is not None:
    show(selfnorm.plot_sweep(results, picture(out, "sweep.png")))

# %% [markdown]
# Read the accuracies with care. These runs are short (160 steps of plain SGD), and two
# spirals need many steps, so most setups are still near 65%, the accuracy of a boundary
# that has not yet bent around the arms. The full sweep in the README trains each run for
# 1,600 steps and tells the rest, with a lesson of its own. With plain SGD (the paper's
# optimizer) SELU + `lecun_normal` is the best network at depth 32 (99% of its training
# points, 97% held out), ahead of ReLU with BatchNormalization (87%, 84%), while most
# shallow networks have barely started. With Adam most shallow networks train, and at
# depth 32 it is ReLU with BatchNormalization that holds up (96%, 93%), not SELU (69%,
# 62%). At depth 64 none of them learns in that budget. Self-normalization decides how a
# network starts; which network ends best also depends on the optimizer and its step size.

# %% [markdown]
# ## 4. Watching it happen: per-layer statistics during training
#
# `ActivationStatistics` probes a fixed batch before training and after every epoch, and
# records, for every layer, the mean and variance of its outputs, the fraction of exact
# zeros, and the root mean square of the loss's gradient with respect to them. We train
# the same 16-layer network (width 32, plain SGD, as in the paper) with SELU and with ReLU,
# both with `lecun_normal`.

# %%
runs = selfnorm.compare_training(("selu", "relu"), epochs=8, depth=16, width=32,
                                 progress=True)
for name, (history, _) in runs.items():
    loss = history.history["loss"]
    print(f"    {name}: loss by epoch " + " ".join(f"{v:.3f}" for v in loss))
selu_loss = runs["selu"][0].history["loss"]
relu_loss = runs["relu"][0].history["loss"]
ratio = {name: probe.grad_rms[0, 0] / probe.grad_rms[0, 15] for name, (_, probe) in runs.items()}
check(ratio["selu"] > 0.1 and ratio["relu"] < 1e-2,
      f"before the first step, the gradient at layer 1 is {ratio['selu']:.2f} of layer 16's "
      f"with SELU and {ratio['relu']:.1e} with ReLU: it vanished on the way down")
check(min(selu_loss) < 0.6 and min(relu_loss) > 0.68,
      f"the deep SELU network learns (loss down to {min(selu_loss):.3f}); the same network "
      f"with ReLU does not leave log 2 = 0.693 (its best: {min(relu_loss):.3f})")
if plots is not None:
    show(selfnorm.plot_training(runs, picture(out, "training_statistics.png")))

# %% [markdown]
# How to read the heatmaps: each row of the picture is one network, each panel one
# statistic; inside a panel, the horizontal axis is the epoch (0: before training) and the
# vertical axis the layer (layer 1 at the bottom, the output logit, which has no
# activation, in the top row). Each
# statistic has one colour scale for both rows, so colours compare across networks. For
# SELU, the variance panel starts as one even colour (every layer near 1) and the gradient
# panel is even from bottom to top; for ReLU, the variance fades towards the top (the
# signal dies layer after layer) and the gradient fades towards the bottom (it dies on the
# way back), and the zeros panel shows the half of the units ReLU switches off.
# Self-normalization is a property of the start: training changes the weights, and the
# statistics drift as the network learns.

# %% [markdown]
# ## Your turn
#
# - `tinygrad-acts exercise start 14`: derive SELU's alpha and scale from the fixed point
#   yourself (`tinygrad-acts exercise check 14` grades it).
# - Break it on purpose: `tinygrad-acts selu --train --activations selu --depth 16
#   --init he_normal`, then `--dropout dropout` against `--dropout alpha`, then
#   `--unstandardized`, and read the per-layer statistics it prints.
# - Run the full sweep, `tinygrad-acts selu --sweep` (a few minutes), and compare with the
#   README's table.
