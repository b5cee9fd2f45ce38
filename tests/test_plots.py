"""Plots (`tinygrad_acts.plots`): the derivatives they draw come from the engine and are
right; pictures are written whole, in folders created on the way; a missing matplotlib
gives a clear message."""

import math
import sys

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import activations, plots
from tinygrad_acts.activations.rectifiers import SELU_ALPHA, SELU_SCALE
from tinygrad_acts.layers import Dense
from tinygrad_acts.models import Sequential

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _needs_matplotlib():
    pytest.importorskip("matplotlib")


# ---- derivatives (no matplotlib needed) --------------------------------------------------------


def test_derivatives_of_selu_match_the_formulas():
    x = np.array([-3.0, -1.0, -0.25, 0.5, 2.0])
    f, d1, d2 = plots.derivatives(activations.selu, x)
    negative = SELU_SCALE * SELU_ALPHA * np.exp(x)
    expected = np.where(x > 0, SELU_SCALE * x, negative - SELU_SCALE * SELU_ALPHA)
    np.testing.assert_allclose(f, expected)
    np.testing.assert_allclose(d1, np.where(x > 0, SELU_SCALE, negative))
    np.testing.assert_allclose(d2, np.where(x > 0, 0.0, negative))
    assert f.dtype == d1.dtype == d2.dtype == np.float64


def test_third_derivative_of_tanh():
    x = np.linspace(-2.0, 2.0, 9)
    t = np.tanh(x)
    values = plots.derivatives(activations.tanh, x, order=3)
    assert len(values) == 4
    np.testing.assert_allclose(values[2], -2 * t * (1 - t**2), atol=1e-12)
    np.testing.assert_allclose(values[3], -2 * (1 - t**2) * (1 - 3 * t**2), atol=1e-12)


def test_a_piecewise_linear_function_has_second_derivative_zero():
    f, d1, d2 = plots.derivatives(activations.relu, [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(d1, [0.0, 0.0, 1.0])  # relu'(0) = 0, as PyTorch
    np.testing.assert_array_equal(d2, [0.0, 0.0, 0.0])
    assert len(plots.derivatives(activations.relu, [1.0], order=0)) == 1


@pytest.mark.parametrize("order", [-1, 1.5, True])
def test_derivatives_refuses_a_bad_order(order):
    with pytest.raises(ValueError, match="order"):
        plots.derivatives(activations.tanh, [0.0], order=order)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_every_activation_has_finite_curves_over_the_gallery_range(name):
    """The gallery's grid includes the kinks themselves (0, +-1, +-3, 0.3): every
    activation, and its first and second derivative, is finite there."""
    label, fn = plots._curve(name, plots._gallery_params(name))
    x = np.linspace(-5.0, 5.0, 801)
    for values in plots.derivatives(fn, x):
        assert values.shape == x.shape and np.isfinite(values).all(), label


def test_softmax_on_x_and_0_is_the_sigmoid_and_glu_on_x_and_1_a_line():
    x = np.linspace(-4.0, 4.0, 17)
    s = 1 / (1 + np.exp(-x))
    label, fn = plots._curve("softmax", {})
    assert label == "softmax on [x, 0]"
    f, d1, d2 = plots.derivatives(fn, x)
    np.testing.assert_allclose(f, s)
    np.testing.assert_allclose(d1, s * (1 - s))
    np.testing.assert_allclose(d2, s * (1 - s) * (1 - 2 * s), atol=1e-12)
    label, fn = plots._curve("glu", {})
    f, d1, d2 = plots.derivatives(fn, x)
    gate = 1 / (1 + math.exp(-1.0))
    np.testing.assert_allclose(f, gate * x)
    np.testing.assert_allclose(d1, gate)
    np.testing.assert_allclose(d2, 0.0, atol=1e-15)


def test_labels_name_the_parameters_and_a_users_own_function():
    assert plots._curve("relu", {"max_value": 6.0})[0] == "relu(max_value=6.0)"
    assert plots._curve(activations.swish, {})[0] == "silu"

    def isru(x, alpha=1.0):
        return x / (1 + alpha * x * x).sqrt()

    label, fn = plots._curve(isru, {"alpha": 2.0})
    assert label == "isru(alpha=2.0)"
    _, d1 = plots.derivatives(fn, [0.0, 1.0], order=1)
    np.testing.assert_allclose(d1, [1.0, 3.0**-1.5])


def test_missing_matplotlib_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match=r'pip install "tinygrad_acts\[plot\]"'):
        plots.require_matplotlib()
    with pytest.raises(ImportError, match="matplotlib"):
        plots.activation_gallery("unused")


# ---- pictures --------------------------------------------------------------------------------


def test_plot_activation_writes_a_png_in_a_new_folder_and_nothing_else(tmp_path):
    _needs_matplotlib()
    path = tmp_path / "new" / "deeper" / "relu.png"
    figure = plots.plot_activation("relu", path, x_range=(-2, 8), max_value=6.0)
    assert path.read_bytes().startswith(PNG_MAGIC)
    assert [p.name for p in path.parent.iterdir()] == ["relu.png"]  # no temporary left
    ax = figure.axes[0]
    assert ax.get_title() == "relu(max_value=6.0)"
    assert [line.get_label() for line in ax.get_lines()][:3] == ["f(x)", "f'(x)", "f''(x)"]
    x, y = ax.get_lines()[0].get_data()
    assert x.min() == -2 and x.max() == 8 and y.max() == 6.0


def test_plot_activation_draws_into_given_axes_and_saves_svg(tmp_path):
    _needs_matplotlib()
    from matplotlib.figure import Figure

    figure = Figure()
    ax_left, ax_right = figure.subplots(1, 2)
    assert plots.plot_activation("tanh", ax=ax_right) is figure
    assert ax_right.get_title() == "tanh" and not ax_left.get_lines()
    path = plots.plot_activation("elu", tmp_path / "elu.svg", alpha=0.5)
    assert path is not None and b"<svg" in (tmp_path / "elu.svg").read_bytes()


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path):
    _needs_matplotlib()
    target = tmp_path / "curve.png"
    target.write_bytes(b"old picture")
    figure = plots.plot_activation("sigmoid")

    def failing_savefig(*args, **kwargs):
        raise OSError("disk full")

    figure.savefig = failing_savefig
    with pytest.raises(OSError, match="disk full"):
        plots.save_figure(figure, target)
    assert target.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]


def test_bad_plot_arguments_are_refused_before_writing(tmp_path):
    _needs_matplotlib()
    with pytest.raises(ValueError, match=r"suffix must be one of .*\.png"):
        plots.plot_activation("relu", tmp_path / "relu.bmpx")
    with pytest.raises(ValueError, match="low < high"):
        plots.plot_activation("relu", x_range=(3, -3))
    with pytest.raises(TypeError, match="pair"):
        plots.plot_activation("relu", x_range=5)
    with pytest.raises(ValueError, match="Could not interpret activation"):
        plots.plot_activation("relux")
    assert list(tmp_path.iterdir()) == []


def test_gallery_writes_one_png_per_activation_and_an_overview(tmp_path):
    _needs_matplotlib()
    names = ["relu", "softmax", "threshold", "swish", "relu", "glu", "sparsemax"]
    paths = plots.activation_gallery(tmp_path / "gallery", names=names)
    expected = ["relu", "softmax", "threshold", "swish", "glu", "sparsemax"]
    assert [p.name for p in paths] == [f"{n}.png" for n in expected] + ["overview.png"]
    assert sorted(p.name for p in (tmp_path / "gallery").iterdir()) == sorted(
        p.name for p in paths
    )
    for p in paths:
        assert p.read_bytes().startswith(PNG_MAGIC)


def test_gallery_names():
    names = plots._gallery_names(None)
    assert len(names) == 30 and names == sorted(activations.registry.CANONICAL)
    assert "swish" not in names and "silu" in names  # an alias is drawn once
    assert plots._gallery_names(["tanh", "relu", "tanh"]) == ["tanh", "relu"]
    for bad in (["relux"], [], "relu"):
        with pytest.raises(ValueError, match="non-empty list of activation names"):
            plots._gallery_names(bad)


def _linear_model(units=1, loss=None):
    """A model whose boundary we know: output = x1 (or, with units=3, [x1, x2, -x1 - x2])."""
    ta.layers.clear_session()
    model = Sequential([Dense(units, input_dim=2)])
    kernel = [[1.0], [0.0]] if units == 1 else [[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]]
    model.set_weights([np.array(kernel), np.zeros(units)])
    if loss is not None:
        model.compile(optimizer="sgd", loss=loss)
    return model


def test_predicted_classes_use_the_models_cut_off():
    points = np.array([[-1.0, 0.0], [0.25, 0.0], [0.75, 5.0], [-2.0, 3.0]])
    # Not compiled: the output is taken as a probability, cut at 0.5.
    np.testing.assert_array_equal(plots._predicted_classes(_linear_model(), points),
                                  [0, 0, 1, 0])
    logits = _linear_model(loss=ta.losses.BinaryCrossentropy(from_logits=True))
    np.testing.assert_array_equal(plots._predicted_classes(logits, points), [0, 1, 1, 0])
    probabilities = _linear_model(loss="binary_crossentropy")
    np.testing.assert_array_equal(plots._predicted_classes(probabilities, points), [0, 0, 1, 0])
    three = _linear_model(units=3)
    np.testing.assert_array_equal(plots._predicted_classes(three, points), [2, 0, 1, 1])


def test_decision_boundary_picture(tmp_path):
    _needs_matplotlib()
    X = np.array([[-1.0, 0.0], [1.0, 0.5], [2.0, -1.0], [-0.5, 1.0], [0.3, 0.0]])
    y = np.array([0, 1, 1, 0, 1])
    model = _linear_model(loss=ta.losses.BinaryCrossentropy(from_logits=True))
    path = plots.plot_decision_boundary(model, X, y, tmp_path / "b" / "boundary.png")
    assert path.read_bytes().startswith(PNG_MAGIC)
    three = _linear_model(units=3)
    path = plots.plot_decision_boundary(three, X, [2, 0, 1, 1, 0], tmp_path / "three.svg",
                                        title="three classes")
    assert b"<svg" in path.read_bytes()
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plots.plot_decision_boundary(model, X[:, :1], y, tmp_path / "bad.png")
    with pytest.raises(ValueError, match="one label per point"):
        plots.plot_decision_boundary(model, X, y[:3], tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


def test_layer_statistics_and_history_pictures(tmp_path):
    _needs_matplotlib()
    depth = np.arange(1, 9)
    stats = {
        "SELU": {"mean": 0.01 * np.ones(8), "var": np.ones(8)},
        "ReLU": {"mean": 0.5 ** depth, "var": 0.5 ** depth},
    }
    path = plots.plot_layer_statistics(stats, tmp_path / "stats.png")
    assert path.read_bytes().startswith(PNG_MAGIC)
    with pytest.raises(ValueError, match="'mean' and 'var'"):
        plots.plot_layer_statistics({"SELU": {"mean": [0.0]}}, tmp_path / "x.png")
    with pytest.raises(ValueError, match="non-empty"):
        plots.plot_layer_statistics({}, tmp_path / "x.png")

    history = ta.callbacks.History()
    history.history = {"loss": [0.7, 0.4, 0.2], "accuracy": [0.5, 0.8, 0.9],
                       "val_loss": [0.8, 0.5, 0.3]}
    assert plots.plot_history(history, tmp_path / "h.png").read_bytes().startswith(PNG_MAGIC)
    assert plots.plot_history({"loss": [1.0, 0.5]}, tmp_path / "h2.png").exists()
    with pytest.raises(ValueError, match="'loss'"):
        plots.plot_history({"accuracy": [1.0]}, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_a_flat_loss_is_drawn_flat_not_magnified_into_noise(monkeypatch, tmp_path):
    pytest.importorskip("matplotlib")
    drawn = []

    def capture(figure, path):
        drawn.append(figure)
        return path

    monkeypatch.setattr(plots, "save_figure", capture)
    noise = np.random.default_rng(0).random(20)
    plots.plot_history({"loss": 0.69320 + 7e-5 * noise, "accuracy": 0.5 + 0.01 * noise},
                       tmp_path / "history.png")
    loss_axes, metric_axes = drawn[0].axes
    low, high = loss_axes.get_ylim()
    assert high - low >= plots.MIN_Y_SPAN * 0.6932  # not 0.69320 to 0.69327
    assert low < 0.6932 < 0.69327 < high
    low, high = metric_axes.get_ylim()
    assert high - low >= plots.MIN_Y_SPAN * 0.51
    # A curve that moves keeps matplotlib's own fit.
    drawn.clear()
    plots.plot_history({"loss": np.exp(-np.arange(20) / 4)}, tmp_path / "history.png")
    low, high = drawn[0].axes[0].get_ylim()
    assert low > -0.1 and high < 1.1


def test_activation_statistics_are_drawn_by_plots(monkeypatch, tmp_path):
    pytest.importorskip("matplotlib")
    calls = []
    monkeypatch.setattr(plots, "draw_activation_statistics",
                        lambda stats, axes, limits=None, label=None: calls.append(label))
    stats = ta.callbacks.ActivationStatistics(np.ones((4, 2), np.float32))
    stats.epochs = [0]  # as if fit had recorded once
    stats.draw([], label="selu")
    assert calls == ["selu"]
