"""`ta.interop` with real PyTorch: `to_torch(model)` computes the same as the model, every
activation included, `from_torch` brings a module back, and `model.save("m.safetensors")`
is a state_dict `to_torch(model).load_state_dict` takes. Skipped where torch is absent."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts.interop import TORCH_ACTIVATIONS

torch = pytest.importorskip("torch")

from test_saving import data, every_layer_model  # noqa: E402

L = ta.layers
ATOL = 1e-5


def torch_predict(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(np.asarray(x))).numpy()


def test_to_torch_computes_the_same_for_every_layer():
    model = every_layer_model()
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    module = ta.interop.to_torch(model)
    assert isinstance(module, torch.nn.Sequential) and not module.training
    assert [type(m).__name__ for m in module] == [
        "Linear", "SELU", "BatchNorm1d", "PReLU", "Linear", "GELU", "LayerNorm", "LeakyReLU",
        "ELU", "KerasReLU", "Dropout", "AlphaDropout", "Tanh", "Linear", "Softmax"]
    assert module[7].negative_slope == 0.3  # the layer's default, not PyTorch's 0.01
    batch_norm = module[2]  # PyTorch's momentum weighs the new batch: 1 - Keras's
    assert batch_norm.momentum == pytest.approx(1 - 0.8) and batch_norm.eps == 1e-2
    np.testing.assert_array_equal(batch_norm.running_mean.numpy(),
                                  model.layers[1].moving_mean.data)
    assert module[6].normalized_shape == (6,) and module[6].eps == 1e-2
    np.testing.assert_array_equal(module[0].weight.detach().numpy(),
                                  model.layers[0].kernel.data.T)
    np.testing.assert_allclose(torch_predict(module, x), model.predict(x, verbose=0), atol=ATOL)


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_activation_by_its_keras_name(name, dtype):
    ta.set_seed(0)
    model = ta.models.Sequential([L.Dense(6, activation=name, input_dim=4, dtype=dtype)])
    module = ta.interop.to_torch(model)
    x = (np.random.default_rng(0).normal(size=(16, 4)) * 3).astype(dtype)
    x[0, :] = [-1.0, 1.0, 0.0, 3.0]  # kinks of the piecewise ones
    np.testing.assert_allclose(torch_predict(module, x), model.predict(x, verbose=0),
                               atol=ATOL, rtol=ATOL)
    back = ta.interop.from_torch(module)
    assert back.layers[0].get_config()["activation"] == model.layers[0].get_config()["activation"]
    np.testing.assert_allclose(back.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=ATOL, rtol=ATOL)


def test_relu_layer_variants_and_thresholded_relu():
    x = np.linspace(-3, 9, 49, dtype="float32").reshape(-1, 1)
    for layer in (L.ReLU(), L.ReLU(max_value=6.0), L.ReLU(negative_slope=0.2, threshold=1.0),
                  L.ReLU(max_value=4.0, threshold=2.0), L.ThresholdedReLU(theta=1.5)):
        model = ta.models.Sequential([L.Dense(1, input_dim=1, kernel_initializer="ones",
                                              use_bias=False), layer])
        module = ta.interop.to_torch(model)
        np.testing.assert_allclose(torch_predict(module, x), model.predict(x, verbose=0),
                                   atol=ATOL)
        back = ta.interop.from_torch(module)
        np.testing.assert_allclose(back.predict(x, verbose=0), model.predict(x, verbose=0),
                                   atol=ATOL)


def test_from_torch_brings_a_torch_model_here():
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, 8), torch.nn.LeakyReLU(),  # PyTorch's slope, 0.01
        torch.nn.PReLU(8), torch.nn.Dropout(0.1),
        torch.nn.Linear(8, 5, bias=False), torch.nn.ELU(alpha=0.5),
        torch.nn.Linear(5, 3), torch.nn.Softmax(dim=-1),
    ).eval()
    model = ta.interop.from_torch(module)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "Dense", "LeakyReLU", "PReLU", "Dropout", "Dense", "ELU", "Dense"]
    assert model.layers[2].negative_slope == pytest.approx(0.01)
    assert model.layers[-1].get_config()["activation"] == "softmax"
    x, _ = data()
    np.testing.assert_allclose(model.predict(x, verbose=0), torch_predict(module, x), atol=ATOL)
    # and the model goes back to PyTorch unchanged
    again = ta.interop.to_torch(model)
    np.testing.assert_allclose(torch_predict(again, x), torch_predict(module, x), atol=ATOL)


@pytest.mark.parametrize("module, message", [
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU(approximate="tanh")),
     "approximate"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Softplus(beta=2.0)), "beta"),
    (torch.nn.Sequential(torch.nn.Conv1d(1, 1, 1)), "Conv1d"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Threshold(0.1, 20.0)), "value=20"),
])
def test_from_torch_refuses_what_it_cannot_express_by_name(module, message):
    with pytest.raises(ValueError, match=message):
        ta.interop.from_torch(module)
    with pytest.raises(TypeError, match="torch.nn.Sequential"):
        ta.interop.from_torch(torch.nn.Linear(2, 2))


def test_safetensors_loads_into_to_torch(tmp_path):
    from safetensors.torch import load_file

    model = every_layer_model()
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "m.safetensors")
    other = ta.interop.to_torch(every_layer_model(seed=4))
    assert not np.allclose(torch_predict(other, x), model.predict(x, verbose=0), atol=ATOL)
    other.load_state_dict(load_file(str(tmp_path / "m.safetensors")))
    np.testing.assert_allclose(torch_predict(other, x), model.predict(x, verbose=0), atol=ATOL)
    # and a state_dict saved by PyTorch loads here
    from safetensors.torch import save_file

    save_file(other.state_dict(), str(tmp_path / "torch.safetensors"))
    here = every_layer_model(seed=5)
    here.load_weights(tmp_path / "torch.safetensors")
    np.testing.assert_allclose(here.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=ATOL)


def test_normalization_layers_from_torch_and_back():
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.BatchNorm1d(8, eps=1e-2, momentum=0.2), torch.nn.ReLU(),
        torch.nn.Linear(8, 6), torch.nn.LayerNorm(6, eps=1e-4), torch.nn.Linear(6, 2),
        torch.nn.LayerNorm(2, bias=False))
    with torch.no_grad():  # statistics and affine weights that are not their initial values
        for p in (module[1].weight, module[1].bias, module[4].weight, module[4].bias):
            p.uniform_(0.5, 1.5)
        for _ in range(3):
            module(torch.randn(16, 3) * 2 + 1)
    module.eval()
    model = ta.interop.from_torch(module)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "BatchNormalization", "Activation", "Dense", "LayerNormalization", "Dense",
        "LayerNormalization"]
    batch_norm, layer_norm = model.layers[1], model.layers[6]
    assert batch_norm.momentum == pytest.approx(0.8) and batch_norm.epsilon == 1e-2
    assert layer_norm.scale and not layer_norm.center
    np.testing.assert_array_equal(batch_norm.moving_variance.data,
                                  module[1].running_var.numpy())
    x, _ = data()
    np.testing.assert_allclose(model.predict(x, verbose=0), torch_predict(module, x), atol=ATOL)
    again = ta.interop.to_torch(model)
    np.testing.assert_allclose(torch_predict(again, x), torch_predict(module, x), atol=ATOL)


def test_batch_normalization_trains_as_pytorch_up_to_its_unbiased_running_variance():
    """One training step: the same output and moving mean; PyTorch's running variance takes
    the batch's unbiased variance (n / (n - 1) times Keras's)."""
    ta.set_seed(0)
    model = ta.models.Sequential([L.BatchNormalization(momentum=0.9)])
    model.build((None, 4))
    module = ta.interop.to_torch(model).train()
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32") * 3
    out = model.layers[0](x, training=True).data
    np.testing.assert_allclose(torch_predict(module, x), out, atol=ATOL)
    np.testing.assert_allclose(module[0].running_mean.numpy(),
                               model.layers[0].moving_mean.data, atol=1e-6)
    biased = model.layers[0].moving_variance.data - 0.9  # (1 - momentum) * var(batch)
    np.testing.assert_allclose(module[0].running_var.numpy() - 0.9, biased * 8 / 7, rtol=1e-5)


@pytest.mark.parametrize("layers, shape, message", [
    ([L.BatchNormalization(scale=False)], (None, 3), "gamma and beta together"),
    ([L.LayerNormalization(center=True, scale=False)], (None, 3), "no beta without gamma"),
    ([L.LayerNormalization(axis=[-2, -1])], (None, 4, 3), "last axis"),
    ([L.LayerNormalization(axis=1)], (None, 4, 3), "last axis"),
    ([L.BatchNormalization()], (None, 4, 3), "inputs \\(batch, features\\)"),
])
def test_to_torch_refuses_normalizations_it_cannot_express(layers, shape, message):
    model = ta.models.Sequential(layers)
    model.build(shape)
    with pytest.raises(ValueError, match=message):
        ta.interop.to_torch(model)


@pytest.mark.parametrize("module, message", [
    (torch.nn.BatchNorm1d(3, momentum=None), "cumulative average"),
    (torch.nn.BatchNorm1d(3, track_running_stats=False), "no running statistics"),
    (torch.nn.LayerNorm((2, 3)), "last 2 axes"),
])
def test_from_torch_refuses_normalizations_it_cannot_express(module, message):
    with pytest.raises(ValueError, match=message):
        ta.interop.from_torch(torch.nn.Sequential(torch.nn.Linear(3, 3), module))
