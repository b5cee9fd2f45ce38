"""Exercise 15: a Newton step with second derivatives."""

from __future__ import annotations

import math

import numpy as np

from ._checks import Wrong, as_array, compare, function

TITLE = "a Newton step with second derivatives"
LESSON = 9

STUB = '''"""Exercise 15: a Newton step with second derivatives (after lesson 9).

Newton's method jumps to the minimum of the parabola that touches f at x:
x_new = x - f'(x) / f''(x). Write `newton_step(f, x)` for a function f of one Tensor
(returning a one-number Tensor) and a float x, with the engine's derivatives:

    x = ta.Tensor(value, dtype="float64", requires_grad=True)
    (first,) = ta.grad(f(x), x, create_graph=True)   # f'(x), itself differentiable
    (second,) = ta.grad(first, x)                    # f''(x)

Return the new x as a float.

    tinygrad-acts exercise check 15      grades this file
    tinygrad-acts exercise solution 15   shows one answer
"""

import tinygrad_acts as ta


def newton_step(f, x):
    """x - f'(x) / f''(x), the derivatives from the engine."""
    # TODO
    raise NotImplementedError("exercise 15: write newton_step")
'''

_TODO = '''\
    # TODO
    raise NotImplementedError("exercise 15: write newton_step")'''
_ANSWER = '''\
    t = ta.Tensor(x, dtype="float64", requires_grad=True)
    (first,) = ta.grad(f(t), t, create_graph=True)
    (second,) = ta.grad(first, t)
    return float(x - first.item() / second.item())'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    step = function(namespace, "newton_step")
    done = []

    def parabola(t):
        return 3.0 * (t - 2.0) ** 2 + 1.0

    got = float(as_array(step(parabola, 5.0), "newton_step's result"))
    if math.isclose(got, 5.0 - 18.0, rel_tol=1e-9) or math.isclose(got, 5.0 - 0.01 * 18.0):
        raise Wrong("newton_step(3 (x - 2)^2 + 1, 5) should land on the minimum, x = 2",
                    expected=2.0, got=got, hint="that is a gradient-descent step: divide "
                    "f'(x) by the second derivative f''(x) instead of multiplying by a rate")
    compare("newton_step on the parabola 3 (x - 2)^2 + 1 from x = 5 (one step lands on its "
            "minimum)", np.array(5.0), 2.0, got, rtol=1e-9,
            hint="x_new = x - f'(x) / f''(x); here f'(5) = 18 and f''(5) = 6")
    done.append("on a parabola one step lands on the minimum")

    def f(t):
        return ta.activations.softplus(t) - 0.3 * t

    x = 0.0
    target = math.log(0.3 / 0.7)
    for k in range(5):
        s = 1 / (1 + math.exp(-x))
        expected = x - (s - 0.3) / (s * (1 - s))
        got = float(as_array(step(f, x), "newton_step's result"))
        compare(f"step {k + 1} on softplus(x) - 0.3 x", np.array(x), expected, got,
                rtol=1e-9, atol=1e-12)
        x = got
    if abs(x - target) > 1e-12:
        raise Wrong("five Newton steps should reach the minimum log(0.3 / 0.7) to 1e-12",
                    expected=target, got=x)
    done.append("on softplus(x) - 0.3 x: every step right, x* reached to 1e-12 in 5 steps")
    return done
