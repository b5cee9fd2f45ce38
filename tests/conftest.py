"""Shared test settings: deterministic Hypothesis runs, one BLAS thread, and the default
float type restored after every test (a test that calls `ta.set_floatx` must not leak into
the next one)."""

import os

import pytest
from hypothesis import settings
from threadpoolctl import threadpool_limits

from tinygrad_acts import config

# Property tests are part of the fast suite: few examples, no per-example deadline (the first
# example pays for imports), and the same examples on every run (derandomize) so that a
# failure in CI reproduces on a laptop.
settings.register_profile("tinygrad_acts", max_examples=30, deadline=None, derandomize=True)
settings.load_profile("tinygrad_acts")

# The tests multiply small matrices (a few dozen rows), where a second BLAS thread only adds
# synchronisation: on a busy 2-core machine it makes training tests several times slower.
# One thread also makes every sum's rounding independent of the machine's core count.
# Subprocesses (lessons, examples, the command line) inherit it through the environment.
threadpool_limits(limits=1, user_api="blas")
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


@pytest.fixture(autouse=True)
def _restore_floatx():
    previous = config.floatx()
    yield
    config.set_floatx(previous)
