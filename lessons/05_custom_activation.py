# %% [markdown]
# # Lesson 5: Write your own activation as a ta.Function, and let gradcheck catch a wrong backward
#
# Every activation in the library is a small class with a forward rule on numpy arrays and a
# backward rule in Tensor operations; yours can be too, and then it works everywhere the
# built-in ones do (layers, graphs, second derivatives). We build the inverse square root
# unit, ISRU(x) = x / sqrt(1 + alpha x^2) (Carlile et al., 2017), a tanh-like curve with
# range (-1/sqrt(alpha), 1/sqrt(alpha)), and then make the two classic mistakes on purpose
# to see gradcheck and gradgradcheck catch them.
#
# **Learning objectives**
#
# - write an activation as a `ta.Function`: a stable forward, a backward in Tensor operations;
# - register it with `ta.activations.register` so that layers take it by name;
# - let `ta.gradcheck` catch a backward that forgot the chain rule;
# - let `ta.gradgradcheck` catch a backward computed in numpy.
#
# Estimated time: 20 minutes

# %%
import numpy as np

import tinygrad_acts as ta
from tinygrad_acts import Function, Tensor
from tinygrad_acts.lessons import begin, check, picture, plots_or_none, show

out = begin(5)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_05

# %% [markdown]
# ## The Function
#
# forward(ctx, x, alpha) receives numpy arrays and the keyword parameters; it saves
# what backward needs with ctx.save_for_backward. backward(ctx, grad) receives the
# gradient arriving from above and returns grad times the local derivative, written
# with Tensor operations (so that it can be differentiated again). `derivative` is the
# one-line rule that `ta.trace_backward` and the graph explorer show.
#
# ISRU.apply(tensor, alpha=1.0) runs it. The derivative: with r = (1 + alpha x^2)^-1/2,
# isru = x r and r' = -alpha x r^3, so isru' = r + x r' = r - alpha x^2 r^3 =
# r^3 (1 + alpha x^2 - alpha x^2) = r^3.

# %%
class ISRU(Function):
    """isru(x) = x / sqrt(1 + alpha x^2);  d/dx = (1 + alpha x^2)^(-3/2)."""

    name = "isru"
    derivative = "d/dx = (1 + alpha x^2)^(-3/2)"

    def forward(ctx, x, alpha=1.0):
        ctx.save_for_backward(x)  # the input array itself: it comes back as the input Tensor
        return x / np.sqrt(1.0 + alpha * x * x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha = ctx.params.get("alpha", 1.0)
        # Tensor operations, so that this rule can itself be differentiated.
        return grad * (1.0 + alpha * x * x) ** -1.5


def isru(x, alpha: float = 1.0) -> Tensor:
    """The user-facing function, like those of ta.activations."""
    return ISRU.apply(x if isinstance(x, Tensor) else Tensor(x), alpha=alpha)


x_check = ta.Tensor(np.linspace(-3, 3, 7), requires_grad=True)  # float64: gradcheck's need
y = isru(x_check)
print(f"    x       = {x_check.numpy()}")
print(f"    isru(x) = {np.round(y.numpy(), 4)}")
wide = isru(np.array([-1e4, 1e4]), alpha=4.0).numpy()
check(np.allclose(wide, [-0.5, 0.5], atol=1e-6),
      f"isru(x, alpha=4) approaches +-1/sqrt(4) = +-0.5: {wide}")

# %% [markdown]
# ## gradcheck: the first derivative
#
# ta.gradcheck compares backward with central differences (lesson 1) at every input,
# in float64.

# %%
check(ta.gradcheck(isru, [x_check]), "ISRU's backward agrees with finite differences")
check(ta.gradcheck(lambda t: isru(t, alpha=0.3), [x_check]), "... with alpha = 0.3 too")

# %% [markdown]
# ## Mistake 1: a wrong derivative
#
# A classic slip: differentiate x * r(x), r = (1 + alpha x^2)^(-1/2), as if r were a
# constant. The rule returned, r, misses the term x * r'(x) (the product rule, the chain
# rule's sibling). gradcheck refuses it, with a table of the worst entries:

# %%
class ForgotTheChainRule(ISRU):
    """A classic slip: differentiate x * r(x), r = (1 + alpha x^2)^(-1/2), as if r were a
    constant. The rule returned, r, misses the term x * r'(x)."""

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha = ctx.params.get("alpha", 1.0)
        return grad * (1.0 + alpha * x * x) ** -0.5


try:
    ta.gradcheck(ForgotTheChainRule.apply, [x_check])
    caught = None
except ta.GradcheckError as error:
    caught = error
    print("    " + str(error).replace("\n", "\n    "))
check(caught is not None, "gradcheck raises GradcheckError for the wrong derivative")
check(not ta.gradcheck(ForgotTheChainRule.apply, [x_check], raise_exception=False),
      "with raise_exception=False it returns False instead")
check("input index" in str(caught), "the error names the entries that differ")

# %% [markdown]
# ## Mistake 2: a backward the engine cannot differentiate
#
# The right numbers, computed with numpy on x.data. To the engine the factor is a
# constant, so the derivative of this backward (the second derivative) is lost. The first
# derivative is right, so gradcheck passes; only gradgradcheck, which differentiates the
# backward pass itself, sees the problem. It matters as soon as anything needs second
# derivatives (lesson 9: Newton's method).

# %%
class BackwardInNumpy(ISRU):
    """The right numbers, computed with numpy on x.data. To the engine the factor is a
    constant, so the derivative of this backward (the second derivative) is lost."""

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha = ctx.params.get("alpha", 1.0)
        return grad * Tensor((1.0 + alpha * x.data**2) ** -1.5)


first_ok = ta.gradcheck(BackwardInNumpy.apply, [x_check])
second_ok = ta.gradgradcheck(BackwardInNumpy.apply, [x_check], raise_exception=False)
print(f"    gradcheck: {first_ok}, gradgradcheck: {second_ok}")
check(first_ok and not second_ok,
      "the numpy backward passes gradcheck and fails gradgradcheck")
check(ta.gradgradcheck(isru, [x_check]),
      "the Tensor-operation backward passes gradgradcheck")

# %% [markdown]
# ## A first-class activation: register it
#
# `ta.activations.register(ISRU)` enters the Function in the library's registry of
# activations under its name, "isru" (a plain function of a Tensor can be registered too,
# and `register` also works as a decorator, `@ta.activations.register`). From then on
# ISRU works wherever the built-in activations do: by name in a Dense layer, in a drawn
# graph (labelled with its parameters), and differentiated twice. (A name can be
# registered once: run this cell again and it says the name is taken; pass
# `overwrite=True` to replace it.)

# %%
ta.activations.register(ISRU)
layer = ta.layers.Dense(3, activation="isru", name="isru_dense")
batch = ta.Tensor(np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32))
layer(batch).sum().backward()
print(f"    Dense(3, activation=isru): kernel.grad shape {layer.kernel.grad.shape}")
check(layer.kernel.grad is not None and np.isfinite(layer.kernel.grad.numpy()).all(),
      "a Dense layer with the ISRU activation backpropagates into its kernel")
source = ta.draw_graph(isru(x_check, alpha=0.5).sum()).source
check("isru(alpha=0.5)" in source, "the graph drawing labels the operation isru(alpha=0.5)")
points = np.linspace(-2, 2, 9)
x = ta.Tensor(points, requires_grad=True)
(first,) = ta.grad(isru(x).sum(), x, create_graph=True)
(second,) = ta.grad(first.sum(), x)
exact = -3 * points * (1 + points**2) ** -2.5  # d/dx (1 + x^2)^(-3/2)
gap = np.abs(second.numpy() - exact).max()
print(f"    isru''(x) at x = -2 ... 2: {np.round(second.numpy(), 4)}")
check(gap < 1e-12, f"its second derivative is -3x (1 + x^2)^(-5/2) (difference {gap:.1e})")

# %% [markdown]
# ## Picture

# %%
plots = plots_or_none()
if plots is not None:
    path = picture(out, "isru.png")
    plots.plot_activation(isru, path=path, alpha=1.0)
    show(path)

# %% [markdown]
# ## Your turn
#
# Write it yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 9    # GELU's backward
#
# `start N` writes the exercise's file (a task, a signature and a TODO) in the current
# folder; `tinygrad-acts exercise check 9` grades it, and `exercise solution 9` shows
# one answer. `tinygrad-acts exercise list` shows them all.
