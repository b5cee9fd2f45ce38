"""Exercise 1: derivatives by central differences."""

from __future__ import annotations

import math

import numpy as np

from ._checks import Wrong, as_array, compare, function

TITLE = "derivatives by central differences"
LESSON = 1

STUB = '''"""Exercise 1: derivatives by central differences (after lesson 1).

Write two functions:

- `central_difference(f, x, h)`: the estimate (f(x + h) - f(x - h)) / (2h) of f'(x), for a
  function f of one number;
- `numerical_gradient(f, x, h)`: the gradient of a function f of a numpy array (returning
  a number) at the array x: one central difference per element, changing that element
  alone by +h and -h (2 evaluations of f per element). Leave x as it was.

    tinygrad-acts exercise check 1       grades this file
    tinygrad-acts exercise solution 1    shows one answer
"""

import numpy as np


def central_difference(f, x, h=1e-5):
    """(f(x + h) - f(x - h)) / (2h)."""
    # TODO 1
    raise NotImplementedError("exercise 1: write central_difference")


def numerical_gradient(f, x, h=1e-6):
    """The array of df/dx[i], each by a central difference."""
    # TODO 2
    raise NotImplementedError("exercise 1: write numerical_gradient")
'''

_TODO_1 = '''\
    # TODO 1
    raise NotImplementedError("exercise 1: write central_difference")'''
_ANSWER_1 = '''\
    return (f(x + h) - f(x - h)) / (2 * h)'''

_TODO_2 = '''\
    # TODO 2
    raise NotImplementedError("exercise 1: write numerical_gradient")'''
_ANSWER_2 = '''\
    x = np.array(x, dtype=np.float64)  # a copy: the caller's array is left alone
    gradient = np.empty_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        above = f(x)
        x[i] = saved - h
        below = f(x)
        x[i] = saved
        gradient[i] = (above - below) / (2 * h)
    return gradient'''

SOLUTION = STUB.replace(_TODO_1, _ANSWER_1).replace(_TODO_2, _ANSWER_2)


def grade(namespace: dict) -> list[str]:
    central = function(namespace, "central_difference")
    got = float(as_array(central(lambda x: x**2, 3.0, 0.1), "central_difference"))
    if math.isclose(got, 6.1, rel_tol=1e-9):
        raise Wrong("central_difference(x**2, 3, h=0.1) should be exactly 6 (a central "
                    "difference is exact for a parabola)", at="f(x) = x**2, x = 3, h = 0.1",
                    expected=6.0, got=got, hint="that is the forward difference (f(x + h) - "
                    "f(x)) / h, whose error shrinks only like h: use f(x + h) and f(x - h)")
    compare("central_difference(x**2, 3, h=0.1)", None, 6.0, got, rtol=1e-9)
    for h, expected in ((0.1, 12.01), (0.2, 12.04)):
        got = central(lambda x: x**3, 2.0, h)
        compare(f"central_difference(x**3, 2, h={h}) = 12 + h^2", np.array(2.0), expected, got,
                rtol=1e-9, hint="use the step h you are given")
    got = central(math.sin, 1.0)
    compare("central_difference(sin, 1) with the default h", np.array(1.0), math.cos(1.0), got,
            rtol=1e-9)
    done = ["central_difference is exact for a parabola, and its error is h^2 f'''/6"]

    gradient = function(namespace, "numerical_gradient")
    calls = 0

    def f(v):
        nonlocal calls
        calls += 1
        return float((v**2).sum() + 3 * v[0, 0] * v[1, 2])

    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    before = x.copy()
    got = gradient(f, x)
    if not np.array_equal(x, before):
        raise Wrong("numerical_gradient changed the array it was given", expected=before, got=x,
                    hint="put each element back after changing it (or work on a copy)")
    expected = 2 * x
    expected[0, 0] += 3 * x[1, 2]
    expected[1, 2] += 3 * x[0, 0]
    compare("numerical_gradient of sum(x^2) + 3 x[0,0] x[1,2]", x, expected, got, rtol=1e-6,
            atol=1e-7)
    if calls != 2 * x.size:
        raise Wrong(f"numerical_gradient should evaluate f twice per element ({2 * x.size} "
                    "times here)", expected=2 * x.size, got=calls)
    done.append("numerical_gradient: one central difference per element, 2n evaluations")
    return done
