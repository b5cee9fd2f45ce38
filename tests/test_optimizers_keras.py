"""The optimizers of issue 18 on Keras 3's own test vectors (keras/src/optimizers/*_test.py:
one step, and the 5-step golden trajectories), the common arguments, configs, learning rates
that are schedules or functions, and the edge cases of apply_gradients (issue 13)."""

import os
import warnings

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import optimizers
from tinygrad_acts.optimizers import (
    SGD,
    Adadelta,
    Adafactor,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Ftrl,
    Lamb,
    Lion,
    Nadam,
    RMSprop,
)


def import_keras():
    """Keras 3 on its numpy backend (no TensorFlow needed), or a skip where it is absent."""
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    return pytest.importorskip("keras")


# ---- one step: learning_rate=0.5, gradient [1, 6, 7, 2] on [1, 2, 3, 4] ----------------------

SINGLE_STEP = [
    (SGD, [0.5, -1.0, -0.5, 3.0]),
    (Adam, [0.5, 1.5, 2.5, 3.5]),
    (AdamW, [0.4980, 1.4960, 2.494, 3.492]),
    (RMSprop, [-0.5811, 0.4189, 1.4189, 2.4189]),
    (Adagrad, [0.5233, 1.5007, 2.5005, 3.5061]),
    (Adadelta, [0.9993, 1.9993, 2.9993, 3.9993]),
    (Adamax, [0.5, 1.5, 2.5, 3.5]),
    (Nadam, [0.4686, 1.4686, 2.4686, 3.4686]),
    (Lion, [0.5, 1.5, 2.5, 3.5]),
    (Lamb, [-0.3693, 0.6306, 1.6306, 2.6306]),
    (Ftrl, [0.2218, 1.3954, 2.3651, 2.8814]),
    (Adafactor, [-0.3693, 0.6307, 1.6307, 2.6307]),
]


@pytest.mark.parametrize("cls, expected", SINGLE_STEP, ids=lambda v: getattr(v, "__name__", ""))
def test_single_step(cls, expected):
    optimizer = cls(learning_rate=0.5)
    w = ta.Tensor([1.0, 2.0, 3.0, 4.0])
    optimizer.apply_gradients([(np.array([1.0, 6.0, 7.0, 2.0]), w)])
    np.testing.assert_allclose(w.data, expected, rtol=1e-4, atol=1e-4)
    assert optimizer.iterations == 1


# ---- 5 steps: the golden trajectories ----------------------------------------------------------

GOLDEN = [
    (lambda: SGD(nesterov=True), [
        [0.9999] * 10,
        [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
        [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
        [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
        [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599]]),
    (lambda: Adam(amsgrad=True), [[v] * 10 for v in (0.999, 0.9982, 0.9974, 0.9965, 0.9955)]),
    (lambda: AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2), [
        [0.4998] * 10,
        [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
        [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
        [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
        [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159]]),
    (lambda: RMSprop(centered=True), [[v] * 10 for v in (0.9967, 0.9933, 0.9908, 0.9885,
                                                         0.9864)]),
    (lambda: Adagrad(learning_rate=0.2, initial_accumulator_value=0.3, epsilon=1e-6), [
        [0.9963] * 10,
        [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
        [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
        [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
        [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825]]),
    (lambda: Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6),
     [[v] * 10 for v in (0.9978, 0.9947, 0.9915, 0.9882, 0.9849)]),
    (lambda: Adamax(learning_rate=0.2, beta_1=0.85, beta_2=0.95, epsilon=1e-6), [
        [0.8] * 10,
        [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
        [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
        [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
        [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126]]),
    (lambda: Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5), [
        [0.4281] * 10,
        [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718,
         -0.1717],
        [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085,
         -0.7084],
        [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
        [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455,
         -1.7454]]),
    (lambda: Lion(), [[v] * 10 for v in (0.999, 0.998, 0.997, 0.996, 0.995)]),
    (lambda: Lamb(), [[v] * 10 for v in (0.999, 0.9982, 0.9974, 0.9965, 0.9955)]),
    (lambda: Ftrl(learning_rate=0.05, learning_rate_power=-0.2, initial_accumulator_value=0.4,
                  l1_regularization_strength=0.05, l2_regularization_strength=0.15,
                  l2_shrinkage_regularization_strength=0.01, beta=0.3), [
        [0.0] * 10,
        [-0.0034, -0.0077, -0.0118, -0.0157, -0.0194, -0.023, -0.0263, -0.0294, -0.0325, -0.0354],
        [-0.0078, -0.0162, -0.0242, -0.0317, -0.0387, -0.0454, -0.0516, -0.0575, -0.0631, -0.0685],
        [-0.0121, -0.0246, -0.0363, -0.0472, -0.0573, -0.0668, -0.0757, -0.0842, -0.0922, -0.0999],
        [-0.0164, -0.0328, -0.0481, -0.0623, -0.0753, -0.0875, -0.099, -0.1098, -0.1201,
         -0.1299]]),
    (lambda: Adafactor(learning_rate=0.5, beta_2_decay=-0.65, epsilon_1=1e-15, epsilon_2=1e-4,
                       clip_threshold=0.9, relative_step=False), [
        [0.55] * 10,
        [0.3031, 0.3026, 0.3025, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024],
        [0.1671, 0.1665, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663],
        [0.0923, 0.0916, 0.0915, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914],
        [0.0554, 0.0548, 0.0546, 0.0546, 0.0546, 0.0546, 0.0546, 0.0545, 0.0545, 0.0545]]),
]


@pytest.mark.parametrize("make, golden", GOLDEN, ids=[type(m()).__name__ for m, _ in GOLDEN])
def test_golden_trajectory(make, golden):
    optimizer = make()
    x = ta.Tensor(np.ones(10, dtype="float32"))
    grads = np.arange(0.1, 1.1, 0.1)
    optimizer.apply_gradients(zip([np.full((10,), 0.01)], [x], strict=True))
    for expected in golden:
        np.testing.assert_allclose(x.data, expected, rtol=5e-4, atol=5e-4)
        optimizer.apply_gradients(zip([grads], [x], strict=True))


@pytest.mark.parametrize("cls", [Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion, Lamb])
def test_weight_decay_and_its_exclusions(cls):
    var1, var2 = ta.Tensor(np.array(2.0)), ta.Tensor(np.array(2.0), name="exclude")
    var3 = ta.Tensor(np.array(2.0))
    zero = np.zeros(())
    cls(learning_rate=1.0, weight_decay=0.004).apply_gradients(zip([zero], [var1], strict=True))
    opt = cls(learning_rate=1.0, weight_decay=0.004)
    opt.exclude_from_weight_decay(var_names=["exclude"])
    opt.apply_gradients(zip([zero, zero], [var1, var2], strict=True))
    opt = cls(learning_rate=1.0, weight_decay=0.004)
    opt.exclude_from_weight_decay(var_list=[var3])
    opt.apply_gradients(zip([zero, zero], [var1, var3], strict=True))
    assert var1.item() == pytest.approx(1.9760959, abs=1e-6)
    assert var2.item() == 2.0 and var3.item() == 2.0


def test_clipping():
    # clipnorm: each gradient to norm <= 1; global_clipnorm: all together; clipvalue: each entry
    g1, g2 = np.array([3.0, 4.0]), np.array([0.0, 12.0])

    def step(**kwargs):
        a, b = ta.Tensor(np.zeros(2)), ta.Tensor(np.zeros(2))
        SGD(1.0, **kwargs).apply_gradients([(g1, a), (g2, b)])
        return -a.data, -b.data

    np.testing.assert_allclose(step(clipnorm=1.0), [[0.6, 0.8], [0.0, 1.0]])
    np.testing.assert_allclose(step(global_clipnorm=1.0), [[3 / 13, 4 / 13], [0.0, 12 / 13]])
    np.testing.assert_allclose(step(clipvalue=2.0), [[2.0, 2.0], [0.0, 2.0]])
    np.testing.assert_allclose(step(global_clipnorm=100.0), [g1, g2])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside Keras
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inside Keras
def test_against_keras_five_steps_with_common_arguments():
    keras = import_keras()
    w0 = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.2]], dtype="float32")
    grads = [np.array([[0.5, -1.0, 2.0], [0.1, -0.3, 0.2]], dtype="float32") * s
             for s in (1, -0.5, 1.5, 0.2, -2)]
    cases = [("SGD", {"momentum": 0.9, "nesterov": True}), ("Adam", {"amsgrad": True}),
             ("AdamW", {}), ("RMSprop", {"momentum": 0.5, "centered": True}), ("Adagrad", {}),
             ("Adadelta", {}), ("Adamax", {}), ("Nadam", {}), ("Lion", {}), ("Lamb", {}),
             ("Ftrl", {"l1_regularization_strength": 0.01, "beta": 0.1}), ("Adafactor", {}),
             ("Adam", {"weight_decay": 0.1, "clipnorm": 0.5}),
             ("SGD", {"global_clipnorm": 0.5}), ("RMSprop", {"clipvalue": 0.2})]
    for name, kwargs in cases:
        theirs = getattr(keras.optimizers, name)(learning_rate=0.1, **kwargs)
        ours = getattr(optimizers, name)(learning_rate=0.1, **kwargs)
        kw, w = keras.Variable(w0), ta.Tensor(w0.copy())
        for g in grads:
            theirs.apply_gradients([(g, kw)])
            ours.apply_gradients([(g, w)])
            np.testing.assert_allclose(w.data, keras.ops.convert_to_numpy(kw), rtol=2e-5,
                                       atol=2e-6, err_msg=f"{name} {kwargs}")


# ---- learning rates (issue 13, item 8) ----------------------------------------------------------


def test_callable_learning_rate_and_names():
    calls = []

    def lr():
        calls.append(1)
        return 0.1

    opt = SGD(learning_rate=lr)
    w = ta.Tensor(np.ones(2))
    opt.apply_gradients([(np.ones(2), w)])
    np.testing.assert_allclose(w.data, [0.9, 0.9])
    assert calls and opt.learning_rate == 0.1
    ta.layers.clear_session()
    assert [Adam().name, Adam().name, AdamW().name, RMSprop().name] == \
        ["adam", "adam_1", "adam_w", "rm_sprop"]
    assert Adam(name="mine").name == "mine"
    assert optimizers.get(None) is None


@pytest.mark.parametrize("lr", [-0.1, float("inf"), float("nan")])
def test_bad_learning_rates(lr):
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(learning_rate=lr)
    opt = SGD(learning_rate=lambda: lr)
    w = ta.Tensor(np.ones(2))
    with pytest.raises(ValueError, match=r"gave learning_rate=.*step 0"):
        opt.apply_gradients([(np.ones(2), w)])
    np.testing.assert_array_equal(w.data, [1.0, 1.0])
    assert opt.iterations == 0


@pytest.mark.parametrize("make, pattern", [
    (lambda: Adam(beta_1=1.0), r"beta_1.*\[0(\.0)?, 1(\.0)?\).*beta_1=1.0"),
    (lambda: Adam(beta_1=-0.1), "beta_1=-0.1"),
    (lambda: Nadam(beta_1=1.5), "beta_1=1.5"),
    (lambda: Lion(beta_1=0.0), "beta_1=0.0"),
    (lambda: AdamW(weight_decay=None), "weight_decay=None"),
    (lambda: SGD(weight_decay=-1.0), "weight_decay=-1.0"),
    (lambda: SGD(clipnorm=1.0, clipvalue=1.0), "only one of"),
    (lambda: SGD(clipnorm=0.0), "clipnorm=0.0"),
    (lambda: Ftrl(learning_rate_power=0.5), "learning_rate_power=0.5"),
    (lambda: Adagrad(initial_accumulator_value=-1), "initial_accumulator_value"),
    (lambda: Adam(use_ema=True), "use_ema"),
])
def test_bad_arguments(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
    with pytest.raises(TypeError, match="momentum"):
        Adam(momentum=0.9)
    with pytest.raises(TypeError, match="amsgrad"):
        Adam(amsgrad="yes")


# ---- apply_gradients's edge cases (issue 13, items 9 and "state unchanged") -------------------


def test_no_gradient_at_all_raises_without_counting_a_step():
    opt = Adam()
    v = ta.Tensor(np.ones(2), name="v")
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, v)])
    assert opt.iterations == 0 and opt.variables[0].item() == 0


def test_some_missing_gradients_warn():
    opt = SGD(0.1)
    a, b = ta.Tensor(np.ones(2), name="a"), ta.Tensor(np.ones(2), name="b")
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b'\]"):
        opt.apply_gradients([(np.ones(2), a), (None, b)])
    np.testing.assert_allclose(a.data, [0.9, 0.9])
    np.testing.assert_array_equal(b.data, [1.0, 1.0])


def test_bad_later_pair_changes_nothing():
    opt = Adam(0.1)
    a, b = ta.Tensor(np.ones(2)), ta.Tensor(np.ones(2))
    with pytest.raises(TypeError, match="must hold numbers"):
        opt.apply_gradients([(np.ones(2), a), (np.array(["x", "y"]), b)])
    with pytest.raises(TypeError, match="array of numbers|must hold numbers"):
        opt.apply_gradients([(np.ones(2), a), ("abc", b)])
    np.testing.assert_array_equal(a.data, [1.0, 1.0])
    assert opt.iterations == 0 and opt.variables == opt.variables[:2] and not opt._state


def test_overflowing_update_is_refused_and_weights_kept():
    opt = SGD(3e38)
    w = ta.Tensor(np.array([1.0, -2.0], dtype="float32"))
    with pytest.raises(FloatingPointError, match="refused"):
        opt.apply_gradients([(np.array([2.0, 2.0], dtype="float32"), w)])
    np.testing.assert_array_equal(w.data, [1.0, -2.0])
    assert opt.iterations == 0
    # an overflow in the state alone (Adam's v = g^2) is refused too, state untouched
    opt = Adam(0.1)
    w = ta.Tensor(np.array([1.0], dtype="float32"))
    opt.apply_gradients([(np.array([1.0], dtype="float32"), w)])
    before = [t.data.copy() for t in opt.variables]
    with pytest.raises(FloatingPointError, match=r"state \['velocity'\]"):
        opt.apply_gradients([(np.array([3e20], dtype="float32"), w)])
    assert all(np.array_equal(a, t.data) for a, t in zip(before, opt.variables, strict=True))


def test_fit_refuses_an_overflowing_update():
    model = ta.models.Sequential([ta.layers.Dense(1, input_dim=2)])
    model.compile(SGD(3e38), loss="mse")
    x, y = np.ones((4, 2), dtype="float32"), np.full((4, 1), 10.0, dtype="float32")
    model.build(x.shape)
    before = model.get_weights()
    with pytest.raises(FloatingPointError, match="not applied"):
        model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# ---- variables and configs -------------------------------------------------------------------


def test_variables_list_the_state():
    opt = SGD(learning_rate=0.5)
    assert len(opt.variables) == 2
    w = ta.Tensor([1.0, 2.0, 3.0, 4.0])
    opt.build([w])
    opt.apply_gradients([(np.array([1.0, 6.0, 7.0, 2.0]), w)])
    assert [v.item() for v in opt.variables] == [1, 0.5]
    opt = Adam()
    opt.apply_gradients([(np.ones(4), w)])
    names = [v.name for v in opt.variables]
    assert len(names) == 4 and names[2].endswith("_momentum") and names[3].endswith("_velocity")
    opt.apply_gradients([(np.ones(4), w)])
    np.testing.assert_allclose(opt.variables[2].data, 0.19)  # m = 0.1 g, then 0.9 m + 0.1 g


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam,
                                 Lion, Lamb, Ftrl, Adafactor])
def test_config_round_trip(cls):
    opt = cls(learning_rate=0.05, clipnorm=2.0, name="mine")
    config = opt.get_config()
    again = cls.from_config(config)
    assert again.get_config() == config
    assert optimizers.get(optimizers.serialize(opt)).get_config() == config
    assert type(optimizers.get(cls.__name__.lower())) is cls


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside Keras
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inside Keras
def test_config_keys_match_keras():
    keras = import_keras()
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam",
                 "Lion", "Lamb", "Ftrl", "Adafactor"):
        theirs = getattr(keras.optimizers, name)().get_config()
        ours = getattr(optimizers, name)().get_config()
        assert set(ours) == set(theirs), name
        # a Keras config loads here
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert getattr(optimizers, name).from_config(theirs).get_config()["name"] == \
                theirs["name"]


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam,
                                 Lion, Lamb, Ftrl, Adafactor])
def test_slot_groups_name_the_whole_state(cls):
    opt = cls()
    state = opt._new_state(np.zeros((2, 3), dtype="float32"))
    if cls.slot_groups is not None:
        named = [k for group in cls.slot_groups for k in group]
        assert set(state) <= set(named)


def test_state_of_and_set_state_of():
    opt = Adam(0.1)
    w = ta.Tensor(np.ones(3), name="w")
    assert sorted(opt.state_of(w)) == ["momentum", "velocity"]
    assert not opt.state_of(w)["momentum"].any()
    opt.apply_gradients([(np.ones(3), w)])
    saved = {k: a.copy() for k, a in opt.state_of(w).items()}
    other = Adam(0.1)
    other.set_state_of(w, saved)
    other.iterations = opt.iterations
    v = ta.Tensor(w.data.copy(), name="w")
    other.set_state_of(v, saved)
    opt.apply_gradients([(np.full(3, 0.5), w)])
    other.apply_gradients([(np.full(3, 0.5), v)])
    np.testing.assert_array_equal(w.data, v.data)
    with pytest.raises(ValueError, match=r"expected the state \['momentum', 'velocity'\]"):
        other.set_state_of(v, {"m": np.zeros(3)})
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        other.set_state_of(v, {"momentum": np.zeros(2), "velocity": np.zeros(3)})


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside Keras
def test_variables_in_keras_order_with_keras_names():
    keras = import_keras()
    cases = [("Adam", {"amsgrad": True}), ("RMSprop", {"momentum": 0.5, "centered": True}),
             ("Ftrl", {}), ("SGD", {"momentum": 0.9}), ("Adadelta", {}), ("Lamb", {})]
    for name, kwargs in cases:
        theirs = getattr(keras.optimizers, name)(**kwargs)
        theirs.build([keras.Variable(np.zeros(2), name="a"), keras.Variable(np.zeros(3), name="b")])
        ours = getattr(optimizers, name)(**kwargs)
        ours.build([ta.Tensor(np.zeros(2), name="a"), ta.Tensor(np.zeros(3), name="b")])
        assert [v.name for v in ours.variables] == [v.name for v in theirs.variables], name
