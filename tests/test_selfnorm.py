"""The SELU demonstration (tinygrad_acts.selfnorm): statistics at initialization (see
/work/shared/reference/selu.md for the reference figures), the deep network, and training it
with SELU, ReLU and tanh side by side (the slow test)."""

import os

import numpy as np
import pytest
from cli_helpers import run_cli

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


# ---- the moment map and its fixed point ---------------------------------------------------------


def selu_moments_by_quadrature(mean, variance, omega, tau):
    from scipy import integrate

    m, s = mean * omega, np.sqrt(variance * tau)
    alpha, scale = selfnorm.SELU_ALPHA, selfnorm.SELU_SCALE

    def density(z):
        return np.exp(-0.5 * ((z - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))

    def selu(z):
        return scale * z if z > 0 else scale * alpha * np.expm1(z)

    moments = []
    for power in (1, 2):
        total = sum(integrate.quad(lambda z, p=power: selu(z) ** p * density(z), lo, hi,
                                   epsabs=1e-13, epsrel=1e-12)[0]
                    for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)))
        moments.append(total)
    return moments[0], moments[1] - moments[0] ** 2


@pytest.mark.parametrize("mean, variance, omega, tau", [
    (0.0, 1.0, 0.0, 1.0), (0.0, 4.0, 0.0, 1.0), (0.5, 0.25, 0.3, 1.1), (-1.0, 2.0, 0.1, 0.95),
    (2.0, 0.01, 1.0, 1.0), (-3.0, 9.0, 1.0, 2.0)])
def test_moment_map_equals_quadrature(mean, variance, omega, tau):
    got = selfnorm.moment_map(mean, variance, omega, tau)
    expected = selu_moments_by_quadrature(mean, variance, omega, tau)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-11)


def test_moment_map_fixed_point_and_the_papers_figures():
    mean, variance = selfnorm.moment_map(0.0, 1.0)
    assert abs(mean) < 1e-12 and abs(variance - 1) < 1e-12
    for start, expected in ((4.0, (2.94, 1.48, 1.12)), (0.25, (0.33, 0.64, 0.875))):
        path = selfnorm.iterate_moment_map(0.0, start, steps=10)
        assert path.shape == (11, 2)
        np.testing.assert_allclose(path[[1, 5, 10], 1], expected, atol=0.01)


def test_moment_jacobian_has_the_papers_largest_singular_value():
    jacobian = selfnorm.moment_jacobian()
    np.testing.assert_allclose(jacobian, [[0.0, 0.088834], [0.0, 0.782648]], atol=2e-6)
    assert np.linalg.norm(jacobian, 2) == pytest.approx(0.7877, abs=5e-5)


def test_moment_map_arrays_zero_variance_and_bad_input():
    means, variances = selfnorm.moment_map(np.zeros(3), np.array([0.5, 1.0, 2.0]))
    assert means.shape == variances.shape == (3,)
    assert variances[1] == pytest.approx(1.0)
    # no spread: z is the constant mean * omega
    assert selfnorm.moment_map(2.0, 0.0, omega=1.0) == pytest.approx(
        (selfnorm.SELU_SCALE * 2.0, 0.0))
    assert selfnorm.moment_map(-1.0, 0.0, omega=1.0)[0] == pytest.approx(
        selfnorm.SELU_SCALE * selfnorm.SELU_ALPHA * np.expm1(-1.0))
    with pytest.raises(ValueError, match="tau"):
        selfnorm.moment_map(0.0, 1.0, tau=0.0)
    with pytest.raises(ValueError, match="variance"):
        selfnorm.moment_map(0.0, -1.0)
    with pytest.raises(ValueError, match="mean"):
        selfnorm.moment_map(float("nan"), 1.0)
    with pytest.raises(TypeError, match="omega"):
        selfnorm.moment_map(0.0, 1.0, omega="0")


def test_fixed_point_report_and_picture(tmp_path):
    report = selfnorm.fixed_point_report()
    assert "largest singular value: 0.7877" in report and "0.782648" in report
    pytest.importorskip("matplotlib")
    path = selfnorm.plot_fixed_point(tmp_path / "fixed.png", steps=3)
    assert path.read_bytes().startswith(b"\x89PNG")


# ---- the sweep -----------------------------------------------------------------------------------

TINY = {"depths": (1, 3), "width": 6, "samples": 40, "epochs": 2, "progress": False}


def test_sweep_runs_every_setup_at_every_depth_and_is_seeded():
    names = ["SELU + lecun_normal", "ReLU + he_normal + BatchNormalization", "SELU + Dropout",
             "SELU on unstandardized inputs"]
    results = selfnorm.run_sweep(names, **TINY)
    assert [(r.setup, r.depth) for r in results] == [(n, d) for n in names for d in (1, 3)]
    for r in results:
        assert 0 <= r.train_accuracy <= 1 and 0 <= r.test_accuracy <= 1
        assert r.start_variance >= 0 and not r.diverged
    again = selfnorm.run_sweep(names[:1], **TINY)
    assert [r.train_accuracy for r in again] == [r.train_accuracy for r in results[:2]]
    table = selfnorm.sweep_table(results)
    assert table.splitlines()[0].split() == ["setup", "depth", "train", "acc", "held-out", "acc",
                                             "top", "variance", "at", "start"]
    assert "ReLU + he_normal + BatchNormalization" in table


def test_every_setup_builds_the_network_it_names():
    assert len(selfnorm.SETUPS) == 9
    kinds = {name: [type(layer).__name__ for layer in selfnorm.sweep_network(name, 2, 4).layers]
             for name in selfnorm.SETUPS}
    assert kinds["SELU + lecun_normal"] == ["Dense", "Dense", "Dense"]
    assert kinds["ReLU + he_normal + BatchNormalization"] == [
        "Dense", "BatchNormalization", "Activation"] * 2 + ["Dense"]
    assert kinds["SELU + AlphaDropout"] == ["Dense", "AlphaDropout"] * 2 + ["Dense"]
    assert kinds["SELU + Dropout"] == ["Dense", "Dropout"] * 2 + ["Dense"]
    X_train, _, X_test, _ = selfnorm.sweep_data(100, standardized=False)
    assert 100 < X_train.mean() < 160 and X_train.min() >= 0 and X_test.max() <= 256


def test_start_variance_leaves_the_moving_statistics_alone():
    model = selfnorm.sweep_network("ReLU + he_normal + BatchNormalization", 3, 8)
    before = model.get_weights()
    X = selfnorm.sweep_data(64)[0]
    assert selfnorm.start_variance(model, X) > 0
    for w, v in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, v)


def test_deep_selu_signal_at_start_beats_relu_lecun():
    relu = selfnorm.start_variance(selfnorm.sweep_network("ReLU + lecun_normal", 32, 64),
                                   selfnorm.sweep_data(256)[0])
    selu = selfnorm.start_variance(selfnorm.sweep_network("SELU + lecun_normal", 32, 64),
                                   selfnorm.sweep_data(256)[0])
    exploding = selfnorm.start_variance(selfnorm.sweep_network("SELU + he_normal", 32, 64),
                                        selfnorm.sweep_data(256)[0])
    assert relu < 1e-3 < 0.3 < selu < 3 < exploding


@pytest.mark.parametrize("kwargs, error, match", [
    ({"setups": ["SELU + lecun"]}, ValueError, "unknown setup 'SELU \\+ lecun'. Did you mean"),
    ({"setups": "SELU + lecun_normal"}, TypeError, "setups"),
    ({"depths": (2, 0)}, ValueError, "depths=0"),
    ({"depths": ()}, ValueError, "depths"),
    ({"width": 0}, ValueError, "width=0"),
    ({"learning_rate": -1.0}, ValueError, "learning_rate"),
])
def test_sweep_arguments_are_checked_before_training(kwargs, error, match, monkeypatch):
    def no_training(*args, **kw):
        raise AssertionError("trained before checking")

    monkeypatch.setattr(selfnorm, "sweep_network", no_training)
    with pytest.raises(error, match=match):
        selfnorm.run_sweep(**{**TINY, **kwargs})


def test_plot_sweep(tmp_path):
    pytest.importorskip("matplotlib")
    results = [selfnorm.SweepResult(name, depth, 0.5 + depth / 100, 0.5, 1.0, False, 0.1)
               for name in ("SELU + lecun_normal", "ReLU + he_normal") for depth in (2, 8)]
    path = selfnorm.plot_sweep(results, tmp_path / "sweep.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="empty"):
        selfnorm.plot_sweep([], tmp_path / "none.png")


# ---- the --train toggles -------------------------------------------------------------------------


def test_train_deep_toggles():
    history, stats = selfnorm.train_deep("selu", epochs=1, depth=2, width=4,
                                         initializer="he_normal", dropout=("alpha", 0.1),
                                         standardized=False, optimizer="adam")
    assert stats.layer_names[1].startswith("alpha_dropout")
    assert isinstance(stats.model.optimizer, selfnorm.optimizers.Adam)
    assert stats.model.optimizer.learning_rate == pytest.approx(0.001)
    assert stats.x.min() >= 0  # pixel units
    table = selfnorm.training_statistics_table({"selu": (history, stats)})
    assert "variance at start" in table and "mean at end" in table


# ---- the command line: selu --fixed-point, --sweep, --train toggles -----------------------------




def test_cli_fixed_point(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, _ = run_cli(capsys, "selu", "--fixed-point", "--plot", str(tmp_path / "fp.png"))
    assert code == 0
    assert "largest singular value: 0.7877" in out and "+0.782648" in out
    assert (tmp_path / "fp.png").read_bytes().startswith(b"\x89PNG")


def test_cli_sweep_smoke(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, err = run_cli(capsys, "selu", "--sweep", "--quick", "--setups",
                             "SELU + lecun_normal", "ReLU + he_normal + BatchNormalization",
                             "--depths", "2", "1", "--epochs", "1", "--width", "8", "--jobs", "1",
                             "--plot", str(tmp_path / "sweep.png"))
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.strip().split()[:1] in (["1"], ["2"])
            or line.startswith(("SELU", "ReLU"))]
    assert len(rows) == 4
    assert "sweep" in err  # the progress bar
    assert (tmp_path / "sweep.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("argv, message", [
    (["--setups", "SELU + lecun"], "unknown setup 'SELU + lecun'. Did you mean"),
    (["--depths", "8", "0"], "argument --depths: expected a positive integer, received 0"),
    (["--width", "0"], "argument --width: expected a positive integer, received 0"),
])
def test_cli_sweep_refuses_bad_input_before_training(capsys, argv, message):
    code, out, err = run_cli(capsys, "selu", "--sweep", *argv)
    assert code == 2 and message in err and "Sweep" not in out


def test_cli_train_toggles_show_per_layer_statistics(capsys):
    code, out, err = run_cli(capsys, "selu", "--train", "--activations", "selu", "--depth", "3",
                             "--width", "4", "--epochs", "1", "--init", "he_normal",
                             "--dropout", "alpha", "--unstandardized", "--optimizer", "adam")
    assert code == 0, err
    assert "he_normal, dropout alpha (0.1), inputs in pixel units" in out and "Adam(" in out
    assert "variance at start" in out and "alpha_dropout" in out
    assert "selu x3" in err  # the progress bar


def test_sweep_in_two_processes_gives_the_same_numbers():
    args = {**TINY, "depths": (1, 2)}
    alone = selfnorm.run_sweep(["SELU + AlphaDropout"], **args)
    together = selfnorm.run_sweep(["SELU + AlphaDropout"], jobs=2, **args)
    assert [(r.depth, r.train_accuracy, r.start_variance) for r in alone] == [
        (r.depth, r.train_accuracy, r.start_variance) for r in together]
