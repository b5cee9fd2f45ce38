"""Issue 13's layer, model and initializer items: each test failed before its fix."""

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import initializers
from tinygrad_acts.callbacks import History
from tinygrad_acts.layers import (
    ELU,
    Activation,
    AlphaDropout,
    Dense,
    Dropout,
    LeakyReLU,
    PReLU,
    ReLU,
    Softmax,
    ThresholdedReLU,
)
from tinygrad_acts.layers.base import Layer, clear_session
from tinygrad_acts.models import Sequential


@pytest.fixture(autouse=True)
def _fresh_names():
    clear_session()
    ta.set_seed(0)
    yield
    clear_session()


# ---- build marks the layer built ---------------------------------------------------------------


def test_build_marks_dense_built_and_set_weights_survive_the_first_call():
    layer = Dense(2, activation="relu")
    layer.build((1, 2))
    assert layer.built
    layer.set_weights([np.array([[1.0, -2.0], [3.0, -4.0]]), np.array([5.0, -6.0])])
    out = layer(np.array([[-1.0, 2.0]]))
    np.testing.assert_allclose(out.data, [[10.0, 0.0]])  # Keras's answer
    assert len(layer.weights) == 2


def test_build_marks_prelu_built_and_its_alpha_survives():
    layer = PReLU()
    layer.build((None, 3))
    layer.set_weights([np.full(3, 0.5)])
    np.testing.assert_allclose(layer(np.array([[-2.0, 1.0, -4.0]])).data, [[-1.0, 1.0, -2.0]])
    assert len(layer.weights) == 1


@pytest.mark.parametrize(
    "make", [ReLU, LeakyReLU, ELU, Softmax, lambda: Activation("tanh"), lambda: Dropout(0.5),
             lambda: AlphaDropout(0.5), ThresholdedReLU],
)
def test_layers_without_weights_are_built_when_made(make):
    assert make().built  # as in Keras


def test_a_build_that_raises_leaves_the_layer_unbuilt_and_without_weights():
    class Half(Layer):
        def build(self, input_shape):
            self.w = self.add_weight((2,), "ones", "w")
            raise RuntimeError("boom")

    layer = Half()
    with pytest.raises(RuntimeError):
        layer.build((None, 2))
    assert not layer.built and layer.weights == [] and not hasattr(layer, "w")


def test_trainable_weights_follow_requires_grad():
    layer = Dense(2)
    layer.build((None, 3))
    assert layer.trainable_weights == layer.weights
    assert not hasattr(layer, "_trainable_flags")


# ---- state unchanged on error ------------------------------------------------------------------


def test_set_weights_with_a_bad_second_array_changes_nothing():
    layer = Dense(2)
    layer.build((None, 2))
    before = layer.get_weights()
    with pytest.raises(ValueError, match="bias"):
        layer.set_weights([np.ones((2, 2)), np.array(["a", "b"])])
    for w, b in zip(layer.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, b)


def test_add_of_a_layer_that_cannot_be_built_leaves_the_model_unchanged():
    model = Sequential([Dense(3, input_dim=2)])
    weights = model.get_weights()
    with pytest.raises(ValueError, match="dtype"):
        model.add(Dense(3, dtype="int32"))
    assert len(model.layers) == 1
    for w, b in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(w, b)
    model.add(Dense(1))  # the model still works
    assert model.predict(np.ones((2, 2)), verbose=0).shape == (2, 1)


@pytest.mark.parametrize(
    "bad",
    [
        {"y": np.zeros((7, 1))},  # one row short
        {"y": np.zeros((8, 1)), "callbacks": ["not a callback"]},
        {"y": np.zeros((8, 1)), "callbacks": [History(), 3]},
        {"y": np.zeros((8, 1)), "validation_data": (np.ones((2, 5)), np.zeros((2, 1)))},
    ],
)
def test_fit_with_bad_arguments_builds_nothing(bad):
    model = Sequential([Dense(1)])
    model.compile("sgd", loss="mse")
    state = ta.config.rng().bit_generator.state
    with pytest.raises((TypeError, ValueError)):
        model.fit(np.ones((8, 2)), epochs=1, verbose=0, **bad)
    assert not model.built and model.weights == []
    assert ta.config.rng().bit_generator.state == state  # no weight was drawn
    model.fit(np.ones((8, 3)), np.zeros((8, 1)), epochs=1, verbose=0)  # width not fixed to 2
    assert model.layers[0].kernel.shape == (3, 1)


def test_evaluate_and_predict_with_bad_callbacks_build_nothing():
    model = Sequential([Dense(1)])
    model.compile("sgd", loss="mse")
    with pytest.raises(TypeError):
        model.evaluate(np.ones((4, 2)), np.zeros((4, 1)), verbose=0, callbacks=[1])
    with pytest.raises(TypeError):
        model.predict(np.ones((4, 2)), verbose=0, callbacks=[1])
    assert not model.built


# ---- Dense's arguments -------------------------------------------------------------------------


@pytest.mark.parametrize("units", [2.5, None, "64", 0, -1])
def test_dense_units_must_be_a_positive_int_value_error_as_keras(units):
    with pytest.raises(ValueError, match=f"units={units!r}"):
        Dense(units)


def test_dense_dtype_is_checked_when_made_without_using_up_a_name():
    with pytest.raises(TypeError, match="dtype='bogus'"):
        Dense(2, dtype="bogus")
    with pytest.raises(ValueError, match="dtype='complex64'"):
        Dense(2, dtype="complex64")
    assert Dense(2).name == "dense"


# ---- initializers ------------------------------------------------------------------------------


def test_constant_takes_an_array_that_broadcasts_as_keras():
    init = initializers.Constant(value=np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(init((2, 3)).data, [[1, 2, 3], [1, 2, 3]])
    assert init((2, 3), dtype="float64").dtype == np.float64
    with pytest.raises(ValueError, match="does not broadcast"):
        init((2, 2))
    again = initializers.Constant.from_config(init.get_config())
    np.testing.assert_array_equal(again((3,)).data, [1, 2, 3])
    assert initializers.Constant(ta.Tensor([[4.0]]))((2, 2)).data.tolist() == [[4, 4], [4, 4]]
    with pytest.raises(ValueError):
        initializers.Constant(np.array([1.0, np.nan]))
    with pytest.raises(TypeError):
        initializers.Constant(np.array(["a"]))


@pytest.mark.parametrize("values", [np.eye(3, 2), ta.Tensor(np.eye(3, 2))])
def test_get_of_an_array_or_tensor_gives_its_values_for_its_shape(values):
    init = initializers.get(values)
    np.testing.assert_array_equal(init((3, 2)).data, np.eye(3, 2))
    with pytest.raises(ValueError, match=r"Expected `shape` to be \(3, 2\)"):
        init((2, 3))
    layer = Dense(2, kernel_initializer=values)
    np.testing.assert_array_equal(layer(np.ones((1, 3))).data, [[1.0, 1.0]])


@pytest.mark.parametrize("name", ["RandomNormal", "TruncatedNormal", "GlorotUniform", "Zeros"])
def test_deserialize_with_an_unexpected_key_names_the_public_class(name):
    with pytest.raises(TypeError, match=rf"^{name}\.from_config: unexpected key\(s\) \['bogus'\]"):
        initializers.deserialize({"class_name": name, "config": {"bogus": 1}})
