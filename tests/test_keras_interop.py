"""Round trips with real Keras 3: a model saved here opens in Keras and predicts the same,
a model saved by Keras opens here, weights move both ways, and our configs are the dicts
Keras writes. Skipped where Keras is absent; its numpy backend is enough to load and
predict, and the lightest to import (set before the import)."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "numpy")
keras = pytest.importorskip("keras")
pytest.importorskip("h5py")

from test_saving import data, every_layer_model  # noqa: E402

import tinygrad_acts as ta  # noqa: E402
from tinygrad_acts import serialization  # noqa: E402

L = ta.layers
ATOL = 1e-5
# Keras's numpy backend under numpy 2 warns on each conversion: not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

# Keras's activations by name: every one a Dense layer can take by name (threshold needs
# arguments). Keras 3.15's sparsemax sums every cumulative sum of the support where it
# should take the last one (all backends), so its output does not sum to 1; ours does.
KERAS_ACTIVATIONS = sorted(
    name for name in dir(keras.activations)
    if not name.startswith("_") and name not in ("get", "serialize", "deserialize",
                                                   "threshold"))
KERAS_SPARSEMAX_IS_WRONG = True


def keras_predict(model, x):
    return np.asarray(model.predict(x, verbose=0))


def test_a_model_saved_here_predicts_the_same_in_keras(tmp_path):
    model = every_layer_model()
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(keras_predict(theirs, x), model.predict(x, verbose=0), atol=ATOL)
    assert [layer.name for layer in theirs.layers] == [layer.name for layer in model.layers]
    # the optimizer arrives with its state: Adam's step count and both moments
    assert int(theirs.optimizer.iterations) == model.optimizer.iterations
    variables = [np.asarray(v) for v in theirs.optimizer.variables]
    first_kernel = model.layers[0].kernel
    m, v = (model.optimizer.state_of(first_kernel)[k] for k in ("momentum", "velocity"))
    np.testing.assert_allclose(variables[2], m, rtol=1e-6)
    np.testing.assert_allclose(variables[3], v, rtol=1e-6)
    # and Keras's file of it comes back here, BatchNormalization's moving statistics included
    theirs.save(tmp_path / "again.keras")
    back = ta.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=ATOL)
    for ours, original in zip(back.weights, model.weights, strict=True):
        np.testing.assert_allclose(ours.data, original.data, rtol=1e-6, err_msg=original.name)


@pytest.mark.parametrize("name", KERAS_ACTIVATIONS)
def test_dense_with_every_keras_activation(tmp_path, name):
    ta.set_seed(0)
    model = ta.models.Sequential([L.Dense(6, activation=name, input_dim=4)])
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    assert theirs.layers[0].get_config()["activation"] == ta.activations.serialize(
        ta.activations.get(name))
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32") * 2
    theirs.save(tmp_path / "theirs.keras")  # and the file Keras writes comes back here
    back = ta.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_array_equal(back.predict(x, verbose=0), model.predict(x, verbose=0))
    if name == "sparsemax" and KERAS_SPARSEMAX_IS_WRONG:
        return
    np.testing.assert_allclose(keras_predict(theirs, x), model.predict(x, verbose=0),
                               atol=ATOL, rtol=ATOL)


def keras_every_layer_model():
    keras.utils.set_random_seed(0)
    K = keras.layers
    model = keras.Sequential([
        keras.Input((3,)),
        K.Dense(8, activation="selu", kernel_initializer="lecun_normal",
                bias_initializer="random_normal"),
        K.BatchNormalization(momentum=0.9, epsilon=1e-2,
                             moving_variance_initializer=keras.initializers.Constant(2.0)),
        K.PReLU(alpha_initializer=keras.initializers.RandomUniform(0.1, 0.3)),
        K.Dense(6, activation="hard_silu"),
        K.LayerNormalization(epsilon=1e-2, gamma_initializer="random_normal"),
        K.LeakyReLU(negative_slope=0.1),
        K.ELU(alpha=0.7),
        K.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.1),
        K.Dropout(0.2),
        K.AlphaDropout(0.1),
        K.Activation("softplus"),
        K.Dense(4),
        K.Softmax(),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(0.005, momentum=0.5), loss="mse",
                  metrics=["mae"])
    # BatchNormalization's four arrays, each different (gamma, beta, moving mean, variance)
    rng = np.random.default_rng(2)
    model.layers[1].set_weights([rng.uniform(0.5, 2.0, 8).astype("float32"),
                                 rng.normal(size=8).astype("float32"),
                                 rng.normal(size=8).astype("float32"),
                                 rng.uniform(0.5, 3.0, 8).astype("float32")])
    return model


def test_a_model_saved_by_keras_opens_here(tmp_path):
    theirs = keras_every_layer_model()
    theirs.save(tmp_path / "k.keras")
    ours = ta.models.load_model(tmp_path / "k.keras")
    x, _ = data()
    np.testing.assert_allclose(ours.predict(x, verbose=0), keras_predict(theirs, x), atol=ATOL)
    assert isinstance(ours.optimizer, ta.optimizers.RMSprop)
    assert ours.optimizer.momentum == 0.5
    assert ours.loss.name == "mse" and ours.metrics_names == ["loss", "mae"]
    # and back to Keras, through our file
    ours.save(tmp_path / "again.keras")
    again = keras.saving.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(keras_predict(again, x), keras_predict(theirs, x), atol=ATOL)


# Keras warns that the file of an uncompiled model has no optimizer state: so it should
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_weights_move_both_ways_between_the_same_architecture(tmp_path):
    theirs = keras_every_layer_model()
    ours = ta.models.Sequential.from_config(theirs.get_config())
    x, _ = data()
    assert not np.allclose(ours.predict(x, verbose=0), keras_predict(theirs, x), atol=ATOL)
    theirs.save_weights(tmp_path / "k.weights.h5")
    ours.load_weights(tmp_path / "k.weights.h5")
    np.testing.assert_allclose(ours.predict(x, verbose=0), keras_predict(theirs, x), atol=ATOL)

    ta.set_seed(3)
    fresh = ta.models.Sequential.from_config(theirs.get_config())
    fresh.save_weights(tmp_path / "ours.weights.h5")
    theirs.load_weights(tmp_path / "ours.weights.h5")
    np.testing.assert_allclose(keras_predict(theirs, x), fresh.predict(x, verbose=0), atol=ATOL)


def strip(config):
    """Keras's shared-object bookkeeping is not part of the config."""
    if isinstance(config, dict):
        return {k: strip(v) for k, v in config.items() if k != "shared_object_id"}
    if isinstance(config, list):
        return [strip(v) for v in config]
    return config


@pytest.mark.parametrize("pair", [
    (ta.initializers.LecunNormal(), keras.initializers.LecunNormal()),
    (ta.initializers.GlorotUniform(seed=3), keras.initializers.GlorotUniform(seed=3)),
    (ta.initializers.VarianceScaling(2.0, "fan_out", "uniform"),
     keras.initializers.VarianceScaling(2.0, "fan_out", "uniform")),
    (ta.initializers.RandomNormal(0.1, 0.2), keras.initializers.RandomNormal(0.1, 0.2)),
    (ta.initializers.Constant(0.5), keras.initializers.Constant(0.5)),
    (ta.initializers.Zeros(), keras.initializers.Zeros()),
], ids=lambda pair: type(pair[0]).__name__ if isinstance(pair, tuple) else None)
def test_initializer_configs_are_keras(pair):
    ours, theirs = pair
    assert serialization.serialize(ours, "initializer") == strip(
        keras.saving.serialize_keras_object(theirs))


@pytest.mark.parametrize("pair", [
    (ta.optimizers.Adam(0.01), keras.optimizers.Adam(0.01)),
    (ta.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
     keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True)),
    (ta.optimizers.RMSprop(centered=True, name="rm_sprop"),
     keras.optimizers.RMSprop(centered=True)),
    (ta.losses.BinaryCrossentropy(from_logits=True), keras.losses.BinaryCrossentropy(True)),
    (ta.losses.MeanSquaredError(), keras.losses.MeanSquaredError()),
], ids=lambda pair: type(pair[0]).__name__ if isinstance(pair, tuple) else None)
def test_optimizer_and_loss_configs_are_keras(pair):
    ours, theirs = pair
    kind = "optimizer" if isinstance(ours, ta.optimizers.Optimizer) else "loss"
    assert serialization.serialize(ours, kind) == strip(
        keras.saving.serialize_keras_object(theirs))


def test_layer_configs_are_keras():
    theirs = keras_every_layer_model()
    ours = ta.models.Sequential.from_config(theirs.get_config())
    for mine, keras_layer in zip(ours.layers, theirs.layers, strict=True):
        assert serialization.serialize(mine, "layer") == strip(
            {k: v for k, v in keras.saving.serialize_keras_object(keras_layer).items()
             if k != "build_config"}), keras_layer.name


# Keras's numpy backend runs the Lambda on uninitialized arrays to find its output shape
@pytest.mark.filterwarnings("ignore:(invalid value|overflow) encountered:RuntimeWarning")
def test_a_keras_model_with_an_unsupported_layer_is_refused_by_name(tmp_path):
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2),
                               keras.layers.GaussianNoise(0.1)])
    theirs.save(tmp_path / "noise.keras")
    with pytest.raises(ValueError, match="GaussianNoise.*not supported"):
        ta.models.load_model(tmp_path / "noise.keras")
    lam = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2)])
    lam.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="Lambda.*not supported"):
        ta.models.load_model(tmp_path / "lambda.keras")


def test_sequential_get_config_is_keras():
    theirs = keras_every_layer_model()
    ours = ta.models.Sequential.from_config(theirs.get_config())
    expected = json.loads(json.dumps(strip(theirs.get_config())))  # tuples as lists
    expected["layers"][0]["config"]["name"] = "input_layer"  # Keras numbers it per session
    assert ours.get_config() == expected


@pytest.mark.parametrize("loss, metrics, expected", [
    (keras.losses.mean_squared_error, [keras.metrics.MeanAbsoluteError(), "accuracy"],
     ["loss", "mean_absolute_error", "accuracy"]),
    ("binary_crossentropy", [keras.metrics.BinaryAccuracy(threshold=0.3)],
     ["loss", "binary_accuracy"]),
    (keras.losses.CategoricalCrossentropy(from_logits=True), ["categorical_accuracy"],
     ["loss", "categorical_accuracy"]),
])
def test_keras_compile_configs_come_back(tmp_path, loss, metrics, expected):
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    theirs.compile(optimizer="adam", loss=loss, metrics=metrics)
    theirs.save(tmp_path / "k.keras")
    ours = ta.models.load_model(tmp_path / "k.keras")
    assert ours.metrics_names == expected
    assert isinstance(ours.optimizer, ta.optimizers.Adam)
    assert ta.models.load_model(tmp_path / "k.keras", compile=False).optimizer is None


def test_a_float64_model_stays_float64_in_keras(tmp_path):
    model = ta.models.Sequential([L.Dense(4, activation="tanh", input_dim=3, dtype="float64"),
                                  L.PReLU(dtype="float64")])
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    assert theirs.layers[0].dtype == "float64"
    x = np.random.default_rng(0).normal(size=(5, 3))
    # (Keras's predict rounds the input to float32 on the way in, hence not 1e-12)
    np.testing.assert_allclose(keras_predict(theirs, x), model.predict(x, verbose=0), atol=ATOL)


# Every optimizer with options that turn on all its state (RMSprop's three groups, Adam's
# velocity_hat); Adam with a schedule too (Keras then keeps no learning-rate variable).
OPTIMIZERS = [
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {"weight_decay": 0.01}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adagrad", {}),
    ("Adadelta", {}),
    ("Adamax", {}),
    ("Nadam", {}),
    ("Lion", {}),
    ("Lamb", {}),
    ("Ftrl", {"l1_regularization_strength": 0.01}),
    ("Adam", {"learning_rate": "schedule"}),
]


def optimizer_pair(name, options):
    options = dict(options)
    if options.get("learning_rate") == "schedule":
        options["learning_rate"] = ta.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)
        theirs_rate = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)
    else:
        options["learning_rate"] = theirs_rate = 0.01
    ours = getattr(ta.optimizers, name)(**options)
    theirs = getattr(keras.optimizers, name)(**{**options, "learning_rate": theirs_rate})
    return ours, theirs


def keras_slots(theirs_model):
    """{(index of the trainable weight, slot name): array} of a Keras model's optimizer."""
    by_name = {v.name: np.asarray(v) for v in theirs_model.optimizer.variables}
    out = {}
    for i, variable in enumerate(theirs_model.trainable_variables):
        prefix = variable.path.replace("/", "_") + "_"
        for name, value in by_name.items():
            if name.startswith(prefix):
                out[i, name[len(prefix):]] = value
    return out


def small_model(optimizer):
    ta.set_seed(0)
    model = ta.models.Sequential([L.Dense(4, activation="tanh", input_dim=3),
                                  L.BatchNormalization(), L.Dense(2)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


@pytest.mark.parametrize("name, options", OPTIMIZERS,
                         ids=[f"{n}-{'-'.join(o) or 'default'}" for n, o in OPTIMIZERS])
def test_optimizer_state_moves_to_keras_and_back_by_keras_names(tmp_path, name, options):
    ours_optimizer, keras_optimizer = optimizer_pair(name, options)
    model = small_model(ours_optimizer)
    x, _ = data()
    model.fit(x, x[:, :2] * 0.5, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    # the config is the one Keras writes for the same optimizer
    config = json.loads(zipfile.ZipFile(tmp_path / "m.keras").read("config.json"))
    expected = strip(keras.saving.serialize_keras_object(keras_optimizer))
    expected["config"]["name"] = ours_optimizer.name
    assert config["compile_config"]["optimizer"] == expected

    theirs = keras.saving.load_model(tmp_path / "m.keras")
    assert int(theirs.optimizer.iterations) == model.optimizer.iterations == 4
    slots = keras_slots(theirs)
    expected_slots = {(i, k): v for i, w in enumerate(model.trainable_weights)
                      for k, v in model.optimizer.state_of(w).items()}
    assert set(slots) == set(expected_slots)
    for key, value in expected_slots.items():
        np.testing.assert_allclose(slots[key], value, rtol=1e-6, err_msg=str(key))
    if name == "Nadam":  # its running product of the momentum schedule, last
        np.testing.assert_allclose(np.asarray(theirs.optimizer.variables[-1]),
                                   model.optimizer._u_product, rtol=1e-6)

    # Keras's file back here: Keras's values (changed there) by the same names
    rng = np.random.default_rng(5)
    for variable in theirs.optimizer.variables[2:]:
        variable.assign(rng.uniform(0.1, 1.0, size=variable.shape).astype(variable.dtype))
    theirs.optimizer.iterations.assign(7)
    theirs.save(tmp_path / "k.keras")
    back = ta.models.load_model(tmp_path / "k.keras")
    assert type(back.optimizer) is type(model.optimizer)
    assert back.optimizer.get_config() == {**model.optimizer.get_config(),
                                           "learning_rate": back.optimizer.get_config()[
                                               "learning_rate"]}
    assert back.optimizer.iterations == 7
    slots = keras_slots(theirs)
    for i, w in enumerate(back.trainable_weights):
        for k, v in back.optimizer.state_of(w).items():
            np.testing.assert_allclose(v, slots[i, k], rtol=1e-6, err_msg=f"{i} {k}")


def test_adafactor_is_saved_without_its_state_and_keras_starts_it_afresh(tmp_path):
    model = small_model(ta.optimizers.Adafactor())
    x, _ = data()
    model.fit(x, x[:, :2], epochs=1, batch_size=8, verbose=0)
    with pytest.warns(UserWarning, match="Adafactor is not saved"):
        model.save(tmp_path / "m.keras")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        theirs = keras.saving.load_model(tmp_path / "m.keras")  # and starts afresh
    assert type(theirs.optimizer).__name__ == "Adafactor"
    back = ta.models.load_model(tmp_path / "m.keras")
    assert back.optimizer.iterations == model.optimizer.iterations


TRAINING_GOES_ON_IN_KERAS = """
import os, sys, tempfile, warnings
os.environ["KERAS_BACKEND"] = "jax"
warnings.filterwarnings("ignore")
import numpy as np, keras
import tinygrad_acts as ta
L = ta.layers
rng = np.random.default_rng(0)
x = rng.normal(size=(16, 3)).astype("float32")
y = x[:, :2] * 0.5
folder = tempfile.mkdtemp()
for optimizer in (ta.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
                  ta.optimizers.Nadam(0.01),
                  ta.optimizers.Adam(ta.optimizers.schedules.ExponentialDecay(0.01, 3, 0.5))):
    ta.set_seed(0)
    model = ta.models.Sequential([L.Dense(4, activation="tanh", input_dim=3),
                                  L.BatchNormalization(), L.Dense(3), L.LayerNormalization(),
                                  L.Dense(2)])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    model.save(os.path.join(folder, "m.keras"))
    theirs = keras.saving.load_model(os.path.join(folder, "m.keras"))
    for m in (model, theirs):
        m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(theirs.weights, model.weights, strict=True):
        np.testing.assert_allclose(np.asarray(a), b.data, atol=1e-5, err_msg=b.name)
print("same")
"""


def test_training_goes_on_in_keras_as_it_would_have_here(tmp_path):
    """Trained here, saved, then 4 more steps here and in Keras (JAX, which trains): the same
    weights, batch statistics included; the optimizers whose state is laid out most unusually
    (RMSprop's three groups, Nadam's u_product, a schedule: no learning-rate variable)."""
    import subprocess
    import sys

    pytest.importorskip("jax")
    process = subprocess.run([sys.executable, "-c", TRAINING_GOES_ON_IN_KERAS],
                             capture_output=True, text=True, timeout=300, cwd=tmp_path,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert process.returncode == 0, process.stderr[-2000:]
    assert process.stdout.strip() == "same"
