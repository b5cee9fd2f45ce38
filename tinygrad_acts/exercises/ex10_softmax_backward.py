"""Exercise 10: softmax's backward rule."""

from __future__ import annotations

import numpy as np

from ._checks import check_activation_backward, function

TITLE = "softmax's backward rule"
LESSON = 6

STUB = '''"""Exercise 10: softmax's backward rule (after lesson 6).

softmax(x)_i = e^(x_i) / sum_j e^(x_j) along the last axis. The forward pass is written
(stable: the maximum is subtracted first) and saves its output y. Write `backward`.

Every output depends on every input of its row: dy_i/dx_j = y_i (delta_ij - y_j). So the
gradient with respect to x_j is sum_i grad_i y_i (delta_ij - y_j)
                                = y_j (grad_j - sum_i grad_i y_i),
the sum taken along the last axis (keep it, `keepdims=True`, so that it broadcasts).
Write it with Tensor operations on y and grad.

    tinygrad-acts exercise check 10      grades this file
    tinygrad-acts exercise solution 10   shows one answer
"""

import numpy as np

import tinygrad_acts as ta


class Softmax(ta.Function):
    derivative = "d/dx = y * (grad - sum(grad * y)), along the last axis"

    def forward(ctx, x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        y = e / e.sum(axis=-1, keepdims=True)
        ctx.save_for_backward(y)  # the output: backward receives it as a Tensor
        return y

    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 10: write Softmax.backward")


def softmax(x):
    return Softmax.apply(x)
'''

_TODO = '''\
        # TODO: return the gradient with respect to x
        raise NotImplementedError("exercise 10: write Softmax.backward")'''
_ANSWER = '''\
        return y * (grad - (grad * y).sum(axis=-1, keepdims=True))'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def _diagnose(got, upstream, points):
    e = np.exp(points - points.max(axis=-1, keepdims=True))
    y = e / e.sum(axis=-1, keepdims=True)
    if np.allclose(got, upstream * y * (1 - y)) or np.allclose(got, y * (1 - y)):
        return ("that is the diagonal of the Jacobian only, as if each output depended on its "
                "own input alone: every y_i depends on every x_j (dy_i/dx_j = -y_i y_j off the "
                "diagonal), hence the term - sum(grad * y)")
    return None


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    points = np.array([[0.5, -1.0, 2.0, 0.1], [3.0, 1.0, -2.0, 0.0], [0.2, 0.2, 0.3, -0.4]])
    return check_activation_backward(function(namespace, "softmax"), ta.activations.softmax,
                                     [{}], points, diagnose=_diagnose,
                                     large=np.array([[1000.0, 999.0, -1000.0]]))
