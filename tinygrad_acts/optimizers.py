"""Optimizers: how the weights move once backward has filled their gradients, as in
`keras.optimizers`, with Keras 3's update rules to the letter.

Two ways to use one:

    opt = ta.optimizers.Adam(learning_rate=0.01)
    loss.backward()
    opt.step(params)                                   # each p moves along its p.grad
    opt.apply_gradients(zip(grads, params))            # or, as in Keras, explicit pairs

One update, in Keras's order:

1. every (gradient, variable) pair is checked, and the learning rate of this step is found
   (a number, a schedule called with the step count, or a function called with nothing);
2. the gradients are clipped (`clipnorm`, `clipvalue` or `global_clipnorm`);
3. each variable shrinks by `learning_rate * weight_decay` times itself (when `weight_decay`
   is set: decoupled weight decay, as AdamW);
4. `update_step` moves it, and its state (momentum, running averages), with numpy arithmetic;
5. the new values are checked, and only then written into `p.data` in place: an update that
   would make a weight or a state NaN or inf is refused (FloatingPointError) and nothing
   changes, not even the step count.

Step 4 runs on copies, so that 5 can refuse it. The state an optimizer keeps for a weight is
created at the weight's first update, and listed (as Tensors) in `optimizer.variables`.
At toy sizes an update costs its number of numpy calls, so the copies are laid end to end
in one buffer (`_Staging`): one call checks them all, and an elementwise rule (SGD, Adam,
...) runs once for all the variables, not once per variable.

The whole update is one operation, `ApplyGradients`, a Function that writes in place (as
`Tensor.assign_sub` does): `ta.jit` records it as one kernel of a training step, and a
replay runs it again, reading the optimizer's step count, learning rate (or schedule) and
state then. Writing each update with Tensor operations and `assign_sub`, as Keras does,
would record the same thing in a dozen kernels per weight and make eager training several
times slower (each operation pays for a Tensor); one kernel keeps the formulas in plain
numpy, as readable, at numpy's speed.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from . import schedules
from .function import Function
from .grad_mode import no_grad
from .layers.base import _snake_case, unique_name
from .schedules import LearningRateSchedule
from .tensor import Tensor
from .validation import check_bool as _check_bool
from .validation import check_number as _check_real

__all__ = [
    "SGD",
    "ApplyGradients",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]


def _check_optional_positive(owner: str, name: str, value: Any) -> float | None:
    if value is None:
        return None
    return _check_real(owner, name, value, 0.0, math.inf, low_open=True, high_open=True)


def _all_finite(array: np.ndarray) -> bool:
    """No NaN and no inf."""
    return bool(np.isfinite(array).all())


class _Entry:
    """A variable and the state an optimizer keeps for it (a dict of arrays)."""

    __slots__ = ("variable", "state")

    def __init__(self, variable: Tensor, state: dict[str, np.ndarray]) -> None:
        self.variable = variable
        self.state = state


def _sizes_by_dtype(arrays: list[np.ndarray]) -> dict[np.dtype, int]:
    """How many numbers of each dtype `arrays` hold."""
    sizes: dict[np.dtype, int] = {}
    for a in arrays:
        sizes[a.dtype] = sizes.get(a.dtype, 0) + a.size
    return sizes


def _flat_views(arrays: list[np.ndarray]) -> tuple[dict[np.dtype, np.ndarray],
                                                  list[np.ndarray]]:
    """New flat buffers, one per dtype, with room for `arrays` one after the other, and a
    view of each array's place (of its shape), in order."""
    sizes = _sizes_by_dtype(arrays)
    buffers = {dtype: np.empty(size, dtype) for dtype, size in sizes.items()}
    used = dict.fromkeys(sizes, 0)
    views = []
    for a in arrays:
        start = used[a.dtype]
        used[a.dtype] += a.size
        views.append(buffers[a.dtype][start:start + a.size].reshape(a.shape))
    return buffers, views


def _staging_key(variables: list[Tensor]) -> list[tuple[int, int]]:
    """What a staging is made for: the variables, and the arrays they hold (a staging keeps
    both alive, so their ids stay theirs)."""
    return [(id(v), id(v.data)) for v in variables]


class _Staging:
    """Where an update is computed before it is accepted, laid out so that it is cheap.

    At toy sizes a step costs its number of numpy calls, not its arithmetic. So, for the
    variables of one update (their `_Entry`s), one flat buffer per dtype holds a copy of
    every variable, then a copy of every state array, name by name; and the state itself
    moves into one flat buffer too, `kept`, that the entries see through views:

        buffer:  [ w1 w2 w3 | m1 m2 m3 | v1 v2 v3 ]     what the update works on
        kept:               [ m1 m2 m3 | v1 v2 v3 ]     the optimizer's state (Adam's m, v)

    Staging the state is then one copy (kept into buffer), committing it one copy back, and
    one `np.isfinite` checks every number. (Not "the float64 sum is finite": true for
    float32 data, but a sum of finite float64 numbers can overflow, and on large buffers
    the cast makes the sum slower than the check.) An update rule that treats every number
    on its own (`Optimizer.elementwise`: SGD, Adam, ...) runs once, on `[w1 w2 w3]`, the
    gradients laid out alike and `{"momentum": [m1 m2 m3], ...}`, as PyTorch's `foreach`
    optimizers do; other rules (Lamb's norms, Adafactor's factored moments) run variable by
    variable on views of the same buffers.

    The optimizer keeps the last one and reuses it while it fits (`_staging_key`): it
    remembers the arrays it copies from and back to, so it is made again for other
    variables or when a variable's `.data` is another array, and dropped when `build` or
    `set_state_of` replace a state."""

    def __init__(self, entries: list[_Entry], unkept: list[_Entry], elementwise: bool) -> None:
        self.unkept = unkept  # the entries of variables never updated (their state is new)
        weights = [entry.variable.data for entry in entries]
        self.key = _staging_key([entry.variable for entry in entries])
        # The state arrays name by name (every momentum, then every velocity, ...), each
        # as (the index of its entry, its name): Adafactor's vectors lack some names.
        names = list(dict.fromkeys(k for entry in entries for k in entry.state))
        slots = [(i, k) for k in names for i, entry in enumerate(entries) if k in entry.state]
        states = [entries[i].state[k] for i, k in slots]

        # 1. The state moves into `kept`: the entries hold views of it from now on.
        self.kept, kept_views = _flat_views(states)
        for (i, k), view in zip(slots, kept_views, strict=True):
            view[...] = entries[i].state[k]
            entries[i].state[k] = view

        # 2. The copies that update_step works on: (the variable's, {name: the state's}).
        self.buffers, views = _flat_views(weights + states)
        self.copies = [(view, {}) for view in views[:len(weights)]]
        for (i, k), view in zip(slots, views[len(weights):], strict=True):
            self.copies[i][1][k] = view

        # 3. What `stage` copies in and `commit` copies back: each variable, and each
        # buffer's state part (a dtype's buffer holds its variables, then its state arrays
        # in the order of `kept`).
        self.weight_pairs = [(copy, w) for (copy, _), w in zip(self.copies, weights,
                                                                strict=True)]
        weight_sizes = _sizes_by_dtype(weights)
        self.state_pairs = [(self.buffers[dtype][weight_sizes.get(dtype, 0):], kept)
                            for dtype, kept in self.kept.items()]

        # 4. For an elementwise rule, when all is of one dtype and every state array of its
        # variable's shape: the variables, their gradients and each state name, end to end.
        self.elementwise = elementwise and len(self.buffers) == 1 and all(
            list(entry.state) == names
            and all(a.shape == entry.variable.shape for a in entry.state.values())
            for entry in entries)
        if self.elementwise:
            (buffer,) = self.buffers.values()
            size = sum(w.size for w in weights)
            self.flat_weights = buffer[:size]
            self.flat_state = {k: buffer[(n + 1) * size:(n + 2) * size]
                               for n, k in enumerate(names)}
            gradient_buffers, self.gradient_views = _flat_views(weights)
            (self.flat_gradient,) = gradient_buffers.values()

    def stage(self) -> list[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Copy the current values in; returns the copies."""
        for copy, array in self.weight_pairs:
            copy[...] = array
        for copy, kept in self.state_pairs:
            copy[...] = kept
        return self.copies

    def all_finite(self) -> bool:
        return all(map(_all_finite, self.buffers.values()))

    def commit(self) -> None:
        """Copy the new values back into the variables' arrays and into the kept state."""
        for copy, array in self.weight_pairs:
            array[...] = copy
        for copy, kept in self.state_pairs:
            kept[...] = copy


class Optimizer:
    """Base class: keeps the learning rate, the step count and each weight's state.

    A subclass writes `_new_state(array)`, the arrays it keeps for a variable (e.g. zeros of
    its shape), and `update_step(gradient, variable, learning_rate, state)`, which moves
    `variable` (a numpy array) and the arrays in `state` in place with numpy arithmetic. That
    method is the one place where a variable changes: it runs on copies (buffers reused from
    step to step), which the optimizer checks before writing them back. A rule that treats
    every number on its own sets `elementwise = True`: it is then called once per step, on
    all the variables laid end to end (1-D arrays), rather than once per variable.

    Args:
        learning_rate: the step size: a number >= 0, a `schedules.LearningRateSchedule`, or a
            function of no arguments returning a number (read at every step).
        weight_decay: if set, a number >= 0: before each update every variable shrinks by
            `learning_rate * weight_decay` times itself (decoupled weight decay).
        clipnorm: if set, each gradient is rescaled so that its L2 norm is at most this.
        clipvalue: if set, each gradient element is clipped to [-clipvalue, clipvalue].
        global_clipnorm: if set, all gradients are rescaled together so that the norm of
            their concatenation is at most this. At most one of the three clips may be set.
        name: a name; by default the class's in snake case, made unique ('adam', 'adam_1').

    Attributes:
        iterations: the number of updates applied so far (Keras's `optimizer.iterations`).
    """

    def __init__(self, learning_rate: Any, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None,
                 name: str | None = None) -> None:
        owner = type(self).__name__
        self.weight_decay = (None if weight_decay is None else
                             _check_real(owner, "weight_decay", weight_decay, 0.0, math.inf,
                                         high_open=True))
        self.clipnorm = _check_optional_positive(owner, "clipnorm", clipnorm)
        self.clipvalue = _check_optional_positive(owner, "clipvalue", clipvalue)
        self.global_clipnorm = _check_optional_positive(owner, "global_clipnorm",
                                                        global_clipnorm)
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        # Keras's other arguments, accepted at their defaults so that Keras's configs load.
        unsupported = {"use_ema": (use_ema, False), "ema_overwrite_frequency":
                       (ema_overwrite_frequency, None), "loss_scale_factor":
                       (loss_scale_factor, None), "gradient_accumulation_steps":
                       (gradient_accumulation_steps, None)}
        for argname, (given, default) in unsupported.items():
            if given != default:
                raise ValueError(
                    f"{owner}: argument `{argname}` is not supported here; it must be "
                    f"{default!r}, received {argname}={given!r}"
                )
        self.ema_momentum = _check_real(owner, "ema_momentum", ema_momentum, 0.0, 1.0)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{owner}: argument `name` must be a string, received {name!r}")
        self.learning_rate = learning_rate  # checked by the setter
        self.name = name or unique_name(_snake_case(owner))  # 'adam', 'adam_1', ... as Keras
        self.iterations = 0
        # id(variable) -> its _Entry (the variable and its state). The variable is kept so
        # that its id cannot be reused by another Tensor while it lives.
        self._state: dict[int, _Entry] = {}
        # The last update's staging, with its variables' entries: made again when the
        # variables change, or when `build` or `set_state_of` replace entries.
        self._staging: _Staging | None = None
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Copies and pickles leave the staging out (its views would come apart from its
        buffers): the next update makes it again."""
        return {**self.__dict__, "_staging": None}

    # ---- the learning rate -------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule is evaluated at `iterations`)."""
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        owner = type(self).__name__
        if isinstance(value, LearningRateSchedule) or (callable(value)
                                                       and not isinstance(value, numbers.Real)):
            self._learning_rate = value
            return
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"{owner}: argument `learning_rate` must be a number >= 0, a "
                f"LearningRateSchedule, or a function returning a number, received "
                f"learning_rate={value!r}"
            )
        self._learning_rate = _check_real(owner, "learning_rate", value, 0.0, math.inf,
                                          high_open=True)

    def _current_learning_rate(self) -> float:
        raw = self._learning_rate
        if isinstance(raw, LearningRateSchedule):
            value, source = raw(self.iterations), f"the schedule {type(raw).__name__}"
        elif callable(raw):
            value, source = raw(), "the learning_rate function"
        else:
            return raw
        if isinstance(value, Tensor):
            value = value.data
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value) or value < 0:
            raise ValueError(
                f"{type(self).__name__}: {source} gave learning_rate={value!r} at step "
                f"{self.iterations}; expected a finite number >= 0"
            )
        return float(value)

    # ---- the two ways in ---------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> None:
        """Apply one update: each variable moves along its gradient.

        Args:
            grads_and_vars: pairs `(gradient, variable)`, as in Keras; the gradient is a
                Tensor or an array of the variable's shape, or None (the variable is skipped,
                with a warning; if every gradient is None, ValueError).

        Every pair is checked before any variable changes.
        """
        owner = f"{type(self).__name__}.apply_gradients"
        pairs, missing = [], []
        for i, pair in enumerate(grads_and_vars):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(
                    f"{owner}: each item must be a pair (gradient, variable), item {i} is "
                    f"{pair!r:.80}"
                )
            gradient, variable = pair
            if gradient is None:
                self._check_variable(i, variable)
                missing.append(variable.name or f"variable {i}")
            else:
                pairs.append((self._check_gradient(i, gradient, variable), variable))
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss.",
                stacklevel=2,
            )
        self._apply(pairs)

    def step(self, params: Iterable[Tensor]) -> None:
        """Apply one update using each parameter's `.grad` (parameters without one are
        skipped), as PyTorch's `optimizer.step()`; nothing happens if none has a grad."""
        pairs = []
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}.step: params[{i}] must be a Tensor, "
                    f"received {type(p).__name__}"
                )
            if p.grad is not None:
                pairs.append((self._check_gradient(i, p.grad, p), p))
        if pairs:
            self._apply(pairs)

    def _check_variable(self, i: int, variable: Any) -> None:
        if not isinstance(variable, Tensor):
            raise TypeError(
                f"{type(self).__name__}: variable {i} must be a Tensor, received "
                f"{type(variable).__name__}"
            )
        if variable.dtype.kind != "f":
            raise TypeError(
                f"{type(self).__name__}: variable {i} must be a float Tensor, received dtype "
                f"{variable.dtype}"
            )

    def _check_gradient(self, i: int, gradient: Any, variable: Any) -> np.ndarray:
        self._check_variable(i, variable)
        try:
            array = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"{type(self).__name__}: the gradient of variable {i} must be an array of "
                f"numbers ({e})"
            ) from None
        if array.dtype.kind not in "fiub":
            raise TypeError(
                f"{type(self).__name__}: the gradient of variable {i} "
                f"({variable.name or 'unnamed'}) must hold numbers, received dtype {array.dtype}"
            )
        if array.shape != variable.shape:
            raise ValueError(
                f"{type(self).__name__}: variable {i} ({variable.name or 'unnamed'}) has shape "
                f"{variable.shape}, its gradient has shape {array.shape}"
            )
        return array.astype(variable.dtype, copy=False)

    # ---- one update ----------------------------------------------------------------------------
    def _apply(self, pairs: list[tuple[np.ndarray, Tensor]]) -> None:
        """One update, as one in-place operation (so that ta.jit records and replays it)."""
        variables = tuple(variable for _, variable in pairs)
        with no_grad():
            ApplyGradients.apply(*variables, *(Tensor._wrap(g) for g, _ in pairs),
                                 optimizer=self, variables=variables)

    def _update(self, gradients: list[np.ndarray], variables: list[Tensor]) -> None:
        """The update itself, in numpy (`ApplyGradients` runs it)."""
        learning_rate = self._current_learning_rate()
        gradients = self._clip_gradients(gradients)
        staging = self._staging
        if staging is None or staging.key != _staging_key(variables):
            entries = [self._entry(v) for v in variables]
            unkept = [e for e in entries if id(e.variable) not in self._state]
            staging = self._staging = _Staging(entries, unkept, self.elementwise)
        copies = staging.stage()
        decay = self.weight_decay
        with np.errstate(all="ignore"):  # overflow is looked for below, and refused clearly
            self._shared = shared = self._next_shared_state()
            if decay:
                for variable, (new, _) in zip(variables, copies, strict=True):
                    if self._use_weight_decay(variable):
                        new -= new * (decay * learning_rate)
            if staging.elementwise:  # one call for all the variables, laid end to end
                for view, gradient in zip(staging.gradient_views, gradients, strict=True):
                    view[...] = gradient
                self.update_step(staging.flat_gradient, staging.flat_weights, learning_rate,
                                 staging.flat_state)
            else:
                for gradient, (new, state) in zip(gradients, copies, strict=True):
                    self.update_step(gradient, new, learning_rate, state)
        self._shared = None
        if not staging.all_finite():
            raise self._refusal(variables, copies, learning_rate)
        staging.commit()
        if staging.unkept:  # a variable's first update creates its state
            for entry in staging.unkept:
                self._state.setdefault(id(entry.variable), entry)
            staging.unkept = []
        self._commit_shared_state(shared)
        self.iterations += 1

    def _entry(self, variable: Tensor) -> _Entry:
        """The variable's entry, or a new one (with `_new_state`) if it was never updated."""
        entry = self._state.get(id(variable))
        if entry is None or entry.variable is not variable:
            entry = _Entry(variable, self._new_state(variable.data))
        return entry

    def _refusal(self, variables: list[Tensor], copies: list, learning_rate: float
                 ) -> FloatingPointError:
        """The error that refuses an update: which variable (or state) became NaN or inf."""
        for i, (variable, (new, state)) in enumerate(zip(variables, copies, strict=True)):
            bad = [k for k, a in state.items() if not _all_finite(a)]
            if not bad and _all_finite(new):
                continue
            what = "it" if not _all_finite(new) else f"its state {bad}"
            return FloatingPointError(
                f"{type(self).__name__}: the update would make {what} NaN or inf for "
                f"variable {i} ({variable.name or 'unnamed'}) at learning_rate="
                f"{learning_rate:g}; it was refused: the weights and the optimizer's "
                "state are unchanged"
            )
        raise AssertionError("_refusal called on a finite update")

    def _clip_gradients(self, gradients: list[np.ndarray]) -> list[np.ndarray]:
        """Keras's three clips: each gradient's norm, all gradients' norm, or each element."""
        if self.clipnorm is not None:
            return [g * (self.clipnorm / max(float(np.sqrt(np.sum(np.square(g)))), self.clipnorm))
                    for g in gradients]
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                                 for g in gradients))
            scale = self.global_clipnorm / max(norm, self.global_clipnorm)
            return [g * g.dtype.type(scale) for g in gradients]
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in gradients]
        return gradients

    def exclude_from_weight_decay(self, var_list: Iterable[Tensor] | None = None,
                                  var_names: Iterable[str] | None = None) -> None:
        """Variables (or variables whose name contains one of `var_names`) that weight decay
        leaves alone, e.g. biases and normalization scales."""
        self._exclude_ids = {id(v) for v in (var_list or [])}
        names = list(var_names or [])
        self._exclude_pattern = re.compile("|".join(map(re.escape, names))) if names else None

    def _use_weight_decay(self, variable: Tensor) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern is not None and variable.name
                    and self._exclude_pattern.search(variable.name))

    #: Whether `update_step` treats every number on its own (no norms, no shapes): then
    #: one call updates all the variables of a step at once, laid end to end in 1-D
    #: arrays (see `_Staging`), instead of one call per variable.
    elementwise = False

    # ---- state -------------------------------------------------------------------------------
    #: The state's names grouped as Keras creates its optimizer variables: each group is
    #: made in one call that goes variable by variable (Adam: momentum and velocity of the
    #: first weight, then of the second, ...), and the groups follow each other (RMSprop:
    #: every velocity, then every momentum). None where Keras's layout differs in kind.
    #: Names absent from `_new_state` (options turned off) are skipped.
    slot_groups: tuple[tuple[str, ...], ...] | None = ()

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        """The arrays kept for a variable, at their initial values (e.g. zeros)."""
        return {}

    def state_of(self, variable: Tensor) -> dict[str, np.ndarray]:
        """The state kept for `variable` (its initial values if it was never updated): a
        dict of arrays named as Keras names them ('momentum', 'velocity', ...). They are
        the optimizer's own arrays, which later updates change in place: copy them to keep
        them."""
        self._check_variable(0, variable)
        return dict(self._entry(variable).state)

    def set_state_of(self, variable: Tensor, state: dict[str, Any]) -> None:
        """Replace the state kept for `variable` (e.g. loaded from a file): the names that
        `state_of` gives, arrays of the variable's shape; checked before anything changes."""
        self._check_variable(0, variable)
        expected = self._new_state(variable.data)
        if not isinstance(state, dict) or set(state) != set(expected):
            received = sorted(state) if isinstance(state, dict) else state
            raise ValueError(f"{type(self).__name__}.set_state_of: expected the state "
                             f"{sorted(expected)}, received {received!r:.80}")
        arrays = {}
        for k, like in expected.items():
            value = state[k]
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            if array.shape != like.shape or array.dtype.kind not in "fiu":
                raise ValueError(
                    f"{type(self).__name__}.set_state_of: {k} must be numbers of shape "
                    f"{like.shape}, received shape {array.shape} and dtype {array.dtype}"
                )
            arrays[k] = array.astype(like.dtype)  # a copy: the optimizer owns its state
        self._state[id(variable)] = _Entry(variable, arrays)
        self._staging = None  # it may hold the entry just replaced

    def _next_shared_state(self) -> Any:
        """State shared by all variables, advanced for this step (Nadam's running product);
        `update_step` finds it in `self._shared`."""
        return None

    def _commit_shared_state(self, shared: Any) -> None:
        pass

    def build(self, var_list: Iterable[Tensor]) -> None:
        """Create the state of each variable now rather than at its first update."""
        variables = list(var_list)
        for i, v in enumerate(variables):
            self._check_variable(i, v)
        for v in variables:
            self._state[id(v)] = self._entry(v)
        self._staging = None  # it may hold entries not yet kept (of a refused first update)

    @property
    def variables(self) -> list[Tensor]:
        """The optimizer's state as Tensors, in Keras's order and with Keras's names: the
        step count ('iteration'), the learning rate when it is a number, then the state
        arrays ('dense_kernel_momentum', ...) grouped as `slot_groups` says, the variables in
        the order they were first updated. The state's Tensors share the optimizer's arrays,
        which later updates change in place (as Keras's variables)."""
        out = [Tensor(np.array(self.iterations, dtype=np.int64), name="iteration")]
        if isinstance(self._learning_rate, numbers.Real):
            out.append(Tensor(np.array(self._learning_rate, dtype=np.float32),
                              name="learning_rate"))
        entries = list(self._state.values())
        names = [e.variable.name or f"variable_{i}" for i, e in enumerate(entries)]
        groups = self.slot_groups
        if groups is None:  # one variable's state after the other
            groups = (tuple(entries[0].state) if entries else (),)
        for group in groups:
            for entry, name in zip(entries, names, strict=True):
                out.extend(Tensor(entry.state[k], name=f"{name}_{k}") for k in group
                           if k in entry.state)
        return out

    def update_step(self, gradient: np.ndarray, variable: np.ndarray, learning_rate: float,
                    state: dict[str, np.ndarray]) -> None:
        """Move `variable` in place (and the arrays of `state`), given its gradient."""
        raise NotImplementedError(f"{type(self).__name__} must define update_step")

    # ---- configs -----------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Keras's keys: name, learning_rate (a schedule as its config), weight_decay, the clips,
        and Keras's EMA and loss-scaling keys at their defaults; then each optimizer's own."""
        raw = self._learning_rate
        if isinstance(raw, LearningRateSchedule):
            learning_rate: Any = schedules.serialize(raw)
        elif callable(raw):
            learning_rate = raw
        else:
            learning_rate = raw
        return {"name": self.name, "learning_rate": learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": False, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": None, "loss_scale_factor": None,
                "gradient_accumulation_steps": None}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, type] | None = None) -> Optimizer:
        """A new optimizer from the output of `get_config()` (a schedule's config becomes the
        schedule), as Keras's `from_config`."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        config = self.get_config()
        defaults = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                    "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                    "ema_overwrite_frequency": None, "loss_scale_factor": None,
                    "gradient_accumulation_steps": None}
        args = ", ".join(f"{k}={v!r}" for k, v in config.items()
                         if k != "name" and not (k in defaults and v == defaults[k]))
        return f"{type(self).__name__}({args})"


# The arguments every optimizer passes on to Optimizer.__init__, as keywords.
_COMMON = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema", "ema_momentum",
           "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps", "name")



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
        optimizer._update(list(arrays[len(variables):]), list(variables))
        return arrays[0]

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
        learning_rate: see `Optimizer`. Defaults to 0.01.
        momentum: a number in [0, 1]; 0 is plain gradient descent. Defaults to 0.0.
        nesterov: whether to use Nesterov momentum. Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        self.momentum = _check_real("SGD", "momentum", momentum, 0.0, 1.0)
        self.nesterov = _check_bool("SGD", "nesterov", nesterov)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("momentum",),)
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"momentum": np.zeros_like(variable)} if self.momentum != 0 else {}

    def update_step(self, gradient, variable, learning_rate, state):
        if self.momentum == 0:
            variable -= learning_rate * gradient
            return
        v = state["momentum"]
        v *= self.momentum
        v -= learning_rate * gradient
        if self.nesterov:
            variable += self.momentum * v - learning_rate * gradient
        else:
            variable += v

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


def _common(optimizer: Optimizer, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `Optimizer.__init__`, refusing any other, as Keras does."""
    unknown = set(kwargs) - set(_COMMON)
    if unknown:
        close = {k: difflib.get_close_matches(k, _COMMON, n=1) for k in sorted(unknown)}
        hints = ", ".join(f"{k}" + (f" (did you mean {v[0]!r}?)" if v else "")
                          for k, v in close.items())
        raise TypeError(f"{type(optimizer).__name__}: unexpected argument(s): {hints}")
    return kwargs


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014): steps scaled by running averages of the gradient (m) and
    of its square (v).

    At step t = 1, 2, ..., with m and v starting at 0, Keras folds the bias correction of
    m and v into the step size:

        alpha = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g^2 - v) * (1 - beta_2)
        v_hat = max(v_hat, v)                              (amsgrad=True; v_hat replaces v)
        w = w - alpha * m / (sqrt(v) + epsilon)

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001.
        beta_1: decay of the average of the gradient, in [0, 1). Defaults to 0.9.
        beta_2: decay of the average of its square, in [0, 1). Defaults to 0.999.
        epsilon: a small number >= 0 that keeps the division finite (Keras's
            "epsilon hat"). Defaults to 1e-7.
        amsgrad: divide by the largest v so far (Reddi et al., 2018). Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        owner = type(self).__name__
        self.beta_1 = _check_real(owner, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = _check_real(owner, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = _check_real(owner, "epsilon", epsilon, 0.0, math.inf, high_open=True)
        self.amsgrad = _check_bool(owner, "amsgrad", amsgrad)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("momentum", "velocity"), ("velocity_hat",))
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        state = {"momentum": np.zeros_like(variable), "velocity": np.zeros_like(variable)}
        if self.amsgrad:
            state["velocity_hat"] = np.zeros_like(variable)
        return state

    def update_step(self, gradient, variable, learning_rate, state):
        t = self.iterations + 1
        alpha = learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        m, v = state["momentum"], state["velocity"]
        m += (gradient - m) * (1 - self.beta_1)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        if self.amsgrad:
            v_hat = state["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        variable -= alpha * m / (np.sqrt(v) + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): before each Adam step,

        w = w - learning_rate * weight_decay * w

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001.
        weight_decay: a number >= 0 (required). Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as `Adam`.
        clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, **kwargs: Any) -> None:
        if weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad,
                         weight_decay=weight_decay, **kwargs)


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
        learning_rate: see `Optimizer`. Defaults to 0.001.
        rho: decay of the average of the squared gradient, in [0, 1). Defaults to 0.9.
        momentum: a number in [0, 1]. Defaults to 0.0.
        epsilon: a small number >= 0. Defaults to 1e-7.
        centered: whether to divide by an estimate of the gradient's variance instead of
            its second moment. Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        self.rho = _check_real("RMSprop", "rho", rho, 0.0, 1.0, high_open=True)
        self.momentum = _check_real("RMSprop", "momentum", momentum, 0.0, 1.0)
        self.epsilon = _check_real("RMSprop", "epsilon", epsilon, 0.0, math.inf, high_open=True)
        self.centered = _check_bool("RMSprop", "centered", centered)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("velocity",), ("momentum",), ("average_gradient",))
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        state = {"velocity": np.zeros_like(variable)}
        if self.momentum > 0:
            state["momentum"] = np.zeros_like(variable)
        if self.centered:
            state["average_gradient"] = np.zeros_like(variable)
        return state

    def update_step(self, gradient, variable, learning_rate, state):
        v = state["velocity"]
        v *= self.rho
        v += (1 - self.rho) * np.square(gradient)
        if self.centered:
            mg = state["average_gradient"]
            mg *= self.rho
            mg += (1 - self.rho) * gradient
            denominator = v - np.square(mg) + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = learning_rate * gradient / np.sqrt(denominator)
        if self.momentum > 0:
            velocity = state["momentum"]
            velocity *= self.momentum
            velocity += increment
            variable -= velocity
        else:
            variable -= increment

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): each coordinate's step shrinks with the sum of all its
    squared gradients so far (an accumulator starting at `initial_accumulator_value`):

        a = a + g^2
        w = w - learning_rate * g / sqrt(a + epsilon)

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001.
        initial_accumulator_value: the accumulator's start, >= 0. Defaults to 0.1.
        epsilon: a small number >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        self.initial_accumulator_value = _check_real(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, 0.0, math.inf,
            high_open=True)
        self.epsilon = _check_real("Adagrad", "epsilon", epsilon, 0.0, math.inf, high_open=True)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("accumulator",),)
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"accumulator": np.full_like(variable, self.initial_accumulator_value)}

    def update_step(self, gradient, variable, learning_rate, state):
        a = state["accumulator"]
        a += np.square(gradient)
        variable -= learning_rate * gradient / np.sqrt(a + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): steps scaled by the ratio of two running root mean squares,
    of past steps and of gradients, so the units of the step are the weight's:

        Eg = rho * Eg + (1 - rho) * g^2
        delta = -sqrt(Edx + epsilon) / sqrt(Eg + epsilon) * g
        Edx = rho * Edx + (1 - rho) * delta^2
        w = w + learning_rate * delta

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001 (Keras's; the paper uses 1.0).
        rho: the decay of both averages, in [0, 1). Defaults to 0.95.
        epsilon: a small number >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        self.rho = _check_real("Adadelta", "rho", rho, 0.0, 1.0, high_open=True)
        self.epsilon = _check_real("Adadelta", "epsilon", epsilon, 0.0, math.inf,
                                   high_open=True)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("accumulated_grad", "accumulated_delta_var"),)
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"accumulated_grad": np.zeros_like(variable),
                "accumulated_delta_var": np.zeros_like(variable)}

    def update_step(self, gradient, variable, learning_rate, state):
        eg, edx = state["accumulated_grad"], state["accumulated_delta_var"]
        eg *= self.rho
        eg += (1 - self.rho) * np.square(gradient)
        delta = -np.sqrt(edx + self.epsilon) * gradient / np.sqrt(eg + self.epsilon)
        edx *= self.rho
        edx += (1 - self.rho) * np.square(delta)
        variable += learning_rate * delta

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2014, section 7): Adam with the infinity norm in place of the
    root mean square:

        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        w = w - learning_rate * m / ((1 - beta_1^t) * (u + epsilon))

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001.
        beta_1, beta_2: in [0, 1). Defaults to 0.9 and 0.999.
        epsilon: a small number >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        self.beta_1 = _check_real("Adamax", "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = _check_real("Adamax", "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = _check_real("Adamax", "epsilon", epsilon, 0.0, math.inf, high_open=True)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("momentum", "norm"),)
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"momentum": np.zeros_like(variable), "norm": np.zeros_like(variable)}

    def update_step(self, gradient, variable, learning_rate, state):
        t = self.iterations + 1
        m, u = state["momentum"], state["norm"]
        m += (gradient - m) * (1 - self.beta_1)
        np.maximum(self.beta_2 * u, np.abs(gradient), out=u)
        variable -= learning_rate * m / ((1 - self.beta_1**t) * (u + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Nadam (Dozat, 2016): Adam with Nesterov momentum, and a momentum schedule
    mu_t = beta_1 * (1 - 0.5 * 0.96^t) whose running product P_t = mu_1 ... mu_t enters the
    bias correction:

        m = m + (g - m) * (1 - beta_1);   v = v + (g^2 - v) * (1 - beta_2)
        m_hat = mu_{t+1} m / (1 - P_t mu_{t+1}) + (1 - mu_t) g / (1 - P_t)
        w = w - learning_rate * m_hat / (sqrt(v / (1 - beta_2^t)) + epsilon)

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001.
        beta_1, beta_2: in [0, 1). Defaults to 0.9 and 0.999.
        epsilon: a small number >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        self.beta_1 = _check_real("Nadam", "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = _check_real("Nadam", "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = _check_real("Nadam", "epsilon", epsilon, 0.0, math.inf, high_open=True)
        super().__init__(learning_rate, **_common(self, kwargs))
        self._u_product = 1.0

    def _mu(self, t: int) -> float:
        return self.beta_1 * (1.0 - 0.5 * 0.96**t)

    def _next_shared_state(self) -> float:
        return self._u_product * self._mu(self.iterations + 1)

    def _commit_shared_state(self, shared: float) -> None:
        self._u_product = shared

    slot_groups = (("momentum", "velocity"),)
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"momentum": np.zeros_like(variable), "velocity": np.zeros_like(variable)}

    def update_step(self, gradient, variable, learning_rate, state):
        t = self.iterations + 1
        u_t, u_t_1 = self._mu(t), self._mu(t + 1)
        u_product_t = self._shared
        u_product_t_1 = u_product_t * u_t_1
        m, v = state["momentum"], state["velocity"]
        m += (gradient - m) * (1 - self.beta_1)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * gradient / (1 - u_product_t)
        v_hat = v / (1 - self.beta_2**t)
        variable -= m_hat * learning_rate / (np.sqrt(v_hat) + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Lion(Optimizer):
    """Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"): a step of
    the same size in every coordinate, in the direction of the sign of an interpolated
    momentum:

        w = w - learning_rate * sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001 (use 3 to 10 times less than Adam's).
        beta_1: in (0, 1]. Defaults to 0.9.
        beta_2: in [0, 1]. Defaults to 0.99.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 **kwargs: Any) -> None:
        self.beta_1 = _check_real("Lion", "beta_1", beta_1, 0.0, 1.0, low_open=True)
        self.beta_2 = _check_real("Lion", "beta_2", beta_2, 0.0, 1.0)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("momentum",),)
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"momentum": np.zeros_like(variable)}

    def update_step(self, gradient, variable, learning_rate, state):
        m = state["momentum"]
        variable -= learning_rate * np.sign(m * self.beta_1 + gradient * (1.0 - self.beta_1))
        m *= self.beta_2
        m += gradient * (1.0 - self.beta_2)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


class Lamb(Optimizer):
    """LAMB (You et al., 2019): Adam's step, rescaled per variable by the trust ratio
    ||w|| / ||step|| (1 when either norm is 0), for large batches:

        m, v as Adam;  step = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon)
        w = w - learning_rate * ||w|| / ||step|| * step

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001.
        beta_1, beta_2: in [0, 1). Defaults to 0.9 and 0.999.
        epsilon: a small number >= 0. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        self.beta_1 = _check_real("Lamb", "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = _check_real("Lamb", "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = _check_real("Lamb", "epsilon", epsilon, 0.0, math.inf, high_open=True)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("momentum", "velocity"),)

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"momentum": np.zeros_like(variable), "velocity": np.zeros_like(variable)}

    def update_step(self, gradient, variable, learning_rate, state):
        t = self.iterations + 1
        m, v = state["momentum"], state["velocity"]
        m += (gradient - m) * (1 - self.beta_1)
        v += (np.square(gradient) - v) * (1 - self.beta_2)
        update = (m / (1.0 - self.beta_1**t)) / (np.sqrt(v / (1.0 - self.beta_2**t))
                                                 + self.epsilon)
        w_norm = float(np.sqrt(np.sum(np.square(variable))))
        g_norm = float(np.sqrt(np.sum(np.square(update))))
        ratio = w_norm / g_norm if w_norm > 0 and g_norm > 0 else 1.0
        variable -= ratio * learning_rate * update

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), with L1/L2 regularization in closed form, for
    wide sparse linear models. With n the accumulated squared gradients (starting at
    `initial_accumulator_value`), z the "linear" term (starting at 0), p = -learning_rate_power:

        g' = g + 2 * l2_shrinkage * w
        n' = n + g^2
        z = z + g' - (n'^p - n^p) / learning_rate * w
        w = (clip(z, -l1, l1) - z) / (n'^p / learning_rate + 2 * (l2 + beta / (2 lr)))
        n = n'

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001.
        learning_rate_power: <= 0. Defaults to -0.5.
        initial_accumulator_value: >= 0. Defaults to 0.1.
        l1_regularization_strength, l2_regularization_strength,
        l2_shrinkage_regularization_strength: >= 0. Default to 0.
        beta: >= 0. Defaults to 0.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
                 **kwargs: Any) -> None:
        inf = math.inf
        self.learning_rate_power = _check_real("Ftrl", "learning_rate_power",
                                               learning_rate_power, -inf, 0.0, low_open=True)
        self.initial_accumulator_value = _check_real(
            "Ftrl", "initial_accumulator_value", initial_accumulator_value, 0.0, inf,
            high_open=True)
        self.l1_regularization_strength = _check_real(
            "Ftrl", "l1_regularization_strength", l1_regularization_strength, 0.0, inf,
            high_open=True)
        self.l2_regularization_strength = _check_real(
            "Ftrl", "l2_regularization_strength", l2_regularization_strength, 0.0, inf,
            high_open=True)
        self.l2_shrinkage_regularization_strength = _check_real(
            "Ftrl", "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
            0.0, inf, high_open=True)
        self.beta = _check_real("Ftrl", "beta", beta, 0.0, inf, high_open=True)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = (("accumulator", "linear"),)
    elementwise = True

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"accumulator": np.full_like(variable, self.initial_accumulator_value),
                "linear": np.zeros_like(variable)}

    def update_step(self, gradient, variable, learning_rate, state):
        n, z = state["accumulator"], state["linear"]
        p = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        shrunk_gradient = gradient + 2 * self.l2_shrinkage_regularization_strength * variable
        new_n = n + np.square(gradient)
        z += shrunk_gradient - (new_n**p - n**p) / learning_rate * variable
        quadratic = new_n**p / learning_rate + 2 * l2
        variable[...] = (np.clip(z, -l1, l1) - z) / quadratic
        n[...] = new_n

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018): Adam-like steps with a factored second moment: for a
    matrix, a running mean of g^2 per row (r) and per column (c) stands in for the full v,
    v = r c / mean(r), so the state is O(rows + columns). With t the step:

        rho_t = min(learning_rate, 1 / sqrt(t));  alpha = max(epsilon_2, rms(w)) * rho_t
        beta_2_t = 1 - t^beta_2_decay;  G = g^2 + epsilon_1
        r, c (or v, for vectors) = beta_2_t * old + (1 - beta_2_t) * means of G
        u = g / sqrt(v);   u = u / max(1, rms(u) / clip_threshold)
        w = w - alpha * u

    Args:
        learning_rate: see `Optimizer`. Defaults to 0.001.
        beta_2_decay: the exponent of the decay, < 0. Defaults to -0.8.
        epsilon_1, epsilon_2: small numbers >= 0. Default to 1e-30 and 1e-3.
        clip_threshold: > 0. Defaults to 1.0.
        relative_step: cap a numeric learning rate at 1 / sqrt(t). Defaults to True.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_2_decay: float = -0.8,
                 epsilon_1: float = 1e-30, epsilon_2: float = 1e-3, clip_threshold: float = 1.0,
                 relative_step: bool = True, **kwargs: Any) -> None:
        inf = math.inf
        self.beta_2_decay = _check_real("Adafactor", "beta_2_decay", beta_2_decay, -inf, 0.0,
                                        low_open=True, high_open=True)
        self.epsilon_1 = _check_real("Adafactor", "epsilon_1", epsilon_1, 0.0, inf,
                                     high_open=True)
        self.epsilon_2 = _check_real("Adafactor", "epsilon_2", epsilon_2, 0.0, inf,
                                     high_open=True)
        self.clip_threshold = _check_real("Adafactor", "clip_threshold", clip_threshold, 0.0,
                                          inf, low_open=True, high_open=True)
        self.relative_step = _check_bool("Adafactor", "relative_step", relative_step)
        super().__init__(learning_rate, **_common(self, kwargs))

    slot_groups = None  # Keras keeps r, c (scalars for a vector) and v per variable

    def _new_state(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        state = {"velocity": np.zeros_like(variable)}
        if variable.ndim >= 2:
            state["row"] = np.zeros(variable.shape[:-1], variable.dtype)
            state["column"] = np.zeros(variable.shape[:-2] + variable.shape[-1:], variable.dtype)
        return state

    def update_step(self, gradient, variable, learning_rate, state):
        def rms(x):
            return np.sqrt(np.mean(np.square(x)))

        t = self.iterations + 1
        if self.relative_step and isinstance(self._learning_rate, numbers.Real):
            learning_rate = min(learning_rate, 1 / math.sqrt(t))
        rho_t = min(learning_rate, 1 / math.sqrt(t))
        alpha = max(self.epsilon_2, float(rms(variable))) * rho_t
        regulated = np.square(gradient) + self.epsilon_1
        beta_2_t = 1 - t**self.beta_2_decay
        v = state["velocity"]
        if variable.ndim >= 2:
            r, c = state["row"], state["column"]
            r[...] = beta_2_t * r + (1 - beta_2_t) * regulated.mean(axis=-1)
            c[...] = beta_2_t * c + (1 - beta_2_t) * regulated.mean(axis=-2)
            v[...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
        else:
            v[...] = beta_2_t * v + (1 - beta_2_t) * regulated
        u = gradient / np.sqrt(v)
        u = u / max(1.0, float(rms(u)) / self.clip_threshold)
        variable -= alpha * u

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}


# ---------------------------------------------------------------------------
# Looking optimizers up.
# ---------------------------------------------------------------------------

_CLASSES = (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion, Lamb, Ftrl,
            Adafactor)
_BY_NAME: dict[str, type[Optimizer]] = {cls.__name__.lower(): cls for cls in _CLASSES}


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """An optimizer as Keras's config dict: module, class_name, config."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize: expected an Optimizer, received {optimizer!r:.80}")
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any],
                custom_objects: dict[str, type] | None = None) -> Optimizer:
    """The inverse of `serialize`: a new optimizer from `{"class_name": ..., "config": ...}`."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"deserialize: expected a dict with 'class_name' and 'config', "
                         f"received {config!r:.80}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(str(name).lower())
    if cls is None:
        raise ValueError(f"deserialize: unknown optimizer {name!r}; known: "
                         f"{', '.join(c.__name__ for c in _CLASSES)}")
    return cls.from_config(dict(config.get("config") or {}), custom_objects)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name, a config dict, or an instance, as Keras's `optimizers.get`.

    None gives None; a name ('sgd', 'adam', 'adamw', ...; any case) gives a new optimizer
    with the default arguments; a config dict (`serialize`'s, or `{"class_name": "Adam",
    "config": {...}}`) a new one with those arguments; an `Optimizer` is returned as is.
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    close = (difflib.get_close_matches(identifier.lower(), list(_BY_NAME), n=2)
             if isinstance(identifier, str) else [])
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}.{hint} Expected one of "
        f"{sorted(_BY_NAME)}, a config dict, or an Optimizer instance"
    )

