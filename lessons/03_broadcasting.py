# %% [markdown]
# # Lesson 3: Tensors and broadcasting: why broadcast gradients are summed back
#
# A Dense layer computes x @ W + b for a whole batch at once: x has shape (batch, inputs),
# b has shape (units,), and numpy stretches b over the batch without copying it
# (broadcasting). The forward pass uses each bias element once per sample, so backward must
# add up the gradient of every one of those uses: the gradient of a broadcast operand is
# summed back to the operand's own shape. This lesson shows it four ways.
#
# **Learning objectives**
#
# - say why the gradient of a broadcast operand is a sum;
# - sum a gradient back to its operand's shape, along the right axes;
# - check a Dense layer's kernel and bias gradients against numpy.
#
# Estimated time: 10 minutes

# %%
import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.lessons import begin, check

out = begin(3)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_03
rng = np.random.default_rng(0)  # the same numbers on every run

# %% [markdown]
# ## 1. A bias added to every row
#
# x has shape (4, 3), b has shape (3,). In x + b, b is used by each of the 4 rows.
# For y = sum(x + b), every use contributes 1, so each element of b gets 4.

# %%
x = ta.Tensor(rng.normal(size=(4, 3)), requires_grad=True, name="x")
b = ta.Tensor(np.zeros(3), requires_grad=True, name="b")
(x + b).sum().backward()
print(f"    (x + b).shape = {(x + b).shape}")
print(f"    x.grad.shape = {x.grad.shape}, b.grad = {b.grad.numpy()}")
check(b.grad.shape == b.shape, f"b's gradient has b's shape (3,), got {b.grad.shape}")
check(np.array_equal(b.grad.numpy(), [4.0, 4.0, 4.0]),
      f"each bias element is used 4 times and gets 4, got {b.grad.numpy()}")

# %% [markdown]
# ## 2. The same thing, with the copies made by hand
#
# Broadcasting is shorthand for copying: b stretched to (4, 3) is four copies of b
# stacked. Make the copies explicit as a (4, 3) leaf B, and the gradient of each copy
# is the upstream gradient at its row. The gradient of the one b behind all the copies
# is the sum of the copies' gradients. Here with a weighted loss, sum(c * (x + b)^2),
# so that the rows differ:

# %%
c = rng.normal(size=(4, 3))
b = ta.Tensor(rng.normal(size=3), requires_grad=True, name="b")
B = ta.Tensor(np.tile(b.numpy(), (4, 1)), requires_grad=True, name="B")
(ta.Tensor(c) * (x + b) ** 2).sum().backward()
(ta.Tensor(c) * (x + B) ** 2).sum().backward()
print("    B.grad (one row per copy):")
print("    " + np.array2string(B.grad.numpy(), precision=4).replace("\n", "\n    "))
print(f"    B.grad summed over rows = {B.grad.numpy().sum(axis=0)}")
print(f"    b.grad                  = {b.grad.numpy()}")
gap = np.abs(B.grad.numpy().sum(axis=0) - b.grad.numpy()).max()
check(gap < 1e-12, f"b.grad is the sum of its copies' gradients (difference {gap:.1e})")

# %% [markdown]
# ## 3. A Dense layer's bias gradient is a sum over the batch
#
# For y = x @ W + b and a loss L, backward receives dL/dy of shape (batch, units).
# The kernel's gradient is x^T @ dL/dy (a matrix product sums over the batch too), and
# the bias's is dL/dy summed over the batch axis. We check both against numpy by hand.

# %%
x = ta.Tensor(rng.normal(size=(5, 3)), name="x")
W = ta.Tensor(rng.normal(size=(3, 2)), requires_grad=True, name="W")
b = ta.Tensor(np.zeros(2), requires_grad=True, name="b")
y = x @ W + b
loss = (y**2).mean()
loss.backward()
upstream = 2 * y.numpy() / y.size  # dL/dy for L = mean(y^2)
gap_W = np.abs(W.grad.numpy() - x.numpy().T @ upstream).max()
gap_b = np.abs(b.grad.numpy() - upstream.sum(axis=0)).max()
print(f"    W.grad = x^T @ dL/dy          (difference {gap_W:.1e})")
print(f"    b.grad = sum over batch dL/dy  (difference {gap_b:.1e})")
check(gap_W < 1e-12 and gap_b < 1e-12,
      f"the engine's W.grad and b.grad match numpy by hand ({gap_W:.1e}, {gap_b:.1e})")

# %% [markdown]
# Had the engine not summed, b.grad would have shape (5, 2) and the update
# b -= lr * b.grad could not even be applied: the shape rule is not a detail.

# %% [markdown]
# ## 4. Every direction: columns, scalars, and the rule in general
#
# A column (4, 1) broadcast along axis 1 gets its gradient summed along axis 1; a
# 0-d scalar used everywhere gets the sum of everything. In general, sum over the
# leading axes that broadcasting added and over the axes where the operand had size 1
# (keeping them as size 1). The engine's Tensor.sum_to(shape) does exactly that.

# %%
x = ta.Tensor(rng.normal(size=(4, 3)), name="x")
column = ta.Tensor(rng.normal(size=(4, 1)), requires_grad=True, name="column")
scale = ta.Tensor(2.0, dtype="float64", requires_grad=True, name="scale")
(x * column * scale).sum().backward()
expected_column = (x.numpy() * scale.item()).sum(axis=1, keepdims=True)
expected_scale = (x.numpy() * column.numpy()).sum()
print(f"    column.grad.shape = {column.grad.shape}, scale.grad.shape = {scale.grad.shape}")
check(column.grad.shape == (4, 1)
      and np.allclose(column.grad.numpy(), expected_column, rtol=0, atol=1e-12),
      "the (4, 1) column's gradient is summed along axis 1 and keeps shape (4, 1)")
check(scale.grad.shape == () and abs(scale.grad.item() - expected_scale) < 1e-12,
      f"the scalar's gradient is the sum over all 12 uses: {scale.grad.item():.6f}")

# %% [markdown]
# Finally the referee of lesson 1: central differences agree with backward for
# every operand of a three-way broadcast, (2, 1, 3) * (4, 1) + (3,).

# %%
operands = [ta.Tensor(rng.normal(size=shape), requires_grad=True)
            for shape in ((2, 1, 3), (4, 1), (3,))]
passed = ta.gradcheck(lambda p, q, r: (p * q + r) ** 2, operands)
check(passed, "gradcheck passes for (2, 1, 3) * (4, 1) + (3,): gradients of shapes "
      "(2, 1, 3), (4, 1) and (3,)")

# %% [markdown]
# ## Your turn
#
# Write it yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 4    # summing a broadcast gradient back to its shape
#
# `start N` writes the exercise's file (a task, a signature and a TODO) in the current
# folder; `tinygrad-acts exercise check 4` grades it, and `exercise solution 4` shows
# one answer. `tinygrad-acts exercise list` shows them all.
