"""SELU's self-normalization: mean 0 and variance 1, layer after layer
The seed blog post says that SELU keeps the mean and variance from layer to layer, but
only if the weights use kernel_initializer='lecun_normal'. Klambauer et al. (2017) chose
SELU's two constants, scale = 1.0507 and alpha = 1.6733, to make (mean 0, variance 1) an
attracting fixed point of the map from one layer's statistics to the next when each
weight has variance 1/fan_in. We compute that map, watch activations through 32 layers for
SELU, ReLU and tanh with lecun_normal and he_normal weights, try AlphaDropout, and finally
train the same 32-layer network with SELU and with ReLU. (This lesson takes up to a minute.)
"""

from __future__ import annotations

import math

import numpy as np
from _common import check, picture_path, plots_or_none, say, section, start, wrote

import tinygrad_acts as ta
from tinygrad_acts import selfnorm
from tinygrad_acts.activations import relu, selu

EPOCHS = 30  # the training comparison: enough for SELU to learn, within the time budget


def next_layer_statistics(activation, mean: float, variance: float) -> tuple[float, float]:
    """The paper's map g: a unit whose weights sum to 0 with squares summing to 1 (what
    lecun_normal gives on average) receives z ~ N(0, variance) whatever the input mean, and
    outputs activation(z). Its mean and variance are integrals against the normal density,
    computed with the trapezoid rule on a fine grid (the kink of selu at 0 is a grid point)
    through the engine's own activation."""
    u = np.linspace(-10.0, 10.0, 20001)  # in standard deviations: the tails beyond weigh 1e-23
    density = np.exp(-0.5 * u * u)
    density[[0, -1]] *= 0.5  # the trapezoid rule's end points
    density /= density.sum()
    out = activation(ta.Tensor(math.sqrt(variance) * u)).numpy()
    new_mean = float(density @ out)
    return new_mean, float(density @ (out - new_mean) ** 2)


def main() -> None:
    out = start(__file__, __doc__)

    section("1. The map from one layer to the next, and its fixed point")
    say("""
        If a layer's inputs have mean mu and variance nu, a unit's pre-activation is about
        N(0, nu) (its weights sum to about 0), and its output has a new mean and variance
        g(mu, nu). For SELU, g(0, 1) = (0, 1): a fixed point. It also attracts: started
        from variance 4 or 0.25, repeated layers pull the statistics back toward (0, 1).
    """)
    fixed = next_layer_statistics(selu, 0.0, 1.0)
    print(f"    selu: g(0, 1) = ({fixed[0]:.2e}, {fixed[1]:.6f})")
    check(abs(fixed[0]) < 1e-6 and abs(fixed[1] - 1) < 1e-6, "(0, 1) is SELU's fixed point")
    reference = {4.0: (2.94, 1.48, 1.12), 0.25: (0.33, 0.64, 0.875)}  # Klambauer et al.
    for start_variance, expected in reference.items():
        mean, variance, seen = 0.0, start_variance, []
        for layer in range(1, 11):
            mean, variance = next_layer_statistics(selu, mean, variance)
            if layer in (1, 5, 10):
                seen.append(variance)
        print(f"    variance {start_variance:<4} -> after 1, 5, 10 layers: "
              + ", ".join(f"{v:.3f}" for v in seen))
        check(np.allclose(seen, expected, atol=0.01),
              f"from {start_variance}: {expected} after 1, 5 and 10 layers (the paper's figures)")
    relu_variance = next_layer_statistics(relu, 0.0, 1.0)[1]
    check(abs(relu_variance - (0.5 - 1 / (2 * math.pi))) < 1e-6,
          f"relu has no such fixed point: g(0, 1) has variance 1/2 - 1/(2 pi) = "
          f"{relu_variance:.4f}")

    section("2. Through 32 layers at initialization")
    say("""
        Now a real network: 32 layers Dense(256, use_bias=False), a batch of 1000 standard
        normal inputs, one forward pass. Each row gives the mean and variance of a layer's
        activations.
    """)
    print(selfnorm.statistics_table())
    stats = {f"{a}, {i}": selfnorm.layer_statistics(a, i) for a, i in selfnorm.DEFAULT_CONFIGS}
    snn = stats["selu, lecun_normal"]
    check(np.abs(snn["mean"]).max() < 0.1 and np.abs(snn["var"] - 1).max() < 0.15,
          f"SELU + lecun_normal: every layer within 0.1 of mean 0 (worst "
          f"{np.abs(snn['mean']).max():.3f}) and 0.15 of variance 1 (worst "
          f"{np.abs(snn['var'] - 1).max():.3f})")
    relu_var = stats["relu, lecun_normal"]["var"]
    check(relu_var[-1] < 1e-6 and np.all(relu_var[1:] < relu_var[:-1]),
          f"ReLU + lecun_normal: the variance falls at every layer, to {relu_var[-1]:.1e} at 32")
    tanh_var = stats["tanh, lecun_normal"]["var"]
    check(0.005 < tanh_var[-1] < 0.05, f"tanh + lecun_normal: the variance shrinks slowly, "
          f"{tanh_var[7]:.3f} at layer 8 and {tanh_var[-1]:.3f} at 32")
    say("""
        ReLU zeroes half of its inputs, so with weights of variance 1/fan_in the signal's
        second moment halves at each layer; he_normal doubles the weights' variance to make
        up for exactly that. Given to SELU, which needs no such help, the same doubling
        makes the variance explode.
    """)
    he_relu, he_selu = stats["relu, he_normal"], stats["selu, he_normal"]
    check(he_relu["var"].min() > 0.1 and he_relu["mean"].min() > 0.3,
          f"ReLU + he_normal keeps the scale (variance >= {he_relu['var'].min():.2f}) but not the "
          f"centre (mean >= {he_relu['mean'].min():.2f})")
    check(he_selu["var"][-1] > 50, f"SELU + he_normal explodes: variance "
          f"{he_selu['var'][-1]:.0f} at layer 32")

    section("3. Dropout that keeps the statistics: AlphaDropout")
    say("""
        Ordinary dropout sets units to 0 and scales the others by 1/(1 - rate). For SELU, 0
        is not a resting value (its negative saturation -scale * alpha = -1.758 is), so the
        variance drifts. AlphaDropout sets dropped units to -1.758 and applies the affine
        map a x + b that restores mean 0 and variance 1. Same 32 layers, dropout before
        each, in training mode:
    """)
    dropouts = {"AlphaDropout(0.1)": ("alpha", 0.1), "AlphaDropout(0.05)": ("alpha", 0.05),
                "Dropout(0.1)": ("standard", 0.1)}
    variances = {}
    for label, dropout in dropouts.items():
        variances[label] = selfnorm.layer_statistics(dropout=dropout)["var"]
        print(f"    {label:<19} variance from {variances[label].min():.3f} "
              f"to {variances[label].max():.3f}")
    for label in ("AlphaDropout(0.1)", "AlphaDropout(0.05)"):
        check(np.abs(variances[label] - 1).max() < 0.05, f"{label} keeps every variance within "
              f"0.05 of 1")
    check(variances["Dropout(0.1)"].max() > 1.2,
          f"Dropout(0.1) pushes the variance up to {variances['Dropout(0.1)'].max():.2f}")

    section(f"4. Training 32 layers: SELU against ReLU ({EPOCHS} epochs)")
    say("""
        The same network for both activations: 32 hidden layers Dense(64) with
        lecun_normal weights and one output logit, trained on two spirals (1000 points)
        with plain SGD (learning rate 0.02), no normalization layers, no tricks. Before the
        first step, the gradient reaching layer 1 already tells the story: with ReLU it
        has vanished on the way down. (tinygrad-acts selu --train adds tanh.)
    """)
    runs = selfnorm.compare_training(("selu", "relu"), epochs=EPOCHS)
    print(f"    {'':<5} {'|grad| layer 1 / 32':>20} {'loss: epoch 1':>14} {'best':>6} "
          f"{'last':>6} {'accuracy: best':>15} {'last':>6}")
    summary = {}
    for name, (history, probe) in runs.items():
        # grad_rms: one row per record (0: before training), one column per layer (32
        # hidden layers, then the output layer).
        ratio = probe.grad_rms[0, 0] / probe.grad_rms[0, 31]
        loss, accuracy = history.history["loss"], history.history["accuracy"]
        summary[name] = {"ratio": ratio, "best loss": min(loss), "last loss": loss[-1],
                         "best accuracy": max(accuracy)}
        print(f"    {name:<5} {ratio:>20.2e} {loss[0]:>14.3f} {min(loss):>6.3f} {loss[-1]:>6.3f} "
              f"{max(accuracy):>15.3f} {accuracy[-1]:>6.3f}")
    selu_run, relu_run = summary["selu"], summary["relu"]
    check(selu_run["ratio"] > 0.1,
          f"SELU's gradient reaches layer 1 undiminished (ratio {selu_run['ratio']:.2f})")
    check(relu_run["ratio"] < 1e-4,
          f"ReLU's gradient has vanished by layer 1 (ratio {relu_run['ratio']:.1e})")
    # Best values over the epochs: plain SGD is noisy, and one bad epoch is not the story.
    check(selu_run["best loss"] < 0.35 and selu_run["best accuracy"] > 0.85,
          f"the deep SELU network learns: loss down to {selu_run['best loss']:.3f}, accuracy "
          f"up to {selu_run['best accuracy']:.3f}")
    check(relu_run["best loss"] > 0.69 and relu_run["best accuracy"] < 0.6,
          f"the same depth with ReLU does not: its loss never leaves "
          f"{relu_run['best loss']:.3f} (log 2 = 0.693: a coin toss)")
    say("""
        Self-normalization is a property of the initialization: training changes the
        weights, and with them the statistics (the pictures show each layer's variance
        epoch by epoch). What it buys is a deep network whose signal and gradient both
        survive the trip, so that plain SGD can start learning at all.
    """)

    section("Pictures")
    plots = plots_or_none()
    if plots is not None:
        wrote(plots.plot_layer_statistics(stats, picture_path(out, "layer_statistics.png")))
        for name, (history, probe) in runs.items():
            wrote(probe.plot(picture_path(out, f"training_statistics_{name}.png")))
            wrote(plots.plot_history(history, picture_path(out, f"history_{name}.png")))


if __name__ == "__main__":
    main()
