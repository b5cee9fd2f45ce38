"""Exercise 2: the topological sort of a graph."""

from __future__ import annotations

from ._checks import Wrong, function

TITLE = "the topological sort"
LESSON = 2

STUB = '''"""Exercise 2: the topological sort (after lesson 2).

backward() must visit a tensor only after every tensor computed from it, so it first puts
the graph in order: each tensor after all of its inputs (a topological order); it then
walks that list backwards. Write `topological_order(root)`: every tensor that `root` was
computed from (root included), each exactly once, each after its inputs, root last.

`inputs_of(t)` gives the tensors t was computed from (none for a leaf). Tensors can be
kept in sets and dicts (they are compared by identity).

micrograd writes this as a recursive function. Graphs here can be 100,000 operations
deep, and Python stops recursion near 1,000 calls: use a loop with a stack of your own.

    tinygrad-acts exercise check 2       grades this file
    tinygrad-acts exercise solution 2    shows one answer
"""

import tinygrad_acts as ta


def inputs_of(t):
    """The tensors `t` was computed from: its operation's inputs (none for a leaf)."""
    return t._ctx.parents if t._ctx is not None else ()


def topological_order(root):
    """A list of the tensors `root` depends on, each after its inputs, `root` last."""
    # TODO
    raise NotImplementedError("exercise 2: write topological_order")
'''

_TODO = '''\
    # TODO
    raise NotImplementedError("exercise 2: write topological_order")'''
_ANSWER = '''\
    order, placed = [], set()
    stack = [(root, False)]  # (tensor, whether its inputs are placed already)
    while stack:
        t, inputs_done = stack.pop()
        if t in placed:
            continue
        if inputs_done:
            placed.add(t)
            order.append(t)
            continue
        stack.append((t, True))  # comes back after its inputs
        stack.extend((p, False) for p in inputs_of(t) if p not in placed)
    return order'''

SOLUTION = STUB.replace(_TODO, _ANSWER)


def _graphs():
    import tinygrad_acts as ta

    def leaf(value, name):
        return ta.Tensor(value, dtype="float64", requires_grad=True, name=name)

    x1, x2, w1, w2, b = (leaf(v, n) for v, n in ((2.0, "x1"), (0.0, "x2"), (-3.0, "w1"),
                                                (1.0, "w2"), (6.88, "b")))
    neuron = ta.activations.tanh(x1 * w1 + x2 * w2 + b)
    a = leaf(3.0, "a")
    shared = a * a  # used twice below: a diamond
    diamond = (shared + shared.exp()) * a
    chain = leaf(1.0, "c")
    for _ in range(5000):
        chain = chain * 1.0
    yield "the neuron tanh(x1*w1 + x2*w2 + b)", neuron
    yield "a diamond: s = a*a; (s + exp(s)) * a", diamond
    yield "a chain of 5000 multiplications", chain


def _reachable(root):
    seen, stack = {root}, [root]
    while stack:
        t = stack.pop()
        for p in (t._ctx.parents if t._ctx is not None else ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def grade(namespace: dict) -> list[str]:
    order_of = function(namespace, "topological_order")
    done = []
    for label, root in _graphs():
        try:
            order = list(order_of(root))
        except RecursionError:
            raise Wrong(f"on {label}: RecursionError", hint="Python stops recursion near "
                        "1,000 calls: keep a stack (a list) of tensors still to place, and "
                        "loop") from None
        expected = _reachable(root)
        if len(order) != len(set(order)):
            twice = next(t for t in order if order.count(t) > 1)
            raise Wrong(f"on {label}: a tensor appears more than once",
                        got=f"{twice.name or 'a tensor'} {order.count(twice)} times",
                        hint="remember which tensors are placed (a set) and skip them")
        if set(order) != expected:
            raise Wrong(f"on {label}: the order should hold every tensor root depends on",
                        expected=f"{len(expected)} tensors", got=f"{len(set(order))} tensors")
        position = {t: i for i, t in enumerate(order)}
        for t in order:
            for p in (t._ctx.parents if t._ctx is not None else ()):
                if position[p] > position[t]:
                    raise Wrong(f"on {label}: a tensor comes before one of its inputs",
                                expected=f"{p.name or 'its input'} before {t.name or 'it'}",
                                got=f"position {position[p]} after {position[t]}",
                                hint="place a tensor only once all of its inputs are placed")
        if order[-1] is not root:
            raise Wrong(f"on {label}: root should come last", got=f"position "
                        f"{position[root]} of {len(order)}")
        done.append(f"{label}: every tensor once, each after its inputs")
    return done
