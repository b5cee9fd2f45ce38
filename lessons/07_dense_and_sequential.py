"""Dense and Sequential: train a small MLP on the two moons and draw its decision boundary
A Dense layer is activation(x @ kernel + bias); a Sequential model feeds each layer's
output to the next; training repeats four lines (forward, loss, backward, update) over
mini-batches. We check the layer against numpy, take one training step by hand, let fit()
take the rest, and compare with a purely linear model, which cannot bend its boundary
around the moons.
"""

from __future__ import annotations

import numpy as np
from _common import check, picture_path, plots_or_none, say, section, start, wrote

import tinygrad_acts as ta
from tinygrad_acts.layers import Dense
from tinygrad_acts.losses import BinaryCrossentropy
from tinygrad_acts.models import Sequential
from tinygrad_acts.optimizers import SGD, Adam

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


def main() -> None:
    out = start(__file__, __doc__)
    ta.set_seed(0)  # weights' initial values and fit's shuffling
    X, y = ta.datasets.make_moons(600, noise=0.15, seed=0)
    X_train, y_train, X_test, y_test = X[:400], y[:400], X[400:], y[400:]
    print(f"    moons: {len(X_train)} training and {len(X_test)} test points, "
          f"features {X.shape[1]}, classes {sorted(set(y.tolist()))}")

    section("1. A Dense layer, opened up")
    layer = Dense(3, activation="tanh")
    batch = X_train[:5]
    output = layer(batch)  # the first call builds the weights: the input width is now known
    by_hand = np.tanh(batch @ layer.kernel.numpy() + layer.bias.numpy())
    print(f"    kernel {layer.kernel.shape}, bias {layer.bias.shape}, "
          f"{layer.count_params()} parameters; output {output.shape}")
    check(np.allclose(output.numpy(), by_hand, atol=1e-6),
          "Dense(3, activation='tanh')(x) equals tanh(x @ kernel + bias) computed by numpy")
    check(layer.count_params() == 2 * 3 + 3, "2 x 3 weights + 3 biases = 9 parameters")

    section("2. A Sequential model")
    model = make_mlp()
    compile_for_moons(model)
    model.summary(print_fn=lambda line: print("    " + line))

    section("3. One training step, by hand")
    say("""
        What fit() repeats, written out once, on one mini-batch of 32 points: forward
        (records the graph), the loss (one number), backward (every weight's .grad), and the
        update w -= learning_rate * w.grad, here plain SGD.
    """)
    x_batch, y_batch = X_train[:32], y_train[:32].reshape(-1, 1).astype(np.float32)
    loss_fn = BinaryCrossentropy(from_logits=True)
    before = loss_fn(y_batch, model(x_batch))
    before.backward()
    gradients = {w.name: float(np.abs(w.grad.numpy()).max()) for w in model.trainable_weights}
    SGD(learning_rate=0.1).step(model.trainable_weights)
    with ta.no_grad():
        after = loss_fn(y_batch, model(x_batch))
    print("    largest |grad| of each weight:")
    for name, value in gradients.items():
        print(f"      {name:<16}{value:.3f}")
    print(f"    loss on the batch: {before.item():.4f} before the step, {after.item():.4f} after")
    check(all(value > 0 for value in gradients.values()), "every weight received a gradient")
    check(after.item() < before.item(), "one step downhill lowers the loss on that batch")

    section(f"4. fit(): {EPOCHS} epochs of mini-batches")
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

    section("5. Without hidden layers")
    say("""
        A single Dense(1) draws a straight line through the plane. The moons interlock, so
        no line separates them; the hidden tanh layers are what let the boundary bend.
    """)
    linear = Sequential([Dense(1, input_dim=2)])
    compile_for_moons(linear)
    linear.fit(X_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
    _, linear_accuracy = linear.evaluate(X_test, y_test, verbose=0)
    print(f"    linear model: test accuracy {linear_accuracy:.3f} (MLP {test_accuracy:.3f})")
    check(linear_accuracy < 0.92, f"a straight line gets at most ~90%: {linear_accuracy:.3f}")
    check(test_accuracy - linear_accuracy >= 0.05,
          f"the MLP beats it by {test_accuracy - linear_accuracy:.3f} (at least 0.05)")

    section("Pictures")
    plots = plots_or_none()
    if plots is not None:
        for name, trained in (("mlp", model), ("linear", linear)):
            path = plots.plot_decision_boundary(
                trained, X_test, y_test, picture_path(out, f"decision_boundary_{name}.png"),
                title=f"{name}: test points and the predicted regions")
            wrote(path)
        wrote(plots.plot_history(history, picture_path(out, "training_history.png")))


if __name__ == "__main__":
    main()
