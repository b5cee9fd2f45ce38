# %% [markdown]
# # Lesson 7: Dense and Sequential: train a small MLP on the two moons, draw its boundary
#
# A Dense layer is activation(x @ kernel + bias); a Sequential model feeds each layer's
# output to the next; training repeats four lines (forward, loss, backward, update) over
# mini-batches. We check the layer against numpy, take one training step by hand, let fit()
# take the rest, and compare with a purely linear model, which cannot bend its boundary
# around the moons.
#
# **Learning objectives**
#
# - build a Dense layer and a Sequential model, and count their parameters;
# - write one training step by hand: forward, loss, backward, update;
# - train with `compile`/`fit` and draw the decision boundary.
#
# Estimated time: 20 minutes

# %%
import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.graph import RendererNotFoundError
from tinygrad_acts.layers import Dense
from tinygrad_acts.lessons import begin, check, picture, plots_or_none, show
from tinygrad_acts.losses import BinaryCrossentropy
from tinygrad_acts.models import Sequential
from tinygrad_acts.optimizers import Adam

out = begin(7)  # pictures go to --output-dir, or ./tinygrad_acts_output/lesson_07

# %%
EPOCHS = 60

def make_mlp() -> Sequential:
    """Two hidden tanh layers of 16 units; the last layer outputs a logit (lesson 6)."""
    return Sequential([
        Dense(16, activation="tanh", input_dim=2),
        Dense(16, activation="tanh"),
        Dense(1),
    ])

def compile_for_moons(model: Sequential) -> None:
    model.compile(optimizer=Adam(learning_rate=0.01), loss=BinaryCrossentropy(from_logits=True),
                  metrics=["accuracy"])


ta.set_seed(0)  # weights' initial values and fit's shuffling
X, y = ta.datasets.make_moons(600, noise=0.15, seed=0)
X_train, y_train, X_test, y_test = X[:400], y[:400], X[400:], y[400:]
print(f"    moons: {len(X_train)} training and {len(X_test)} test points, "
      f"features {X.shape[1]}, classes {sorted(set(y.tolist()))}")

# %% [markdown]
# ## 1. A Dense layer, opened up

# %%
layer = Dense(3, activation="tanh")
batch = X_train[:5]
output = layer(batch)  # the first call builds the weights: the input width is now known
by_hand = np.tanh(batch @ layer.kernel.numpy() + layer.bias.numpy())
print(f"    kernel {layer.kernel.shape}, bias {layer.bias.shape}, "
      f"{layer.count_params()} parameters; output {output.shape}")
check(np.allclose(output.numpy(), by_hand, atol=1e-6),
      "Dense(3, activation='tanh')(x) equals tanh(x @ kernel + bias) computed by numpy")
check(layer.count_params() == 2 * 3 + 3, "2 x 3 weights + 3 biases = 9 parameters")

# %% [markdown]
# ## 2. A Sequential model

# %%
model = make_mlp()
compile_for_moons(model)
model.summary(print_fn=lambda line: print("    " + line))

# %% [markdown]
# `ta.draw_graph(model)` runs the model once on a sample input and draws what it
# computed, each layer as one box (its operations, weights and output); pass
# `collapse_layers=False` to see every operation. In a notebook, a cell ending with
# `ta.draw_graph(model)` shows it; here it is written to a file.

# %%
try:
    show(ta.render_graph(model, picture(out, "mlp_graph.svg")))
except RendererNotFoundError as error:
    print(f"  (no renderer: {error})")
layers_drawn = ta.draw_graph(model).source.count("class=layer")
check(layers_drawn == 3, f"the drawing holds the model's 3 layers, one box each: {layers_drawn}")

# %% [markdown]
# ## 3. One training step, by hand
#
# What fit() repeats, written out once, on one mini-batch of 32 points: forward
# (records the graph), the loss (one number), backward (every weight's .grad), and the
# update w -= learning_rate * w.grad, here plain SGD.

# %%
x_batch, y_batch = X_train[:32], y_train[:32].reshape(-1, 1).astype(np.float32)
loss_fn = BinaryCrossentropy(from_logits=True)
learning_rate = 0.1

logits = model(x_batch)                # 1. forward: records the graph
loss = loss_fn(y_batch, logits)        # 2. the loss: one number
loss.backward()                        # 3. backward: every weight's .grad
for w in model.trainable_weights:      # 4. update: a step downhill, then forget the grads
    print(f"    {w.name:<16} shape {str(w.shape):<9} largest |grad| "
          f"{np.abs(w.grad.numpy()).max():.3f}")
    w.data -= learning_rate * w.grad.data
    w.grad = None

with ta.no_grad():                     # the same batch again, nothing recorded
    after = loss_fn(y_batch, model(x_batch))
print(f"    loss on the batch: {loss.item():.4f} before the step, {after.item():.4f} after")
check(after.item() < loss.item(), "one step downhill lowers the loss on that batch")

# %% [markdown]
# That loop is SGD; `ta.optimizers.SGD(learning_rate=0.1).step(model.trainable_weights)`
# does the same. fit() adds mini-batches, shuffling, metrics and a progress bar.
#
# ## 4. fit(): many epochs of mini-batches

# %%
history = model.fit(X_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
losses = history.history["loss"]
for epoch in (0, 9, 19, 39, EPOCHS - 1):
    print(f"    epoch {epoch + 1:>3}: loss {losses[epoch]:.4f}, "
          f"accuracy {history.history['accuracy'][epoch]:.3f}")
test_loss, test_accuracy = model.evaluate(X_test, y_test, verbose=0)
print(f"    on the {len(X_test)} test points: loss {test_loss:.4f}, "
      f"accuracy {test_accuracy:.3f}")
check(losses[-1] < losses[0] / 5, f"the training loss fell over 5-fold: "
      f"{losses[0]:.3f} -> {losses[-1]:.3f}")
check(test_accuracy >= 0.95, f"test accuracy {test_accuracy:.3f} >= 0.95")

# %% [markdown]
# ## 5. Without hidden layers
#
# A single Dense(1) draws a straight line through the plane. The moons interlock, so
# no line separates them; the hidden tanh layers are what let the boundary bend.

# %%
linear = Sequential([Dense(1, input_dim=2)])
compile_for_moons(linear)
linear.fit(X_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
_, linear_accuracy = linear.evaluate(X_test, y_test, verbose=0)
print(f"    linear model: test accuracy {linear_accuracy:.3f} (MLP {test_accuracy:.3f})")
check(linear_accuracy < 0.92, f"a straight line gets at most ~90%: {linear_accuracy:.3f}")
check(test_accuracy - linear_accuracy >= 0.05,
      f"the MLP beats it by {test_accuracy - linear_accuracy:.3f} (at least 0.05)")

# %% [markdown]
# ## Pictures

# %%
plots = plots_or_none()
if plots is not None:
    for name, trained in (("mlp", model), ("linear", linear)):
        path = plots.plot_decision_boundary(
            trained, X_test, y_test, picture(out, f"decision_boundary_{name}.png"),
            title=f"{name}: test points and the predicted regions")
        show(path)
    show(plots.plot_history(history, picture(out, "training_history.png")))

# %% [markdown]
# ## Your turn
#
# Write it yourself, and let the grader tell you where it is wrong:
#
#     tinygrad-acts exercise start 12   # a Dense layer's forward with `lecun_normal`
#     tinygrad-acts exercise start 13   # an SGD-with-momentum step
#
# `start N` writes the exercise's file (a task, a signature and a TODO) in the current
# folder; `tinygrad-acts exercise check 12` grades it, and `exercise solution 12` shows
# one answer. `tinygrad-acts exercise list` shows them all.
