"""Tests of the activation layers: Keras's test vectors, the seed's printed examples,
argument checking (before any state changes), PReLU's trainable slopes, Softmax's mask."""

import doctest

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Tensor, activations, initializers
from tinygrad_acts.activations import softmax
from tinygrad_acts.layers import (
    ELU,
    Activation,
    Layer,
    LeakyReLU,
    PReLU,
    ReLU,
    Softmax,
    ThresholdedReLU,
    clear_session,
)
from tinygrad_acts.layers import activations as activation_layers


def test_docstring_examples():
    result = doctest.testmod(activation_layers)
    assert result.attempted >= 4 and result.failed == 0


def test_seed_leaky_relu_prints_like_tensorflow():
    layer = LeakyReLU(alpha=0.1)
    output = layer([1.0, -1.0, 1.5, 2.0])
    assert str(output) == "Tensor([ 1.  -0.1  1.5  2. ], shape=(4,), dtype=float32)"


def test_seed_softmax():
    output = softmax(Tensor([[1.1, 2.3, 3.4]]), axis=-1)
    np.testing.assert_allclose(output.data, [[0.06995795, 0.23226859, 0.69777346]], atol=1e-6)
    assert repr(output).startswith("Tensor([[")
    assert repr(output).endswith(", shape=(1, 3), dtype=float32)")


def test_keras_layer_vectors():
    np.testing.assert_array_equal(
        ReLU(max_value=8, threshold=5)([6.0, 7.0, 0.0, 5.0, 10.0]).data, [6, 7, 0, 0, 8]
    )
    np.testing.assert_allclose(
        Softmax()([1.0, 2.0, 1.0]).data, [0.21194157, 0.5761169, 0.21194157], atol=1e-6
    )
    np.testing.assert_allclose(
        LeakyReLU()([-3.0, -1.0, 0.0, 2.0]).data, [-0.9, -0.3, 0.0, 2.0], rtol=1e-6
    )
    np.testing.assert_array_equal(
        ThresholdedReLU(theta=1.0)([0.5, 1.0, 1.5, -2.0]).data, [0.0, 0.0, 1.5, 0.0]
    )
    np.testing.assert_allclose(
        ELU(alpha=0.5)([-1.0, 0.0, 1.0]).data, [-0.31606027, 0.0, 1.0], rtol=1e-6
    )


def test_layers_compute_with_the_activations():
    x = Tensor(np.linspace(-3, 3, 12).reshape(3, 4))
    np.testing.assert_array_equal(
        ReLU(negative_slope=0.1, max_value=2.0)(x).data,
        activations.relu(x, negative_slope=0.1, max_value=2.0).data,
    )
    np.testing.assert_array_equal(Activation("selu")(x).data, activations.selu(x).data)
    np.testing.assert_array_equal(Activation(None)(x).data, x.data)
    np.testing.assert_array_equal(Activation(lambda t: t * 2)(x).data, x.data * 2)
    np.testing.assert_array_equal(Softmax(axis=0)(x).data, softmax(x, axis=0).data)
    np.testing.assert_array_equal(Softmax(axis=(0, 1))(x).data, softmax(x, axis=None).data)


def test_activation_layer_output_shape():
    assert Activation("relu").compute_output_shape((None, 6)) == (None, 6)
    assert Activation("glu").compute_output_shape((None, 6)) == (None, 3)


@pytest.mark.parametrize(
    "make, error, quoted",
    [
        (lambda: ReLU(max_value=-1.0), ValueError, "max_value=-1.0"),
        (lambda: ReLU(negative_slope=None), ValueError, "negative_slope=None"),
        (lambda: ReLU(negative_slope=-0.5), ValueError, "negative_slope=-0.5"),
        (lambda: ReLU(threshold=None), ValueError, "threshold=None"),
        (lambda: ReLU(threshold=-2), ValueError, "threshold=-2"),
        (lambda: ReLU(max_value="8"), TypeError, "max_value='8'"),
        (lambda: LeakyReLU(negative_slope=None), ValueError, "negative_slope=None"),
        (lambda: LeakyReLU(negative_slope=-0.1), ValueError, "negative_slope=-0.1"),
        (lambda: LeakyReLU(alpha=-0.1), ValueError, "alpha=-0.1"),
        (lambda: LeakyReLU(negative_slope=0.1, alpha=0.2), TypeError, "alpha=0.2"),
        (lambda: ThresholdedReLU(theta=None), ValueError, "theta=None"),
        (lambda: ThresholdedReLU(theta=-1.0), ValueError, "theta=-1.0"),
        (lambda: ELU(alpha="big"), TypeError, "alpha='big'"),
        (lambda: PReLU(shared_axes=0), ValueError, "shared_axes=0"),
        (lambda: PReLU(shared_axes=[1, "2"]), ValueError, "shared_axes=\\[1, '2'\\]"),
        (lambda: PReLU(alpha_initializer="nope"), ValueError, "nope"),
        (lambda: PReLU(alpha_initializer=None), ValueError, "alpha_initializer"),
        (lambda: Activation("nope"), ValueError, "nope"),
        (lambda: Softmax(axis="last"), TypeError, "axis='last'"),
        (lambda: Softmax(axis=None), TypeError, "axis=None"),
    ],
)
def test_bad_arguments_raise_before_any_state_changes(make, error, quoted):
    clear_session()
    with pytest.raises(error, match=quoted):
        make()
    # No automatic name was used up by the failed construction.
    assert ReLU().name == "re_lu"


def test_leaky_relu_slope_names():
    assert LeakyReLU().negative_slope == 0.3
    assert LeakyReLU(0.1).negative_slope == 0.1
    assert LeakyReLU(alpha=0.2).negative_slope == 0.2
    assert LeakyReLU(negative_slope=0.3, alpha=None).negative_slope == 0.3


def test_prelu_alpha_shape_and_output():
    layer = PReLU(alpha_initializer=initializers.Constant(0.25), shared_axes=[1])
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32)
    out = layer(x)
    assert layer.alpha.shape == (1, 4)
    assert layer.trainable_weights == [layer.alpha]
    np.testing.assert_allclose(out.data, np.where(x > 0, x, 0.25 * x), rtol=1e-6)
    assert PReLU()(np.ones((5, 3))).shape == (5, 3)  # zeros: it starts as relu
    unshared = PReLU()
    unshared(np.ones((2, 3, 4)))
    assert unshared.alpha.shape == (3, 4)
    with pytest.raises(ValueError, match="shared axis 3"):
        PReLU(shared_axes=3)(np.ones((2, 3)))


def test_prelu_gradient_reaches_alpha():
    layer = PReLU(alpha_initializer=initializers.Constant(0.3), dtype="float64")
    x = Tensor(np.array([[1.5, -2.0, 0.7], [-0.4, 0.9, -1.1]]), requires_grad=True)
    layer(x)  # builds alpha, of shape (3,)
    alpha = layer.alpha
    assert alpha.requires_grad
    assert ta.gradcheck(lambda x_, a_: layer(x_), (x, alpha))
    layer(x).sum().backward()
    # d/d alpha of relu(x) - alpha * relu(-x) is -relu(-x), summed over the batch
    np.testing.assert_allclose(alpha.grad.data, -np.maximum(-x.data, 0).sum(axis=0))


def test_softmax_mask():
    logits = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    mask = np.array([[True, False, True], [False, False, False]])
    out = Softmax()(logits, mask=mask)
    expected_row = softmax(np.float32([1.0, 3.0])).data
    np.testing.assert_allclose(out.data[0, [0, 2]], expected_row, rtol=1e-6)
    assert out.data[0, 1] == 0.0  # exactly 0, not a tiny probability
    np.testing.assert_array_equal(out.data[1], [0.0, 0.0, 0.0])  # fully masked row
    out.backward(np.ones((2, 3), dtype=np.float32))
    np.testing.assert_array_equal(logits.grad.data[~mask], 0.0)  # masked logits get no grad


def test_softmax_mask_broadcasts_and_is_checked():
    logits = np.float32([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out = Softmax()(logits, mask=[True, True, False])
    np.testing.assert_array_equal(out.data[:, 2], [0.0, 0.0])
    np.testing.assert_allclose(out.data.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(
        Softmax()(logits, mask=np.ones((2, 3), dtype=bool)).data, softmax(logits).data
    )
    with pytest.raises(ValueError, match="mask of shape \\(2,\\)"):
        Softmax()(logits, mask=[True, False])


def test_layers_subclass_layer_and_report_their_config():
    for layer in (Activation("relu"), ReLU(), LeakyReLU(), PReLU(), ELU(), Softmax(),
                  ThresholdedReLU()):
        assert isinstance(layer, Layer)
        assert layer.count_params() == 0  # PReLU has none until it is built
    assert Activation("swish").get_config()["activation"] == "silu"
    assert LeakyReLU(alpha=0.1).get_config()["negative_slope"] == 0.1
    assert ReLU(max_value=6).get_config()["max_value"] == 6.0
    assert PReLU(shared_axes=1).get_config()["shared_axes"] == [1]
    assert Softmax(axis=[0, 1]).get_config()["axis"] == (0, 1)
    assert ThresholdedReLU(theta=0.5).get_config()["theta"] == 0.5
