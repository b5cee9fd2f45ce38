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


# ---- registering your own activation --------------------------------------------------------

from tinygrad_acts import checks, cli, plots  # noqa: E402
from tinygrad_acts.activations import register, registry, unregister  # noqa: E402


class ISRU(ta.Function):
    """isru(x) = x / sqrt(1 + alpha x^2) (Carlile et al., 2017)."""

    name = "isru"
    derivative = "d/dx = (1 + alpha x^2)^(-3/2)"

    def forward(ctx, x, alpha=1.0):
        ctx.save_for_backward(x)
        return x / np.sqrt(1 + alpha * x * x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        r = 1 / (1 + ctx.params.get("alpha", 1.0) * x * x).sqrt()
        return grad * (r * r * r)


def isru(x, alpha=1.0):
    """isru(x) = x / sqrt(1 + alpha x^2), composed of Tensor operations."""
    return x / (1 + alpha * x * x).sqrt()


def ref_isru(x, alpha=1.0):
    return x / np.sqrt(1 + alpha * x * x)


@pytest.fixture
def clean_registry():
    """Names registered by the test are forgotten after it."""
    before = set(registry.ACTIVATIONS)
    yield
    for name in set(registry.ACTIVATIONS) - before:
        if name in registry.ACTIVATIONS:
            unregister(name)


@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize("activation", [ISRU, isru], ids=["Function", "plain function"])
def test_a_registered_activation_works_everywhere(activation, capsys, tmp_path):
    assert register(activation, "isru", forms=({}, {"alpha": 0.5})) is activation
    fn = get("isru")
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(fn(Tensor(x)).data, ref_isru(x), rtol=1e-12)
    np.testing.assert_allclose(fn(Tensor(x), alpha=0.5).data, ref_isru(x, 0.5), rtol=1e-12)
    assert serialize(fn) == "isru" and deserialize("isru") is fn
    if activation is isru:
        assert fn is isru  # a plain function is registered as it is
    else:
        assert serialize(ISRU) == "isru"
    np.testing.assert_allclose(Tensor(x).isru().data, ref_isru(x), rtol=1e-12)  # a method

    # in a layer, by name, and back from its config
    layer = ta.layers.Dense(3, activation="isru")
    out = layer(np.ones((2, 4)))
    out.sum().backward()
    assert layer.kernel.grad is not None
    assert layer.get_config()["activation"] == "isru"
    assert ta.layers.Activation("isru")(Tensor(x)).shape == (7,)

    # first and second derivatives, through checks and the gradcheck command
    results = checks.check_all(["isru"])
    assert [r.label for r in results] == ["isru()", "isru(alpha=0.5)"]
    assert all(r.ok for r in results), checks.format_table(results)
    assert cli.main(["gradcheck", "isru"]) == 0
    assert "2 forms of 1 activations checked: all passed" in capsys.readouterr().out

    # the gallery draws it with the others, and graph drawings name it
    assert "isru" in plots._gallery_names(None)
    source = ta.draw_graph(fn(Tensor(x, requires_grad=True), alpha=0.5).sum()).source
    assert ("isru(alpha=0.5)" if activation is ISRU else "sqrt") in source
    pytest.importorskip("matplotlib")
    paths = plots.activation_gallery(tmp_path, names=["isru"])
    assert [p.name for p in paths] == ["isru.png", "overview.png"]


@pytest.mark.usefixtures("clean_registry")
def test_register_as_a_decorator():
    @register
    def isru_a(x):
        return x / (1 + x * x).sqrt()

    @register(kinks=(0.0,))
    def isru_b(x):
        return x / (1 + x * x).sqrt()

    @register("isru_c")
    class SomeName(ISRU):
        pass

    assert get("isru_a") is isru_a and get("isru_b") is isru_b
    assert checks.CATALOGUE["isru_b"] == (checks.Form({}, (0.0,)),)
    assert SomeName.__name__ == "SomeName" and serialize(SomeName) == "isru_c"
    x = Tensor([1.0], requires_grad=True)
    assert get("isru_c")(x)._ctx.op_name() == "isru"  # drawings show the Function's name
    assert checks.check_activation("isru_c").ok


@pytest.mark.usefixtures("clean_registry")
def test_a_taken_name_is_refused_unless_overwrite():
    register(isru)
    with pytest.raises(ValueError, match=r"'isru' is registered already.*overwrite=True"):
        register(ISRU, "isru")
    with pytest.raises(ValueError, match="'relu' is registered already"):
        register(isru, "relu")
    register(ISRU, "isru", overwrite=True)
    assert serialize(get("isru")) == "isru" and get("isru") is not isru


@pytest.mark.usefixtures("clean_registry")
def test_a_second_name_for_the_same_function_is_an_alias():
    register(isru)
    register(isru, "inverse_square_root_unit")
    assert get("inverse_square_root_unit") is isru and serialize(isru) == "isru"
    assert "inverse_square_root_unit" in checks.CATALOGUE
    assert "inverse_square_root_unit" not in plots._gallery_names(None)  # drawn once
    unregister("isru")  # the aliases go with it
    assert "inverse_square_root_unit" not in registry.ACTIVATIONS
    assert not hasattr(Tensor, "isru") and not hasattr(Tensor, "inverse_square_root_unit")


@pytest.mark.usefixtures("clean_registry")
def test_a_name_tensor_already_has_is_not_made_a_method():
    def abs(x):  # noqa: A001 - the point of the test
        return x * x

    register(abs)
    assert get("abs") is abs
    np.testing.assert_array_equal(Tensor([-2.0]).abs().data, [2.0])  # Tensor's own abs


@pytest.mark.usefixtures("clean_registry")
@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: register(42), TypeError, "Function subclass or a function"),
        (lambda: register(int), TypeError, "received the class int"),
        (lambda: register(lambda x: x), ValueError, "identifier.*lambda"),
        (lambda: register(isru, "not a name"), ValueError, "'not a name'"),
        (lambda: register(isru, kinks=0.0), TypeError, "kinks"),
        (lambda: register(isru, forms={"alpha": 1.0}), TypeError, "forms"),
        (lambda: register(isru, forms=[1.0]), TypeError, "each form"),
        (lambda: register(isru, overwrite="yes"), TypeError, "overwrite"),
        (lambda: unregister("nope"), ValueError, "'nope'"),
    ],
)
def test_bad_registrations_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
    assert "isru" not in registry.ACTIVATIONS


def test_the_registry_is_what_lists_activations():
    assert sorted(registry.CANONICAL) == sorted(set(KERAS_NAMES) - set(ALIASES))
    assert set(checks.CATALOGUE) == set(KERAS_NAMES)
    assert plots._gallery_names(None) == sorted(registry.CANONICAL)
    # every Function of a built-in activation declares its derivative
    for name in KERAS_NAMES:
        entry = registry.ENTRIES[name]
        x = Tensor(np.ones((2, 4)), requires_grad=True)
        params = dict(entry.forms[0].params)
        ctx = entry.function(x, **params)._ctx
        assert isinstance(type(ctx).derivative, str) and type(ctx).derivative.startswith("d/d")
