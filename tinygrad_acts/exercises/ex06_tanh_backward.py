"""Exercise 6: tanh's backward rule."""

from __future__ import annotations

import numpy as np

from ._checks import check_activation_backward, function

TITLE = "tanh's backward rule"
LESSON = 4

STUB = '''"""Exercise 6: tanh's backward rule (after lesson 4).

tanh(x) = (e^x - e^-x) / (e^x + e^-x). Its forward pass is written and saves its output
y. Write `backward`: given `grad`, the gradient of the loss with respect to the output,
return the gradient with respect to x. Use the output: tanh' = 1 - y^2.

Write it with Tensor operations on `y` and `grad` (no numpy, no .data), so that the rule
can itself be differentiated (second derivatives, lesson 9).

    tinygrad-acts exercise check 6       grades this file
    tinygrad-acts exercise solution 6    shows one answer
"""

import numpy as np

import tinygrad_acts as ta


class Tanh(ta.Function):
    derivative = "d/dx = 1 - y^2, y = tanh(x)"

    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)  # the output: backward receives it as a Tensor
        return y

    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 6: write Tanh.backward")


def tanh(x):
    return Tanh.apply(x)
'''

_TODO = '''\
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 6: write Tanh.backward")'''
_ANSWER = '''\
        return grad * (1 - y * y)  # the chain rule: upstream times tanh'(x)'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    return check_activation_backward(function(namespace, "tanh"), ta.activations.tanh,
                                     [{}], np.linspace(-4.0, 4.0, 9) + 0.1,
                                     large=np.array([-1000.0, -50.0, 50.0, 1000.0]))
