"""BatchNormalization and LayerNormalization: Keras 3's numbers (hard-coded vectors made with
Keras 3.15 on JAX, and against Keras itself when it is installed), the Normalize Function's
first and second derivatives, training mode and the moving statistics through `fit`, and the
layers in models (summary, weights, saving, drawing)."""

import os

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts.layers import BatchNormalization, Dense, LayerNormalization
from tinygrad_acts.layers.normalization import Normalize, normalize

# ---- Keras's numbers, hard-coded ---------------------------------------------------------------
# Made with keras 3.15.1 (KERAS_BACKEND=jax): BatchNormalization(momentum=0.9) with the
# weights below, called in training on X, 2 X, X + 1 (TRAIN_OUT is the last call's output),
# then in inference on X; LayerNormalization() with the same gamma and beta on X.
X = np.array([[-0.9, 1.0, -2.0], [-0.4, 1.5, -4.0], [0.1, 2.0, -3.5], [0.6, 0.0, -3.0]],
             np.float32)
GAMMA = np.array([1.5, 0.5, -1.0], np.float32)
BETA = np.array([0.25, -0.5, 1.0], np.float32)
TRAIN_OUT = np.array([[-1.7592489, -0.5844382, -0.5198885],
                      [-0.41974962, -0.24668515, 2.1821356],
                      [0.91974974, 0.09106779, 1.5066297],
                      [2.2592487, -1.2599442, 0.8311236]], np.float32)
MOVING_MEAN = np.array([0.04585001, 0.506125, -1.0281249], np.float32)
MOVING_VARIANCE = np.array([0.8980624, 1.0248593, 1.0248593], np.float32)
INFERENCE_OUT = np.array([[-1.2462997, -0.2561947, 1.9595476],
                          [-0.45531827, -0.00936574, 3.9341793],
                          [0.33566332, 0.23746318, 3.4405212],
                          [1.1266448, -0.7498526, 2.9468637]], np.float32)
LAYER_NORM_OUT = np.array([[-0.07269025, 0.15882593, 2.102525],
                           [0.6226342, 0.04068494, 2.3297927],
                           [0.62263423, 0.04068497, 2.3297927],
                           [1.5832326, -0.2460509, 2.39672]], np.float32)


def batch_norm_after_three_calls(layer):
    layer.build((None, 3))
    layer.set_weights([GAMMA, BETA, np.zeros(3, np.float32), np.ones(3, np.float32)])
    for batch in (X, 2 * X, X + 1):
        out = layer(batch, training=True)
    return np.asarray(out)


def test_batch_normalization_equals_keras_vectors():
    layer = BatchNormalization(momentum=0.9)
    np.testing.assert_allclose(batch_norm_after_three_calls(layer), TRAIN_OUT, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), MOVING_MEAN, atol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), MOVING_VARIANCE, atol=1e-5)
    np.testing.assert_allclose(layer(X, training=False).numpy(), INFERENCE_OUT, atol=1e-5)
    np.testing.assert_allclose(layer(X).numpy(), INFERENCE_OUT, atol=1e-5)  # default: inference


def test_layer_normalization_equals_keras_vectors():
    layer = LayerNormalization()
    layer.build((None, 3))
    layer.set_weights([GAMMA, BETA])
    for training in (None, True, False):  # the same in both modes
        np.testing.assert_allclose(layer(X, training=training).numpy(), LAYER_NORM_OUT,
                                   atol=1e-5)


# ---- against Keras itself ----------------------------------------------------------------------


# Keras's variables warn about numpy 2's copy keyword when read; nothing of ours.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("shape, axis", [((16, 5), -1), ((6, 4, 3), -1), ((6, 4, 3), 1)])
def test_batch_normalization_equals_keras(keras, shape, axis):
    rng = np.random.default_rng(3)
    ours = BatchNormalization(axis=axis, momentum=0.8, epsilon=1e-2)
    theirs = keras.layers.BatchNormalization(axis=axis, momentum=0.8, epsilon=1e-2)
    theirs.build(shape)
    ours.build(shape)
    weights = [rng.normal(size=w.shape).astype(np.float32) for w in theirs.get_weights()]
    weights[-1] = np.abs(weights[-1]) + 0.5  # a variance
    theirs.set_weights(weights)
    ours.set_weights(weights)
    for step in range(4):
        x = rng.normal(step, 1 + step, size=shape).astype(np.float32)
        np.testing.assert_allclose(ours(x, training=True).numpy(),
                                   np.asarray(theirs(x, training=True)), atol=1e-5)
    for ours_w, theirs_w in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(ours_w, theirs_w, atol=1e-5)
    np.testing.assert_allclose(ours(x, training=False).numpy(),
                               np.asarray(theirs(x, training=False)), atol=1e-5)
    assert [w.name.split("/")[-1] for w in ours.weights] == [
        w.path.split("/")[-1] for w in theirs.weights]
    assert ours.get_config().keys() == theirs.get_config().keys()


@pytest.mark.parametrize("shape, axis", [((7, 5), -1), ((3, 4, 5), [1, 2]), ((3, 4, 5), 1)])
def test_layer_normalization_equals_keras(keras, shape, axis):
    rng = np.random.default_rng(4)
    ours, theirs = LayerNormalization(axis=axis), keras.layers.LayerNormalization(axis=axis)
    x = rng.normal(2, 3, size=shape).astype(np.float32)
    theirs.build(shape)
    ours.build(shape)
    weights = [rng.normal(size=w.shape).astype(np.float32) for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(x).numpy(), np.asarray(theirs(x)), atol=1e-5)
    assert ours.get_config() | {"dtype": None, "name": None} == {
        **theirs.get_config(), "dtype": None, "name": None,
        "beta_initializer": {"class_name": "Zeros", "config": {}},
        "gamma_initializer": {"class_name": "Ones", "config": {}}}


def test_batch_of_one_in_training_gives_beta_as_keras(keras):
    x = np.array([[1.0, -2.0, 3.0]], np.float32)
    theirs = keras.layers.BatchNormalization()
    expected = np.asarray(theirs(x, training=True))
    ours = BatchNormalization()
    np.testing.assert_array_equal(ours(x, training=True).numpy(), expected)
    np.testing.assert_allclose(ours.moving_variance.numpy(),
                               np.asarray(theirs.moving_variance), atol=1e-7)


# ---- derivatives -------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [(0,), (1,), (0, 2), (0, 1, 2)])
def test_normalize_gradcheck_and_gradgradcheck(axis):
    rng = np.random.default_rng(0)
    x = ta.Tensor(rng.normal(size=(4, 3, 2)), dtype="float64", requires_grad=True)

    def fn(t):
        return Normalize.apply(t, axis=axis, epsilon=1e-3)

    assert ta.gradcheck(fn, [x])
    assert ta.gradgradcheck(fn, [x])


def test_normalize_output_and_derivative_text():
    x = ta.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = normalize(x, axis=-1, epsilon=0.0)
    np.testing.assert_allclose(y.data.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(y.data.var(axis=1), 1, atol=1e-12)
    assert Normalize.derivative.startswith("d/dx = ")


@pytest.mark.parametrize("layer_class", [BatchNormalization, LayerNormalization])
def test_layers_gradcheck_and_gradgradcheck_in_training(layer_class):
    ta.set_floatx("float64")
    rng = np.random.default_rng(1)
    layer = layer_class(dtype="float64")
    layer.build((None, 3))
    layer.set_weights([rng.normal(size=w.shape) for w in layer.weights])
    x = ta.Tensor(rng.normal(size=(5, 3)), requires_grad=True)

    def fn(t, gamma, beta):
        return layer(t, training=True)

    inputs = [x, layer.gamma, layer.beta]
    assert ta.gradcheck(fn, inputs)
    assert ta.gradgradcheck(fn, inputs)


def test_batch_normalization_gradcheck_in_inference():
    ta.set_floatx("float64")
    layer = BatchNormalization(dtype="float64")
    layer.build((None, 2))
    layer.set_weights([[2.0, -1.0], [0.5, 0.0], [0.3, -0.2], [1.5, 0.4]])
    x = ta.Tensor(np.array([[1.0, 2.0], [-1.0, 0.5]]), requires_grad=True)
    assert ta.gradcheck(lambda t, g, b: layer(t, training=False), [x, layer.gamma, layer.beta])


def test_batch_of_one_in_training_has_no_nan_and_a_zero_input_gradient():
    layer = BatchNormalization()
    x = ta.Tensor([[1.0, -2.0, 3.0]], requires_grad=True)
    out = layer(x, training=True)
    np.testing.assert_array_equal(out.numpy(), [[0.0, 0.0, 0.0]])  # beta
    (out * ta.Tensor([[1.0, 2.0, 3.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0, 0.0]])
    assert np.isfinite(layer.moving_variance.numpy()).all()


# ---- training mode, fit, frozen layers ---------------------------------------------------------


def small_model(*middle):
    ta.set_seed(0)
    return ta.models.Sequential([Dense(4, input_dim=2), *middle, Dense(1)])


def test_fit_updates_the_moving_statistics_and_evaluate_predict_do_not():
    bn = BatchNormalization()
    model = small_model(bn)
    model.compile(optimizer="sgd", loss="mse")
    X = np.random.default_rng(0).normal(3, 2, size=(64, 2)).astype(np.float32)
    y = X.sum(axis=1, keepdims=True)
    before = [w.copy() for w in bn.get_weights()]
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    after = bn.get_weights()
    assert not np.allclose(after[2], before[2]) and not np.allclose(after[3], before[3])
    model.evaluate(X, y, verbose=0)
    model.predict(X, verbose=0)
    for w, v in zip(bn.get_weights(), after, strict=True):
        np.testing.assert_array_equal(w, v)


def test_moving_statistics_converge_to_the_data_statistics():
    layer = BatchNormalization(momentum=0.5)
    rng = np.random.default_rng(2)
    for _ in range(40):
        layer(rng.normal(3.0, 2.0, size=(2000, 1)).astype(np.float32), training=True)
    assert layer.moving_mean.numpy()[0] == pytest.approx(3.0, abs=0.1)
    assert layer.moving_variance.numpy()[0] == pytest.approx(4.0, abs=0.3)


def test_a_frozen_batch_normalization_runs_in_inference_mode():
    layer = BatchNormalization(trainable=False)
    x = np.array([[1.0, 5.0], [3.0, 9.0]], np.float32)
    out = layer(x, training=True).numpy()
    np.testing.assert_allclose(out, x / np.sqrt(1.001), rtol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), [0.0, 0.0])
    assert layer.trainable_weights == []


def test_weights_order_summary_and_npz_round_trip(tmp_path):
    ta.layers.clear_session()
    bn, ln = BatchNormalization(), LayerNormalization()
    model = small_model(bn, ln)
    assert [w.name for w in bn.weights] == [
        "batch_normalization/gamma", "batch_normalization/beta",
        "batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    assert [w.name for w in bn.non_trainable_weights] == [
        "batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    assert [w.name for w in ln.weights] == ["layer_normalization/gamma",
                                            "layer_normalization/beta"]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "batch_normalization (BatchNormalization)" in text and "(None, 4)" in text
    assert "Total params: 41 " in text and "Non-trainable params: 8 " in text
    rng = np.random.default_rng(5)
    model.set_weights([rng.normal(size=w.shape).astype(np.float32) ** 2 for w in model.weights])
    model.save_weights(tmp_path / "w.npz")
    copy = small_model(BatchNormalization(), LayerNormalization())
    copy.load_weights(tmp_path / "w.npz")
    X = rng.normal(size=(5, 2)).astype(np.float32)
    np.testing.assert_array_equal(copy.predict(X, verbose=0), model.predict(X, verbose=0))


def test_batch_normalization_is_drawn_as_a_cluster():
    ta.layers.clear_session()
    model = small_model(BatchNormalization())
    out = model(np.ones((3, 2), np.float32), training=True)
    source = ta.draw_graph(out.sum()).source
    assert 'label=batch_normalization' in source and "normalize(" in source


def test_options_center_scale_and_axis():
    layer = BatchNormalization(center=False, scale=False)
    layer.build((None, 3))
    assert [w.name.split("/")[1] for w in layer.weights] == ["moving_mean", "moving_variance"]
    out = layer(X, training=True).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-6)
    layer = LayerNormalization(axis=[1, 2], center=False)
    layer.build((None, 2, 3))
    assert [w.shape for w in layer.weights] == [(2, 3)]


# ---- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, error, match", [
    ({"momentum": 1.5}, ValueError, "momentum=1.5"),
    ({"momentum": "high"}, TypeError, "momentum"),
    ({"epsilon": -1}, ValueError, "epsilon=-1"),
    ({"axis": 1.0}, TypeError, "axis=1.0"),
    ({"center": 1}, TypeError, "center=1"),
    ({"gamma_initializer": "onez"}, ValueError, "onez"),
    ({"renorm": True}, ValueError, "renorm"),
])
def test_batch_normalization_arguments_are_checked(kwargs, error, match):
    with pytest.raises(error, match=match):
        BatchNormalization(**kwargs)


def test_bad_axes_and_widths_are_refused():
    with pytest.raises(ValueError, match="out of bounds"):
        BatchNormalization(axis=3)(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="repeated"):
        LayerNormalization(axis=[1, 1])
    layer = BatchNormalization()
    layer(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="3 features"):
        layer(np.ones((2, 4), np.float32))
