"""Tests of `tinygrad_acts.activations` as a whole: the 32 names of `keras.activations`,
`get`, `serialize`, `deserialize` (with Keras's semantics, and suggestions for misspelt
names), and every activation as a Tensor method."""

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Tensor, activations
from tinygrad_acts.activations import deserialize, get, serialize

KERAS_NAMES = (
    "celu elu exponential gelu glu hard_shrink hard_sigmoid hard_silu hard_swish hard_tanh "
    "leaky_relu linear log_sigmoid log_softmax mish relu relu6 selu sigmoid silu soft_shrink "
    "softmax softplus softsign sparse_plus sparse_sigmoid sparsemax squareplus swish tanh "
    "tanh_shrink threshold"
).split()
ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}


def test_the_32_keras_names_are_exported_and_documented():
    assert len(KERAS_NAMES) == 32
    functions = ["get", "serialize", "deserialize", "register", "unregister"]
    assert sorted(activations.__all__) == sorted(KERAS_NAMES + functions)
    for name in KERAS_NAMES:
        fn = getattr(activations, name)
        assert callable(fn)
        doc = fn.__doc__ or ""
        assert "Args:" in doc and "Derivative" in doc, name
        assert get(name) is fn
    assert ta.activations is activations  # reachable after `import tinygrad_acts as ta`


def test_aliases_are_the_same_objects():
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu


def test_get():
    assert get(None) is activations.linear
    assert get("relu") is activations.relu
    assert get("swish") is activations.silu

    def custom(x):
        return x * 2

    assert get(custom) is custom
    assert get(activations.selu) is activations.selu


@pytest.mark.parametrize("identifier", ["ReLU", "Relu", "softmax ", "", "typo", 42, 1.5, [1]])
def test_get_refuses_what_it_does_not_know(identifier):
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        get(identifier)


def test_unknown_names_suggest_the_closest_known_ones():
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        get("ReLU")  # exact and case-sensitive, but the suggestion ignores case
    with pytest.raises(ValueError, match="'softmax'"):
        get("sofmax")
    with pytest.raises(ValueError, match="Known names: celu, elu"):
        get("zzzzzzzz")  # nothing close: all the names are listed


def test_serialize_gives_canonical_names():
    for name in KERAS_NAMES:
        assert serialize(getattr(activations, name)) == ALIASES.get(name, name)
    assert serialize(activations.swish) == "silu"
    assert serialize(activations.hard_swish) == "hard_silu"


def test_serialize_refuses_other_functions():
    with pytest.raises(ValueError, match="not one of the activations"):
        serialize(lambda x: x)
    with pytest.raises(ValueError):
        serialize("relu")


def test_deserialize_round_trips_and_raises_like_get():
    for name in KERAS_NAMES:
        fn = getattr(activations, name)
        assert deserialize(serialize(fn)) is fn
        assert deserialize(name) is fn
    with pytest.raises(ValueError) as from_deserialize:
        deserialize("typo")
    with pytest.raises(ValueError) as from_get:
        get("typo")
    assert str(from_deserialize.value) == str(from_get.value)
    with pytest.raises(ValueError, match="Did you mean 'selu'"):
        deserialize("sel")


def test_deserialize_custom_objects():
    def double(x):
        return x * 2

    assert deserialize("double", custom_objects={"double": double}) is double
    with pytest.raises(TypeError, match="custom_objects"):
        deserialize("relu", custom_objects=["double"])


def test_every_activation_is_a_tensor_method():
    x = Tensor([[-1.5, 0.5, 2.0, 4.0]])
    for name in KERAS_NAMES:
        assert getattr(Tensor, name) is getattr(activations, name)
    np.testing.assert_array_equal(x.selu().data, activations.selu(x).data)
    np.testing.assert_array_equal(x.softmax(axis=0).data, np.ones((1, 4)))
    np.testing.assert_array_equal(x.relu(max_value=1.0).data, [[0, 0.5, 1, 1]])
    np.testing.assert_array_equal(x.glu().data, activations.glu(x).data)
    np.testing.assert_array_equal(
        x.threshold(1.0, -1.0).data, activations.threshold(x, 1.0, -1.0).data
    )


def test_methods_are_differentiable():
    x = Tensor(np.array([0.3, -0.8, 1.7]), requires_grad=True)
    assert ta.gradcheck(lambda t: t.mish().softmax(), x)
