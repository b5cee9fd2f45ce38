"""Exercise 8: ELU's backward rule, with its alpha."""

from __future__ import annotations

import numpy as np

from ._checks import check_activation_backward, function

TITLE = "ELU's backward rule, with its alpha"
LESSON = 4

STUB = '''"""Exercise 8: ELU's backward rule, with its alpha (after lesson 4).

elu(x) = x for x > 0, alpha (e^x - 1) for x <= 0. Its forward pass is written and saves
its input x; alpha is a parameter, read in backward as ctx.params["alpha"]. Write
`backward`: the local derivative is 1 for x > 0 and alpha e^x for x <= 0.

Write it with Tensor operations (`ta.where(condition, a, b)` picks between two Tensors; a
condition computed from x.data is fine: it is constant where the derivative is smooth),
and keep e^x from overflowing where x is large and positive (`ta.minimum(x, 0.0)`).

    tinygrad-acts exercise check 8       grades this file
    tinygrad-acts exercise solution 8    shows one answer
"""

import numpy as np

import tinygrad_acts as ta


class Elu(ta.Function):
    derivative = "d/dx = 1 for x > 0, alpha e^x for x <= 0"

    def forward(ctx, x, alpha=1.0):
        ctx.save_for_backward(x)  # the input: backward receives it as a Tensor
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha = ctx.params["alpha"]
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 8: write Elu.backward")


def elu(x, alpha=1.0):
    return Elu.apply(x, alpha=alpha)
'''

_TODO = '''\
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 8: write Elu.backward")'''
_ANSWER = '''\
        slope = ta.where(x.data > 0, 1.0, alpha * ta.minimum(x, 0.0).exp())
        return grad * slope'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    return check_activation_backward(function(namespace, "elu"), ta.activations.elu,
                                     [{"alpha": 1.0}, {"alpha": 0.5}, {"alpha": 2.0}],
                                     np.linspace(-4.0, 4.0, 9) + 0.1,
                                     large=np.array([-1000.0, -50.0, 50.0, 1000.0]))
