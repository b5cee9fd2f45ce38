"""Shared test settings: deterministic Hypothesis runs, and the default float type restored
after every test (a test that calls `ta.set_floatx` must not leak into the next one)."""

import pytest
from hypothesis import settings

from tinygrad_acts import config

# Property tests are part of the fast suite: few examples, no per-example deadline (the first
# example pays for imports), and the same examples on every run (derandomize) so that a
# failure in CI reproduces on a laptop.
settings.register_profile("tinygrad_acts", max_examples=30, deadline=None, derandomize=True)
settings.load_profile("tinygrad_acts")


@pytest.fixture(autouse=True)
def _restore_floatx():
    previous = config.floatx()
    yield
    config.set_floatx(previous)
