"""Learning-rate schedules, as `keras.optimizers.schedules`: the learning rate as a function of
the step (the optimizer's `iterations`, counted from 0).

    lr = ta.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    opt = ta.optimizers.SGD(learning_rate=lr)     # lr(0) = 0.1, lr(100) = 0.05, ...

A schedule goes wherever a learning rate does; the optimizer calls it with its step count
before each update, and `optimizer.get_config()` carries its config, so that
`Optimizer.from_config` (or `optimizers.get(config)`) rebuilds it.
Each schedule is reachable as `ta.optimizers.schedules.<Name>`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]


def _number(owner: str, name: str, value: Any, low: float = -math.inf, low_open: bool = False,
            high: float = math.inf) -> float:
    """A finite real number (not a bool) in the range given."""
    bad = isinstance(value, bool) or not isinstance(value, numbers.Real)
    if not bad:
        bad = (not math.isfinite(value) or value < low or (low_open and value == low)
               or value > high)
    if bad:
        bounds = []
        if math.isfinite(low):
            bounds.append(f"{'>' if low_open else '>='} {low:g}")
        if math.isfinite(high):
            bounds.append(f"<= {high:g}")
        expected = "a finite number" + (" " + " and ".join(bounds) if bounds else "")
        raise ValueError(f"{owner}: argument `{name}` must be {expected}, received "
                         f"{name}={value!r}")
    return value


def _bool(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: argument `{name}` must be True or False, received {value!r}")
    return value


def _step(owner: str, step: Any) -> float:
    """The step as a float: a number, or a 0-d array or Tensor holding one."""
    if hasattr(step, "shape") and tuple(step.shape) == () and hasattr(step, "item"):
        step = step.item()
    return float(_number(owner, "step", step))


class LearningRateSchedule:
    """Base class: `__call__(step)` gives the learning rate at that step; `get_config()` the
    arguments that rebuild it (`from_config`)."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override __call__(self, step)"
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override get_config() in "
            "order to be serializable"
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class _StepDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments, and the progress
    `step / decay_steps` (rounded down with `staircase=True`) that their formulas use."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str | None = None) -> None:
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate",
                                             initial_learning_rate, 0.0)
        self.decay_steps = _number(owner, "decay_steps", decay_steps, 0.0, low_open=True)
        self.decay_rate = _number(owner, "decay_rate", decay_rate, 0.0)
        self.staircase = _bool(owner, "staircase", staircase)
        self.name = owner if name is None else name

    def _progress(self, step: int) -> float:
        p = _step(self.name, step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """`initial_learning_rate * decay_rate ^ (step / decay_steps)`; with `staircase=True` the
    exponent is rounded down, so the rate drops in steps every `decay_steps`."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay") -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)


class InverseTimeDecay(_StepDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`; with `staircase=True`
    the ratio step / decay_steps is rounded down."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay") -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` for step <= boundaries[0], `values[1]` for boundaries[0] < step <=
    boundaries[1], ..., `values[-1]` beyond the last boundary."""

    def __init__(self, boundaries: list[float], values: list[float],
                 name: str = "PiecewiseConstant") -> None:
        owner = "PiecewiseConstantDecay"
        if not isinstance(boundaries, (list, tuple)) or not isinstance(values, (list, tuple)):
            raise TypeError(f"{owner}: `boundaries` and `values` must be lists, received "
                            f"boundaries={boundaries!r}, values={values!r}")
        if len(boundaries) != len(values) - 1 or not boundaries:
            raise ValueError(
                f"{owner}: the length of boundaries should be 1 less than the length of "
                f"values (and at least 1). Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        boundaries = [_number(owner, "boundaries", b) for b in boundaries]
        if any(a >= b for a, b in zip(boundaries, boundaries[1:], strict=False)):
            raise ValueError(f"{owner}: `boundaries` must increase, received {boundaries}")
        self.boundaries = list(boundaries)
        self.values = [_number(owner, "values", v, 0.0) for v in values]
        self.name = name

    def __call__(self, step: int) -> float:
        step = _step(self.name, step)
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From `initial_learning_rate` to `end_learning_rate` in `decay_steps` steps along
    `(initial - end) * (1 - step / decay_steps) ^ power + end`, then constant; with
    `cycle=True`, decay_steps grows to the next multiple of itself past the step instead."""

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay") -> None:
        owner = "PolynomialDecay"
        self.initial_learning_rate = _number(owner, "initial_learning_rate",
                                             initial_learning_rate, 0.0)
        self.decay_steps = _number(owner, "decay_steps", decay_steps, 0.0, low_open=True)
        self.end_learning_rate = _number(owner, "end_learning_rate", end_learning_rate, 0.0)
        self.power = _number(owner, "power", power, 0.0)
        self.cycle = _bool(owner, "cycle", cycle)
        self.name = name

    def __call__(self, step: int) -> float:
        step = _step(self.name, step)
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / self.decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return ((self.initial_learning_rate - self.end_learning_rate) * (1 - p) ** self.power
                + self.end_learning_rate)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from the rate down to `alpha` times it over `decay_steps` steps (Loshchilov
    & Hutter, SGDR), optionally after a linear warm-up:

        warm-up (step < warmup_steps, when warmup_target is given):
            initial + (warmup_target - initial) * step / warmup_steps
        decay (s = steps since the warm-up, at most decay_steps; top = warmup_target or initial):
            top * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0) -> None:
        owner = "CosineDecay"
        self.initial_learning_rate = _number(owner, "initial_learning_rate",
                                             initial_learning_rate, 0.0)
        self.decay_steps = _number(owner, "decay_steps", decay_steps, 0.0, low_open=True)
        self.alpha = _number(owner, "alpha", alpha, 0.0, high=1.0)
        self.name = name
        self.warmup_target = (None if warmup_target is None
                              else _number(owner, "warmup_target", warmup_target, 0.0))
        self.warmup_steps = _number(owner, "warmup_steps", warmup_steps, 0.0)

    def _decay(self, step: float, top: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return top * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: int) -> float:
        step = _step(self.name, step)
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return ((self.warmup_target - self.initial_learning_rate) * fraction
                    + self.initial_learning_rate)
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): a cosine over `first_decay_steps`, then again over
    `t_mul` times as many steps, and so on, each restart's peak `m_mul` times the last one's."""

    def __init__(self, initial_learning_rate: float, first_decay_steps: int, t_mul: float = 2.0,
                 m_mul: float = 1.0, alpha: float = 0.0, name: str = "SGDRDecay") -> None:
        owner = "CosineDecayRestarts"
        self.initial_learning_rate = _number(owner, "initial_learning_rate",
                                             initial_learning_rate, 0.0)
        self.first_decay_steps = _number(owner, "first_decay_steps", first_decay_steps, 0.0,
                                         low_open=True)
        self._t_mul = _number(owner, "t_mul", t_mul, 0.0, low_open=True)
        self._m_mul = _number(owner, "m_mul", m_mul, 0.0)
        self.alpha = _number(owner, "alpha", alpha, 0.0, high=1.0)
        self.name = name

    def __call__(self, step: int) -> float:
        fraction = _step(self.name, step) / self.first_decay_steps
        t_mul = self._t_mul
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul**restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul**restart
        cosine = 0.5 * self._m_mul**restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_CLASSES = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay,
                                          PiecewiseConstantDecay, PolynomialDecay, CosineDecay,
                                          CosineDecayRestarts)}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """A schedule as Keras's config dict: module, class_name, config."""
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(f"serialize: expected a LearningRateSchedule, received {schedule!r}")
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any],
                custom_objects: dict[str, type] | None = None) -> LearningRateSchedule:
    """The inverse of `serialize`; `custom_objects` maps names of one's own schedules."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"deserialize: expected a dict with 'class_name' and 'config', "
                         f"received {config!r:.80}")
    known = {**_CLASSES, **(custom_objects or {})}
    cls = known.get(config["class_name"])
    if cls is None:
        raise ValueError(f"deserialize: unknown learning-rate schedule {config['class_name']!r}; "
                         f"known: {', '.join(_CLASSES)}")
    return cls.from_config(dict(config.get("config") or {}))
