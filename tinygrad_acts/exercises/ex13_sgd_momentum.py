"""Exercise 13: one step of SGD with momentum."""

from __future__ import annotations

import numpy as np

from ._checks import Wrong, as_array, compare, function

TITLE = "an SGD-with-momentum step"
LESSON = 7

STUB = '''"""Exercise 13: an SGD-with-momentum step (after lesson 7).

Plain SGD steps w -= learning_rate * grad. With momentum, a velocity remembers past steps
and the weight moves by it (Keras's SGD(momentum=...), nesterov=False):

    velocity = momentum * velocity - learning_rate * grad
    w = w + velocity

Write `sgd_momentum_step(w, grad, velocity, learning_rate, momentum)`, on numpy arrays: it
returns the new (w, velocity) and leaves its arguments unchanged.

    tinygrad-acts exercise check 13      grades this file
    tinygrad-acts exercise solution 13   shows one answer
"""

import numpy as np


def sgd_momentum_step(w, grad, velocity, learning_rate=0.01, momentum=0.9):
    """One step: returns (new w, new velocity)."""
    # TODO
    raise NotImplementedError("exercise 13: write sgd_momentum_step")
'''

_TODO = '''\
    # TODO
    raise NotImplementedError("exercise 13: write sgd_momentum_step")'''
_ANSWER = '''\
    velocity = momentum * velocity - learning_rate * grad
    return w + velocity, velocity'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    step = function(namespace, "sgd_momentum_step")
    # Minimise f(w) = sum(c w^2) / 2: grad = c * w.
    c = np.array([1.0, 10.0, 0.1])
    w, v = np.array([1.0, -2.0, 3.0]), np.zeros(3)
    w_ref, v_ref = w.copy(), v.copy()
    lr, momentum = 0.05, 0.8
    for k in range(6):
        grad = c * w
        args = (w.copy(), grad.copy(), v.copy())
        result = step(*args, learning_rate=lr, momentum=momentum)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise Wrong("sgd_momentum_step should return a pair (new w, new velocity)",
                        got=repr(result)[:60])
        if not (np.array_equal(args[0], w) and np.array_equal(args[2], v)):
            raise Wrong("sgd_momentum_step changed the arrays it was given",
                        hint="return new arrays (w + velocity), do not update in place")
        new_w, new_v = (as_array(r, "the result") for r in result)
        v_ref = momentum * v_ref - lr * c * w_ref
        w_ref = w_ref + v_ref
        if k > 0 and np.allclose(new_v, -v_ref / lr):
            raise Wrong(f"step {k + 1}: the velocity", expected=v_ref, got=new_v,
                        hint="that is PyTorch's buffer (b = momentum b + grad; w -= lr b): "
                             "the same steps, but Keras's velocity includes -learning_rate")
        compare(f"step {k + 1}: the velocity (lr={lr}, momentum={momentum})", None, v_ref,
                new_v, rtol=1e-9, hint="velocity = momentum * velocity - learning_rate * grad")
        compare(f"step {k + 1}: the new w", None, w_ref, new_w, rtol=1e-9,
                hint="w moves by the new velocity: w + velocity")
        w, v = new_w, new_v
    return ["six steps of Keras's SGD with momentum, velocity and weights"]
