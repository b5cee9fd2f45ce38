"""Saving in other libraries' formats without those libraries: `.keras` and `.weights.h5`
(Keras 3's layout, read with h5py) and `.safetensors` (PyTorch's state_dict, numpy only);
get_config/from_config; bad and foreign files; atomic writes. Real Keras and PyTorch are in
test_keras_interop.py and test_torch_interop.py."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import serialization

h5py = pytest.importorskip("h5py")
pytest.importorskip("safetensors")

L = ta.layers


def every_layer_model(seed: int = 0) -> ta.models.Sequential:
    """A model with one of each layer Keras's format holds, compiled with Adam."""
    ta.set_seed(seed)
    model = ta.models.Sequential([
        L.Dense(8, activation="selu", kernel_initializer="lecun_normal", input_dim=3),
        L.BatchNormalization(momentum=0.8, epsilon=1e-2,
                             beta_initializer=ta.initializers.Constant(0.05)),
        L.PReLU(alpha_initializer=ta.initializers.RandomUniform(0.1, 0.3)),
        L.Dense(6, activation="gelu", bias_initializer=ta.initializers.Constant(0.1)),
        L.LayerNormalization(epsilon=1e-2),
        L.LeakyReLU(),
        L.ELU(alpha=0.5),
        L.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.1),
        L.Dropout(0.2),
        L.AlphaDropout(0.1),
        L.Activation("tanh"),
        L.Dense(4),
        L.Softmax(),
    ])
    model.compile(optimizer=ta.optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def data(n: int = 16):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = np.eye(4, dtype="float32")[np.arange(n) % 4]
    return x, y


def test_keras_file_round_trip_keeps_predictions_and_optimizer_state(tmp_path):
    model = every_layer_model()
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = ta.models.load_model(tmp_path / "m.keras")
    assert [type(a) for a in loaded.layers] == [type(b) for b in model.layers]
    assert [a.name for a in loaded.layers] == [b.name for b in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.iterations == model.optimizer.iterations == 4
    # training goes on exactly as it would have without the file in between (same masks)
    for m in (model, loaded):
        ta.set_seed(5)
        m.fit(x, y, epochs=1, batch_size=8, verbose=0)
    for a, b in zip(loaded.weights, model.weights, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_keras_file_is_keras_zip_layout(tmp_path):
    model = every_layer_model()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert set(archive.namelist()) == {"metadata.json", "config.json", "model.weights.h5"}
        config = json.loads(archive.read("config.json"))
        assert "keras_version" in json.loads(archive.read("metadata.json"))
        weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
    assert config["class_name"] == "Sequential"
    names = [layer["class_name"] for layer in config["config"]["layers"]]
    assert names == ["InputLayer", "Dense", "BatchNormalization", "PReLU", "Dense",
                     "LayerNormalization", "LeakyReLU", "ELU", "ReLU", "Dropout",
                     "AlphaDropout", "Activation", "Dense", "Softmax"]
    dense = config["config"]["layers"][1]
    assert dense["config"]["kernel_initializer"] == {
        "module": "keras.initializers", "class_name": "LecunNormal",
        "config": {"seed": None, "input_axes": None, "output_axes": None},
        "registered_name": None}
    assert dense["config"]["dtype"]["class_name"] == "DTypePolicy"
    assert config["compile_config"]["loss"] == "categorical_crossentropy"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    with weights:
        assert sorted(weights["layers"]) == [
            "activation", "alpha_dropout", "batch_normalization", "dense", "dense_1",
            "dense_2", "dropout", "elu", "layer_normalization", "leaky_re_lu", "p_re_lu",
            "re_lu", "softmax"]
        assert weights["layers/dense/vars/0"].shape == (3, 8)
        assert weights["layers/dense/vars"].attrs["name"] == model.layers[0].name
        batch_norm = model.layers[1]  # Keras's order: gamma, beta, moving mean and variance
        for i, w in enumerate([batch_norm.gamma, batch_norm.beta, batch_norm.moving_mean,
                               batch_norm.moving_variance]):
            np.testing.assert_array_equal(weights[f"layers/batch_normalization/vars/{i}"], w.data)
        # iterations, rate, momentum and velocity of the 11 trainable weights
        assert len(weights["optimizer/vars"]) == 2 + 2 * 11


def test_weights_h5_both_ways_and_npz_still_works(tmp_path):
    model = every_layer_model()
    x, _ = data()
    model.save_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "w.npz")
    for path in ("w.weights.h5", "w.npz"):
        other = every_layer_model(seed=1)
        assert not np.allclose(other.predict(x, verbose=0), model.predict(x, verbose=0))
        other.load_weights(tmp_path / path)
        np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_safetensors_is_a_torch_state_dict(tmp_path):
    from safetensors.numpy import load_file

    model = every_layer_model()
    model.save(tmp_path / "m.safetensors")
    arrays = load_file(str(tmp_path / "m.safetensors"))
    assert arrays["0.weight"].shape == (8, 3)  # Linear keeps the kernel transposed
    np.testing.assert_array_equal(arrays["0.weight"], model.layers[0].kernel.data.T)
    assert arrays["3.weight"].shape == (8,)  # PReLU's slopes
    batch_norm = model.layers[1]  # BatchNorm1d's state_dict, with PyTorch's own counter
    np.testing.assert_array_equal(arrays["2.running_var"], batch_norm.moving_variance.data)
    assert arrays["2.num_batches_tracked"].dtype == np.int64
    assert arrays["6.weight"].shape == arrays["6.bias"].shape == (6,)  # LayerNorm
    x, _ = data()
    loaded = ta.models.load_model(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    other = every_layer_model(seed=2)
    other.load_weights(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_get_config_from_config_round_trips():
    model = every_layer_model()
    for layer in model.layers:
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()
    rebuilt = ta.models.Sequential.from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    assert rebuilt.built and rebuilt.count_params() == model.count_params()
    for opt in (ta.optimizers.SGD(0.1, momentum=0.9, nesterov=True), ta.optimizers.Adam(0.02),
                ta.optimizers.RMSprop(centered=True)):
        assert type(opt).from_config(opt.get_config()).get_config() == opt.get_config()
    for loss in (ta.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
                 ta.losses.MeanSquaredError(), ta.losses.SparseCategoricalCrossentropy()):
        assert type(loss).from_config(loss.get_config()).get_config() == loss.get_config()
    init = ta.initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=3)
    assert type(init).from_config(init.get_config()).get_config() == init.get_config()


def test_serialized_configs_are_keras_dicts():
    sgd = ta.optimizers.SGD(0.1, momentum=0.9, name="sgd")
    assert serialization.serialize(sgd, "optimizer") == {
        "module": "keras.optimizers", "class_name": "SGD", "registered_name": None,
        "config": {"name": "sgd", "learning_rate": 0.10000000149011612, "weight_decay": None,
                   "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                   "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                   "loss_scale_factor": None, "gradient_accumulation_steps": None,
                   "momentum": 0.9, "nesterov": False}}
    assert serialization.serialize(ta.losses.BinaryCrossentropy(), "loss") == {
        "module": "keras.losses", "class_name": "BinaryCrossentropy", "registered_name": None,
        "config": {"name": "binary_crossentropy", "reduction": "sum_over_batch_size",
                   "from_logits": False, "label_smoothing": 0.0, "axis": -1}}


def test_an_unsupported_layer_is_named_when_saving_and_nothing_is_written(tmp_path):
    model = ta.models.Sequential([L.Dense(2, input_dim=2), L.ThresholdedReLU(0.5)])
    with pytest.raises(ValueError, match="ThresholdedReLU"):
        model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="ThresholdedReLU"):
        model.save_weights(tmp_path / "m.weights.h5")
    assert list(tmp_path.iterdir()) == []


def keras_file_with(tmp_path, edit) -> str:
    """A .keras file of a small model whose config.json went through `edit`."""
    model = ta.models.Sequential([L.Dense(2, activation="relu", input_dim=2)])
    model.save(tmp_path / "ok.keras")
    with zipfile.ZipFile(tmp_path / "ok.keras") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    path = tmp_path / "edited.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


@pytest.mark.parametrize("class_name", ["Lambda", "Conv2D", "TFOpLambda"])
def test_unknown_or_code_layers_are_refused_by_name(tmp_path, class_name):
    def edit(config):
        config["config"]["layers"][1]["class_name"] = class_name
        config["config"]["layers"][1]["config"]["function"] = "gASVKAAAAAAAAACMCGJ1aWx0aW5z"

    path = keras_file_with(tmp_path, edit)
    with pytest.raises(ValueError, match=f"{class_name}.*not supported") as error:
        ta.models.load_model(path)
    assert "edited.keras" in str(error.value)


def test_a_custom_object_and_a_switched_on_keras_option_are_refused(tmp_path):
    def custom(config):
        config["config"]["layers"][1]["registered_name"] = "my_package>MyDense"

    with pytest.raises(ValueError, match="MyDense"):
        ta.models.load_model(keras_file_with(tmp_path, custom))

    def regularized(config):
        config["config"]["layers"][1]["config"]["kernel_regularizer"] = {
            "module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}}

    with pytest.raises(ValueError, match="kernel_regularizer"):
        ta.models.load_model(keras_file_with(tmp_path, regularized))


def test_truncated_and_foreign_files_name_the_path(tmp_path):
    model = every_layer_model()
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    model.save(tmp_path / "m.safetensors")
    for name in ("m.keras", "m.weights.h5", "m.safetensors"):
        data = (tmp_path / name).read_bytes()
        (tmp_path / f"cut_{name}").write_bytes(data[: len(data) // 2])
        (tmp_path / f"text_{name}").write_text("not a model at all\n")
        for bad in (f"cut_{name}", f"text_{name}"):
            with pytest.raises(ValueError, match=bad):
                if name == "m.keras" or (name == "m.safetensors" and bad.startswith("text")):
                    ta.models.load_model(tmp_path / bad)
                else:
                    every_layer_model().load_weights(tmp_path / bad)
    # a zip that is no Keras file
    with zipfile.ZipFile(tmp_path / "other.keras", "w") as archive:
        archive.writestr("data.pkl", b"\x80\x04K\x01.")
    with pytest.raises(ValueError, match="other.keras.*config.json"):
        ta.models.load_model(tmp_path / "other.keras")
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        ta.models.load_model(tmp_path / "missing.keras")


def test_h5_links_are_not_followed(tmp_path):
    model = ta.models.Sequential([L.Dense(2, input_dim=2)])
    model.save_weights(tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5", "a") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink("elsewhere.h5", "/secret")
    with pytest.raises(ValueError, match="plain dataset"):
        model.load_weights(tmp_path / "m.weights.h5")


def test_a_mismatched_file_changes_nothing(tmp_path):
    small = ta.models.Sequential([L.Dense(3, input_dim=2), L.Dense(1)])
    small.save_weights(tmp_path / "small.weights.h5")
    other = ta.models.Sequential([L.Dense(3, input_dim=2), L.Dense(2)])
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"shape \(3, 1\)"):
        other.load_weights(tmp_path / "small.weights.h5")
    for a, b in zip(other.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    from tinygrad_acts import saving

    model = every_layer_model()
    model.save(tmp_path / "m.keras")
    old = (tmp_path / "m.keras").read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(saving, "_write_h5", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(tmp_path / "m.keras")
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(tmp_path / "m.weights.h5")
    assert (tmp_path / "m.keras").read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]


def test_missing_h5py_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"tinygrad_acts\[interop\]"):
        every_layer_model().save(tmp_path / "m.keras")


def test_bad_paths_are_named(tmp_path):
    model = every_layer_model()
    with pytest.raises(ValueError, match="'.keras' or '.safetensors'"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(TypeError, match="path"):
        model.save(3)
    with pytest.raises(ValueError, match="build the model first"):
        ta.models.Sequential([L.Dense(2)]).save(tmp_path / "m.keras")


def test_importing_the_package_imports_no_heavy_library():
    code = ("import sys, tinygrad_acts as ta; ta.interop; "
            "print([m for m in ('torch', 'h5py', 'keras', 'safetensors', 'jax') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_loss_keras_cannot_name_saves_the_model_uncompiled(tmp_path):
    def my_loss(y_true, y_pred):
        return ((y_pred - y_true) ** 2).mean(axis=-1)

    model = ta.models.Sequential([L.Dense(1, input_dim=2)])
    model.compile(optimizer="sgd", loss=my_loss)
    with pytest.warns(UserWarning, match="uncompiled"):
        model.save(tmp_path / "m.keras")
    assert ta.models.load_model(tmp_path / "m.keras").optimizer is None


def test_a_learning_rate_function_saves_the_model_uncompiled(tmp_path):
    model = ta.models.Sequential([L.Dense(1, input_dim=2)])
    model.compile(optimizer=ta.optimizers.Adam(lambda: 0.01), loss="mse")
    with pytest.warns(UserWarning, match="learning_rate is a function.*schedule"):
        model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
    with weights:
        assert "optimizer" not in weights  # no state without the optimizer it belongs to
    assert ta.models.load_model(tmp_path / "m.keras").optimizer is None


def test_optimizer_state_round_trips_here_for_every_optimizer_with_slot_groups(tmp_path):
    """Through the file, each optimizer's state_of every weight comes back (Adafactor, whose
    state Keras lays out otherwise, comes back afresh with a warning)."""
    x, _ = data()
    for cls in ta.optimizers.Optimizer.__subclasses__() + [ta.optimizers.AdamW]:
        model = ta.models.Sequential([L.Dense(3, input_dim=3), L.BatchNormalization(),
                                      L.Dense(2)])
        model.compile(optimizer=cls(), loss="mse")
        model.fit(x, x[:, :2], epochs=1, batch_size=8, verbose=0)
        if cls.slot_groups is None:
            with pytest.warns(UserWarning, match="not saved"):
                model.save(tmp_path / "m.keras")
        else:
            model.save(tmp_path / "m.keras")
        back = ta.models.load_model(tmp_path / "m.keras")
        assert type(back.optimizer) is cls and back.optimizer.iterations == 2
        for ours, theirs in zip(back.trainable_weights, model.trainable_weights, strict=True):
            expected = (model.optimizer.state_of(theirs) if cls.slot_groups is not None
                        else back.optimizer._new_state(theirs.data))
            got = back.optimizer.state_of(ours)
            assert set(got) == set(expected), cls.__name__
            for k in expected:
                np.testing.assert_array_equal(got[k], expected[k], err_msg=cls.__name__)


def test_files_keep_their_mode_and_links_are_written_through(tmp_path):
    """As every file of the library (files.atomic_write): .keras, .weights.h5 and
    .safetensors replace a file keeping its permission bits, and write through a link."""
    import os
    import stat

    model = every_layer_model()
    for name in ("m.keras", "m.weights.h5", "m.safetensors"):
        target = tmp_path / f"target-{name}"
        target.write_bytes(b"old")
        os.chmod(target, 0o640)
        (tmp_path / name).symlink_to(target)
        save = model.save_weights if name.endswith(".weights.h5") else model.save
        save(tmp_path / name)
        assert (tmp_path / name).is_symlink()
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
        assert target.read_bytes() != b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
