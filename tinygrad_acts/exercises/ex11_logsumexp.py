"""Exercise 11: a stable log-sum-exp."""

from __future__ import annotations

import numpy as np

from ._checks import Wrong, check_activation_backward, function

TITLE = "a stable log-sum-exp"
LESSON = 6


def _reference(x, **params):
    import tinygrad_acts as ta

    return ta.logsumexp(x, axis=-1)


STUB = '''"""Exercise 11: a stable log-sum-exp (after lesson 6).

logsumexp(x) = log(sum_j e^(x_j)) along the last axis: the log of softmax's denominator,
the heart of cross-entropy from logits. As written it overflows (e^1000 is inf) and
underflows (e^-1000 is 0, and log 0 is -inf). Write it stably, with Tensor operations so
that the engine differentiates it (its gradient is the softmax):

    logsumexp(x) = m + log(sum_j e^(x_j - m)),   m = max_j x_j.

m may be a constant (`ta.Tensor(x.data.max(axis=-1, keepdims=True))`): the result does not
depend on it, so no gradient needs to flow through it.

    tinygrad-acts exercise check 11      grades this file
    tinygrad-acts exercise solution 11   shows one answer
"""

import numpy as np

import tinygrad_acts as ta


def logsumexp(x):
    """log(sum(exp(x))) along the last axis of the Tensor x: a Tensor with that axis gone."""
    # TODO: compute it without overflow or underflow, with Tensor operations
    raise NotImplementedError("exercise 11: write logsumexp")
'''

_TODO = '''\
    # TODO: compute it without overflow or underflow, with Tensor operations
    raise NotImplementedError("exercise 11: write logsumexp")'''
_ANSWER = '''\
    m = ta.Tensor(x.data.max(axis=-1, keepdims=True))  # a constant
    return (x - m).exp().sum(axis=-1).log() + m.squeeze(-1)'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    fn = function(namespace, "logsumexp")
    out = fn(ta.Tensor(np.zeros((2, 3))))
    if not isinstance(out, ta.Tensor) or out.shape != (2,):
        raise Wrong("logsumexp of a (2, 3) Tensor should be a Tensor of shape (2,): the last "
                    "axis summed away", at="x = zeros((2, 3))", expected="shape (2,)",
                    got=f"{type(out).__name__} of shape {getattr(out, 'shape', None)}")
    points = np.array([[0.5, -1.0, 2.0, 0.1], [3.0, 1.0, -2.0, 0.0], [0.2, 0.2, 0.3, -0.4]])
    large = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    return check_activation_backward(fn, _reference, [{}], points, check_forward=True,
                                     large=large)
