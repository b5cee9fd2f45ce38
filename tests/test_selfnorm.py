"""The SELU demonstration (tinygrad_acts.selfnorm): statistics at initialization (see
/work/shared/reference/selu.md for the reference figures), the deep network, and training it
with SELU, ReLU and tanh side by side (the slow test)."""

import os

import numpy as np
import pytest

from tinygrad_acts import selfnorm
from tinygrad_acts.callbacks import ActivationStatistics, History
from tinygrad_acts.layers import Dense

# ---- statistics at initialization -------------------------------------------------------------


def test_layer_statistics_selu_keeps_every_layer_near_mean_0_variance_1():
    stats = selfnorm.layer_statistics("selu", "lecun_normal")
    assert set(stats) == {"mean", "var"}
    assert stats["mean"].shape == stats["var"].shape == (32,)
    assert np.abs(stats["mean"]).max() < 0.1
    assert np.abs(stats["var"] - 1).max() < 0.15


def test_layer_statistics_relu_collapses_and_selu_he_normal_explodes():
    relu = selfnorm.layer_statistics("relu", "lecun_normal", width=128, batch=500)["var"]
    assert np.all(relu[1:] < relu[:-1]) and relu[-1] < 1e-6  # halves at every layer
    assert relu[15] / relu[-1] == pytest.approx(2.0**16, rel=0.9)
    exploding = selfnorm.layer_statistics("selu", "he_normal", width=128, batch=500)["var"]
    assert exploding[-1] > 50 and exploding[-1] > exploding[15] > exploding[7] > 3


def test_layer_statistics_with_dropout():
    alpha = selfnorm.layer_statistics(dropout=("alpha", 0.1), width=128, batch=500)
    assert np.abs(alpha["var"] - 1).max() < 0.15  # AlphaDropout keeps the fixed point
    standard = selfnorm.layer_statistics(dropout=("standard", 0.1), width=128, batch=500)
    assert standard["var"][-1] > 1.3  # inverted dropout does not (about 1.6)


def test_layer_statistics_is_reproducible_and_seeded():
    first = selfnorm.layer_statistics("tanh", depth=4, width=16, batch=50, seed=3)
    again = selfnorm.layer_statistics("tanh", depth=4, width=16, batch=50, seed=3)
    other = selfnorm.layer_statistics("tanh", depth=4, width=16, batch=50, seed=4)
    np.testing.assert_array_equal(first["var"], again["var"])
    assert not np.array_equal(first["var"], other["var"])


def test_layer_statistics_arguments_are_checked():
    with pytest.raises(ValueError, match="depth=0"):
        selfnorm.layer_statistics(depth=0)
    with pytest.raises(TypeError, match="width"):
        selfnorm.layer_statistics(width=2.5)
    for dropout in (("gaussian", 0.1), ("alpha", 1.0), "alpha", ("alpha", True)):
        with pytest.raises(ValueError, match="dropout"):
            selfnorm.layer_statistics(dropout=dropout)
    with pytest.raises(ValueError, match="Unknown activation|swoosh"):
        selfnorm.layer_statistics("swoosh", depth=2, width=4)


def test_statistics_table_shows_each_network_at_the_chosen_layers():
    table = selfnorm.statistics_table(depth=8, width=32, seed=1,
                                      configs=[("selu", "lecun_normal"), ("relu", "he_normal")])
    lines = table.splitlines()
    header = next(line for line in lines if "layer 1" in line)
    assert header.split() == ["layer", "1", "layer", "2", "layer", "4", "layer", "8"]
    stats = selfnorm.layer_statistics("relu", "he_normal", depth=8, width=32, seed=1)
    relu_var = next(line for line in lines[lines.index(next(
        line for line in lines if line.startswith("relu"))):] if "variance" in line)
    assert [float(v) for v in relu_var.split()[-4:]] == pytest.approx(
        stats["var"][[0, 1, 3, 7]], rel=1e-2)
    # a depth that is not a power of two is shown too
    table = selfnorm.statistics_table(depth=5, width=8, configs=[("selu", "lecun_normal")])
    assert "layer 5" in table


def test_statistics_table_default_configs():
    table = selfnorm.statistics_table(depth=2, width=8)
    for activation, initializer in selfnorm.DEFAULT_CONFIGS:
        assert any(line.split()[:2] == [activation, initializer] for line in table.splitlines())
    with pytest.raises(ValueError, match=r"configs\[0\]"):
        selfnorm.statistics_table(configs=["selu"])


# ---- the deep network --------------------------------------------------------------------------


def test_deep_network_shape_and_initialization():
    model = selfnorm.deep_network("selu", depth=5, width=16, seed=2)
    layers = model.layers
    assert len(layers) == 6 and all(isinstance(layer, Dense) for layer in layers)
    assert [layer.kernel.shape for layer in layers] == [(2, 16)] + [(16, 16)] * 4 + [(16, 1)]
    assert all(not layer.bias.data.any() for layer in layers)  # zero bias
    assert layers[-1].activation is None  # one logit
    assert model.predict(np.zeros((3, 2), np.float32), verbose=0).shape == (3, 1)
    same = selfnorm.deep_network("selu", depth=5, width=16, seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), same.get_weights(),
                                                     strict=True))


def test_spirals_are_standardized():
    X, y = selfnorm.spirals()
    assert X.shape == (1000, 2) and X.dtype == np.float32 and y.shape == (1000,)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=1e-5)
    assert np.bincount(y).tolist() == [500, 500]


def test_train_deep_returns_the_history_and_the_statistics():
    history, stats = selfnorm.train_deep("selu", epochs=2, depth=3, width=8)
    assert isinstance(history, History) and isinstance(stats, ActivationStatistics)
    assert history.epoch == [0, 1] and set(history.history) == {"loss", "accuracy"}
    assert stats.epochs == [0, 1, 2] and stats.var.shape == (3, 4)
    assert stats.x.shape == (selfnorm.PROBE_SIZE, 2)
    assert stats.model.count_params() == (2 * 8 + 8) + 2 * (8 * 8 + 8) + (8 + 1)
    again, _ = selfnorm.train_deep("selu", epochs=2, depth=3, width=8)
    assert again.history == history.history  # seeded


def test_compare_training_runs_each_activation_on_the_same_setup():
    results = selfnorm.compare_training(("tanh", "relu"), epochs=1, depth=2, width=4)
    assert list(results) == ["tanh", "relu"]
    for history, stats in results.values():
        assert len(history.epoch) == 1 and stats.epochs == [0, 1]
    with pytest.raises(TypeError, match="activations"):
        selfnorm.compare_training("selu")


def test_plot_training(tmp_path):
    pytest.importorskip("matplotlib")
    # one row keeps the test short (matplotlib takes seconds per row of colour bars)
    results = selfnorm.compare_training(("selu",), epochs=2, depth=3, width=4)
    path = selfnorm.plot_training(results, tmp_path / "training.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert os.listdir(tmp_path) == ["training.png"]
    with pytest.raises(ValueError, match="results"):
        selfnorm.plot_training({}, tmp_path / "empty.png")


# ---- the training comparison (the setup, in full) -------------------------------------


@pytest.fixture(scope="module")
def trained():
    return selfnorm.compare_training(("selu", "relu", "tanh"))


def final_accuracy(stats, seed=0):
    """The trained network's accuracy on the whole data set (inference mode)."""
    X, y = selfnorm.spirals(seed)
    return stats.model.evaluate(X, y, batch_size=1000, verbose=0)[1]


@pytest.mark.slow
def test_selu_trains_a_32_layer_network_that_relu_cannot(trained):
    # "reaches": the best epoch's accuracy. Plain SGD at this learning rate is noisy late in
    # training, so the last step's weights can be a few points (or, for other seeds, many
    # points) below the epochs before them.
    best = {name: max(history.history["accuracy"]) for name, (history, _) in trained.items()}
    final = {name: final_accuracy(stats) for name, (_, stats) in trained.items()}
    assert best["selu"] >= 0.95, (best, final)
    assert best["relu"] <= 0.65 and final["relu"] <= 0.65, (best, final)
    # tanh, whose variance shrinks layer after layer but does not vanish, is in between
    assert best["relu"] < best["tanh"] < best["selu"], (best, final)


@pytest.mark.slow
def test_statistics_at_the_start_of_training(trained):
    _, selu = trained["selu"]
    _, relu = trained["relu"]
    assert selu.epochs == list(range(61)) and selu.var.shape == (61, 33)
    # SELU starts self-normalized at every SELU layer (the 32 hidden ones; the output is one
    # linear unit, whose variance depends on its 64 weights: 0.1 to 1.7 across seeds)...
    hidden = slice(0, 32)
    assert np.all((selu.var[0][hidden] >= 0.5) & (selu.var[0][hidden] <= 2.0)), selu.var[0]
    # ... while ReLU's signal has vanished by the top (the logit's is as small)
    assert relu.var[0][31] < 1e-6 and relu.var[0][32] < 1e-6, relu.var[0]
    # and so has the gradient at the bottom
    assert selu.grad_rms[0][0] >= 1000 * relu.grad_rms[0][0]


@pytest.mark.slow
def test_training_moves_selu_away_from_its_fixed_point(trained):
    _, selu = trained["selu"]
    # the fixed point holds for weights of variance 1/fan_in, which training changes: some
    # hidden layers' variances grow well beyond 1 (the honest half of the demonstration)
    start, end = selu.var[0][:32], selu.var[-1][:32]
    assert end.max() > 3, end
    assert np.abs(end - 1).max() > 2 * np.abs(start - 1).max()
    assert np.isfinite(selu.grad_rms).all()
