"""Exercise 16: a decision moved from Python into kernels, so that ta.jit replays it."""

from __future__ import annotations

import warnings

import numpy as np

from ._checks import Wrong, function

TITLE = "a training step that ta.jit can replay"
LESSON = 11

STUB = '''"""Exercise 16: a training step that ta.jit can replay (after lesson 11).

This step multiplies the gradients by 10 while the loss is above `threshold`, and by 1
below it. Written with an `if` on the loss's value, it is right in eager mode and wrong
under ta.jit: the `if` is decided once, while recording, and frozen.

    if float(loss) > threshold:       # read into Python: frozen into the recording
        factor = 10.0
    else:
        factor = 1.0

Write `gradient_factor(loss, threshold)`: given the loss (a scalar Tensor), return a Tensor
that is 10 where loss > threshold and 1 elsewhere, computed with Tensor operations only
(no float(), .item(), bool() or `if` on a value), so that every replay decides afresh.

    tinygrad-acts exercise check 16      grades this file
    tinygrad-acts exercise solution 16   shows one answer
"""

import tinygrad_acts as ta


def gradient_factor(loss, threshold=0.2):
    """10 where loss > threshold, else 1, as a Tensor computed by Tensor operations."""
    # TODO
    raise NotImplementedError("exercise 16: write gradient_factor")
'''

_TODO = '''\
    # TODO
    raise NotImplementedError("exercise 16: write gradient_factor")'''
_ANSWER = '''\
    return ta.where(loss > threshold, 10.0, 1.0)'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def _training(factor_fn, compiled: bool) -> tuple[list[float], list[np.ndarray]]:
    """40 steps of a small regression whose loss crosses 0.2, eager or under ta.jit."""
    import tinygrad_acts as ta

    rng = np.random.default_rng(0)
    weights = [ta.Tensor(rng.uniform(-1, 1, (2, 8)).astype(np.float32), requires_grad=True),
               ta.Tensor(np.zeros(8, np.float32), requires_grad=True),
               ta.Tensor(rng.uniform(-1, 1, (8, 1)).astype(np.float32) / 3,
                         requires_grad=True)]
    optimizer = ta.optimizers.SGD(0.02)
    x = rng.standard_normal((64, 2)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) * np.cos(x[:, 1:])).astype(np.float32)

    def step(x, y):
        w1, b1, w2 = weights
        loss = ((((x @ w1 + b1).tanh() @ w2) - y) ** 2).mean()
        grads = ta.grad(loss, weights)
        factor = factor_fn(loss, 0.2)
        optimizer.apply_gradients([(g * factor, w) for g, w in zip(grads, weights,
                                                                   strict=True)])
        return loss

    run = ta.jit(step) if compiled else step
    losses = [float(run(x, y).data) for _ in range(40)]
    return losses, [w.data.copy() for w in weights]


def _reference(loss, threshold=0.2):
    import tinygrad_acts as ta

    return ta.Tensor(np.float32(10.0 if float(loss.data) > threshold else 1.0))


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta
    from tinygrad_acts.jit import TracingError, TracingWarning

    factor_fn = function(namespace, "gradient_factor")
    for value, expected in ((0.5, 10.0), (3.0, 10.0), (0.21, 10.0), (0.19, 1.0), (0.0, 1.0)):
        got = factor_fn(ta.Tensor(np.float32(value)), 0.2)
        if not isinstance(got, ta.Tensor):
            raise Wrong("gradient_factor should return a Tensor", got=repr(got)[:60],
                        hint="ta.where(condition, 10.0, 1.0) returns one")
        if float(np.asarray(got.data).reshape(-1)[0]) != expected:
            raise Wrong(f"gradient_factor(loss={value}, threshold=0.2)", expected=expected,
                        got=got.data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TracingWarning)
        try:
            compiled_losses, compiled_weights = _training(factor_fn, compiled=True)
        except (TracingWarning, TracingError) as error:
            raise Wrong("under ta.jit the step reads a value into Python, or runs other "
                        "kernels at each call", got=str(error)[:160],
                        hint="no float(), .item(), bool() or `if` on the loss: compare "
                             "tensors (loss > threshold) and pick with ta.where") from None
    losses, reference_weights = _training(_reference, compiled=False)
    if not (losses[0] > 0.2 > losses[-1]):
        raise AssertionError("the grader's problem no longer crosses the threshold")
    for a, b in zip(compiled_weights, reference_weights, strict=True):
        if not np.allclose(a, b, rtol=1e-5, atol=1e-6):
            raise Wrong("after 40 compiled steps the weights differ from the eager step "
                        "with the `if`", expected=b, got=a,
                        hint="the factor must be 10 above the threshold and 1 below, at "
                             "every step")
    return ["the factor is 10 above the threshold and 1 below it",
            "under ta.jit, 40 steps across the threshold train as the eager `if` does"]
