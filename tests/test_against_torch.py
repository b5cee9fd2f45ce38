"""The engine against PyTorch (CPU, float64): forward values, gradients and second
derivatives (Hessian-vector products) of every primitive and of a composite expression,
including PyTorch's conventions at ties and kinks. Skipped where torch is not installed."""

import zlib

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import Tensor, ops

torch = pytest.importorskip("torch")

MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, True]])
INDEX = np.array([2, 0, 2, 2])


def _torch_sum_to(t, shape):
    """Un-broadcast with torch's own ops, as a reference for SumTo."""
    lead = t.dim() - len(shape)
    t = t.sum(dim=tuple(range(lead))) if lead else t
    dims = tuple(i for i, n in enumerate(shape) if n == 1 and t.shape[i] != 1)
    return t.sum(dim=dims, keepdim=True) if dims else t


def _torch_index_add(g, index, shape):
    return torch.zeros(shape, dtype=g.dtype).index_add(0, torch.as_tensor(index), g)


# name, engine function, torch function, input shapes, input kind
# kinds: "any" uniform in [-2, 2]; "positive" in [0.5, 2]; "nonzero" |x| in [0.5, 2]
CASES = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, [(3, 1, 4), (2, 4)], "any"),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, [(4, 1), (3,)], "any"),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, [(2, 1, 3), (4, 1)], "any"),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [(2, 3), (3,)], "nonzero"),
    ("neg", lambda a: -a, lambda a: -a, [(2, 3)], "any"),
    ("pow_scalar", lambda a: a**3, lambda a: a**3, [(2, 3)], "any"),
    ("pow_scalar_fraction", lambda a: a**-1.5, lambda a: a**-1.5, [(2, 3)], "positive"),
    ("pow_tensor", lambda a, b: a**b, lambda a, b: a**b, [(2, 3), (3,)], "positive"),
    ("matmul_2d", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4, 2)], "any"),
    ("matmul_vec_mat", lambda a, b: a @ b, lambda a, b: a @ b, [(4,), (4, 2)], "any"),
    ("matmul_mat_vec", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4,)], "any"),
    ("matmul_vec_vec", lambda a, b: a @ b, lambda a, b: a @ b, [(4,), (4,)], "any"),
    ("matmul_batched_broadcast", lambda a, b: a @ b, lambda a, b: a @ b,
     [(2, 1, 3, 4), (3, 4, 2)], "any"),
    ("exp", lambda a: a.exp(), torch.exp, [(2, 3)], "any"),
    ("log", lambda a: a.log(), torch.log, [(2, 3)], "positive"),
    ("sqrt", lambda a: a.sqrt(), torch.sqrt, [(2, 3)], "positive"),
    ("abs", lambda a: a.abs(), torch.abs, [(2, 3)], "nonzero"),
    ("clip", lambda a: a.clip(-0.5, 0.7), lambda a: a.clamp(-0.5, 0.7), [(3, 4)], "any"),
    ("maximum", ta.maximum, torch.maximum, [(3, 1), (4,)], "any"),
    ("minimum", ta.minimum, torch.minimum, [(2, 3), (3,)], "any"),
    ("where", lambda a, b: ta.where(MASK, a, b),
     lambda a, b: torch.where(torch.as_tensor(MASK), a, b), [(4,), (3, 1)], "any"),
    ("sum", lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(dim=(0, 2)), [(2, 3, 4)], "any"),
    ("mean", lambda a: a.mean(axis=1, keepdims=True), lambda a: a.mean(dim=1, keepdim=True),
     [(2, 3, 4)], "any"),
    ("max", lambda a: a.max(axis=1), lambda a: a.amax(dim=1), [(3, 4)], "any"),
    ("min", lambda a: a.min(), lambda a: a.amin(), [(3, 4)], "any"),
    ("logsumexp", lambda a: ta.logsumexp(a, axis=-1), lambda a: torch.logsumexp(a, dim=-1),
     [(3, 4)], "any"),
    ("reshape", lambda a: a.reshape(6, 4), lambda a: a.reshape(6, 4), [(2, 3, 4)], "any"),
    ("transpose", lambda a: a.transpose(2, 0, 1), lambda a: a.permute(2, 0, 1), [(2, 3, 4)],
     "any"),
    ("broadcast_to", lambda a: a.broadcast_to((2, 3, 4)), lambda a: a.expand(2, 3, 4),
     [(3, 1)], "any"),
    ("sum_to", lambda a: a.sum_to((3, 1)), lambda a: _torch_sum_to(a, (3, 1)), [(2, 3, 4)],
     "any"),
    ("index_basic", lambda a: a[1:, ::2], lambda a: a[1:, ::2], [(3, 4)], "any"),
    ("index_repeated", lambda a: a[INDEX], lambda a: a[torch.as_tensor(INDEX)], [(3, 4)], "any"),
    ("index_boolean", lambda a: a[MASK], lambda a: a[torch.as_tensor(MASK)], [(3, 4)], "any"),
    ("index_add", lambda g: ops.IndexAdd.apply(g, index=INDEX, shape=(3, 2)),
     lambda g: _torch_index_add(g, INDEX, (3, 2)), [(4, 2)], "any"),
    ("concatenate", lambda a, b: ta.concatenate([a, b], axis=1),
     lambda a, b: torch.cat([a, b], dim=1), [(2, 1), (2, 3)], "any"),
    ("stack", lambda a, b: ta.stack([a, b], axis=-1), lambda a, b: torch.stack([a, b], dim=-1),
     [(2, 3), (2, 3)], "any"),
]


def _draw(rng, shape, kind):
    if kind == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "nonzero":
        return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return rng.uniform(-2.0, 2.0, shape)


def _engine_derivatives(fn, arrays, g, v):
    """Value, gradients for the output gradient g, and the second derivative in the direction
    v: d/dx <grad_x <f, g>, v>."""
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*xs)
    grads = ta.grad(out, xs, grad_outputs=Tensor(g), create_graph=True, allow_unused=True)
    first = [np.zeros_like(a) if gr is None else gr.data
             for gr, a in zip(grads, arrays, strict=True)]
    second = [np.zeros_like(a) for a in arrays]
    terms = [(gr * vi).sum() for gr, vi in zip(grads, v, strict=True)
             if gr is not None and gr.requires_grad]
    if terms:  # else the gradients do not depend on the inputs: the second derivative is 0
        for i, s in enumerate(ta.grad(sum(terms), xs, allow_unused=True)):
            if s is not None:
                second[i] = s.data
    return out.data, first, second


def _torch_derivatives(fn, arrays, g, v):
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    grads = torch.autograd.grad(out, xs, grad_outputs=torch.tensor(g), create_graph=True,
                                allow_unused=True)
    first = [np.zeros_like(a) if gr is None else gr.detach().numpy()
             for gr, a in zip(grads, arrays, strict=True)]
    second = [np.zeros_like(a) for a in arrays]
    terms = [(gr * torch.tensor(vi)).sum() for gr, vi in zip(grads, v, strict=True)
             if gr is not None and gr.requires_grad]
    if terms:
        for i, s in enumerate(torch.autograd.grad(sum(terms), xs, allow_unused=True)):
            if s is not None:
                second[i] = s.numpy(force=True)
    return out.detach().numpy(), first, second


def _compare(engine, reference):
    value, first, second = engine
    t_value, t_first, t_second = reference
    np.testing.assert_allclose(value, t_value, rtol=1e-10, atol=1e-12)
    for mine, theirs in zip(first, t_first, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
    for mine, theirs in zip(second, t_second, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


def _check(fn, torch_fn, arrays, seed):
    rng = np.random.default_rng(seed)
    with ta.no_grad():
        out_shape = fn(*[Tensor(a) for a in arrays]).shape
    g = rng.standard_normal(out_shape)
    v = [rng.standard_normal(a.shape) for a in arrays]
    _compare(_engine_derivatives(fn, arrays, g, v), _torch_derivatives(torch_fn, arrays, g, v))


@pytest.mark.parametrize(
    "fn, torch_fn, shapes, kind",
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_primitive_matches_torch(request, fn, torch_fn, shapes, kind):
    rng = np.random.default_rng(zlib.crc32(request.node.callspec.id.encode()))
    _check(fn, torch_fn, [_draw(rng, s, kind) for s in shapes], seed=1)


@pytest.mark.parametrize(
    "fn, torch_fn, arrays",
    [
        pytest.param(lambda a: a.max(axis=1), lambda a: a.amax(dim=1),
                     [np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])], id="max_ties"),
        pytest.param(lambda a: a.min(), lambda a: a.amin(),
                     [np.array([[1.0, 3.0], [1.0, 1.0]])], id="min_ties"),
        pytest.param(ta.maximum, torch.maximum,
                     [np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])], id="maximum_ties"),
        pytest.param(ta.minimum, torch.minimum,
                     [np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])], id="minimum_ties"),
        pytest.param(lambda a: a.abs(), torch.abs, [np.array([-1.0, 0.0, 2.0])], id="abs_at_0"),
        pytest.param(lambda a: a.clip(-0.5, 0.7), lambda a: a.clamp(-0.5, 0.7),
                     [np.array([-1.0, -0.5, 0.0, 0.7, 1.0])], id="clip_at_bounds"),
        pytest.param(lambda a: a.sqrt(), torch.sqrt, [np.array([1e-8, 4.0])], id="sqrt_small"),
        pytest.param(lambda a: a**0, lambda a: a**0, [np.array([0.0, 2.0])], id="pow_0_at_0"),
        pytest.param(lambda a: ta.logsumexp(a, axis=1), lambda a: torch.logsumexp(a, dim=1),
                     [np.array([[1000.0, 1000.0, -1000.0]])], id="logsumexp_large"),
    ],
)
def test_ties_and_kinks_follow_torch(fn, torch_fn, arrays):
    _check(fn, torch_fn, arrays, seed=2)


def test_composite_expression_matches_torch():
    def expression(x, w, b, lib):
        h = x @ w + b
        leaky = lib.maximum(h, 0.1 * h)
        scaled = leaky / (1.0 + h**2).sqrt()
        lse = lib.logsumexp(scaled, 1)
        return (lse * lse).mean() + (w**2).sum() * 0.01 - (x * x + 1.0).log().mean()

    class Engine:
        maximum = staticmethod(ta.maximum)
        logsumexp = staticmethod(lambda a, axis: ta.logsumexp(a, axis=axis))

    class Torch:
        maximum = staticmethod(torch.maximum)
        logsumexp = staticmethod(lambda a, axis: torch.logsumexp(a, dim=axis))

    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)]
    g = np.array(1.3)
    v = [rng.standard_normal(a.shape) for a in arrays]
    engine = _engine_derivatives(lambda x, w, b: expression(x, w, b, Engine), arrays, g, v)
    reference = _torch_derivatives(lambda x, w, b: expression(x, w, b, Torch), arrays, g, v)
    _compare(engine, reference)


def test_training_step_matches_torch():
    """One SGD step of a small MLP, written the same way in both."""
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((8, 2)), rng.standard_normal((8, 1))
    params = [rng.standard_normal((2, 5)), np.zeros(5), rng.standard_normal((5, 1)), np.zeros(1)]

    def loss(p, inputs, targets, lib_exp):
        w1, b1, w2, b2 = p
        z = inputs @ w1 + b1
        hidden = z / (1.0 + lib_exp(-z))  # silu, from primitives
        return ((hidden @ w2 + b2 - targets) ** 2).mean()

    mine = [Tensor(p.copy(), requires_grad=True) for p in params]
    loss(mine, Tensor(x), Tensor(y), lambda t: t.exp()).backward()
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    loss(theirs, torch.tensor(x), torch.tensor(y), torch.exp).backward()
    for m, t in zip(mine, theirs, strict=True):
        np.testing.assert_allclose(m.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)
