"""A deep self-normalizing network: 32 SELU layers with LeCun-normal weights and
AlphaDropout, trained with plain SGD, its per-layer statistics recorded as it learns.

    python examples/deep_selu.py [--output-dir DIR]

Writes DIR/statistics.png (each layer's mean, variance, fraction of zeros and gradient size,
epoch by epoch) and DIR/history.png (default DIR: ./tinygrad_acts_output/deep_selu) when
matplotlib is installed. Swap "selu" for "relu" below to watch the same network not learn.
"""

import argparse
from pathlib import Path

import tinygrad_acts as ta
from tinygrad_acts.callbacks import ActivationStatistics
from tinygrad_acts.layers import AlphaDropout, Dense
from tinygrad_acts.losses import BinaryCrossentropy
from tinygrad_acts.models import Sequential
from tinygrad_acts.optimizers import SGD

parser = argparse.ArgumentParser(description="Train a 32-layer SELU network.")
parser.add_argument("--output-dir", type=Path, default=Path("tinygrad_acts_output") / "deep_selu")
output_dir = parser.parse_args().output_dir

DEPTH, WIDTH, ACTIVATION = 32, 64, "selu"
ta.set_seed(0)

# Standardized inputs (mean 0, variance 1 per feature): the statistics SELU's fixed point
# assumes from the very first layer.
X, y = ta.datasets.make_moons(1000, noise=0.15, seed=0)
X = ta.datasets.standardize(X)
X_train, y_train, X_test, y_test = X[:800], y[:800], X[800:], y[800:]

# The seed's line, repeated 32 times: Dense(..., activation='selu',
# kernel_initializer='lecun_normal'). AlphaDropout (not Dropout) keeps mean 0 and variance 1
# while dropping units; the last layer outputs a logit.
layers = [Dense(WIDTH, activation=ACTIVATION, kernel_initializer="lecun_normal", input_dim=2)]
for _ in range(DEPTH - 1):
    layers.append(Dense(WIDTH, activation=ACTIVATION, kernel_initializer="lecun_normal"))
layers += [AlphaDropout(0.05), Dense(1, kernel_initializer="lecun_normal")]
model = Sequential(layers)
model.compile(optimizer=SGD(learning_rate=0.01), loss=BinaryCrossentropy(from_logits=True),
              metrics=["accuracy"])

# Probe 256 training points before training and after every epoch; measuring does not
# change the training.
stats = ActivationStatistics(X_train[:256], y_train[:256])
history = model.fit(X_train, y_train, epochs=15, batch_size=32, verbose=2, callbacks=[stats])

print("before training, variance of layers 1, 8, 16, 32:",
      " ".join(f"{stats.var[0, k]:.3f}" for k in (0, 7, 15, 31)))
test_loss, test_accuracy = model.evaluate(X_test, y_test, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.3f}")

try:
    from tinygrad_acts import plots

    plots.require_matplotlib()
except ImportError as error:
    print(f"no pictures: {error}")
else:
    print("wrote", stats.plot(output_dir / "statistics.png", title=f"{DEPTH} {ACTIVATION} layers"))
    print("wrote", plots.plot_history(history, output_dir / "history.png"))
