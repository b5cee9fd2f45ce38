# %% [markdown]
# # Lesson 6: Softmax and cross-entropy: overflow, log-sum-exp, and from_logits
#
# softmax(z)_i = e^(z_i) / sum_j e^(z_j) turns scores (logits) into probabilities, and
# cross-entropy -log p[true class] scores them. Written naively, both break on ordinary
# inputs: e^1000 overflows, and a probability that rounds to 0 has log -inf. This lesson
# breaks them on purpose, repairs them with one identity (shift by the maximum), and shows
# why a loss should be handed logits (from_logits=True) rather than probabilities.
#
# **Learning objectives**
#
# - see softmax overflow, and fix it with the max trick and log-sum-exp;
# - derive softmax's backward and cross-entropy's gradient, p - y;
# - know why `from_logits=True` is the stable way, and what accuracy means on logits.
#
# Estimated time: 20 minutes

# %%
import math
import warnings

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts import losses
from tinygrad_acts.activations import log_softmax, sigmoid, softmax
from tinygrad_acts.lessons import begin, check, picture, plots_or_none, show

out = begin(6)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_06

# %% [markdown]
# ## 1. The naive softmax overflows

# %%
big = np.array([1000.0, 1001.0, 1002.0], dtype=np.float32)
with np.errstate(over="ignore", invalid="ignore"):  # let numpy fail quietly, to look
    e = np.exp(big)
    naive = e / e.sum()
print(f"    z = {big}:  exp(z) = {e},  exp(z) / sum = {naive}")
check(np.isnan(naive).all(), f"e^1000 is inf in float32 (max about 3.4e38), inf/inf is "
      f"nan: {naive}")

# %% [markdown]
# ## 2. Shift by the maximum
#
# Multiplying numerator and denominator by e^-c changes nothing:
# softmax(z) = softmax(z - c). With c = max(z) the largest exponent is e^0 = 1, so
# nothing overflows and the denominator is at least 1. ta.activations.softmax does
# this, and gives softmax([1000, 1001, 1002]) = softmax([0, 1, 2]):

# %%
with warnings.catch_warnings(), np.errstate(all="raise"):
    warnings.simplefilter("error")  # any overflow would now be an exception
    stable = softmax(ta.Tensor(big))
small = softmax(ta.Tensor([0.0, 1.0, 2.0]))
print(f"    softmax([1000, 1001, 1002]) = {stable.numpy()}")
print(f"    softmax([0, 1, 2])          = {small.numpy()}")
check(np.allclose(stable.numpy(), small.numpy(), atol=1e-7, rtol=0),
      "the same probabilities, with no warning raised")

# %% [markdown]
# ## 3. log-sum-exp
#
# The same trick for log(sum(e^z)), the normalizer of softmax in log space:
# log sum e^(z_j) = m + log sum e^(z_j - m), with m = max(z). Its gradient is the
# softmax itself.

# %%
with np.errstate(over="ignore"):
    naive_lse = np.log(np.exp(big).sum())
z = ta.Tensor(big.astype(np.float64), requires_grad=True)
lse = ta.logsumexp(z)
lse.backward()
exact = 1002.0 + math.log(1 + math.exp(-1) + math.exp(-2))
print(f"    naive log(sum(exp(z))) = {naive_lse};  ta.logsumexp(z) = {lse.item():.8f}")
check(np.isinf(naive_lse) and abs(lse.item() - exact) < 1e-9,
      f"logsumexp([1000, 1001, 1002]) = 1002 + log(1 + e^-1 + e^-2) = {exact:.8f}")
gap = np.abs(z.grad.numpy() - softmax(z).numpy()).max()
check(gap < 1e-12, f"d logsumexp / dz = softmax(z) (difference {gap:.1e})")

# %% [markdown]
# ## 4. log of a softmax underflows; log_softmax does not
#
# With logits [0, -200] the second probability is e^-200, about 1e-87: below the
# smallest float32 (about 1e-45), so it rounds to 0 and its log is -inf. log_softmax
# computes z - logsumexp(z) directly: exactly -200.

# %%
pair = ta.Tensor([0.0, -200.0])
with np.errstate(divide="ignore"):
    log_of_softmax = np.log(softmax(pair).numpy())
direct = log_softmax(pair).numpy()
print(f"    log(softmax([0, -200])) = {log_of_softmax};  log_softmax = {direct}")
check(np.isneginf(log_of_softmax[1]) and direct[1] == -200.0,
      f"log(softmax) gives -inf, log_softmax gives {direct[1]}")

# %% [markdown]
# ## 5. Cross-entropy from probabilities, and from logits
#
# A confident mistake: logits [0, -200], true class 1. The true loss is
# -log p[1] = 200. From probabilities, Keras (and this library) clip p to
# [1e-7, 1 - 1e-7] to avoid log(0): the loss is capped at -log(1e-7) = 16.1, and the
# clip, flat outside its range, has derivative 0: the network learns nothing from its
# worst mistake. From logits, the loss is computed as -log_softmax, exactly, and the
# gradient is softmax(z) - y, as large as the mistake.

# %%
y_true = np.array([[0.0, 1.0]], dtype=np.float32)
results = {}
for from_logits in (False, True):
    logits = ta.Tensor([[0.0, -200.0]], requires_grad=True)
    prediction = logits if from_logits else softmax(logits)
    loss = losses.categorical_crossentropy(y_true, prediction, from_logits=from_logits)
    loss.sum().backward()
    results[from_logits] = (loss.item(), logits.grad.numpy()[0])
    print(f"    from_logits={from_logits!s:<5}  loss = {loss.item():8.3f}   "
          f"d loss / d logits = {logits.grad.numpy()[0]}")
(clipped_loss, clipped_grad), (true_loss, true_grad) = results[False], results[True]
check(abs(clipped_loss + math.log(1e-7)) < 1e-3 and not clipped_grad.any(),
      f"from probabilities: loss capped at {clipped_loss:.3f}, gradient exactly 0")
check(true_loss == 200.0 and np.array_equal(true_grad, [1.0, -1.0]),
      f"from logits: loss 200, gradient softmax - y = {true_grad}")

# %% [markdown]
# The gradient softmax(z) - y holds for any logits. Checked on a random batch of 8
# samples and 5 classes, with the loss averaged over the batch (so divided by 8):

# %%
rng = np.random.default_rng(0)
logits = ta.Tensor(rng.normal(scale=3.0, size=(8, 5)), requires_grad=True)
labels = rng.integers(0, 5, size=8)
one_hot = np.eye(5)[labels]
losses.CategoricalCrossentropy(from_logits=True)(one_hot, logits).backward()
expected = (softmax(logits).numpy() - one_hot) / 8
gap = np.abs(logits.grad.numpy() - expected).max()
check(gap < 1e-12, f"d mean CE / d logits = (softmax(z) - y) / batch (difference {gap:.1e})")

# %% [markdown]
# ## 6. The binary case: sigmoid and binary cross-entropy
#
# The same story with one logit z: sigmoid(30) is 1 - 9e-14, which rounds to exactly
# 1.0 in float32. For a true label 0, binary cross-entropy from that probability is
# capped near 16 with zero gradient; from the logit it is computed as
# max(z, 0) - z y + log(1 + e^-|z|) = 30, with gradient sigmoid(z) - y = 1.

# %%
label = np.array([[0.0]], dtype=np.float32)
for from_logits in (False, True):
    logit = ta.Tensor([[30.0]], requires_grad=True)
    prediction = logit if from_logits else sigmoid(logit)
    loss = losses.binary_crossentropy(label, prediction, from_logits=from_logits)
    loss.sum().backward()
    results[from_logits] = (loss.item(), logit.grad.item())
    print(f"    from_logits={from_logits!s:<5}  loss = {loss.item():8.3f}   "
          f"d loss / dz = {logit.grad.item()}")
check(sigmoid(ta.Tensor(30.0)).item() == 1.0, "sigmoid(30) is exactly 1.0 in float32")
check(results[False][0] < 17 and results[False][1] == 0.0,
      f"from the probability: loss {results[False][0]:.2f}, gradient 0")
check(results[True] == (30.0, 1.0), f"from the logit: loss 30, gradient 1: {results[True]}")

# %% [markdown]
# Hence the usual recipe: let the last Dense layer output logits (no activation) and
# compile with loss=BinaryCrossentropy(from_logits=True) or
# CategoricalCrossentropy(from_logits=True).
#
# ## Accuracy on logits: cut at 0, not 0.5
#
# The model now outputs z, not sigmoid(z), and sigmoid(z) > 0.5 exactly when z > 0. So
# here `compile(..., metrics=["accuracy"])` with a `from_logits=True` loss gives a
# BinaryAccuracy that cuts the logits at 0. Keras 3 does not: its compile turns "accuracy"
# into plain `BinaryAccuracy()`, threshold 0.5, whatever the loss says
# (`keras/src/trainers/compile_utils.py`, `get_metric`), so a logit of 0.3 (probability
# 0.57) is counted as class 0. In Keras, pass the metric yourself:
#
#     model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True),
#                   metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
#
# Below, logits between 0 and 0.5 for four class-1 samples: every one is right (each
# probability is above 0.5), and a 0.5 cut-off would call every one wrong.

# %%
model = ta.models.Sequential([ta.layers.Dense(1, input_dim=1)])
model.compile(optimizer="sgd", loss=losses.BinaryCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.layers[0].kernel.data[...] = 0.0
model.layers[0].bias.data[...] = 0.3  # every logit is 0.3: probability 0.574
X_small, y_small = np.zeros((4, 1), np.float32), np.ones((4, 1), np.float32)
_, accuracy = model.evaluate(X_small, y_small, verbose=0)
logits = model.predict(X_small, verbose=0)
cut_at_half = ta.metrics.BinaryAccuracy(threshold=0.5)
cut_at_half.update_state(y_small, logits)
print(f"    logits {logits.ravel()}, sigmoid {sigmoid(ta.Tensor(logits)).numpy().ravel()}")
print(f"    accuracy from compile: {accuracy:.2f};  BinaryAccuracy(threshold=0.5): "
      f"{cut_at_half.result():.2f}")
check(accuracy == 1.0 and cut_at_half.result() == 0.0,
      "with from_logits=True the accuracy cuts at 0: all 4 right; a 0.5 cut calls them wrong")

# %% [markdown]
# ## Picture

# %%
plots = plots_or_none()
if plots is not None:
    zs = np.linspace(-5, 40, 181, dtype=np.float32)
    target = np.zeros((len(zs), 1), dtype=np.float32)
    column = ta.Tensor(zs.reshape(-1, 1))
    from_probability = losses.binary_crossentropy(target, sigmoid(column)).numpy()
    from_logit = losses.binary_crossentropy(target, column, from_logits=True).numpy()
    figure = plots.new_figure(figsize=(6, 4), layout="constrained")
    ax = figure.add_subplot()
    ax.plot(zs, from_logit, label="from_logits=True (exact)")
    ax.plot(zs, from_probability, "--", label="from sigmoid(z), clipped")
    ax.set(xlabel="logit z (true label 0)", ylabel="binary cross-entropy",
           title="A probability saturates; a logit does not")
    ax.grid(alpha=0.3)
    ax.legend()
    path = picture(out, "cross_entropy_from_logits.png")
    plots.save_figure(figure, path)
    show(path)

# %% [markdown]
# ## Your turn
#
# Write it yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 10   # softmax's backward
#     tinygrad-acts exercise start 11   # a stable log-sum-exp
#
# `start N` writes the exercise's file (a task, a signature and a TODO) in the current
# folder; `tinygrad-acts exercise check 10` grades it, and `exercise solution 10` shows
# one answer. `tinygrad-acts exercise list` shows them all.
