"""Dense, Dropout and AlphaDropout: building, names, values, gradients, randomness, and
argument checks that leave no trace."""

import math

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts.activations import selu
from tinygrad_acts.layers import AlphaDropout, Dense, Dropout
from tinygrad_acts.layers.base import clear_session


@pytest.fixture(autouse=True)
def _fresh_names():
    clear_session()
    ta.set_seed(0)
    yield
    clear_session()


# ---- Dense -----------------------------------------------------------------------------------


def test_dense_builds_on_first_call_with_keras_shapes_and_names():
    layer = Dense(4)
    assert layer.name == "dense" and not layer.built and layer.kernel is None
    out = layer(np.ones((5, 3), dtype=np.float32))
    assert layer.built
    assert layer.kernel.shape == (3, 4) and layer.bias.shape == (4,)
    assert out.shape == (5, 4) and out.dtype == np.float32
    assert [w.name for w in layer.weights] == ["dense/kernel", "dense/bias"]
    assert layer.count_params() == 3 * 4 + 4
    assert [Dense(1).name, Dense(1).name] == ["dense_1", "dense_2"]


def test_dense_computes_activation_of_affine_map():
    layer = Dense(3, activation="selu", dtype="float64")
    x = np.random.default_rng(0).normal(size=(6, 2))
    out = layer(x)
    expected = selu(ta.Tensor(x @ layer.kernel.data + layer.bias.data)).data
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    np.testing.assert_array_equal(layer.bias.data, np.zeros(3))  # bias starts at zero


def test_dense_accepts_a_callable_and_none():
    x = np.ones((2, 3))
    doubled = Dense(2, activation=lambda t: t * 2.0, kernel_initializer="ones")(x)
    np.testing.assert_allclose(doubled.data, 6.0)
    linear = Dense(2, kernel_initializer="ones", use_bias=False)
    np.testing.assert_allclose(linear(x).data, 3.0)
    assert linear.bias is None and len(linear.weights) == 1


def test_dense_casts_inputs_to_its_dtype():
    layer = Dense(2)
    assert layer(np.ones((1, 3), dtype=np.float64)).dtype == np.float32
    assert layer([[1, 2, 3]]).dtype == np.float32


def test_dense_gradients_reach_kernel_and_bias():
    layer = Dense(3, activation="selu", dtype="float64")
    x = ta.Tensor(np.random.default_rng(1).normal(size=(4, 2)), requires_grad=True)
    layer(x)  # build
    assert ta.gradcheck(lambda k, b, inp: selu(inp @ k + b).sum(), [layer.kernel, layer.bias, x])
    layer(x).sum().backward()
    assert layer.kernel.grad.shape == (2, 3) and layer.bias.grad.shape == (3,)


def test_dense_lecun_normal_spread_and_truncation():
    layer = Dense(256, kernel_initializer="lecun_normal", use_bias=False)
    layer.build((None, 256))
    kernel = layer.kernel.data
    # truncated normal whose std after truncation is sqrt(1 / fan_in) = 1/16
    assert kernel.std() == pytest.approx(1 / 16, rel=0.02)
    assert abs(kernel.mean()) < 0.002
    # nothing beyond two standard deviations of the normal before truncation
    assert np.abs(kernel).max() <= 2 * (1 / 16) / 0.87962566103423978 + 1e-7


def test_wrong_width_names_both_widths_and_keeps_weights():
    layer = Dense(2, input_dim=3)
    with pytest.raises(ValueError, match=r"width 3.*width 5"):
        layer(np.ones((1, 5)))
    assert not layer.built and layer.weights == []  # nothing was made
    layer(np.ones((1, 3)))
    before = [w.data.copy() for w in layer.weights]
    with pytest.raises(ValueError, match=r"width 3.*width 4"):
        layer(np.ones((1, 4)))
    for w, b in zip(layer.weights, before, strict=True):
        np.testing.assert_array_equal(w.data, b)


def test_compute_output_shape():
    assert Dense(7).compute_output_shape((None, 3)) == (None, 7)
    with pytest.raises(ValueError, match="width 2"):
        Dense(7, input_dim=2).compute_output_shape((None, 3))


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        ({"units": 0}, ValueError, r"units.*positive integer.*units=0"),
        ({"units": -3}, ValueError, "units=-3"),
        ({"units": "16"}, ValueError, r"units='16'"),
        ({"units": 2.5}, ValueError, "units=2.5"),
        ({"units": True}, ValueError, "units=True"),
        ({"units": None}, ValueError, "units=None"),
        ({"units": 2, "activation": "selux"}, ValueError, "selux"),
        ({"units": 2, "kernel_initializer": "lecun"}, ValueError, "lecun"),
        ({"units": 2, "input_dim": 0}, ValueError, "input_dim=0"),
        ({"units": 2, "use_bias": "no"}, TypeError, "use_bias"),
    ],
)
def test_bad_dense_arguments_raise_and_leave_no_trace(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        Dense(**kwargs)
    assert Dense(1).name == "dense"  # the failed call did not use up a name


# ---- Dropout ---------------------------------------------------------------------------------


def test_dropout_is_identity_at_inference():
    x = ta.Tensor(np.arange(6.0).reshape(2, 3))
    for layer in (Dropout(0.5), AlphaDropout(0.5)):
        assert layer(x) is x
        assert layer(x, training=False) is x


def test_dropout_in_training_drops_and_rescales():
    rate = 0.3
    x = ta.Tensor(np.ones((200, 500)), requires_grad=True)
    out = Dropout(rate)(x, training=True)
    values = np.unique(out.data)
    np.testing.assert_allclose(values, [0.0, 1 / (1 - rate)])
    assert (out.data == 0).mean() == pytest.approx(rate, abs=0.01)
    assert out.data.mean() == pytest.approx(1.0, abs=0.02)  # expectation preserved
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, out.data)  # gradient flows only where kept


def test_dropout_randomness():
    x = np.ones((10, 10))
    # a seeded layer repeats itself from construction, and differs from call to call
    a, b = Dropout(0.5, seed=3), Dropout(0.5, seed=3)
    first = a(x, training=True).data
    np.testing.assert_array_equal(first, b(x, training=True).data)
    assert not np.array_equal(first, a(x, training=True).data)
    # unseeded layers follow ta.set_seed
    ta.set_seed(7)
    c = Dropout(0.5)(x, training=True).data
    ta.set_seed(7)
    np.testing.assert_array_equal(c, Dropout(0.5)(x, training=True).data)


def test_alpha_dropout_coefficients_match_the_paper():
    np.testing.assert_allclose(AlphaDropout(0.05).affine_coefficients(), (0.954844, 0.083936),
                               atol=1e-6)
    np.testing.assert_allclose(AlphaDropout(0.1).affine_coefficients(), (0.921285, 0.161971),
                               atol=1e-6)
    assert AlphaDropout.ALPHA_PRIME == pytest.approx(-1.7580993408473766, rel=1e-15)


def test_alpha_dropout_values_and_statistics():
    layer = AlphaDropout(0.1)
    a, b = layer.affine_coefficients()
    x = np.random.default_rng(0).normal(size=(1000, 1000))
    out = layer(x, training=True).data
    dropped = np.isclose(out, a * AlphaDropout.ALPHA_PRIME + b)
    assert dropped.mean() == pytest.approx(0.1, abs=0.005)
    np.testing.assert_allclose(out[~dropped], a * x[~dropped] + b, rtol=1e-12)
    # mean 0 and variance 1 in, mean 0 and variance 1 out
    assert abs(out.mean()) < 0.01 and out.var() == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("cls", [Dropout, AlphaDropout])
@pytest.mark.parametrize(
    "kwargs, error",
    [({"rate": -0.1}, ValueError), ({"rate": 1.0}, ValueError), ({"rate": math.nan}, ValueError),
     ({"rate": "0.5"}, TypeError), ({"rate": 0.5, "seed": -1}, ValueError)],
)
def test_bad_dropout_arguments(cls, kwargs, error):
    with pytest.raises(error, match="rate|seed"):
        cls(**kwargs)


def test_dropout_names():
    assert Dropout(0.1).name == "dropout"
    assert AlphaDropout(0.1).name == "alpha_dropout"
    assert Dropout(0.1).name == "dropout_1"
