"""The derivative checks of every activation (`tinygrad_acts.checks`): they pass for all 32
names, and they catch a wrong first derivative and a backward that is right but not
differentiable."""

import numpy as np
import pytest

from tinygrad_acts import activations, checks
from tinygrad_acts.activations import registry
from tinygrad_acts.activations.normalizers import _distance_to_threshold
from tinygrad_acts.activations.rectifiers import SELU_ALPHA, SELU_SCALE
from tinygrad_acts.engine import Function, Tensor
from tinygrad_acts.ops import where


def test_the_catalogue_covers_exactly_the_32_names():
    assert set(checks.CATALOGUE) == set(activations.ACTIVATIONS)
    assert len(checks.CATALOGUE) == 32
    assert all(checks.CATALOGUE[name] for name in checks.CATALOGUE)


def test_every_form_of_every_activation_passes_first_and_second_order():
    results = checks.check_all()
    assert len(results) == sum(len(forms) for forms in checks.CATALOGUE.values())
    failed = [r.label for r in results if not r.ok]
    assert failed == [], checks.format_table(results)
    assert {r.name for r in results} == set(activations.ACTIVATIONS)
    # Right derivatives agree with central differences to the differences' own error.
    assert max(r.worst_error for r in results) < 1e-7


@pytest.mark.parametrize("name", sorted(checks.CATALOGUE))
def test_inputs_keep_away_from_the_kinks_and_visit_every_piece(name):
    for form in checks.CATALOGUE[name]:
        x = checks._checked_input(name, form)
        assert x.dtype == np.float64 and x.size == 12
        if not registry.ENTRIES[name].elementwise:
            assert x.shape == (3, 4)
            if name == "sparsemax":
                distance = _distance_to_threshold(x, **form.params)
                assert distance.min() >= checks.KINK_MARGIN
            continue
        assert x.shape == (12,)
        for kink in form.kinks:
            assert np.abs(x - kink).min() >= checks.KINK_MARGIN, (form, x)
            # Both sides of every kink are checked, not just one smooth piece.
            assert (x < kink).any() and (x > kink).any(), (form, x)
        np.testing.assert_array_equal(x, checks._checked_input(name, form))  # seeded


def test_sparsemax_inputs_have_entries_on_and_off_the_support():
    x = checks._checked_input("sparsemax", checks.CATALOGUE["sparsemax"][0])
    out = activations.sparsemax(Tensor(x)).data
    assert (out == 0).any() and ((out > 0).sum(axis=-1) >= 2).any()


class _SeluWithWrongSlope(Function):
    """selu, but its backward forgets the scale on the positive side: d/dx = 1 there."""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.where(x > 0, SELU_SCALE * x, SELU_SCALE * SELU_ALPHA * np.expm1(np.minimum(x, 0)))

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        negative_side = activations.selu(x) + SELU_SCALE * SELU_ALPHA  # right
        return grad * where(x > 0, 1.0, negative_side)  # wrong: the slope is SELU_SCALE


class _SoftplusWithConstantSlope(Function):
    """softplus with the right first derivative, computed in numpy: a constant to the graph,
    so its own derivative (softplus'' = sigmoid') comes out as 0."""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(x, 0.0)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Tensor(1.0 / (1.0 + np.exp(-x.data)))


@pytest.fixture
def registry_restored(monkeypatch):
    """The registry as it was, after the test (which may overwrite an activation)."""
    monkeypatch.setattr(registry, "_ENTRIES", dict(registry._ENTRIES))
    for name in registry.ACTIVATIONS:
        monkeypatch.setattr(Tensor, name, getattr(Tensor, name))


def _replace(name, function):
    registry.register(function, name, forms=checks.CATALOGUE[name], overwrite=True)


@pytest.mark.usefixtures("registry_restored")
def test_a_wrong_first_derivative_fails_the_first_order_check():
    _replace("selu", _SeluWithWrongSlope)
    result = checks.check_activation("selu")
    assert not result.first_ok and not result.ok
    # (gradgradcheck differentiates that backward as written, so it agrees with itself.)
    assert result.second_ok
    # The slope is 1 instead of scale = 1.0507: an error of about 0.05.
    assert 0.04 < result.worst_error < 0.06


@pytest.mark.usefixtures("registry_restored")
def test_a_backward_in_numpy_passes_first_order_and_fails_second():
    _replace("softplus", _SoftplusWithConstantSlope)
    result = checks.check_activation("softplus")
    assert result.first_ok and not result.second_ok
    assert result.worst_error < 1e-7
    table = checks.format_table([result])
    assert "softplus()" in table and "FAIL" in table and "1 FAILED" in table


@pytest.mark.usefixtures("registry_restored")
def test_an_activation_that_raises_is_reported_not_raised():
    def broken(x):
        raise RuntimeError("boom")

    _replace("tanh", broken)
    (result,) = checks.check_all(["tanh"])
    assert not result.ok and np.isnan(result.worst_error)
    assert result.error == "RuntimeError: boom"
    assert "tanh(): RuntimeError: boom" in checks.format_table([result])


def test_check_activation_with_parameters_uses_the_catalogued_kinks():
    result = checks.check_activation("relu", negative_slope=0.5, max_value=5.0, threshold=0.2)
    assert result.ok
    assert result.label == "relu(negative_slope=0.5, max_value=5.0, threshold=0.2)"
    assert checks.check_activation("elu", alpha=2.0).ok  # not catalogued: elu's kinks


def test_check_all_checks_only_the_names_given_once_each():
    results = checks.check_all(["relu6", "glu", "relu6"])
    assert [r.label for r in results] == ["relu6()", "glu()"]


def test_table_layout():
    results = checks.check_all(["sigmoid", "threshold"])
    lines = checks.format_table(results).splitlines()
    assert lines[0].split() == ["activation", "first", "order", "second", "order", "worst",
                                "error"]
    assert lines[2].startswith("sigmoid()") and lines[2].split()[1:3] == ["ok", "ok"]
    assert "threshold(threshold=0.3, default_value=-1.0)" in lines[3]
    assert lines[-1] == "3 forms of 2 activations checked: all passed"


def test_bad_arguments_are_refused_with_the_value():
    with pytest.raises(ValueError, match="received name='selu2'"):
        checks.check_activation("selu2")
    with pytest.raises(TypeError, match="the string 'relu'"):
        checks.check_all("relu")
    with pytest.raises(ValueError, match=r"\['nope'\]"):
        checks.check_all(["relu", "nope"])
