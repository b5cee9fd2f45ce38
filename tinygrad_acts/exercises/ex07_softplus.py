"""Exercise 7: softplus, a stable forward and its backward."""

from __future__ import annotations

import numpy as np

from ._checks import check_activation_backward, function

TITLE = "softplus: a stable forward and its backward"
LESSON = 4

STUB = '''"""Exercise 7: softplus, a stable forward and its backward (after lesson 4).

softplus(x) = log(1 + e^x), a smooth relu. Write both passes:

- forward, on numpy arrays: log(1 + e^x) as written overflows for large x (e^1000 is inf
  in float64). Rewrite it so that it stays exact for every finite x (hint: for x > 0,
  log(1 + e^x) = x + log(1 + e^-x); np.log1p is log(1 + .) without rounding near 0).
- backward, with Tensor operations on the saved input x: softplus' = sigmoid(x)
  (`ta.activations.sigmoid` is a Tensor operation).

    tinygrad-acts exercise check 7       grades this file
    tinygrad-acts exercise solution 7    shows one answer
"""

import numpy as np

import tinygrad_acts as ta


class Softplus(ta.Function):
    derivative = "d/dx = sigmoid(x)"

    def forward(ctx, x):
        ctx.save_for_backward(x)  # the input: backward receives it as a Tensor
        # TODO 1: return log(1 + e^x), stable for large |x|
        raise NotImplementedError("exercise 7: write Softplus.forward")

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # TODO 2: return the gradient with respect to x
        raise NotImplementedError("exercise 7: write Softplus.backward")


def softplus(x):
    return Softplus.apply(x)
'''

_TODO_1 = '''\
        # TODO 1: return log(1 + e^x), stable for large |x|
        raise NotImplementedError("exercise 7: write Softplus.forward")'''
_ANSWER_1 = '''\
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))'''

_TODO_2 = '''\
        # TODO 2: return the gradient with respect to x
        raise NotImplementedError("exercise 7: write Softplus.backward")'''
_ANSWER_2 = '''\
        return grad * ta.activations.sigmoid(x)'''

SOLUTION = STUB.replace(_TODO_1, _ANSWER_1).replace(_TODO_2, _ANSWER_2)


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    return check_activation_backward(function(namespace, "softplus"), ta.activations.softplus,
                                     [{}], np.linspace(-4.0, 4.0, 9) + 0.1, check_forward=True,
                                     large=np.array([-1000.0, -50.0, 50.0, 1000.0]))
