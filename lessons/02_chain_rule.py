# %% [markdown]
# # Lesson 2: The chain rule on a scalar expression: by hand, by the engine, and drawn
#
# One artificial neuron, `o = tanh(x1*w1 + x2*w2 + b)`, with the numbers of micrograd's
# lecture. Backpropagation is the chain rule applied from the output back to the inputs:
# each operation multiplies the gradient arriving from above by its own local derivative.
# We do it by hand with plain floats, then let the engine do it, then read the engine's
# own account of each step (ta.trace_backward) and draw the graph (ta.render_graph).
#
# **Learning objectives**
#
# - do backpropagation by hand on micrograd's neuron, one local derivative at a time;
# - let the engine do it, and read its account of each step with `ta.trace_backward`;
# - see why the gradients of a value used twice add up;
# - draw the graph, data and grad in every node.
#
# Estimated time: 15 minutes

# %%
import math

import tinygrad_acts as ta
from tinygrad_acts.graph import RendererNotFoundError
from tinygrad_acts.lessons import begin, check, picture, show

out = begin(2)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_02

# %% [markdown]
# ## Forward, with plain floats

# %%
X1, X2, W1, W2 = 2.0, 0.0, -3.0, 1.0
B = 6.8813735870195432  # chosen so that n = 0.8814 and o = tanh(n) = 1/sqrt(2)

x1w1 = X1 * W1
x2w2 = X2 * W2
s = x1w1 + x2w2
n = s + B
o = math.tanh(n)
print(f"    x1*w1 = {x1w1}, x2*w2 = {x2w2}, s = {s}")
print(f"    n = s + b = {n:.6f}, o = tanh(n) = {o:.6f}")

# %% [markdown]
# ## Backward, by hand
#
# Start from do/do = 1 and walk back. tanh's derivative is 1 - tanh^2, so do/dn =
# 1 - o^2. A sum passes its gradient unchanged to each term. A product a*b sends
# (upstream * b) to a and (upstream * a) to b.

# %%
do_dn = 1.0 * (1 - o**2)
do_db = do_dn  # n = s + b
do_ds = do_dn
do_dx1w1 = do_ds  # s = x1w1 + x2w2
do_dx2w2 = do_ds
by_hand = {
    "x1": do_dx1w1 * W1,  # x1w1 = x1 * w1
    "w1": do_dx1w1 * X1,
    "x2": do_dx2w2 * W2,
    "w2": do_dx2w2 * X2,
    "b": do_db,
}
print(f"    do/dn = 1 - o^2 = {do_dn:.6f}")
for name, value in by_hand.items():
    print(f"    do/d{name:<3}= {value: .6f}")
check(abs(do_dn - 0.5) < 1e-12, f"o = 1/sqrt(2), so do/dn = 1 - 1/2 = 0.5: got {do_dn!r}")

# %% [markdown]
# ## Backward, by the engine
#
# The same expression with Tensors: every operation records where its result came
# from, and o.backward() walks that record in reverse. float64 so that the numbers can
# be compared to the last digit.

# %%
leaves = {name: ta.Tensor(value, dtype="float64", requires_grad=True, name=name)
          for name, value in (("x1", X1), ("x2", X2), ("w1", W1), ("w2", W2), ("b", B))}
x1, x2, w1, w2, b = leaves.values()
product1 = x1 * w1
product1.name = "x1*w1"
product2 = x2 * w2
product2.name = "x2*w2"
total = product1 + product2
total.name = "s"
pre_activation = total + b
pre_activation.name = "n"
output = ta.activations.tanh(pre_activation)
output.name = "o"
print(output)

# %% [markdown]
# ## The engine explains itself
#
# ta.trace_backward runs a pass of its own and narrates it: for each operation, the
# gradient arriving from above, the rule it applies (the operation's declared
# `derivative`), and what it sends to each input. It leaves every .grad untouched. (In a
# notebook, `ta.trace_backward(output)` as a cell's last line shows the same text.)

# %%
trace = ta.trace_backward(output)
print(trace)
check(all(t.grad is None for t in leaves.values()),
      "trace_backward changed no .grad: every leaf's grad is still None")
check("do/dw1 = 1" in trace and "do/dx1 = -1.5" in trace,
      "the trace ends with do/dw1 = 1 and do/dx1 = -1.5, as by hand")

# %% [markdown]
# Now the real pass. backward() stores every gradient in `.grad`, intermediate results
# included, and frees what the rules needed; trace_backward after it reads those stored
# gradients instead.

# %%
output.backward()
print()
for name, tensor in leaves.items():
    print(f"    {name}.grad = {tensor.grad.item(): .6f}   (by hand {by_hand[name]: .6f})")
worst = max(abs(leaves[k].grad.item() - v) for k, v in by_hand.items())
check(worst < 1e-12,
      f"the engine's gradients equal the hand-made ones (worst difference {worst:.1e})")
check(pre_activation.grad is not None and abs(pre_activation.grad.item() - 0.5) < 1e-12,
      f"intermediate results keep their grad too: n.grad = {pre_activation.grad.item()}")
after = ta.trace_backward(output)
check("read from the gradients it recorded" in after and "do/dw1 = 1" in after,
      "after backward(), trace_backward reads the recorded gradients: do/dw1 = 1 again")

# %% [markdown]
# ## A value used twice: gradients add up
#
# When a value feeds two operations, each use sends back its own share, and the
# shares add (the multivariable chain rule). y = x*x + x at x = 3: the product sends
# 3 twice (once as a, once as b), the sum sends 1, and dy/dx = 2x + 1 = 7.

# %%
x = ta.Tensor(3.0, dtype="float64", requires_grad=True, name="x")
y = x * x + x
y.name = "y"
trace_twice = ta.trace_backward(y)
y.backward()
print(f"    x.grad = {x.grad.item()}")
check(x.grad.item() == 7.0, f"dy/dx = 2x + 1 = 7 at x = 3, got {x.grad.item()}")
check("the sum of the parts" in trace_twice,
      "the trace shows x's gradient as the sum of the parts sent by each use")

# %% [markdown]
# ## Drawn
#
# ta.render_graph draws every tensor (a box with its data and grad) and every
# operation (an oval) of the neuron. Blue boxes are parameters (leaves that require
# grad); white ones are intermediate results.

# %%
dot = ta.draw_graph(output).source
check("tanh" in dot and "grad 0.5" in dot,
      "the drawing holds the tanh operation and n's grad, 0.5")
try:
    path = ta.render_graph(output, picture(out, "neuron.svg"))
except RendererNotFoundError as error:
    print(f"  (no renderer, writing the DOT source instead: {error})")
    path = ta.render_graph(output, picture(out, "neuron.dot"))
check(path.stat().st_size > 0, f"{path.name} was written")
show(path)

# %% [markdown]
# ## Your turn
#
# Write it yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 2    # the topological sort
#     tinygrad-acts exercise start 3    # the backward loop
#
# `start N` writes the exercise's file (a task, a signature and a TODO) in the current
# folder; `tinygrad-acts exercise check 2` grades it, and `exercise solution 2` shows
# one answer. `tinygrad-acts exercise list` shows them all.
