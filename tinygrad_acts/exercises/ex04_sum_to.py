"""Exercise 4: summing a broadcast gradient back to its shape."""

from __future__ import annotations

import numpy as np

from ._checks import Wrong, as_array, compare, function

TITLE = "summing a broadcast gradient back to its shape"
LESSON = 3

STUB = '''"""Exercise 4: summing a broadcast gradient back to its shape (after lesson 3).

When an operand of shape `shape` was broadcast to a larger shape, the gradient arriving
for the result has the larger shape; the operand's gradient is its sum over every axis that
broadcasting created: the leading axes it added, and (keeping them, with size 1) the axes
where the operand had size 1. Write `sum_to(grad, shape)` on numpy arrays.

    sum_to(np.ones((4, 3)), (3,))    -> [4., 4., 4.]
    sum_to(np.ones((4, 3)), (4, 1))  -> [[3.], [3.], [3.], [3.]]
    sum_to(np.ones((2, 3)), ())      -> 6.0

    tinygrad-acts exercise check 4       grades this file
    tinygrad-acts exercise solution 4    shows one answer
"""

import numpy as np


def sum_to(grad, shape):
    """`grad` (a numpy array) summed back to `shape`, a shape it was broadcast from."""
    # TODO
    raise NotImplementedError("exercise 4: write sum_to")
'''

_TODO = '''\
    # TODO
    raise NotImplementedError("exercise 4: write sum_to")'''
_ANSWER = '''\
    shape = tuple(shape)
    added = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(added)))  # the leading axes broadcasting added
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)  # the size-1 axes it stretched'''

SOLUTION = STUB.replace(_TODO, _ANSWER)

CASES = [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 3), ()), ((5,), (5,)), ((2, 4, 3), (4, 1)),
         ((2, 4, 3), (1, 1, 3)), ((3, 1, 2), (1, 2)), ((2, 3, 4), (2, 1, 4))]


def grade(namespace: dict) -> list[str]:
    sum_to = function(namespace, "sum_to")
    rng = np.random.default_rng(0)
    for big, small in CASES:
        grad = rng.normal(size=big)
        original = grad.copy()
        got = as_array(sum_to(grad, small), "sum_to's result")
        added = len(big) - len(small)
        expected = grad.sum(axis=tuple(range(added)))
        axes = tuple(i for i, n in enumerate(small) if n == 1 and expected.shape[i] != 1)
        expected = expected.sum(axis=axes, keepdims=True)
        what = f"sum_to(grad of shape {big}, {small})"
        if got.shape != expected.shape and got.size == expected.size:
            raise Wrong(f"{what} has the wrong shape", expected=f"shape {expected.shape}",
                        got=f"shape {got.shape}",
                        hint="keep the axes where the operand had size 1 (keepdims=True); "
                             "drop only the leading axes broadcasting added")
        compare(what, None, expected, got, rtol=1e-9, hint="broadcast")
        if not np.array_equal(grad, original):
            raise Wrong(f"{what} changed the gradient it was given", hint="do not write into "
                        "`grad`: other operands may share it")
    return [f"sum_to is right for {len(CASES)} pairs of shapes (leading axes, size-1 axes, "
            "both, and none)"]
