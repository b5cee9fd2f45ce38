"""Exercise 5: sigmoid's backward rule."""

from __future__ import annotations

import numpy as np

from ._checks import check_activation_backward, function

TITLE = "sigmoid's backward rule"
LESSON = 4

STUB = '''"""Exercise 5: sigmoid's backward rule (after lesson 4).

sigmoid(x) = 1 / (1 + e^-x). Its forward pass is written (in its stable form) and saves its
output y. Write `backward`: given `grad`, the gradient of the loss with respect to the
output, return the gradient with respect to x. Use the output: sigmoid' = y (1 - y).

Write it with Tensor operations on `y` and `grad` (no numpy, no .data), so that the rule
can itself be differentiated (second derivatives, lesson 9).

    tinygrad-acts exercise check 5       grades this file
    tinygrad-acts exercise solution 5    shows one answer
"""

import numpy as np

import tinygrad_acts as ta


class Sigmoid(ta.Function):
    derivative = "d/dx = y (1 - y), y = sigmoid(x)"

    def forward(ctx, x):
        y = np.exp(-np.logaddexp(0.0, -x))  # 1 / (1 + e^-x), never overflowing
        ctx.save_for_backward(y)  # the output: backward receives it as a Tensor
        return y

    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 5: write Sigmoid.backward")


def sigmoid(x):
    return Sigmoid.apply(x)
'''

_TODO = '''\
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 5: write Sigmoid.backward")'''
_ANSWER = '''\
        return grad * y * (1 - y)  # the chain rule: upstream times sigmoid'(x)'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    return check_activation_backward(function(namespace, "sigmoid"), ta.activations.sigmoid,
                                     [{}], np.linspace(-4.0, 4.0, 9) + 0.1,
                                     large=np.array([-1000.0, -50.0, 50.0, 1000.0]))
