"""The shared argument checks: one message style, TypeError for the wrong kind of value,
ValueError for the right kind out of range."""

import math
from pathlib import Path

import numpy as np
import pytest

from tinygrad_acts import validation as v


def test_check_bool():
    assert v.check_bool("f", "flag", np.bool_(True)) is True
    for bad in (0, 1, None, "yes"):
        with pytest.raises(TypeError, match=r"^f: argument `flag` must be True or False, "
                                            rf"received flag={bad!r}$"):
            v.check_bool("f", "flag", bad)


def test_check_int_and_positive_int():
    assert v.check_int("f", "n", np.int64(3), 0) == 3
    assert v.check_int("f", "n", None, 0, allow_none=True) is None
    with pytest.raises(TypeError, match=r"an integer >= 0, received n=2\.0"):
        v.check_int("f", "n", 2.0, 0)
    with pytest.raises(ValueError, match=r"an integer in \[0, 5\], received n=6"):
        v.check_int("f", "n", 6, 0, 5)
    with pytest.raises(TypeError, match="received n=True"):
        v.check_int("f", "n", True)
    assert v.check_positive_int("f", "n", 1) == 1
    with pytest.raises(ValueError, match="a positive integer, received n=0"):
        v.check_positive_int("f", "n", 0)
    with pytest.raises(ValueError, match="received n='3'"):  # Keras's choice for units
        v.check_positive_int("f", "n", "3", type_error=ValueError)


def test_check_number():
    assert v.check_number("f", "x", np.float32(0.5), 0, 1) == 0.5
    assert type(v.check_number("f", "x", np.float32(0.5))) is float
    message = r"^f: argument `x` must be a finite real number, received x=True$"
    with pytest.raises(TypeError, match=message):
        v.check_number("f", "x", True)
    for bad in (math.inf, math.nan):
        with pytest.raises(ValueError, match="finite"):
            v.check_number("f", "x", bad)
    with pytest.raises(ValueError, match=r"a finite real number in \[0, 1\), received x=1"):
        v.check_number("f", "x", 1, 0, 1, high_open=True)
    with pytest.raises(ValueError, match=r"a finite real number > 0, received x=0"):
        v.check_number("f", "x", 0, 0, math.inf, low_open=True, high_open=True)
    assert v.check_number("f", "x", None, allow_none=True) is None


def test_check_str_choice_path():
    assert v.check_str("f", "s", "a") == "a"
    with pytest.raises(TypeError, match="a non-empty str, received s=''"):
        v.check_str("f", "s", "")
    assert v.check_choice("f", "mode", "fan_in", ["fan_in", "fan_out"]) == "fan_in"
    with pytest.raises(ValueError, match=r"received mode='fan_inn'\. Did you mean 'fan_in'"):
        v.check_choice("f", "mode", "fan_inn", ["fan_in", "fan_out"])
    with pytest.raises(TypeError, match="one of"):
        v.check_choice("f", "mode", 3, ["fan_in"])
    assert v.check_path("f", "p", Path("a/b")) == "a/b"
    with pytest.raises(TypeError, match="a file path"):
        v.check_path("f", "p", 3)
