"""Exercise 3: the backward loop."""

from __future__ import annotations

import numpy as np

from ._checks import Wrong, compare, function

TITLE = "the backward loop"
LESSON = 2

STUB = '''"""Exercise 3: the backward loop (after lesson 2).

Write `backward(root)`, the heart of the engine: return a dict {tensor: its gradient} of
d root / d tensor for every tensor in `topological_order(root)` (given). Steps:

1. the root's own gradient is ones of its shape (d root / d root = 1);
2. visit the tensors in reverse topological order (a tensor after everything computed
   from it); for one computed by an operation, `local_gradients(t, grad)` applies that
   operation's backward rule to t's gradient and gives one gradient per input (None for
   an input that needs none);
3. a tensor used by several operations receives a gradient from each: add them up.

    tinygrad-acts exercise check 3       grades this file
    tinygrad-acts exercise solution 3    shows one answer
"""

import numpy as np

import tinygrad_acts as ta
from tinygrad_acts.autograd import topological_order


def inputs_of(t):
    """The tensors `t` was computed from: its operation's inputs (none for a leaf)."""
    return t._ctx.parents if t._ctx is not None else ()


def local_gradients(t, grad):
    """The gradients that t's operation sends to each of its inputs, given t's gradient."""
    return t._ctx._run_backward(grad)


def backward(root):
    """{tensor: d root / d tensor} for every tensor of topological_order([root])."""
    order = topological_order([root])
    # TODO
    raise NotImplementedError("exercise 3: write backward")
'''

_TODO = '''\
    # TODO
    raise NotImplementedError("exercise 3: write backward")'''
_ANSWER = '''\
    grads = {root: ta.Tensor(np.ones_like(root.data))}
    for t in reversed(order):
        grad = grads.get(t)
        if grad is None or t._ctx is None:  # a leaf, or a tensor root does not depend on
            continue
        for parent, sent in zip(inputs_of(t), local_gradients(t, grad)):
            if sent is not None:
                grads[parent] = grads[parent] + sent if parent in grads else sent
    return grads'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def grade(namespace: dict) -> list[str]:
    import tinygrad_acts as ta

    backward = function(namespace, "backward")
    done = []
    rng = np.random.default_rng(0)
    x = ta.Tensor(rng.normal(size=3), requires_grad=True, name="x")
    w = ta.Tensor(rng.normal(size=3), requires_grad=True, name="w")
    cases = [
        ("y = sum(tanh(x * w))", lambda: ta.activations.tanh(x * w).sum(), False, (x, w)),
        ("y = sum(x * x + x) (x used three times)", lambda: (x * x + x).sum(), True, (x,)),
        ("y = sum(exp(x * w) * w) (w used twice)", lambda: ((x * w).exp() * w).sum(), True,
         (x, w)),
    ]
    for label, make, shared, leaves in cases:
        root = make()
        got = backward(root)
        if not isinstance(got, dict):
            raise Wrong("backward should return a dict {tensor: gradient}",
                        got=type(got).__name__)
        if root not in got or not np.allclose(np.asarray(got[root].data), 1.0):
            raise Wrong(f"on {label}: the root's own gradient should be 1",
                        got=got.get(root), hint="start from d root / d root = ones")
        expected = ta.grad(make(), list(leaves))
        for leaf, exp in zip(leaves, expected, strict=True):
            if leaf not in got:
                raise Wrong(f"on {label}: no gradient for {leaf.name}",
                            hint="visit every tensor in reversed(order)")
            got_leaf = got[leaf].data if hasattr(got[leaf], "data") else got[leaf]
            compare(f"on {label}: d y / d {leaf.name}", leaf.numpy(), exp.numpy(),
                    np.asarray(got_leaf), rtol=1e-6,
                    hint="a value used by several operations receives a gradient from each: "
                         "add them up (do not overwrite)" if shared else None)
        done.append(f"{label}: the gradients equal the engine's")
    return done
