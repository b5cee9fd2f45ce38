"""Tests of tinygrad_acts.initializers against Keras 3's formulas and behaviour."""

import json
import math

import numpy as np
import pytest

from tinygrad_acts import config
from tinygrad_acts import initializers as init_mod
from tinygrad_acts.initializers import (
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Initializer,
    LecunNormal,
    LecunUniform,
    Ones,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    Zeros,
    compute_fans,
)

TRUNCATED_STD = 0.87962566103423978

# The named variance-scaling initializers and what they stand for: (scale, mode, distribution).
PRESETS = {
    GlorotUniform: (1.0, "fan_avg", "uniform"),
    GlorotNormal: (1.0, "fan_avg", "truncated_normal"),
    HeNormal: (2.0, "fan_in", "truncated_normal"),
    HeUniform: (2.0, "fan_in", "uniform"),
    LecunNormal: (1.0, "fan_in", "truncated_normal"),
    LecunUniform: (1.0, "fan_in", "uniform"),
}

ALL_CLASSES = [
    Zeros,
    Ones,
    Constant,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    *PRESETS,
]


def values(initializer, shape, dtype=None):
    return np.asarray(initializer(shape, dtype))


def n_for(mode, shape):
    fan_in, fan_out = compute_fans(shape)
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


@pytest.fixture
def float64_default():
    config.set_floatx("float64")
    try:
        yield
    finally:
        config.set_floatx("float32")


# --- reference numbers -------------------------------------------------------------------------


def test_reference_numbers_for_a_4_by_3_kernel():
    # The same seed feeds the same sampler, so the named initializer must equal the plain
    # distribution with the reference parameter.
    shape, seed = (4, 3), 11
    glorot = values(GlorotUniform(seed=seed), shape)
    uniform = values(RandomUniform(-0.9258200997725514, 0.9258200997725514, seed=seed), shape)
    np.testing.assert_allclose(glorot, uniform, rtol=1e-6)

    lecun = values(LecunNormal(seed=seed), shape)
    truncated = values(TruncatedNormal(0.0, 0.5684236171692783, seed=seed), shape)
    np.testing.assert_allclose(lecun, truncated, rtol=1e-6)

    he = values(HeUniform(seed=seed), shape)
    uniform = values(RandomUniform(-1.224744871391589, 1.224744871391589, seed=seed), shape)
    np.testing.assert_allclose(he, uniform, rtol=1e-6)


@pytest.mark.parametrize("cls", list(PRESETS))
def test_named_initializers_are_their_variance_scaling(cls):
    scale, mode, distribution = PRESETS[cls]
    named = cls(seed=5)
    assert isinstance(named, VarianceScaling)
    assert (named.scale, named.mode, named.distribution) == (scale, mode, distribution)
    general = VarianceScaling(scale=scale, mode=mode, distribution=distribution, seed=5)
    np.testing.assert_array_equal(values(named, (6, 9)), values(general, (6, 9)))


@pytest.mark.parametrize(
    "shape, fans",
    [
        ((), (1, 1)),
        ((5,), (5, 5)),
        ((4, 3), (4, 3)),
        ((2, 5, 7), (10, 14)),
        ((3, 3, 4, 8), (36, 72)),
    ],
)
def test_compute_fans(shape, fans):
    assert compute_fans(shape) == fans
    assert all(type(fan) is int for fan in compute_fans(shape))


# --- empirical distributions -------------------------------------------------------------------


@pytest.mark.parametrize("cls", list(PRESETS))
@pytest.mark.parametrize("shape", [(400, 300), (3, 3, 40, 30)])
def test_named_initializers_have_std_sqrt_scale_over_n(cls, shape):
    scale, mode, _ = PRESETS[cls]
    sample = values(cls(seed=1), shape).astype(np.float64)
    expected_std = math.sqrt(scale / n_for(mode, shape))
    assert sample.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(sample.mean()) < 0.02 * expected_std


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_std_for_every_mode_and_distribution(mode, distribution):
    shape = (200, 600)
    init = VarianceScaling(scale=3.0, mode=mode, distribution=distribution, seed=2)
    sample = values(init, shape).astype(np.float64)
    assert sample.std() == pytest.approx(math.sqrt(3.0 / n_for(mode, shape)), rel=0.02)


def test_truncation_bound_never_exceeded_and_values_are_redrawn_not_clipped():
    mean, stddev = 1.0, 2.0
    sample = values(TruncatedNormal(mean, stddev, seed=3), (300_000,)).astype(np.float64)
    assert sample.min() >= np.float32(mean - 2 * stddev)
    assert sample.max() <= np.float32(mean + 2 * stddev)
    # Redrawing keeps the normal's shape inside the bounds: P(|z| < 1 | |z| <= 2) = 0.7154.
    # Clipping would give 0.6827 and pile values up on the bounds.
    inside_one_std = np.mean(np.abs(sample - mean) < stddev)
    assert inside_one_std == pytest.approx(0.6827 / 0.9545, abs=0.005)
    # Within 0.01 stddev of a bound: about 0.11% of the values; clipping would put 4.6% there.
    assert np.mean(np.abs(sample - mean) > 1.99 * stddev) < 0.002
    assert sample.std() == pytest.approx(TRUNCATED_STD * stddev, rel=0.01)


@pytest.mark.parametrize("cls", [GlorotNormal, HeNormal, LecunNormal])
def test_variance_scaling_truncation_bound(cls):
    scale, mode, _ = PRESETS[cls]
    shape = (50, 2000)
    bound = 2 * math.sqrt(scale / n_for(mode, shape)) / TRUNCATED_STD
    sample = values(cls(seed=4), shape)
    assert np.abs(sample).max() <= np.float32(bound)
    assert np.abs(sample).max() > 0.99 * bound  # the whole interval is used


@pytest.mark.parametrize("cls", [GlorotUniform, HeUniform, LecunUniform])
def test_uniform_limits_respected(cls):
    scale, mode, _ = PRESETS[cls]
    shape = (60, 2000)
    limit = math.sqrt(3 * scale / n_for(mode, shape))
    sample = values(cls(seed=6), shape)
    assert sample.min() >= -np.float32(limit)
    assert sample.max() <= np.float32(limit)
    assert sample.min() < -0.999 * limit and sample.max() > 0.999 * limit


def test_random_uniform_range_and_random_normal_moments():
    sample = values(RandomUniform(minval=2.0, maxval=5.0, seed=7), (200_000,))
    assert sample.min() >= 2.0 and sample.max() <= 5.0
    assert sample.mean() == pytest.approx(3.5, abs=0.01)
    sample = values(RandomNormal(mean=-1.0, stddev=0.5, seed=7), (200_000,))
    assert sample.mean() == pytest.approx(-1.0, abs=0.01)
    assert sample.std() == pytest.approx(0.5, rel=0.01)
    assert np.abs(sample + 1.0).max() > 2 * 0.5  # untruncated: tails beyond 2 stddev exist


def test_keras_defaults():
    assert RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert TruncatedNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert VarianceScaling().get_config() == {
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "truncated_normal",
        "seed": None,
    }
    assert Constant().value == 0.0


def test_normal_is_keras_alias_of_truncated_normal_and_distribution_is_case_insensitive():
    assert VarianceScaling(distribution="normal").distribution == "truncated_normal"
    assert VarianceScaling(distribution="Uniform").distribution == "uniform"


# --- constants, shapes, dtypes -----------------------------------------------------------------


def test_constant_initializers():
    np.testing.assert_array_equal(values(Zeros(), (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(values(Ones(), 4), np.ones(4))
    np.testing.assert_array_equal(values(Constant(2.5), [3, 1]), np.full((3, 1), 2.5))
    assert values(Constant(7), (2,), "int32").dtype == np.int32
    assert values(Zeros(), (0, 5)).shape == (0, 5)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_dtype_default_is_floatx_and_requested_dtype_is_kept(cls):
    init = cls()
    assert values(init, (3, 2)).dtype == np.float32
    assert values(init, (3, 2), "float64").dtype == np.float64
    assert values(init, (3, 2), np.float16).dtype == np.float16


def test_dtype_default_follows_set_floatx(float64_default):
    assert values(GlorotUniform(seed=0), (3, 2)).dtype == np.float64
    assert values(Zeros(), (3, 2)).dtype == np.float64


@pytest.mark.parametrize("cls", [RandomNormal, TruncatedNormal, RandomUniform, VarianceScaling])
def test_scalar_and_empty_shapes(cls):
    assert values(cls(seed=0), ()).shape == ()
    assert values(cls(seed=0), (0, 3)).shape == (0, 3)  # fan 0 is treated as 1: no division by 0


def test_returns_a_tensor_that_does_not_require_grad():
    engine = pytest.importorskip("tinygrad_acts.engine")
    result = HeNormal(seed=0)((3, 2), "float64")
    assert isinstance(result, engine.Tensor)
    assert result.requires_grad is False
    assert result.dtype == np.float64


# --- seeds -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [RandomNormal, TruncatedNormal, RandomUniform, *PRESETS])
def test_seeded_initializer_repeats_itself_and_seeds_differ(cls):
    first = cls(seed=42)
    np.testing.assert_array_equal(values(first, (5, 4)), values(first, (5, 4)))
    np.testing.assert_array_equal(values(first, (5, 4)), values(cls(seed=42), (5, 4)))
    assert not np.array_equal(values(first, (5, 4)), values(cls(seed=43), (5, 4)))


def test_unseeded_draws_from_the_global_generator():
    init = GlorotUniform()
    config.set_seed(123)
    first, second = values(init, (5, 4)), values(init, (5, 4))
    assert not np.array_equal(first, second)  # each call draws new values
    config.set_seed(123)
    np.testing.assert_array_equal(values(init, (5, 4)), first)  # reproducible after set_seed


# --- get, serialize, deserialize ---------------------------------------------------------------

NAMES = {
    "zeros": Zeros,
    "zero": Zeros,
    "Zeros": Zeros,
    "ones": Ones,
    "one": Ones,
    "Ones": Ones,
    "constant": Constant,
    "Constant": Constant,
    "random_normal": RandomNormal,
    "normal": RandomNormal,
    "RandomNormal": RandomNormal,
    "random_uniform": RandomUniform,
    "uniform": RandomUniform,
    "RandomUniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "TruncatedNormal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "VarianceScaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "GlorotUniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "GlorotNormal": GlorotNormal,
    "he_normal": HeNormal,
    "HeNormal": HeNormal,
    "he_uniform": HeUniform,
    "HeUniform": HeUniform,
    "lecun_normal": LecunNormal,
    "LecunNormal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "LecunUniform": LecunUniform,
}


@pytest.mark.parametrize("name", list(NAMES))
def test_get_by_name(name):
    found = init_mod.get(name)
    assert type(found) is NAMES[name]
    assert values(found, (2, 2)).shape == (2, 2)


def test_get_other_identifiers():
    assert init_mod.get(None) is None
    instance = HeNormal(seed=1)
    assert init_mod.get(instance) is instance
    assert type(init_mod.get(LecunNormal)) is LecunNormal

    def custom(shape, dtype=None):
        return np.zeros(shape)

    assert init_mod.get(custom) is custom
    from_dict = init_mod.get({"class_name": "RandomNormal", "config": {"stddev": 0.3, "seed": 2}})
    assert (type(from_dict), from_dict.stddev, from_dict.seed) == (RandomNormal, 0.3, 2)


def test_get_unknown_name_suggests_close_names():
    with pytest.raises(ValueError, match="glorot_unifrom") as error:
        init_mod.get("glorot_unifrom")
    assert "Did you mean 'glorot_uniform'" in str(error.value)
    with pytest.raises(ValueError, match="'he_norml'.*'he_normal'"):
        init_mod.get("he_norml")


@pytest.mark.parametrize("identifier", [3, 2.5, [1, 2], "not_an_initializer", ""])
def test_get_rejects_what_it_cannot_interpret(identifier):
    with pytest.raises(ValueError, match=repr(identifier).replace("[", r"\[")):
        init_mod.get(identifier)


def test_get_is_case_sensitive_like_keras():
    with pytest.raises(ValueError, match="Did you mean"):
        init_mod.get("Glorot_Uniform")


NON_DEFAULT = [
    Zeros(),
    Ones(),
    Constant(3.5),
    RandomNormal(mean=1.0, stddev=0.2, seed=3),
    RandomUniform(minval=-2.0, maxval=0.5, seed=4),
    TruncatedNormal(mean=-1.0, stddev=0.1, seed=5),
    VarianceScaling(scale=0.5, mode="fan_out", distribution="uniform", seed=6),
    GlorotUniform(seed=7),
    GlorotNormal(seed=8),
    HeNormal(seed=9),
    HeUniform(seed=10),
    LecunNormal(seed=11),
    LecunUniform(seed=12),
]


@pytest.mark.parametrize("original", NON_DEFAULT, ids=lambda init: type(init).__name__)
def test_serialize_round_trip(original):
    serialized = serialize_through_json(original)
    assert serialized["class_name"] == type(original).__name__
    for rebuilt in (
        init_mod.deserialize(serialized),
        init_mod.get(serialized),
        type(original).from_config(original.get_config()),
        original.clone(),
    ):
        assert type(rebuilt) is type(original)
        assert rebuilt.get_config() == original.get_config()
        np.testing.assert_array_equal(values(rebuilt, (3, 4)), values(original, (3, 4)))


def serialize_through_json(initializer):
    return json.loads(json.dumps(init_mod.serialize(initializer)))


def test_deserialize_accepts_keras_extra_keys_and_custom_objects():
    keras_style = {
        "module": "keras.initializers",
        "class_name": "HeUniform",
        "config": {"seed": 1},
        "registered_name": None,
    }
    assert init_mod.deserialize(keras_style).get_config() == {"seed": 1}

    class Twos(Initializer):
        def __call__(self, shape, dtype=None):
            return np.full(shape, 2.0)

    found = init_mod.deserialize({"class_name": "Twos"}, custom_objects={"Twos": Twos})
    assert isinstance(found, Twos)


def test_serialize_and_deserialize_errors():
    with pytest.raises(TypeError, match="initializer=42"):
        init_mod.serialize(42)
    with pytest.raises(ValueError, match="class_name"):
        init_mod.deserialize({"config": {}})
    with pytest.raises(ValueError, match="'config' entry"):
        init_mod.deserialize({"class_name": "Zeros", "config": [1]})
    with pytest.raises(ValueError, match="'Lecun'"):
        init_mod.deserialize({"class_name": "Lecun", "config": {}})


def test_repr_shows_the_config():
    assert repr(HeNormal(seed=3)) == "HeNormal(seed=3)"
    assert repr(Constant(2)) == "Constant(value=2.0)"


def test_base_class_call_is_not_implemented():
    with pytest.raises(NotImplementedError, match="__call__"):
        Initializer()((2, 2))


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, error, fragments",
    [
        (lambda: RandomNormal(stddev=-1.0), ValueError, ["RandomNormal", "stddev=-1.0", ">= 0"]),
        (lambda: TruncatedNormal(stddev=-0.5), ValueError, ["TruncatedNormal", "stddev=-0.5"]),
        (lambda: RandomNormal(mean="0"), TypeError, ["mean='0'", "finite real number"]),
        (lambda: RandomNormal(stddev=float("nan")), ValueError, ["stddev=nan", "finite"]),
        (lambda: RandomNormal(stddev=True), TypeError, ["stddev=True"]),
        (lambda: RandomUniform(1.0, 1.0), ValueError, ["minval=1.0", "maxval=1.0", "less than"]),
        (lambda: RandomUniform(2.0, 1.0), ValueError, ["minval=2.0", "maxval=1.0"]),
        (lambda: RandomUniform(maxval=None), TypeError, ["maxval=None"]),
        (lambda: VarianceScaling(scale=0.0), ValueError, ["scale=0.0", "> 0"]),
        (lambda: VarianceScaling(scale=-2), ValueError, ["scale=-2", "> 0"]),
        (lambda: VarianceScaling(scale="1"), TypeError, ["scale='1'"]),
        (lambda: VarianceScaling(mode="fan"), ValueError, ["mode='fan'", "'fan_in'"]),
        (lambda: VarianceScaling(mode=None), TypeError, ["mode=None", "fan_avg"]),
        (
            lambda: VarianceScaling(distribution="gaussian"),
            ValueError,
            ["distribution='gaussian'", "untruncated_normal"],
        ),
        (lambda: VarianceScaling(distribution=3), TypeError, ["distribution=3"]),
        (lambda: GlorotUniform(seed=-1), ValueError, ["GlorotUniform", "seed=-1"]),
        (lambda: HeNormal(seed=1.5), TypeError, ["HeNormal", "seed=1.5", "integer"]),
        (lambda: RandomUniform(seed=True), TypeError, ["seed=True"]),
        (lambda: RandomNormal(seed="1"), TypeError, ["seed='1'"]),
        (lambda: Constant("a"), TypeError, ["Constant", "value='a'"]),
        (lambda: Constant(float("inf")), ValueError, ["value=inf"]),
    ],
)
def test_constructor_validation(build, error, fragments):
    with pytest.raises(error) as raised:
        build()
    for fragment in fragments:
        assert fragment in str(raised.value)


@pytest.mark.parametrize(
    "init, shape, dtype, error, fragments",
    [
        (GlorotUniform(), (-1, 3), None, ValueError, ["shape=(-1, 3)", "non-negative"]),
        (HeNormal(), (2.5, 3), None, TypeError, ["shape=(2.5, 3)", "integers"]),
        (Zeros(), "ab", None, TypeError, ["Zeros", "shape='ab'"]),
        (Ones(), (True, 2), None, TypeError, ["shape=(True, 2)"]),
        (RandomNormal(), (2, 2), "int32", ValueError, ["dtype='int32'", "float"]),
        (VarianceScaling(), (2, 2), "bool", ValueError, ["dtype='bool'", "float"]),
        (Constant(1.0), (2, 2), "complex64", ValueError, ["dtype='complex64'"]),
        (TruncatedNormal(), (2, 2), "bogus", TypeError, ["dtype='bogus'"]),
    ],
)
def test_call_validation(init, shape, dtype, error, fragments):
    with pytest.raises(error) as raised:
        init(shape, dtype)
    for fragment in fragments:
        assert fragment in str(raised.value)


def test_compute_fans_validates_its_shape():
    with pytest.raises(ValueError, match=r"compute_fans.*shape=\(3, -2\)"):
        compute_fans((3, -2))
