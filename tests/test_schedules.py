"""Learning-rate schedules on Keras 3's test vectors
(keras/src/optimizers/schedules/learning_rate_schedule_test.py), configs, and use in an
optimizer."""

import math
import os

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts.optimizers import schedules


def import_keras():
    """Keras 3 on its numpy backend (no TensorFlow needed), or a skip where it is absent."""
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    return pytest.importorskip("keras")


def np_cosine_decay(step, decay_steps, alpha=0.0):
    step = min(step, decay_steps)
    return (1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * step / decay_steps)) + alpha


def np_cosine_decay_restarts(step, decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
    fac = 1.0
    while step >= decay_steps:
        step -= decay_steps
        decay_steps *= t_mul
        fac *= m_mul
    return (1.0 - alpha) * fac * 0.5 * (1.0 + math.cos(math.pi * step / decay_steps)) + alpha


def test_exponential_decay():
    assert schedules.ExponentialDecay(0.05, 10, 0.96)(5) == pytest.approx(0.05 * 0.96**0.5,
                                                                          rel=1e-6)
    staircase = schedules.ExponentialDecay(0.1, 3, 0.96, staircase=True)
    assert [staircase(s) for s in (1, 2)] == [0.1, 0.1]
    assert staircase(100) == pytest.approx(0.1 * 0.96 ** (100 // 3), rel=1e-6)


def test_piecewise_constant_decay():
    lr = schedules.PiecewiseConstantDecay([100, 110, 120], [1.0, 0.1, 0.01, 0.001])
    steps = [-999, 100, 105, 110, 120, 999]
    assert [lr(s) for s in steps] == [1.0, 1.0, 0.1, 0.1, 0.01, 0.001]
    lr = schedules.PiecewiseConstantDecay([1, 2, 3], [0.4, 0.5, 0.6, 0.7])
    assert [lr(s) for s in range(5)] == [0.4, 0.4, 0.5, 0.6, 0.7]


@pytest.mark.parametrize("power", [1.0, 0.5])
def test_polynomial_decay(power):
    lr, end = 0.05, 0.001
    assert schedules.PolynomialDecay(lr, 10, 0.0, power=power)(5) == pytest.approx(
        lr * 0.5**power, rel=1e-6)
    assert schedules.PolynomialDecay(lr, 10, end, power=power)(10) == pytest.approx(end)
    assert schedules.PolynomialDecay(lr, 10, end, power=power)(5) == pytest.approx(
        (lr - end) * 0.5**power + end, rel=1e-6)
    assert schedules.PolynomialDecay(lr, 10, end, power=power)(15) == pytest.approx(end)
    assert schedules.PolynomialDecay(lr, 10, end, power=power, cycle=True)(15) == \
        pytest.approx((lr - end) * 0.25**power + end, rel=1e-6)
    assert schedules.PolynomialDecay(0.001, 10, cycle=True)(0) == pytest.approx(0.001)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    lr = schedules.InverseTimeDecay(0.1, 10, 0.96, staircase=staircase)
    for i in range(11):
        p = i // 10 if staircase else i / 10
        assert lr(i) == pytest.approx(0.1 / (1 + 0.96 * p), rel=1e-6)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_decay(alpha):
    for step in range(0, 1500, 250):
        assert schedules.CosineDecay(1.0, 1000, alpha)(step) == pytest.approx(
            np_cosine_decay(step, 1000, alpha), rel=1e-6, abs=1e-7)


def test_cosine_decay_warmup():
    for step in range(0, 1500, 250):
        lr = schedules.CosineDecay(0.0, 10, warmup_target=10.0, warmup_steps=1500)
        assert lr(step) == pytest.approx(step / 1500 * 10.0)
    for step in range(0, 3000, 250):
        lr = schedules.CosineDecay(0.0, 1000, warmup_target=10.0, warmup_steps=2000)
        expected = (step / 2000 * 10.0 if step < 2001
                    else 10.0 * np_cosine_decay(step - 2000, 1000))
        assert lr(step) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"alpha": 0.1}, {"m_mul": 0.9}, {"t_mul": 1.0}])
def test_cosine_decay_restarts(kwargs):
    for step in range(0, 1500, 250):
        lr = schedules.CosineDecayRestarts(1.0, 1000, **kwargs)
        assert lr(step) == pytest.approx(np_cosine_decay_restarts(step, 1000, **kwargs),
                                         rel=1e-6, abs=1e-7)
    lr = schedules.CosineDecayRestarts(1.0, 10, t_mul=3.0, m_mul=0.5)
    for step in (0, 5, 10, 25, 40, 41, 100):
        assert lr(step) == pytest.approx(np_cosine_decay_restarts(step, 10, 3.0, 0.5), abs=1e-9)


ALL = [schedules.ExponentialDecay(0.1, 3, 0.96, staircase=True, name="e"),
       schedules.InverseTimeDecay(0.1, 10, 0.5),
       schedules.PiecewiseConstantDecay(boundaries=[10, 20], values=[1, 2, 3], name="my_pcd"),
       schedules.PolynomialDecay(0.1, 10, 0.01, power=2.0, cycle=True),
       schedules.CosineDecay(0.1, 100, alpha=0.1, name="my_cd", warmup_target=1.0,
                             warmup_steps=10),
       schedules.CosineDecayRestarts(0.05, 10, t_mul=3.0, m_mul=4.0, alpha=0.1, name="my_cdr")]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_config_round_trip(schedule):
    again = schedules.deserialize(schedules.serialize(schedule))
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(s) for s in range(0, 60, 7)] == [schedule(s) for s in range(0, 60, 7)]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_against_keras(schedule):
    keras = import_keras()
    theirs = keras.optimizers.schedules.deserialize(schedules.serialize(schedule))
    for step in (0, 1, 5, 10, 11, 25, 60, 130):
        assert schedule(step) == pytest.approx(float(theirs(step)), rel=2e-6, abs=1e-7)


def test_schedule_drives_and_travels_with_the_optimizer():
    lr = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    opt = ta.optimizers.SGD(learning_rate=lr)
    w = ta.Tensor(np.zeros(1))
    seen = []
    for _ in range(4):
        seen.append(opt.learning_rate)
        opt.apply_gradients([(np.ones(1), w)])
    assert seen == pytest.approx([0.1, 0.1 * 0.5**0.5, 0.05, 0.05 * 0.5**0.5])
    np.testing.assert_allclose(w.data, [-sum(seen)])
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"
    again = ta.optimizers.get({"class_name": "SGD", "config": config})
    assert isinstance(again._learning_rate, schedules.ExponentialDecay)
    assert again.learning_rate == 0.1  # a new optimizer starts at step 0


@pytest.mark.parametrize("make, pattern", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "decay_steps"),
    (lambda: schedules.ExponentialDecay(-0.1, 10, 0.5), "initial_learning_rate"),
    (lambda: schedules.PolynomialDecay(0.1, 10, power=float("nan")), "power"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]), "1 less"),
    (lambda: schedules.PiecewiseConstantDecay([2, 1], [0.1, 0.2, 0.3]), "increase"),
    (lambda: schedules.CosineDecay(0.1, 10, alpha=2.0), "alpha"),
    (lambda: schedules.CosineDecayRestarts(0.1, -5), "first_decay_steps"),
])
def test_bad_arguments(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
