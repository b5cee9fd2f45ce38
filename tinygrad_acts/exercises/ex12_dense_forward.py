"""Exercise 12: a Dense layer's forward pass, with lecun_normal weights."""

from __future__ import annotations

import numpy as np

from ._checks import Wrong, as_array, compare, function

TITLE = "a Dense layer's forward with lecun_normal"
LESSON = 7

STUB = '''"""Exercise 12: a Dense layer's forward with lecun_normal (after lesson 7).

Write two functions:

- `lecun_normal(fan_in, units, rng)`: a (fan_in, units) kernel as Keras's lecun_normal
  draws it: a normal distribution of mean 0 and standard deviation
  sqrt(1 / fan_in) / 0.87962566103423978, truncated at two of those standard deviations
  (draw again any value beyond them). The divisor makes the truncated distribution's
  standard deviation exactly sqrt(1 / fan_in), the variance SELU needs (lesson 8).
  `rng` is a numpy Generator (`rng.normal(0, std, size)`).
- `dense(x, kernel, bias, activation=None)`: the layer's output activation(x @ kernel +
  bias) for a batch x of shape (batch, fan_in), with Tensor operations (so that backward
  reaches kernel and bias); `activation` is None (linear) or a function of a Tensor.

    tinygrad-acts exercise check 12      grades this file
    tinygrad-acts exercise solution 12   shows one answer
"""

import numpy as np

import tinygrad_acts as ta


def lecun_normal(fan_in, units, rng):
    """A (fan_in, units) float32 array drawn as Keras's lecun_normal."""
    # TODO 1
    raise NotImplementedError("exercise 12: write lecun_normal")


def dense(x, kernel, bias, activation=None):
    """activation(x @ kernel + bias), for Tensors x, kernel and bias."""
    # TODO 2
    raise NotImplementedError("exercise 12: write dense")
'''

_TODO_1 = '''\
    # TODO 1
    raise NotImplementedError("exercise 12: write lecun_normal")'''
_ANSWER_1 = '''\
    std = np.sqrt(1.0 / fan_in) / 0.87962566103423978
    values = rng.normal(0.0, std, size=(fan_in, units))
    outside = np.abs(values) > 2 * std
    while outside.any():  # draw those again until every value is within two std
        values[outside] = rng.normal(0.0, std, size=int(outside.sum()))
        outside = np.abs(values) > 2 * std
    return values.astype(np.float32)'''

_TODO_2 = '''\
    # TODO 2
    raise NotImplementedError("exercise 12: write dense")'''
_ANSWER_2 = '''\
    y = x @ kernel + bias
    return y if activation is None else activation(y)'''

SOLUTION = STUB.replace(_TODO_1, _ANSWER_1).replace(_TODO_2, _ANSWER_2)


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    init = function(namespace, "lecun_normal")
    done = []
    for fan_in, units in ((400, 300), (50, 2000)):
        w = as_array(init(fan_in, units, np.random.default_rng(0)), "lecun_normal's result")
        if w.shape != (fan_in, units):
            raise Wrong(f"lecun_normal({fan_in}, {units}) has the wrong shape",
                        expected=f"shape {(fan_in, units)}", got=f"shape {w.shape}")
        target = np.sqrt(1.0 / fan_in)
        std, limit = float(w.std()), 2 * target / 0.87962566103423978
        if abs(w.mean()) > 0.05 * target:
            raise Wrong(f"lecun_normal({fan_in}, {units}) should have mean 0", expected=0.0,
                        got=float(w.mean()))
        if np.abs(w).max() > limit * (1 + 1e-6):
            raise Wrong(f"lecun_normal({fan_in}, {units}) has values beyond two standard "
                        "deviations", expected=f"|w| <= {limit:.6g}",
                        got=float(np.abs(w).max()), hint="draw again (or clip the draw to) "
                        "every value beyond 2 * stddev: a truncated normal")
        if abs(std - target) > 0.03 * target:
            hint = None
            if abs(std - np.sqrt(1.0 / units)) < 0.03 * np.sqrt(1.0 / units):
                hint = "fan_in is the number of inputs (the kernel's rows), not of units"
            elif abs(std - np.sqrt(2.0 / fan_in)) < 0.03 * np.sqrt(2.0 / fan_in):
                hint = ("sqrt(2 / fan_in) is he_normal's (for relu); lecun_normal's is "
                        "sqrt(1 / fan_in)")
            elif abs(std - target * 0.87962566103423978) < 0.03 * target:
                hint = ("truncating at two standard deviations shrinks the spread: divide the "
                        "normal's std by 0.87962566103423978 first")
            raise Wrong(f"lecun_normal({fan_in}, {units}) should have standard deviation "
                        "sqrt(1 / fan_in)", expected=target, got=std, hint=hint)
    done.append("lecun_normal: mean 0, standard deviation sqrt(1 / fan_in), truncated at 2 std")

    dense = function(namespace, "dense")
    rng = np.random.default_rng(1)
    x = ta.Tensor(rng.normal(size=(5, 3)))
    kernel = ta.Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    bias = ta.Tensor(rng.normal(size=4), requires_grad=True)
    for activation, label in ((None, "linear"), (ta.activations.tanh, "tanh")):
        out = dense(x, kernel, bias, activation)
        if not isinstance(out, ta.Tensor):
            raise Wrong("dense should return a Tensor (Tensor operations: x @ kernel + bias)",
                        got=type(out).__name__)
        expected = x.numpy() @ kernel.numpy() + bias.numpy()
        if activation is not None:
            expected = np.tanh(expected)
        compare(f"dense(x, kernel, bias, {label})", None, expected, out, rtol=1e-6)
        kernel.grad = bias.grad = None
        out.sum().backward()
        if kernel.grad is None or bias.grad is None:
            raise Wrong("backward does not reach kernel and bias", hint="compute with Tensor "
                        "operations, not on .data or numpy arrays")
        compare("bias.grad after dense(...).sum().backward()", None,
                (1 - expected**2 if activation else np.ones_like(expected)).sum(axis=0),
                bias.grad, rtol=1e-6)
    done.append("dense: activation(x @ kernel + bias), and backward reaches kernel and bias")
    return done
