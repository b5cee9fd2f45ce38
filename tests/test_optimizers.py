"""Optimizers: three steps of each against Keras 3's update rules written out by hand,
in-place updates without graph nodes, argument checks, and (optionally) PyTorch."""

import copy
import math

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import optimizers
from tinygrad_acts.optimizers import SGD, Adam, RMSprop

W0 = np.array([1.0, -2.0, 0.5], dtype=np.float64)
GRADS = [
    np.array([0.5, -1.0, 2.0]),
    np.array([-0.25, 0.5, 1.0]),
    np.array([1.5, 0.0, -3.0]),
]


def run(optimizer, grads=GRADS, w0=W0):
    """Apply `grads` one after another through apply_gradients; the weights after each step."""
    w = ta.Tensor(w0.copy(), requires_grad=True)
    trajectory = []
    for g in grads:
        optimizer.apply_gradients([(g, w)])
        trajectory.append(w.data.copy())
    return trajectory


# ---- Keras's formulas, one step at a time, in plain numpy ------------------------------------


def sgd_reference(lr, momentum=0.0, nesterov=False):
    w, v, out = W0.copy(), np.zeros(3), []
    for g in GRADS:
        if momentum == 0:
            w = w - lr * g
        else:
            v = momentum * v - lr * g
            w = w + (momentum * v - lr * g if nesterov else v)
        out.append(w.copy())
    return out


def adam_reference(lr, beta_1, beta_2, eps):
    w, m, v, out = W0.copy(), np.zeros(3), np.zeros(3), []
    for t, g in enumerate(GRADS, start=1):
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        w = w - alpha * m / (np.sqrt(v) + eps)
        out.append(w.copy())
    return out


def rmsprop_reference(lr, rho, momentum, eps, centered):
    w, v, mg, vel, out = W0.copy(), np.zeros(3), np.zeros(3), np.zeros(3), []
    for g in GRADS:
        v = rho * v + (1 - rho) * g**2
        if centered:
            mg = rho * mg + (1 - rho) * g
            increment = lr * g / np.sqrt(v - mg**2 + eps)
        else:
            increment = lr * g / np.sqrt(v + eps)
        if momentum > 0:
            vel = momentum * vel + increment
            w = w - vel
        else:
            w = w - increment
        out.append(w.copy())
    return out


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_follows_keras_rule(momentum, nesterov):
    got = run(SGD(learning_rate=0.1, momentum=momentum, nesterov=nesterov))
    np.testing.assert_allclose(got, sgd_reference(0.1, momentum, nesterov), rtol=1e-12)


def test_sgd_first_step_by_hand():
    (w1, *_) = run(SGD(learning_rate=0.1, momentum=0.9))
    np.testing.assert_allclose(w1, [1.0 - 0.05, -2.0 + 0.1, 0.5 - 0.2])


@pytest.mark.parametrize(
    "lr, beta_1, beta_2, eps", [(0.001, 0.9, 0.999, 1e-7), (0.1, 0.5, 0.9, 0.1)]
)
def test_adam_follows_keras_rule(lr, beta_1, beta_2, eps):
    got = run(Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2, epsilon=eps))
    np.testing.assert_allclose(got, adam_reference(lr, beta_1, beta_2, eps), rtol=1e-12)


def test_adam_first_step_is_about_lr_times_sign():
    # At t = 1 the bias-corrected step is lr * g / (|g| + eps'): about lr in each coordinate.
    (w1, *_) = run(Adam(learning_rate=0.01))
    np.testing.assert_allclose(w1 - W0, -0.01 * np.sign(GRADS[0]), rtol=1e-5)


@pytest.mark.parametrize(
    "momentum, centered", [(0.0, False), (0.0, True), (0.5, False), (0.5, True)]
)
def test_rmsprop_follows_keras_rule(momentum, centered):
    opt = RMSprop(learning_rate=0.01, rho=0.8, momentum=momentum, epsilon=1e-7, centered=centered)
    got = run(opt)
    expected = rmsprop_reference(0.01, 0.8, momentum, 1e-7, centered)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_keras_3_defaults():
    sgd, adam, rms = SGD(), Adam(), RMSprop()
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon, rms.centered) == (
        0.001, 0.9, 0.0, 1e-7, False)


def test_rmsprop_keras_docstring_example():
    # Keras's RMSprop docstring: var = 10, loss = var^2 / 2, one minimize step -> 9.683772.
    var = ta.Tensor(10.0, requires_grad=True)
    (var**2 / 2).backward()
    RMSprop(learning_rate=0.1).step([var])
    assert var.item() == pytest.approx(9.683772, abs=1e-6)


# ---- step(params) and in-place updates -------------------------------------------------------


def test_step_uses_grad_and_matches_apply_gradients():
    a = ta.Tensor(W0.copy(), requires_grad=True)
    b = ta.Tensor(W0.copy(), requires_grad=True)
    opt_a, opt_b = Adam(0.1), Adam(0.1)
    for _ in range(3):
        a.grad = None
        ((a * a).sum() / 2).backward()  # grad = a
        opt_a.step([a])
        opt_b.apply_gradients([(b.data.copy(), b)])
    np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
    assert opt_a.iterations == opt_b.iterations == 3


def test_updates_in_place_without_graph_nodes():
    w = ta.Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    (w * 3.0).sum().backward()
    storage = w.data
    for opt in (SGD(0.1, momentum=0.9), Adam(), RMSprop(momentum=0.5, centered=True)):
        opt.step([w])
    assert w.data is storage  # in place: every reference to the weight sees the new values
    assert w.dtype == np.float32  # float32 stays float32
    assert w._ctx is None and w.requires_grad and w.is_leaf
    assert not np.allclose(w.data, 1.0)


def test_step_skips_parameters_without_grad():
    with_grad = ta.Tensor([1.0, 2.0], requires_grad=True)
    without = ta.Tensor([3.0, 4.0], requires_grad=True)
    (with_grad * 2.0).sum().backward()
    SGD(0.5).step([with_grad, without])
    np.testing.assert_allclose(with_grad.data, [0.0, 1.0])
    np.testing.assert_allclose(without.data, [3.0, 4.0])


def test_each_variable_has_its_own_state():
    # Momentum of one weight must not leak into another.
    opt = SGD(0.1, momentum=0.9)
    a = ta.Tensor([0.0], dtype="float64", requires_grad=True)
    b = ta.Tensor([0.0], dtype="float64", requires_grad=True)
    opt.apply_gradients([(np.array([1.0]), a), (np.array([0.0]), b)])
    opt.apply_gradients([(np.array([0.0]), a), (np.array([0.0]), b)])
    np.testing.assert_allclose(a.data, [-0.1 - 0.09])
    np.testing.assert_allclose(b.data, [0.0])


def test_staging_follows_variables_data_and_state():
    # An update is computed in buffers kept from step to step: they must follow another list
    # of variables, a weight whose .data is a new array, a state set by set_state_of, and
    # a refused first update followed by build. SGD with momentum 0.5 and lr 0.1:
    # v = 0.5 v - 0.1 g, w = w + v.
    opt = SGD(0.1, momentum=0.5)
    a = ta.Tensor(np.ones(2, dtype=np.float32))
    b = ta.Tensor(np.ones(3, dtype=np.float64))  # two dtypes: two buffers
    opt.apply_gradients([(np.ones(2), a), (np.ones(3), b)])  # v -0.1: a 0.9, b 0.9
    opt.apply_gradients([(np.ones(3), b)])  # v_b -0.15: b 0.75
    a.data = np.zeros(2, dtype=np.float32)
    opt.apply_gradients([(np.ones(2), a), (np.ones(3), b)])  # v_a -0.15, v_b -0.175
    np.testing.assert_allclose(a.data, [-0.15, -0.15], rtol=1e-6)
    np.testing.assert_allclose(b.data, [0.575] * 3)
    opt.set_state_of(b, {"momentum": np.zeros(3)})
    opt.apply_gradients([(np.ones(2), a), (np.ones(3), b)])  # v_a -0.175, v_b -0.1
    np.testing.assert_allclose(a.data, [-0.325, -0.325], rtol=1e-6)
    np.testing.assert_allclose(b.data, [0.475] * 3)
    before = [a.data.copy(), b.data.copy(), opt.state_of(a)["momentum"].copy(),
              opt.state_of(b)["momentum"].copy()]
    with pytest.raises(FloatingPointError, match=r"variable 1 "):
        opt.apply_gradients([(np.ones(2), a), (np.full(3, np.inf), b)])
    after = [a.data, b.data, opt.state_of(a)["momentum"], opt.state_of(b)["momentum"]]
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))
    c = ta.Tensor(np.ones(2))
    with pytest.raises(FloatingPointError):
        opt.apply_gradients([(np.full(2, np.inf), c)])
    assert len(opt.variables) == 4  # iteration, learning rate, a's and b's momentum
    opt.build([c])
    opt.apply_gradients([(np.ones(2), c)])  # v -0.1: c 0.9
    opt.apply_gradients([(np.ones(2), c)])  # v -0.15: c 0.75
    np.testing.assert_allclose(c.data, [0.75, 0.75])
    np.testing.assert_allclose(opt.state_of(c)["momentum"], [-0.15, -0.15])
    d = ta.Tensor(c.data)  # the same array, another variable: a state of its own
    opt.apply_gradients([(np.ones(2), d)])  # v -0.1: d 0.65
    np.testing.assert_allclose(c.data, [0.65, 0.65])
    np.testing.assert_allclose(opt.state_of(d)["momentum"], [-0.1, -0.1])
    np.testing.assert_allclose(opt.state_of(c)["momentum"], [-0.15, -0.15])


@pytest.mark.parametrize("cls", [optimizers.SGD, optimizers.Adam, optimizers.AdamW,
                                 optimizers.RMSprop, optimizers.Adagrad, optimizers.Adadelta,
                                 optimizers.Adamax, optimizers.Nadam, optimizers.Lion,
                                 optimizers.Lamb, optimizers.Ftrl, optimizers.Adafactor])
def test_variables_updated_together_move_as_if_alone(cls):
    # Elementwise rules run once on all the variables laid end to end, the others variable
    # by variable: either way each variable moves exactly as it would alone.
    rng = np.random.default_rng(0)
    shapes = [(2, 3), (3,), ()]
    starts = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(3)]
    kwargs = {"momentum": 0.5} if cls in (optimizers.SGD, optimizers.RMSprop) else {}
    together = [ta.Tensor(w.copy()) for w in starts]
    alone = [ta.Tensor(w.copy()) for w in starts]
    opt = cls(learning_rate=0.1, weight_decay=0.01, **kwargs)
    opts = [cls(learning_rate=0.1, weight_decay=0.01, **kwargs) for _ in shapes]
    for step in grads:
        opt.apply_gradients(zip(step, together, strict=True))
        for o, g, w in zip(opts, step, alone, strict=True):
            o.apply_gradients([(g, w)])
    for a, b, o in zip(together, alone, opts, strict=True):
        np.testing.assert_array_equal(a.data, b.data)
        for k, value in o.state_of(b).items():
            np.testing.assert_array_equal(opt.state_of(a)[k], value)


def test_a_copied_optimizer_updates_the_weights_it_is_given():
    opt, w = SGD(0.1), ta.Tensor(np.ones(3, dtype=np.float32))
    opt.apply_gradients([(np.ones(3), w)])
    other = copy.deepcopy(opt)  # its copies of opt's buffers must not stand in for w
    other.apply_gradients([(np.ones(3), w)])
    np.testing.assert_allclose(w.data, [0.8] * 3, rtol=1e-6)
    with pytest.raises(FloatingPointError):
        other.apply_gradients([(np.full(3, np.inf), w)])
    np.testing.assert_allclose(w.data, [0.8] * 3, rtol=1e-6)


def test_training_a_quadratic_converges():
    w = ta.Tensor([3.0, -4.0], dtype="float64", requires_grad=True)
    opt = Adam(0.1)
    for _ in range(300):
        w.grad = None
        ((w - ta.Tensor([1.0, 2.0], dtype="float64")) ** 2).sum().backward()
        opt.step([w])
    np.testing.assert_allclose(w.data, [1.0, 2.0], atol=1e-2)


# ---- arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: SGD(learning_rate=-0.1), ValueError),
        (lambda: SGD(learning_rate=float("inf")), ValueError),
        (lambda: SGD(learning_rate="0.1"), TypeError),
        (lambda: SGD(learning_rate=float("nan")), ValueError),
        (lambda: SGD(momentum=1.5), ValueError),
        (lambda: SGD(momentum=-0.1), ValueError),
        (lambda: SGD(nesterov="yes"), TypeError),
        (lambda: Adam(beta_1=1.0), ValueError),
        (lambda: Adam(beta_2=-0.5), ValueError),
        (lambda: Adam(epsilon=-1e-7), ValueError),
        (lambda: Adam(learning_rate=True), TypeError),
        (lambda: RMSprop(rho=1.0), ValueError),
        (lambda: RMSprop(centered=1), TypeError),
    ],
)
def test_bad_arguments_raise(make, error):
    with pytest.raises(error) as info:
        make()
    assert "received" in str(info.value)


def test_error_names_argument_and_value():
    with pytest.raises(ValueError, match=r"learning_rate.*-0\.1"):
        SGD(learning_rate=-0.1)
    opt = SGD()
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1.0
    assert opt.learning_rate == 0.01


def test_mismatched_gradient_changes_nothing():
    a = ta.Tensor([1.0, 2.0], requires_grad=True)
    b = ta.Tensor([3.0, 4.0], requires_grad=True)
    opt = Adam(0.1)
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(3,\)"):
        opt.apply_gradients([(np.ones(2), a), (np.ones(3), b)])
    np.testing.assert_array_equal(a.data, [1.0, 2.0])
    assert opt.iterations == 0
    with pytest.raises(TypeError, match="pair"):
        opt.apply_gradients([np.ones(2)])
    with pytest.raises(TypeError, match="Tensor"):
        opt.step([np.ones(2)])


def test_get():
    assert isinstance(optimizers.get("sgd"), SGD)
    assert isinstance(optimizers.get("Adam"), Adam)
    assert isinstance(optimizers.get("RMSprop"), RMSprop)
    assert optimizers.get("adam") is not optimizers.get("adam")  # a new one each time
    opt = SGD(0.5)
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'adamx'"):
        optimizers.get("adamx")
    with pytest.raises(ValueError):
        optimizers.get(0.1)


# ---- PyTorch, where installed ----------------------------------------------------------------


def _torch_trajectory(torch, make_optimizer):
    w = torch.tensor(W0.copy(), requires_grad=True)
    opt = make_optimizer([w])
    out = []
    for g in GRADS:
        opt.zero_grad()
        w.grad = torch.tensor(g)
        opt.step()
        out.append(w.detach().numpy().copy())
    return out


def test_against_torch():
    torch = pytest.importorskip("torch")
    # Where the two libraries define the same rule: SGD with (Nesterov) momentum, and Adam and
    # RMSprop with epsilon 0 (Keras puts epsilon elsewhere: "epsilon hat", inside the sqrt).
    cases = [
        (SGD(0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        (SGD(0.1, momentum=0.9, nesterov=True),
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
        (Adam(0.01, epsilon=0.0), lambda p: torch.optim.Adam(p, lr=0.01, eps=0.0)),
        (RMSprop(0.01, rho=0.9, epsilon=0.0, momentum=0.5),
         lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0, momentum=0.5)),
    ]
    for ours, theirs in cases:
        np.testing.assert_allclose(run(ours), _torch_trajectory(torch, theirs), rtol=1e-10)
