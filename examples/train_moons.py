"""Train a small MLP on the two moons, Keras style, and draw what it learned.

    python examples/train_moons.py [--output-dir DIR]

Writes DIR/decision_boundary.png and DIR/history.png (default DIR:
./tinygrad_acts_output/train_moons) when matplotlib is installed.
"""

import argparse
from pathlib import Path

import tinygrad_acts as ta
from tinygrad_acts.layers import Dense
from tinygrad_acts.losses import BinaryCrossentropy
from tinygrad_acts.models import Sequential
from tinygrad_acts.optimizers import Adam

parser = argparse.ArgumentParser(description="Train an MLP on the two moons.")
parser.add_argument("--output-dir", type=Path,
                    default=Path("tinygrad_acts_output") / "train_moons")
output_dir = parser.parse_args().output_dir

ta.set_seed(0)  # the same initial weights and batch order on every run

# 1000 points: 800 to train on, 200 kept aside to measure what the model really learned.
X, y = ta.datasets.make_moons(1000, noise=0.15, seed=0)
X_train, y_train, X_test, y_test = X[:800], y[:800], X[800:], y[800:]

# The seed's recipe: SELU units with LeCun-normal weights. The last layer has no
# activation: it outputs a logit, and the loss applies the sigmoid itself (stable).
model = Sequential([
    Dense(16, activation="selu", kernel_initializer="lecun_normal", input_dim=2),
    Dense(16, activation="selu", kernel_initializer="lecun_normal"),
    Dense(1),
])
model.compile(optimizer=Adam(learning_rate=0.01), loss=BinaryCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.summary()

# verbose=1: a progress bar per epoch in a terminal, one line per epoch otherwise.
history = model.fit(X_train, y_train, epochs=30, batch_size=32, verbose=1)

test_loss, test_accuracy = model.evaluate(X_test, y_test, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.3f}")

try:
    from tinygrad_acts import plots

    plots.require_matplotlib()
except ImportError as error:
    print(f"no pictures: {error}")
else:
    print("wrote", plots.plot_decision_boundary(model, X_test, y_test,
                                                output_dir / "decision_boundary.png"))
    print("wrote", plots.plot_history(history, output_dir / "history.png"))
