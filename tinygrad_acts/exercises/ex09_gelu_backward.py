"""Exercise 9: GELU's backward rule (the tanh approximation)."""

from __future__ import annotations

import numpy as np

from ._checks import check_activation_backward, function

TITLE = "GELU's backward rule"
LESSON = 5


def _reference(x, **params):
    import tinygrad_acts as ta

    return ta.activations.gelu(x, approximate=True)


STUB = '''"""Exercise 9: GELU's backward rule (after lesson 5).

GELU in its tanh approximation (GPT-2's, Keras's `gelu(x, approximate=True)`):

    gelu(x) = x (1 + tanh(u)) / 2,   u = sqrt(2 / pi) (x + 0.044715 x^3).

The forward pass is written and saves its input x. Write `backward`: by the product and
chain rules, with t = tanh(u) and u' = sqrt(2 / pi) (1 + 3 * 0.044715 x^2),

    gelu'(x) = (1 + t) / 2 + x (1 - t^2) u' / 2.

Use Tensor operations on x (`ta.activations.tanh` is one), so that the rule can be
differentiated again.

    tinygrad-acts exercise check 9       grades this file
    tinygrad-acts exercise solution 9    shows one answer
"""

import math

import numpy as np

import tinygrad_acts as ta

C = math.sqrt(2.0 / math.pi)


class Gelu(ta.Function):
    derivative = "d/dx = (1 + t) / 2 + x (1 - t^2) u' / 2, t = tanh(u)"

    def forward(ctx, x):
        ctx.save_for_backward(x)  # the input: backward receives it as a Tensor
        u = C * (x + 0.044715 * x**3)
        return 0.5 * x * (1.0 + np.tanh(u))

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 9: write Gelu.backward")


def gelu(x):
    return Gelu.apply(x)
'''

_TODO = '''\
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 9: write Gelu.backward")'''
_ANSWER = '''\
        t = ta.activations.tanh(C * (x + 0.044715 * x * x * x))
        du = C * (1.0 + 3 * 0.044715 * x * x)
        return grad * ((1.0 + t) * 0.5 + x * (1.0 - t * t) * du * 0.5)'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    return check_activation_backward(function(namespace, "gelu"), _reference, [{}],
                                     np.linspace(-4.0, 4.0, 9) + 0.1,
                                     large=np.array([-50.0, -10.0, 10.0, 50.0]))
