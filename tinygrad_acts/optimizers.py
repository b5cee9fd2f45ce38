"""Optimizers: how the weights move once backward has filled their gradients, as in
`keras.optimizers`, with Keras 3's update rules to the letter.

Two ways to use one:

    opt = ta.optimizers.Adam(learning_rate=0.01)
    loss.backward()
    opt.step(params)                                   # each p moves along its p.grad
    opt.apply_gradients(zip(grads, params))            # or, as in Keras, explicit pairs

An update is arithmetic on numpy arrays, done in place on `p.data` (under `no_grad`): it
records no graph, and every Tensor that shares the weight sees the new values. The state
an optimizer keeps for a weight (momentum, running averages) is created at the first update
of that weight, as zeros of its shape and dtype.

The whole update is one operation, `ApplyGradients`, a Function that writes in place (as
`Tensor.assign_sub` does): `ta.jit` records it as one kernel of a training step, and a
replay runs it again, with the optimizer's current step count and learning rate. Writing
the update with Tensor operations and `assign_sub`, as Keras does, would record the same
thing in a dozen kernels per weight, and cost eager mode several times the update's
numpy time (each operation pays for a Tensor); one kernel keeps the formulas below in
plain numpy, as readable, at numpy's speed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .function import Function
from .grad_mode import no_grad
from .tensor import Tensor
from .validation import check_bool as _check_bool
from .validation import check_number as _check_real

__all__ = ["SGD", "Adam", "ApplyGradients", "Optimizer", "RMSprop", "get"]


class Optimizer:
    """Base class: keeps the learning rate, the step count and each weight's state.

    A subclass writes `update_step(gradient, variable, learning_rate)`, changing
    `variable.data` in place with numpy arithmetic, and `_new_state(array)`, the
    zero-initialized arrays it keeps for each variable (`self._slots(variable)` finds them).

    Args:
        learning_rate: the step size, a number > 0.
        name: a name for the optimizer.

    Attributes:
        iterations: the number of updates applied so far (Keras's `optimizer.iterations`).
    """

    def __init__(self, learning_rate: float, name: str | None = None) -> None:
        self.learning_rate = learning_rate
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        # id(variable) -> (variable, its state). The variable is kept so that its id cannot be
        # reused by another Tensor while the state lives.
        self._state: dict[int, tuple[Tensor, dict[str, np.ndarray]]] = {}

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        owner = type(self).__name__
        self._learning_rate = _check_real(owner, "learning_rate", value, 0.0, math.inf,
                                          low_open=True, high_open=True)

    # ---- the two ways in ---------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> None:
        """Apply one update: each variable moves along its gradient.

        Args:
            grads_and_vars: pairs `(gradient, variable)`, as in Keras; the gradient is a
                Tensor or an array of the variable's shape, or None (the variable is skipped).

        Every pair is checked before any variable changes.
        """
        pairs = []
        for i, pair in enumerate(grads_and_vars):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(
                    f"{type(self).__name__}.apply_gradients: each item must be a pair "
                    f"(gradient, variable), item {i} is {pair!r:.80}"
                )
            gradient, variable = pair
            if gradient is not None:
                pairs.append((self._check_gradient(i, gradient, variable), variable))
        self._apply(pairs)

    def step(self, params: Iterable[Tensor]) -> None:
        """Apply one update using each parameter's `.grad` (parameters without one are
        skipped), as PyTorch's `optimizer.step()`."""
        pairs = []
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}.step: params[{i}] must be a Tensor, "
                    f"received {type(p).__name__}"
                )
            if p.grad is not None:
                pairs.append((self._check_gradient(i, p.grad, p), p))
        self._apply(pairs)

    def _check_gradient(self, i: int, gradient: Any, variable: Any) -> np.ndarray:
        def owner() -> str:  # only built for an error message: this runs for every weight
            return f"{type(self).__name__}: variable {i}"

        if not isinstance(variable, Tensor):
            raise TypeError(f"{owner()} must be a Tensor, received {type(variable).__name__}")
        if variable.dtype.kind != "f":
            raise TypeError(f"{owner()} must be a float Tensor, received dtype {variable.dtype}")
        array = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
        if array.shape != variable.shape:
            raise ValueError(
                f"{owner()} ({variable.name or 'unnamed'}) has shape {variable.shape}, "
                f"its gradient has shape {array.shape}"
            )
        return array

    def _apply(self, pairs: list[tuple[np.ndarray, Tensor]]) -> None:
        variables = tuple(variable for _, variable in pairs)
        with no_grad():
            ApplyGradients.apply(*variables, *(Tensor._wrap(g) for g, _ in pairs),
                                 optimizer=self, variables=variables)

    def _update(self, gradients: tuple[np.ndarray, ...], variables: tuple[Tensor, ...]) -> None:
        """One update of every variable, then the step count (ApplyGradients runs it)."""
        for gradient, variable in zip(gradients, variables, strict=True):
            self.update_step(gradient, variable, self.learning_rate)
        self.iterations += 1

    # ---- per-variable state ------------------------------------------------------------------
    def _slots(self, variable: Tensor) -> dict[str, np.ndarray]:
        """The state kept for `variable`, created (zeros) at its first update."""
        entry = self._state.get(id(variable))
        if entry is None or entry[0] is not variable:
            entry = (variable, self._new_state(variable.data))
            self._state[id(variable)] = entry
        return entry[1]

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {}

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        """Move `variable.data` in place, given its gradient (an array of its shape)."""
        raise NotImplementedError(f"{type(self).__name__} must define update_step")

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "learning_rate": self.learning_rate}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class ApplyGradients(Function):
    """One update of an optimizer: each variable moves along its gradient, in place.

    Its inputs are the variables' arrays, then their gradients; it writes the variables
    (and the optimizer's state) in place, like `Tensor.assign_sub`, and returns the first
    variable's array. It is an operation so that `ta.jit` records the update as a kernel:
    a replay calls it again, and the optimizer reads its current step count and learning
    rate then. No gradient flows through it."""

    name = "apply_gradients"
    derivative = None
    in_place = True  # writes into its inputs (ta.jit never drops it or runs it early)

    def forward(ctx, *arrays, optimizer, variables):
        optimizer._update(arrays[len(variables):], variables)
        return arrays[0] if arrays else np.zeros(0)

    def backward(ctx, grad):
        return (None,) * len(ctx.parents)


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum.

    With `momentum = 0`:

        w = w - learning_rate * g

    With momentum (a velocity v, starting at 0):

        v = momentum * v - learning_rate * g
        w = w + v                                          (nesterov=False)
        w = w + momentum * v - learning_rate * g           (nesterov=True)

    Args:
        learning_rate: a number > 0. Defaults to 0.01.
        momentum: a number in [0, 1]; 0 is plain gradient descent. Defaults to 0.0.
        nesterov: whether to use Nesterov momentum. Defaults to False.
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 name: str | None = None) -> None:
        self.momentum = _check_real("SGD", "momentum", momentum, 0.0, 1.0)
        self.nesterov = _check_bool("SGD", "nesterov", nesterov)
        super().__init__(learning_rate, name)

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"velocity": np.zeros_like(variable)} if self.momentum != 0 else {}

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w = variable.data
        if self.momentum == 0:
            w -= learning_rate * gradient
            return
        v = self._slots(variable)["velocity"]
        v *= self.momentum
        v -= learning_rate * gradient
        if self.nesterov:
            w += self.momentum * v - learning_rate * gradient
        else:
            w += v

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014): steps scaled by running averages of the gradient (m) and
    of its square (v).

    At step t = 1, 2, ..., with m and v starting at 0, Keras folds the bias correction of
    m and v into the step size:

        alpha = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g^2 - v) * (1 - beta_2)
        w = w - alpha * m / (sqrt(v) + epsilon)

    Args:
        learning_rate: a number > 0. Defaults to 0.001.
        beta_1: decay of the average of the gradient, in [0, 1). Defaults to 0.9.
        beta_2: decay of the average of its square, in [0, 1). Defaults to 0.999.
        epsilon: a small number >= 0 that keeps the division finite (Keras's
            "epsilon hat"). Defaults to 1e-7.
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str | None = None) -> None:
        self.beta_1 = _check_real("Adam", "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = _check_real("Adam", "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = _check_real("Adam", "epsilon", epsilon, 0.0, math.inf, high_open=True)
        super().__init__(learning_rate, name)

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"m": np.zeros_like(variable), "v": np.zeros_like(variable)}

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        t = self.iterations + 1
        alpha = learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        state = self._slots(variable)
        m, v = state["m"], state["v"]
        m += (gradient - m) * (1 - self.beta_1)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        variable.data -= alpha * m / (np.sqrt(v) + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012): steps divided by a running root mean square of the gradient.

    With v (and, when centered, mg; when momentum > 0, a velocity) starting at 0:

        v = rho * v + (1 - rho) * g^2
        mg = rho * mg + (1 - rho) * g                     (centered=True)
        step = learning_rate * g / sqrt(v + epsilon)                  (centered=False)
        step = learning_rate * g / sqrt(v - mg^2 + epsilon)           (centered=True)
        w = w - step                                                  (momentum = 0)
        velocity = momentum * velocity + step;  w = w - velocity      (momentum > 0)

    Note that, unlike Adam, epsilon is added inside the square root, as in Keras.

    Args:
        learning_rate: a number > 0. Defaults to 0.001.
        rho: decay of the average of the squared gradient, in [0, 1). Defaults to 0.9.
        momentum: a number in [0, 1]. Defaults to 0.0.
        epsilon: a small number >= 0. Defaults to 1e-7.
        centered: whether to divide by an estimate of the gradient's variance instead of
            its second moment. Defaults to False.
    """

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name: str | None = None) -> None:
        self.rho = _check_real("RMSprop", "rho", rho, 0.0, 1.0, high_open=True)
        self.momentum = _check_real("RMSprop", "momentum", momentum, 0.0, 1.0)
        self.epsilon = _check_real("RMSprop", "epsilon", epsilon, 0.0, math.inf, high_open=True)
        self.centered = _check_bool("RMSprop", "centered", centered)
        super().__init__(learning_rate, name)

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        state = {"v": np.zeros_like(variable)}
        if self.centered:
            state["mg"] = np.zeros_like(variable)
        if self.momentum > 0:
            state["velocity"] = np.zeros_like(variable)
        return state

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        state = self._slots(variable)
        v = state["v"]
        v *= self.rho
        v += (1 - self.rho) * np.square(gradient)
        if self.centered:
            mg = state["mg"]
            mg *= self.rho
            mg += (1 - self.rho) * gradient
            denominator = v - np.square(mg) + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = learning_rate * gradient / np.sqrt(denominator)
        if self.momentum > 0:
            velocity = state["velocity"]
            velocity *= self.momentum
            velocity += increment
            variable.data -= velocity
        else:
            variable.data -= increment

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


_BY_NAME: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name or an instance.

    A name ('sgd', 'adam', 'rmsprop'; any case, as Keras) gives a new optimizer with the
    default arguments; an `Optimizer` is returned as is.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}; expected one of "
        f"{sorted(_BY_NAME)} or an Optimizer instance"
    )
