"""Graduate: train a model here, open it in Keras 3, and go on training it there.

    python examples/graduate_to_keras.py [--output-dir DIR]

Trains a SELU network on the two moons for a few epochs, saves it as DIR/moons.keras
(Keras 3's own format, optimizer state included), opens it with `keras.saving.load_model`,
checks that Keras predicts the same, and trains it further with Keras. Also writes
DIR/moons.safetensors, the weights as a PyTorch state_dict. Without Keras (or without a
Keras backend that trains: JAX, TensorFlow or PyTorch), it says so and stops after saving.
Default DIR: ./tinygrad_acts_output/graduate_to_keras.
"""

import argparse
import importlib.util
import os
from pathlib import Path

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.layers import Dense
from tinygrad_acts.models import Sequential

parser = argparse.ArgumentParser(description="Train here, then go on training in Keras.")
parser.add_argument("--output-dir", type=Path,
                    default=Path("tinygrad_acts_output") / "graduate_to_keras")
output_dir = parser.parse_args().output_dir
output_dir.mkdir(parents=True, exist_ok=True)

ta.set_seed(0)
X, y = ta.datasets.make_moons(600, noise=0.15, seed=0)
X_train, y_train, X_test, y_test = X[:500], y[:500], X[500:], y[500:]

# 1. Train here: a few epochs, enough to see it learn.
model = Sequential([
    Dense(16, activation="selu", kernel_initializer="lecun_normal", input_dim=2),
    Dense(16, activation="selu", kernel_initializer="lecun_normal"),
    Dense(1, activation="sigmoid"),
])
model.compile(optimizer=ta.optimizers.Adam(0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
model.fit(X_train, y_train, epochs=5, batch_size=32, verbose=0)
loss_here, accuracy_here = model.evaluate(X_test, y_test, verbose=0)
print(f"here:  test loss {loss_here:.4f}, test accuracy {accuracy_here:.3f} after 5 epochs")

# 2. Save in Keras's format (and the weights for PyTorch, while we are at it).
model.save(output_dir / "moons.keras")
model.save(output_dir / "moons.safetensors")
print("wrote", output_dir / "moons.keras")
print("wrote", output_dir / "moons.safetensors")

# 3. Open it in Keras. A backend that trains: JAX if installed (else Keras's choice).
if importlib.util.find_spec("jax") is not None:
    os.environ.setdefault("KERAS_BACKEND", "jax")
try:
    import keras
except ImportError as error:
    print(f"Keras could not be imported ({error}): pip install keras jax, then run again.")
    raise SystemExit(0) from None

theirs = keras.saving.load_model(output_dir / "moons.keras")
difference = np.abs(np.asarray(theirs.predict(X_test, verbose=0)) - model.predict(X_test,
                                                                                  verbose=0))
print(f"Keras {keras.__version__} ({keras.backend.backend()} backend) opened it: largest "
      f"difference in its predictions {difference.max():.1e}")
assert difference.max() < 1e-5

# 4. Go on training there: Adam continues from the step count and moments it had here.
if keras.backend.backend() == "numpy":
    print("Keras's numpy backend predicts but does not train: pip install jax to go on.")
    raise SystemExit(0)
theirs.fit(X_train, y_train.reshape(-1, 1), epochs=15, batch_size=32, verbose=0)
loss_there, accuracy_there = theirs.evaluate(X_test, y_test.reshape(-1, 1), verbose=0)
print(f"Keras: test loss {loss_there:.4f}, test accuracy {accuracy_there:.3f} after 15 more "
      f"epochs (step {int(theirs.optimizer.iterations)})")
assert loss_there < loss_here
