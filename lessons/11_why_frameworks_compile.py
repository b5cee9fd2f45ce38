# %% [markdown]
# # Lesson 11: Why frameworks compile: record a training step once, replay its kernels
#
# In eager mode every operation pays, in Python, for a Tensor, a context and a graph node.
# On a tiny network that bookkeeping costs more than the arithmetic: the numbers are a few
# microseconds of numpy, the rest is the interpreter. Frameworks close the gap by compiling
# a step (tinygrad's TinyJit, torch.compile, jax.jit, Keras's jit_compile=True). The
# simplest way to compile is to trace: run the step once, write down the kernels it ran,
# and from then on run only those. `ta.jit` does exactly that, in a few hundred lines
# (tinygrad_acts/jit.py).
#
# **Learning objectives**
#
# - trace a training step with `ta.jit` and read its recorded kernels;
# - see that a replay computes the same numbers as eager mode, bit for bit;
# - measure what the bookkeeping costs: eager, compiled, and numpy by hand;
# - see why a new input shape needs a new recording;
# - see Python control flow on values go wrong under tracing, and how to avoid it.
#
# Estimated time: 20 minutes

# %%
import statistics
import timeit
import warnings

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.jit import TracingError, TracingWarning
from tinygrad_acts.lessons import begin, check

begin(11)  # (this lesson draws no pictures)

# %% [markdown]
# ## 1. A training step, traced
#
# The tiny MLP of the benchmarks: 2-16-16-1 with tanh, mean squared error, plain SGD with
# learning rate 0.1, one batch of 100 points. The step is an ordinary function: forward,
# `ta.grad` for the gradients, the optimizer's update. `ta.jit(train_step)` returns a
# function that behaves like it.

# %%
def make_weights(seed=0):
    rng = np.random.default_rng(seed)
    weights = []
    for i, (n_in, n_out) in enumerate([(2, 16), (16, 16), (16, 1)]):
        weights.append(ta.Tensor((rng.uniform(-1, 1, (n_in, n_out)) / np.sqrt(n_in))
                                 .astype(np.float32), requires_grad=True, name=f"W{i + 1}"))
        weights.append(ta.Tensor(rng.uniform(-0.1, 0.1, n_out).astype(np.float32),
                                 requires_grad=True, name=f"b{i + 1}"))
    return weights


def make_step(weights, optimizer):
    def train_step(x, y):
        w1, b1, w2, b2, w3, b3 = weights
        h1 = (x @ w1 + b1).tanh()
        h2 = (h1 @ w2 + b2).tanh()
        loss = ((h2 @ w3 + b3 - y) ** 2).mean()
        grads = ta.grad(loss, weights)
        optimizer.apply_gradients(zip(grads, weights, strict=True))
        return loss
    return train_step


rng = np.random.default_rng(1)
x = rng.standard_normal((100, 2)).astype(np.float32)
y = (np.sin(2 * x[:, :1]) * np.cos(x[:, 1:])).astype(np.float32)

weights = make_weights()
eager_step = make_step(weights, ta.optimizers.SGD(0.1))
step = ta.jit(eager_step)
for _ in range(3):
    step(x, y)
print(step)
check("replayed" in step.trace and "apply_gradients(W1, b1" in step.trace,
      "the recording lists the forward kernels, the backward rules' kernels and the update")

# %% [markdown]
# Read the list from the top: the forward pass (matmul, add, tanh...), then the
# backward rules of `ta.grad`, themselves made of the same kernels (a matmul with a
# transposed weight is the gradient of a matmul), then one `apply_gradients` kernel that
# writes the weights in place. `%n` is the result of an earlier kernel, `x` and `y` the
# arguments, `W1`... the weights (state: read afresh at every replay, since the update
# changes them), and plain numbers are constants. Tanh "saves" its slope for its backward
# rule: that array is a second result of the kernel.
#
# The first two calls ran eagerly and were recorded, and the two recordings were compared:
# they must agree kernel for kernel. The third call replayed. What replays is a plain
# Python function that `ta.jit` wrote, one line per kernel, after two classic compiler
# passes: kernels whose inputs are all constants ran once, ahead of time (constant
# folding), and kernels whose result nothing uses were dropped (dead code elimination).

# %%
print("\n".join(step.code.splitlines()[:8]) + "\n    ...")

# %% [markdown]
# ## 2. The same numbers, bit for bit
#
# A replay calls the same numpy code on the same values in the same order, so it cannot
# round differently. Two copies of the network, one stepped eagerly and one compiled:

# %%
twin_a, twin_b = make_weights(), make_weights()
eager_a = make_step(twin_a, ta.optimizers.SGD(0.1))
compiled_b = ta.jit(make_step(twin_b, ta.optimizers.SGD(0.1)))
for _ in range(10):
    loss_a, loss_b = eager_a(x, y), compiled_b(x, y)
same = all(a.data.tobytes() == b.data.tobytes() for a, b in zip(twin_a, twin_b, strict=True))
print(f"    loss after 10 steps: eager {loss_a.item():.9f}, compiled {loss_b.item():.9f}")
check(same and loss_a.data.tobytes() == loss_b.data.tobytes(),
      "after 10 steps the compiled weights equal the eager ones bit for bit")

# %% [markdown]
# ## 3. What the bookkeeping costs
#
# The same step three ways, timed in turns (medians): eager, compiled, and written out
# in numpy by hand (the floor: no engine at all).

# %%
def numpy_step(params, x, y, lr=0.1):
    w1, b1, w2, b2, w3, b3 = params
    h1 = np.tanh(x @ w1 + b1)
    h2 = np.tanh(h1 @ w2 + b2)
    diff = h2 @ w3 + b3 - y
    d_out = diff * (2.0 / diff.size)
    d_z2 = (d_out @ w3.T) * (1.0 - h2 * h2)
    d_z1 = (d_z2 @ w2.T) * (1.0 - h1 * h1)
    grads = [x.T @ d_z1, d_z1.sum(0), h1.T @ d_z2, d_z2.sum(0), h2.T @ d_out, d_out.sum(0)]
    for p, g in zip(params, grads, strict=True):
        p -= lr * g
    return float(np.mean(diff * diff))


by_hand = [w.data.copy() for w in make_weights()]
contenders = {"eager": lambda: eager_step(x, y), "ta.jit": lambda: step(x, y),
              "numpy by hand": lambda: numpy_step(by_hand, x, y)}
times = {name: [] for name in contenders}
for _ in range(30):
    for name, fn in contenders.items():
        times[name].append(timeit.timeit(fn, number=10) / 10)
median = {name: statistics.median(t) * 1e6 for name, t in times.items()}
for name, us in median.items():
    print(f"    {name:14} {us:7.1f} us/step  ({us / median['numpy by hand']:.2f}x numpy)")
check(median["ta.jit"] < median["eager"],
      "the compiled step is faster than the eager one (the same numpy work, no bookkeeping)")

# %% [markdown]
# On an idle machine the compiled step runs within about 1.3x of numpy by hand, and the
# eager one at 3 to 4x: most of eager's time is Python bookkeeping, not arithmetic.
# `benchmarks/bench_tiny_mlp.py` measures it carefully.
#
# ## 4. A new shape, a new recording
#
# The kernels were recorded for x of shape (100, 2). A batch of 50 rows makes other
# arrays, so `ta.jit` records again (twice, and checks), and keeps both recordings,
# each under its signature: the shapes and dtypes of the arguments.

# %%
for _ in range(3):
    step(x[:50], y[:50])
signatures = [line for line in step.trace.splitlines() if line.startswith("signature")]
print("\n".join("    " + line for line in signatures))
check(len(signatures) == 2, "a batch of another size got a recording of its own")

# %% [markdown]
# ## 5. What a recording cannot see: Python control flow on values
#
# A recording holds kernels, not Python. Below, the step takes a bigger learning rate
# while the loss is above 0.2, with an `if` on a value. `float(loss)` reads the value into
# Python once, while recording, and `ta.jit` warns: the branch is frozen.

# %%
def make_adaptive_step(weights, fast, slow):
    def adaptive_step(x, y):
        w1, b1, w2, b2, w3, b3 = weights
        loss = ((((x @ w1 + b1).tanh() @ w2 + b2).tanh() @ w3 + b3 - y) ** 2).mean()
        grads = ta.grad(loss, weights)
        optimizer = fast if float(loss) > 0.2 else slow
        optimizer.apply_gradients(zip(grads, weights, strict=True))
        return loss
    return adaptive_step


weights_e, weights_c = make_weights(), make_weights()
eager_adaptive = make_adaptive_step(weights_e, ta.optimizers.SGD(0.3), ta.optimizers.SGD(0.03))
compiled_adaptive = ta.jit(make_adaptive_step(weights_c, ta.optimizers.SGD(0.3),
                                              ta.optimizers.SGD(0.03)))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(40):
        loss_e, loss_c = eager_adaptive(x, y), compiled_adaptive(x, y)
print(f"    warning: {str(caught[0].message)[:150]}...")
print(f"    after 40 steps: eager loss {loss_e.item():.6f}, compiled loss {loss_c.item():.6f}")
check(any(issubclass(w.category, TracingWarning) for w in caught)
      and loss_e.item() != loss_c.item(),
      "the compiled step kept the branch it recorded: once the loss fell below 0.2 the "
      "eager step slowed down and the compiled one did not")

# %% [markdown]
# When the first two calls already take different branches, the two recordings disagree,
# and `ta.jit` refuses rather than replay one of them:

# %%
flip = ta.jit(lambda x: x * 2 if float(x.sum()) > 0 else -x)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", TracingWarning)
    flip(np.ones(3, np.float32))
    try:
        flip(-np.ones(3, np.float32))
        refused = False
    except TracingError as error:
        refused = True
        print(f"    TracingError: {str(error)[:160]}...")
check(refused, "two recordings that ran different kernels are refused")

# %% [markdown]
# The cure is to keep the decision in the kernels, so that every replay decides afresh.
# A comparison of tensors is an operation like any other here (it makes a mask), and
# `ta.where` picks with that mask, so `ta.where(loss > 0.2, 10.0, 1.0)` is a factor of
# 10 on the gradients while the loss is above 0.2, decided again at every replay. (This
# is why jax has `lax.cond`, and why `torch.compile` re-checks its assumptions, "guards",
# at every call.) Random numbers follow the same rule: drawn in Python (`np.random`) they
# are frozen into the recording, while Dropout draws its mask inside a kernel, so each
# replay draws a new one.

# %%
def make_branch_free_step(weights, optimizer):
    def branch_free_step(x, y):
        w1, b1, w2, b2, w3, b3 = weights
        loss = ((((x @ w1 + b1).tanh() @ w2 + b2).tanh() @ w3 + b3 - y) ** 2).mean()
        grads = ta.grad(loss, weights)
        factor = ta.where(loss > 0.2, 10.0, 1.0)  # decided by kernels, at every replay
        optimizer.apply_gradients([(g * factor, w) for g, w in zip(grads, weights, strict=True)])
        return loss
    return branch_free_step


loss_with_if = loss_e.item()  # the eager step with the `if`, above
weights_e, weights_c = make_weights(), make_weights()
eager_free = make_branch_free_step(weights_e, ta.optimizers.SGD(0.03))
compiled_free = ta.jit(make_branch_free_step(weights_c, ta.optimizers.SGD(0.03)))
for _ in range(40):
    loss_e, loss_c = eager_free(x, y), compiled_free(x, y)
print(f"    after 40 steps: eager loss {loss_e.item():.6f}, compiled loss {loss_c.item():.6f} "
      f"(the eager step with the if: {loss_with_if:.6f})")
check(all(a.data.tobytes() == b.data.tobytes() for a, b in zip(weights_e, weights_c,
                                                                strict=True))
      and abs(loss_c.item() - loss_with_if) < 1e-4,
      "with the decision made by kernels, the compiled step follows the eager one exactly, "
      "and does what the `if` meant")

# %% [markdown]
# ## Your turn
#
# Make a step replayable yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 16   # a decision moved from Python into kernels
#
# `tinygrad-acts exercise check 16` grades it, and `exercise solution 16` shows one answer.
# Then:
#
# - compile lesson 7's model with `model.compile(..., jit_compile=True)` and compare
#   `fit`'s time with and without it;
# - `print(step.code)` for a model with Dropout, and find the `random_mask` kernel.
