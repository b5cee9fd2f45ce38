"""ta.jit: a step recorded twice, checked, then replayed; the same numbers as eager mode bit
for bit; the limits of tracing detected; Tensor.assign*; Sequential(jit_compile=True)."""

import functools
import warnings

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts.jit import TracingError, TracingWarning


def make_mlp(seed=0, sizes=(2, 16, 16, 1)):
    rng = np.random.default_rng(seed)
    params = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        params.append(ta.Tensor(rng.uniform(-1, 1, (n_in, n_out)).astype(np.float32),
                                requires_grad=True, name=f"W{i}"))
        params.append(ta.Tensor(rng.uniform(-0.1, 0.1, n_out).astype(np.float32),
                                requires_grad=True, name=f"b{i}"))
    return params


def mlp_step(params, optimizer):
    """The tiny MLP's training step: forward, MSE, ta.grad, the optimizer's update."""
    def step(x, y):
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = h.tanh()
        loss = ((h - y) ** 2).mean()
        grads = ta.grad(loss, params)
        optimizer.apply_gradients(zip(grads, params, strict=True))
        return loss
    return step


def batches(n, batch=20, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x = rng.standard_normal((batch, 2)).astype(np.float32)
        yield x, np.sin(x[:, :1]).astype(np.float32)


@pytest.mark.parametrize("make_optimizer", [
    lambda: ta.optimizers.SGD(0.1),
    lambda: ta.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    lambda: ta.optimizers.Adam(0.01),
    lambda: ta.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
])
def test_replay_equals_eager_bit_for_bit(make_optimizer):
    eager_params, jit_params = make_mlp(), make_mlp()
    eager = mlp_step(eager_params, make_optimizer())
    compiled = ta.jit(mlp_step(jit_params, make_optimizer()))
    for x, y in batches(6):
        expected, got = eager(x, y), compiled(x, y)
        assert got.data.tobytes() == expected.data.tobytes()
        for p, q in zip(eager_params, jit_params, strict=True):
            assert p.data.tobytes() == q.data.tobytes()
    assert "replayed" in compiled.trace


def test_recorded_twice_then_replayed_and_cached_by_signature():
    calls = []
    w = ta.Tensor(np.ones((2, 3), np.float32), requires_grad=True)

    def f(x):
        calls.append(x.shape)
        return (x @ w).sum()

    g = ta.jit(f)
    for _ in range(4):
        g(np.ones((5, 2), np.float32))
    assert calls == [(5, 2), (5, 2)]  # two recordings, then replays: Python runs no more
    for _ in range(3):
        assert g(np.ones((7, 2), np.float32)).item() == 42.0  # a new shape: a new recording
    assert calls == [(5, 2)] * 2 + [(7, 2)] * 2
    assert g.trace.count("\nsignature") == 2
    g(np.ones((5, 2), np.float64))  # a new dtype too
    assert len(calls) == 5


def test_trace_lists_kernels_with_shapes_and_code_is_python():
    params = make_mlp()
    step = ta.jit(mlp_step(params, ta.optimizers.SGD(0.1)))
    for x, y in batches(3):
        step(x, y)
    text = str(step)
    assert text == step.trace == repr(step)
    assert "matmul(x, W0)  20x16 float32" in text
    assert "apply_gradients(W0, b0, W1, " in text and "(in place)" in text
    assert "tanh" in step.kernels and step.kernels[-1].startswith("apply_gradients")
    assert step.code.startswith("def replay(")
    assert {id(t) for t in step.writes()} >= {id(p) for p in params}


def test_state_read_afresh_learning_rate_change_is_seen():
    params_a, params_b = make_mlp(), make_mlp()
    opt_a, opt_b = ta.optimizers.Adam(0.01), ta.optimizers.Adam(0.01)
    eager, compiled = mlp_step(params_a, opt_a), ta.jit(mlp_step(params_b, opt_b))
    for i, (x, y) in enumerate(batches(6)):
        if i == 4:
            opt_a.learning_rate = opt_b.learning_rate = 0.5
        eager(x, y)
        compiled(x, y)
    assert opt_a.iterations == opt_b.iterations == 6
    for p, q in zip(params_a, params_b, strict=True):
        assert np.array_equal(p.data, q.data)


def test_dropout_draws_a_fresh_mask_at_every_replay():
    layer = ta.layers.Dropout(0.5)
    step = ta.jit(lambda x: layer(x, training=True))
    x = np.ones((4, 50), np.float32)
    ta.set_seed(3)
    outputs = [step(x).data.copy() for _ in range(5)]
    assert all(not np.array_equal(outputs[i], outputs[i + 1]) for i in range(4))
    ta.set_seed(3)
    eager = [layer(x, training=True).data for _ in range(5)]
    assert all(np.array_equal(a, b) for a, b in zip(outputs, eager, strict=True))


def test_index_arrays_taken_from_the_arguments():
    w = ta.Tensor(np.arange(12, dtype=np.float32).reshape(3, 4), requires_grad=True)

    def f(x, labels):
        picked = (x @ w)[np.arange(len(labels.data)), labels.data]
        loss = -picked.mean()
        return loss, ta.grad(loss, [w])[0]

    g = ta.jit(f)
    rng = np.random.default_rng(0)
    for _ in range(4):
        x, labels = rng.standard_normal((6, 3)).astype(np.float32), rng.integers(0, 4, 6)
        (loss, grad), (loss_e, grad_e) = g(x, ta.Tensor(labels)), f(x, ta.Tensor(labels))
        assert np.array_equal(loss.data, loss_e.data) and np.array_equal(grad.data, grad_e.data)


# ---- the limits of tracing ------------------------------------------------------------------


@pytest.mark.parametrize("read", [
    lambda t: t.item(), lambda t: float(t), lambda t: bool(t > 0), lambda t: t.numpy(),
    lambda t: repr(t), lambda t: t.tolist(),
])
def test_reading_a_value_while_recording_warns(read):
    def f(x):
        s = x.sum()
        read(s)
        return s

    with pytest.warns(TracingWarning, match="frozen into the recording"):
        ta.jit(f)(np.ones(3, np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read(ta.Tensor(np.ones(1, np.float32)).sum())  # eager: no warning


def test_data_dependent_control_flow_is_refused():
    def f(x):
        return x * 2 if float(x.sum()) > 0 else -x

    g = ta.jit(f)
    with pytest.warns(TracingWarning):
        g(np.ones(3, np.float32))
        with pytest.raises(TracingError, match="control flow depends on values"):
            g(-np.ones(3, np.float32))


def test_random_numbers_drawn_in_python_are_refused():
    def f(x):
        return x * ta.Tensor(np.random.default_rng().random(3).astype(np.float32))

    g = ta.jit(f)
    g(np.ones(3, np.float32))
    with pytest.raises(TracingError, match="computed outside the recorded kernels"):
        g(np.ones(3, np.float32))


def test_backward_inside_a_step_points_to_ta_grad():
    w = ta.Tensor(np.ones(3, np.float32), requires_grad=True, name="w")

    def f(x):
        w.grad = None
        (x * w).sum().backward()
        with ta.no_grad():
            w.assign_sub(w.grad * 0.1)

    g = ta.jit(f)
    g(np.ones(3, np.float32))
    with pytest.raises(TracingError, match=r"\.grad of w.*ta\.grad"):
        g(np.full(3, 2.0, np.float32))


def test_numpy_update_of_a_weight_is_refused():
    w = ta.Tensor(np.ones(3, np.float32), requires_grad=True, name="w")

    def f(x):
        (g,) = ta.grad((x * w).sum(), [w])
        w.data -= 0.1 * g.data

    with pytest.raises(TracingError, match="w .*changed by code outside the recorded.*assign"):
        ta.jit(f)(np.ones(3, np.float32))


def test_returning_a_python_number_is_refused():
    with pytest.raises(TracingError, match="returned float"):
        ta.jit(lambda x: 1.5)(np.ones(2))


def test_nested_jit_runs_inline_in_the_outer_recording():
    inner = ta.jit(lambda x: x * 2)
    outer = ta.jit(lambda x: inner(x) + 1)
    for v in (1.0, 2.0, 3.0, 4.0):
        assert outer(np.full(2, v, np.float32)).data.tolist() == [2 * v + 1] * 2


# ---- bad input --------------------------------------------------------------------------------


def test_jit_of_a_non_callable():
    with pytest.raises(TypeError, match="fn must be a callable.*int"):
        ta.jit(3)


def test_arguments_must_be_tensors_arrays_or_fixed_values():
    g = ta.jit(lambda x, scale=1.0: x * scale)
    with pytest.raises(TypeError, match="argument x must be a Tensor or a numpy array.*list"):
        g([1.0, 2.0])
    assert g(np.ones(2, np.float32), scale=3.0).data.tolist() == [3.0, 3.0]
    assert g(np.ones(2, np.float32), scale=4.0).data.tolist() == [4.0, 4.0]  # its own recording
    with pytest.raises(TypeError, match="argument x was a Tensor or an array.*received float"):
        g(2.0)
    h = ta.jit(lambda x, weight=None: x if weight is None else x * weight)
    assert h(np.ones(2, np.float32), np.full(2, 3.0, np.float32)).data.tolist() == [3.0, 3.0]
    assert h(np.ones(2, np.float32), None).data.tolist() == [1.0, 1.0]  # None: "absent"


def test_a_state_tensor_whose_shape_changed():
    w = ta.Tensor(np.ones((2, 3), np.float32), name="w")
    g = ta.jit(lambda x: x @ w)
    for _ in range(3):
        g(np.ones((1, 2), np.float32))
    w.data = np.ones((2, 4), np.float32)
    with pytest.raises(ValueError, match=r"w had shape \(2, 3\).*now has shape \(2, 4\)"):
        g(np.ones((1, 2), np.float32))


# ---- assign ----------------------------------------------------------------------------------


def test_assign_writes_in_place():
    t = ta.Tensor(np.zeros(3, np.float32))
    array = t.data
    assert t.assign([1.0, 2.0, 3.0]) is t and t.data is array
    t.assign_add(1.0)
    t.assign_sub(ta.Tensor(np.array([0.5, 0.5, 0.5], np.float32)))
    assert t.data.tolist() == [1.5, 2.5, 3.5] and t.dtype == np.float32


def test_assign_refusals():
    w = ta.Tensor(np.zeros(3, np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad.*no_grad"):
        w.assign_sub(1.0)
    with ta.no_grad():
        w.assign_sub(1.0)
    assert w.data.tolist() == [-1.0] * 3
    computed = w * 2
    with ta.no_grad(), pytest.raises(ValueError, match="leaf"):
        computed.assign(0.0)
    with pytest.raises(ValueError, match=r"shape \(2,\) does not fit.*\(3,\)"):
        ta.Tensor(np.zeros(3)).assign(np.ones(2))
    with pytest.raises(TypeError, match="float values into a int64"):
        ta.Tensor(np.zeros(3, np.int64)).assign_add(0.5)


# ---- Sequential.compile(jit_compile=True) ------------------------------------------------------


def _trained(jit_compile, dropout=False):
    ta.set_seed(0)
    layers = [ta.layers.Dense(8, activation="selu", kernel_initializer="lecun_normal",
                              input_dim=2)]
    if dropout:
        layers.append(ta.layers.Dropout(0.2))
    model = ta.models.Sequential(layers + [ta.layers.Dense(1)])
    model.compile(optimizer=ta.optimizers.Adam(0.01),
                  loss=ta.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"],
                  jit_compile=jit_compile)
    x, y = ta.datasets.make_moons(100, noise=0.1, seed=0)
    ta.set_seed(1)
    history = model.fit(x, y, epochs=4, batch_size=32, verbose=0, validation_split=0.2)
    return model, history.history, model.evaluate(x, y, verbose=0), model.predict(x, verbose=0)


@pytest.mark.parametrize("dropout", [False, True])
def test_sequential_jit_compile_trains_to_eager_weights(dropout):
    eager, compiled = _trained(False, dropout), _trained(True, dropout)
    assert compiled[0].jit_compile and not eager[0].jit_compile
    for a, b in zip(eager[0].get_weights(), compiled[0].get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()
    assert eager[1:3] == compiled[1:3]
    assert np.array_equal(eager[3], compiled[3])


def test_sequential_jit_compile_checks_its_argument():
    model = ta.models.Sequential([ta.layers.Dense(1, input_dim=2)])
    with pytest.raises(TypeError, match="jit_compile.*'yes'"):
        model.compile(loss="mse", jit_compile="yes")


@pytest.mark.parametrize("name", sorted(ta.activations.ACTIVATIONS))
def test_every_activation_replays_its_gradient_exactly(name):
    activation = ta.activations.get(name)
    if name == "threshold":
        activation = functools.partial(activation, threshold=0.5, default_value=-1.0)
    w = ta.Tensor(np.linspace(-1.5, 1.5, 8, dtype=np.float32).reshape(2, 4), requires_grad=True)

    def step(x):
        out = activation(x @ w)
        return out, ta.grad((out * out).sum(), [w])[0]

    compiled = ta.jit(step)
    rng = np.random.default_rng(0)
    for _ in range(4):
        x = rng.standard_normal((5, 2)).astype(np.float32) * 3
        (out, g), (out_e, g_e) = compiled(x), step(ta.Tensor(x))
        assert out.data.tobytes() == out_e.data.tobytes()
        assert g.data.tobytes() == g_e.data.tobytes()


def test_an_array_made_at_each_call_is_refused_even_when_equal():
    """A mask computed with numpy from the data may be the same in the first two calls by
    chance: an array made anew at each call, outside the kernels, is never trusted."""
    def f(x):
        mask = ta.Tensor((x.data > 100).astype(np.float32))  # all False in both calls
        return x * mask

    g = ta.jit(f)
    g(np.ones(3, np.float32))
    with pytest.raises(TracingError, match="made anew at each call.*outside the step"):
        g(np.full(3, 2.0, np.float32))
    weights = ta.Tensor(np.array([1.0, 2.0, 3.0], np.float32))  # made once: state
    h = ta.jit(lambda x: x * weights)
    assert [h(np.ones(3, np.float32)).data.tolist() for _ in range(3)][-1] == [1.0, 2.0, 3.0]


def test_fallback_runs_a_step_that_cannot_be_replayed_eagerly():
    calls = []

    def f(x):
        calls.append(1)
        return x * ta.Tensor(np.random.default_rng(len(calls)).random(3).astype(np.float32))

    g = ta.jit(f, fallback=True)
    g(np.ones(3, np.float32))
    with pytest.warns(TracingWarning, match="runs eagerly from now on"):
        g(np.ones(3, np.float32))
    results = [g(np.ones(3, np.float32)).data for _ in range(2)]
    assert len(calls) == 4 and not np.array_equal(*results)
    assert "runs eagerly" in g.trace
    with pytest.raises(TypeError, match="fallback must be True or False"):
        ta.jit(f, fallback="yes")


def test_an_update_written_with_assign_replays():
    """Keras-style updates by hand: momentum kept in a tensor, assign and assign_sub."""
    def make():
        w = ta.Tensor(np.array([1.0, -2.0, 0.5], np.float32), requires_grad=True, name="w")
        velocity = ta.Tensor(np.zeros(3, np.float32), name="velocity")

        def step(x):
            loss = ((x * w).sum() - 1.0) ** 2
            (g,) = ta.grad(loss, [w])
            with ta.no_grad():
                velocity.assign(velocity * 0.9 + g)
                w.assign_sub(velocity * 0.05)
            return loss
        return w, step

    (w_e, eager), (w_c, step) = make(), make()
    compiled = ta.jit(step)
    for x in np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32):
        assert eager(x).data.tobytes() == compiled(x).data.tobytes()
    assert w_e.data.tobytes() == w_c.data.tobytes()
    assert "assign_sub(w, " in compiled.trace and "assign(velocity, " in compiled.trace


OPTIMIZERS_OF_KERAS = {
    "AdamW weight_decay": lambda o: o.AdamW(0.01, weight_decay=0.01),
    "Adagrad": lambda o: o.Adagrad(0.05),
    "Adadelta": lambda o: o.Adadelta(1.0),
    "Adamax": lambda o: o.Adamax(0.01),
    "Nadam": lambda o: o.Nadam(0.01),
    "Lion": lambda o: o.Lion(0.001),
    "Lamb": lambda o: o.Lamb(0.01),
    "Ftrl": lambda o: o.Ftrl(0.05),
    "Adafactor": lambda o: o.Adafactor(0.01),
    "Adam amsgrad clipnorm": lambda o: o.Adam(0.01, amsgrad=True, clipnorm=0.5),
    "SGD with a schedule": lambda o: o.SGD(o.schedules.ExponentialDecay(0.1, 2, 0.5)),
    "RMSprop global_clipnorm": lambda o: o.RMSprop(0.01, global_clipnorm=0.1),
    "SGD clipvalue": lambda o: o.SGD(0.1, clipvalue=0.01),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS_OF_KERAS))
def test_every_optimizer_replays_bit_for_bit(name):
    """The update is one kernel that runs the optimizer's numpy rule again at each replay,
    with its step count, schedule, clipping and weight decay as they are then."""
    make = OPTIMIZERS_OF_KERAS[name]
    eager_params, jit_params = make_mlp(), make_mlp()
    eager = mlp_step(eager_params, make(ta.optimizers))
    compiled = ta.jit(mlp_step(jit_params, make(ta.optimizers)))
    for x, y in batches(6):
        assert compiled(x, y).data.tobytes() == eager(x, y).data.tobytes()
    for p, q in zip(eager_params, jit_params, strict=True):
        assert p.data.tobytes() == q.data.tobytes()


def test_a_watched_tensor_changed_outside_the_kernels_is_refused():
    """A layer that updates a statistic with numpy (no kernel reads it) would be replayed
    without that update: with watch=, the recording refuses it."""
    moving = ta.Tensor(np.zeros(3, np.float32), name="moving_mean")

    def numpy_update(x):
        moving.data[...] = moving.data * 0.9 + x.data * 0.1
        return x * 2

    with pytest.raises(TracingError, match="moving_mean .*changed by code outside"):
        ta.jit(numpy_update, watch=[moving])(np.ones(3, np.float32))

    def assigned_update(x):
        with ta.no_grad():
            moving.assign(moving * 0.9 + x * 0.1)
        return x * 2

    step = ta.jit(assigned_update, watch=[moving])
    for _ in range(4):
        step(np.ones(3, np.float32))
    assert np.allclose(moving.data, 1 - 0.9 ** 5)  # one by numpy, then four (two replayed)
    with pytest.raises(TypeError, match="watch must be a list of Tensors"):
        ta.jit(assigned_update, watch=[np.zeros(3)])


def test_batch_normalization_moving_statistics_replay():
    def trained(jit_compile):
        ta.set_seed(0)
        model = ta.models.Sequential([ta.layers.Dense(8, input_dim=2),
                                      ta.layers.BatchNormalization(),
                                      ta.layers.Dense(1)])
        model.compile(optimizer=ta.optimizers.SGD(0.05), loss="mse", jit_compile=jit_compile)
        x, y = ta.datasets.make_moons(96, noise=0.1, seed=0)
        ta.set_seed(1)
        model.fit(x, y, epochs=3, batch_size=32, verbose=0)
        return model.get_weights(), model.predict(x, verbose=0)

    (weights_e, pred_e) = trained(False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TracingWarning)  # replayed, not run eagerly
        weights_c, pred_c = trained(True)
    for a, b in zip(weights_e, weights_c, strict=True):  # moving mean and variance included
        assert a.tobytes() == b.tobytes()
    assert np.array_equal(pred_e, pred_c)


def test_returned_structures_are_rebuilt():
    import collections

    Pair = collections.namedtuple("Pair", "loss extra")

    def f(x):
        s = x.sum()
        return {"loss": s, "all": [x * 2, None, Pair(s, x.data)]}

    g = ta.jit(f)
    for v in (1.0, 2.0, 3.0):
        out = g(np.full(2, v, np.float32))
    assert out["loss"].item() == 6.0 and out["all"][0].data.tolist() == [6.0, 6.0]
    assert out["all"][1] is None and isinstance(out["all"][2], Pair)
    assert out["all"][2].loss.item() == 6.0 and out["all"][2].extra.tolist() == [3.0, 3.0]
