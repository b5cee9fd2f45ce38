"""Exercise 14: SELU's alpha and scale from the fixed point."""

from __future__ import annotations

import math

from ._checks import Wrong, compare, function

TITLE = "SELU's alpha and scale from the fixed point"
LESSON = 8

ALPHA = 1.6732632423543772848170429916717
SCALE = 1.0507009873554804934193349852946

STUB = '''"""Exercise 14: SELU's alpha and scale from the fixed point (after lesson 8).

selu(z) = scale * z for z > 0, scale * alpha * (e^z - 1) for z <= 0. Klambauer et al.
chose alpha and scale so that mean 0 and variance 1 are a fixed point: if z ~ N(0, 1),
then selu(z) has mean 0 and second moment E[selu(z)^2] = 1 too.

Write `selu_constants()` returning (alpha, scale) computed from those two equations (not
typed in). Work them out with the standard normal density phi and distribution Phi:

    E[z; z > 0] = phi(0) = 1 / sqrt(2 pi),           E[z^2; z > 0] = 1 / 2,
    E[e^z; z <= 0] = e^(1/2) Phi(-1),                E[e^(2z); z <= 0] = e^2 Phi(-2),
    P(z <= 0) = 1 / 2,   Phi(x) = erfc(-x / sqrt 2) / 2  (math.erfc).

The mean equation gives alpha (scale cancels); the second-moment equation then gives scale.

    tinygrad-acts exercise check 14      grades this file
    tinygrad-acts exercise solution 14   shows one answer
"""

import math


def selu_constants():
    """(alpha, scale) making N(0, 1) a fixed point of selu."""
    # TODO
    raise NotImplementedError("exercise 14: write selu_constants")
'''

_TODO = '''\
    # TODO
    raise NotImplementedError("exercise 14: write selu_constants")'''
_ANSWER = '''\
    def cdf(x):
        return 0.5 * math.erfc(-x / math.sqrt(2))

    positive_mean = 1 / math.sqrt(2 * math.pi)  # E[z; z > 0]
    # mean: positive_mean + alpha (E[e^z; z <= 0] - P(z <= 0)) = 0
    alpha = positive_mean / (0.5 - math.exp(0.5) * cdf(-1))
    # E[(e^z - 1)^2; z <= 0] = E[e^2z] - 2 E[e^z] + P, all on z <= 0
    negative_square = math.exp(2) * cdf(-2) - 2 * math.exp(0.5) * cdf(-1) + 0.5
    scale = 1 / math.sqrt(0.5 + alpha**2 * negative_square)
    return alpha, scale'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    result = function(namespace, "selu_constants")()
    if not (isinstance(result, tuple) and len(result) == 2):
        raise Wrong("selu_constants should return a pair (alpha, scale)", got=repr(result)[:60])
    alpha, scale = (float(v) for v in result)
    if math.isclose(alpha, SCALE, rel_tol=1e-6) and math.isclose(scale, ALPHA, rel_tol=1e-6):
        raise Wrong("alpha and scale are swapped", expected=(ALPHA, SCALE), got=result)
    # The property, checked by quadrature: with these constants N(0, 1) maps to mean 0,
    # second moment 1 (the grader integrates; no scipy needed).
    import numpy as np

    z = np.linspace(-12, 12, 240001)
    density = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    s = np.where(z > 0, scale * z, scale * alpha * np.expm1(np.minimum(z, 0)))
    mean = float((s * density).sum() * (z[1] - z[0]))
    compare("alpha (from the mean equation)", None, ALPHA, alpha, rtol=1e-9, atol=0,
            hint=f"with your constants the mean of selu(z) is {mean:.3g}, not 0")
    compare("scale (from the second-moment equation)", None, SCALE, scale, rtol=1e-9, atol=0,
            hint="E[selu(z)^2] = scale^2 (1/2 + alpha^2 E[(e^z - 1)^2; z <= 0]) = 1")
    return [f"alpha = {alpha:.16f}, scale = {scale:.16f}: Keras's constants to 1e-9"]
