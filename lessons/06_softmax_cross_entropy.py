"""Softmax and cross-entropy: overflow, log-sum-exp, and from_logits
softmax(z)_i = e^(z_i) / sum_j e^(z_j) turns scores (logits) into probabilities, and
cross-entropy -log p[true class] scores them. Written naively, both break on ordinary
inputs: e^1000 overflows, and a probability that rounds to 0 has log -inf. This lesson
breaks them on purpose, repairs them with one identity (shift by the maximum), and shows
why a loss should be handed logits (from_logits=True) rather than probabilities.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from _common import check, picture_path, plots_or_none, say, section, start, wrote

import tinygrad_acts as ta
from tinygrad_acts import losses
from tinygrad_acts.activations import log_softmax, sigmoid, softmax


def main() -> None:
    out = start(__file__, __doc__)
    big = np.array([1000.0, 1001.0, 1002.0], dtype=np.float32)

    section("1. The naive softmax overflows")
    with np.errstate(over="ignore", invalid="ignore"):  # let numpy fail quietly, to look
        e = np.exp(big)
        naive = e / e.sum()
    print(f"    z = {big}:  exp(z) = {e},  exp(z) / sum = {naive}")
    check(np.isnan(naive).all(), f"e^1000 is inf in float32 (max about 3.4e38), inf/inf is "
          f"nan: {naive}")

    section("2. Shift by the maximum")
    say("""
        Multiplying numerator and denominator by e^-c changes nothing:
        softmax(z) = softmax(z - c). With c = max(z) the largest exponent is e^0 = 1, so
        nothing overflows and the denominator is at least 1. ta.activations.softmax does
        this, and gives softmax([1000, 1001, 1002]) = softmax([0, 1, 2]):
    """)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")  # any overflow would now be an exception
        stable = softmax(ta.Tensor(big))
    small = softmax(ta.Tensor([0.0, 1.0, 2.0]))
    print(f"    softmax([1000, 1001, 1002]) = {stable.numpy()}")
    print(f"    softmax([0, 1, 2])          = {small.numpy()}")
    check(np.allclose(stable.numpy(), small.numpy(), atol=1e-7, rtol=0),
          "the same probabilities, with no warning raised")

    section("3. log-sum-exp")
    say("""
        The same trick for log(sum(e^z)), the normalizer of softmax in log space:
        log sum e^(z_j) = m + log sum e^(z_j - m), with m = max(z). Its gradient is the
        softmax itself.
    """)
    with np.errstate(over="ignore"):
        naive_lse = np.log(np.exp(big).sum())
    z = ta.Tensor(big.astype(np.float64), requires_grad=True)
    lse = ta.logsumexp(z)
    lse.backward()
    exact = 1002.0 + math.log(1 + math.exp(-1) + math.exp(-2))
    print(f"    naive log(sum(exp(z))) = {naive_lse};  ta.logsumexp(z) = {lse.item():.8f}")
    check(np.isinf(naive_lse) and abs(lse.item() - exact) < 1e-9,
          f"logsumexp([1000, 1001, 1002]) = 1002 + log(1 + e^-1 + e^-2) = {exact:.8f}")
    gap = np.abs(z.grad.numpy() - softmax(z).numpy()).max()
    check(gap < 1e-12, f"d logsumexp / dz = softmax(z) (difference {gap:.1e})")

    section("4. log of a softmax underflows; log_softmax does not")
    say("""
        With logits [0, -200] the second probability is e^-200, about 1e-87: below the
        smallest float32 (about 1e-45), so it rounds to 0 and its log is -inf. log_softmax
        computes z - logsumexp(z) directly: exactly -200.
    """)
    pair = ta.Tensor([0.0, -200.0])
    with np.errstate(divide="ignore"):
        log_of_softmax = np.log(softmax(pair).numpy())
    direct = log_softmax(pair).numpy()
    print(f"    log(softmax([0, -200])) = {log_of_softmax};  log_softmax = {direct}")
    check(np.isneginf(log_of_softmax[1]) and direct[1] == -200.0,
          f"log(softmax) gives -inf, log_softmax gives {direct[1]}")

    section("5. Cross-entropy from probabilities, and from logits")
    say("""
        A confident mistake: logits [0, -200], true class 1. The true loss is
        -log p[1] = 200. From probabilities, Keras (and this library) clip p to
        [1e-7, 1 - 1e-7] to avoid log(0): the loss is capped at -log(1e-7) = 16.1, and the
        clip, flat outside its range, has derivative 0: the network learns nothing from its
        worst mistake. From logits, the loss is computed as -log_softmax, exactly, and the
        gradient is softmax(z) - y, as large as the mistake.
    """)
    y_true = np.array([[0.0, 1.0]], dtype=np.float32)
    results = {}
    for from_logits in (False, True):
        logits = ta.Tensor([[0.0, -200.0]], requires_grad=True)
        prediction = logits if from_logits else softmax(logits)
        loss = losses.categorical_crossentropy(y_true, prediction, from_logits=from_logits)
        loss.sum().backward()
        results[from_logits] = (loss.item(), logits.grad.numpy()[0])
        print(f"    from_logits={from_logits!s:<5}  loss = {loss.item():8.3f}   "
              f"d loss / d logits = {logits.grad.numpy()[0]}")
    (clipped_loss, clipped_grad), (true_loss, true_grad) = results[False], results[True]
    check(abs(clipped_loss + math.log(1e-7)) < 1e-3 and not clipped_grad.any(),
          f"from probabilities: loss capped at {clipped_loss:.3f}, gradient exactly 0")
    check(true_loss == 200.0 and np.array_equal(true_grad, [1.0, -1.0]),
          f"from logits: loss 200, gradient softmax - y = {true_grad}")

    say("""
        The gradient softmax(z) - y holds for any logits. Checked on a random batch of 8
        samples and 5 classes, with the loss averaged over the batch (so divided by 8):
    """)
    rng = np.random.default_rng(0)
    logits = ta.Tensor(rng.normal(scale=3.0, size=(8, 5)), requires_grad=True)
    labels = rng.integers(0, 5, size=8)
    one_hot = np.eye(5)[labels]
    losses.CategoricalCrossentropy(from_logits=True)(one_hot, logits).backward()
    expected = (softmax(logits).numpy() - one_hot) / 8
    gap = np.abs(logits.grad.numpy() - expected).max()
    check(gap < 1e-12, f"d mean CE / d logits = (softmax(z) - y) / batch (difference {gap:.1e})")

    section("6. The binary case: sigmoid and binary cross-entropy")
    say("""
        The same story with one logit z: sigmoid(30) is 1 - 9e-14, which rounds to exactly
        1.0 in float32. For a true label 0, binary cross-entropy from that probability is
        capped near 16 with zero gradient; from the logit it is computed as
        max(z, 0) - z y + log(1 + e^-|z|) = 30, with gradient sigmoid(z) - y = 1.
    """)
    label = np.array([[0.0]], dtype=np.float32)
    for from_logits in (False, True):
        logit = ta.Tensor([[30.0]], requires_grad=True)
        prediction = logit if from_logits else sigmoid(logit)
        loss = losses.binary_crossentropy(label, prediction, from_logits=from_logits)
        loss.sum().backward()
        results[from_logits] = (loss.item(), logit.grad.item())
        print(f"    from_logits={from_logits!s:<5}  loss = {loss.item():8.3f}   "
              f"d loss / dz = {logit.grad.item()}")
    check(sigmoid(ta.Tensor(30.0)).item() == 1.0, "sigmoid(30) is exactly 1.0 in float32")
    check(results[False][0] < 17 and results[False][1] == 0.0,
          f"from the probability: loss {results[False][0]:.2f}, gradient 0")
    check(results[True] == (30.0, 1.0), f"from the logit: loss 30, gradient 1: {results[True]}")
    say("""
        Hence the usual recipe: let the last Dense layer output logits (no activation) and
        compile with loss=BinaryCrossentropy(from_logits=True) or
        CategoricalCrossentropy(from_logits=True). The accuracy metric then cuts at 0
        instead of 0.5.
    """)

    section("Picture")
    plots = plots_or_none()
    if plots is not None:
        zs = np.linspace(-5, 40, 181, dtype=np.float32)
        target = np.zeros((len(zs), 1), dtype=np.float32)
        column = ta.Tensor(zs.reshape(-1, 1))
        from_probability = losses.binary_crossentropy(target, sigmoid(column)).numpy()
        from_logit = losses.binary_crossentropy(target, column, from_logits=True).numpy()
        figure = plots.new_figure(figsize=(6, 4), layout="constrained")
        ax = figure.add_subplot()
        ax.plot(zs, from_logit, label="from_logits=True (exact)")
        ax.plot(zs, from_probability, "--", label="from sigmoid(z), clipped")
        ax.set(xlabel="logit z (true label 0)", ylabel="binary cross-entropy",
               title="A probability saturates; a logit does not")
        ax.grid(alpha=0.3)
        ax.legend()
        path = picture_path(out, "cross_entropy_from_logits.png")
        plots.save_figure(figure, path)
        wrote(path)


if __name__ == "__main__":
    main()
