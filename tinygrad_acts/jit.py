"""`ta.jit`: record a step once, then replay its kernels. How tracing JITs work.

Eager mode pays, for every operation, for a Tensor, a context and a graph node in Python.
At toy sizes that bookkeeping is most of the time: the arithmetic itself (numpy's) is a
few microseconds. Frameworks close the gap by *compiling* a step (tinygrad's `TinyJit`,
`torch.compile`, `jax.jit`, Keras's `jit_compile=True`), and the simplest way to compile is
to *trace*:

1. **Record.** Run the function eagerly and write down every kernel it runs. Here a kernel
   is one `Function.forward`: numpy in, numpy out. Everything runs through
   `Function.apply` (the forward pass, the backward rules inside `ta.grad`, the
   optimizer's update), so one line there reports each application to the recorder
   (`state.recorder`). For each array a kernel reads, the recorder notes where it came
   from:

   - an **argument** of the function (`x`, `y`);
   - an earlier kernel's **output** (or an array that kernel saved for its backward rule);
   - a **state** tensor that outlives the call (a weight, the learning rate): read afresh
     at every replay, since updates change it in place;
   - a **constant** made during the call (the 2 of `x ** 2`, the gradient of ones that a
     backward pass starts from): the same at every call.

2. **Replay.** Later calls run only the recorded kernels, in the same order: no Tensor, no
   context, no graph, no topological sort. They run as a Python function written for the
   recording, one line per kernel (`step.code` shows it), after two classic compiler
   passes: constant folding and dead code elimination. The arithmetic is the same numpy
   calls on the same values, so the results are eager mode's, bit for bit. An update is
   a kernel too, one that writes in place (`Tensor.assign`, `assign_add`, `assign_sub`,
   an optimizer's `apply_gradients`), so a replayed training step moves the weights as
   the eager one does.

3. **Cache by signature.** A recording holds for one set of argument shapes and dtypes
   (and values of number arguments). Another shape makes another recording; each is kept.

What a recording cannot see, every tracing JIT shares:

- **Python control flow on values.** `if loss > 1:` is decided once, while recording, and
  a replay takes the same branch forever. The recorder warns when a value is read into
  Python (`.item()`, `float()`, `bool()`, `.numpy()`, printing) while it records.
- **numpy on `.data`**, and **random numbers drawn in Python**: their results look like
  constants. A kernel that draws its own random numbers (Dropout's mask) is fine: a
  replay draws anew.
- **Python numbers that change** between calls (a counter kept in Python), unless a
  kernel reads them when it runs (an optimizer's update reads its step count and
  learning rate then).
- **Python side effects** (appending to a list, printing): they happen while recording
  only; a replay runs kernels, not the function.

Part of this can be checked, so it is: a signature is recorded *twice* (the first two calls
run eagerly) and the two recordings must agree, kernel for kernel. A different sequence of
kernels means Python took another branch. A value made outside the kernels at each call
can only be trusted if it is a number (scalar) equal in both: an array made anew at each
call (a mask computed with numpy from the data) is refused, even when the two calls
happen to give the same one. A weight changed in place outside the kernels is refused
too. Each raises `TracingError` naming the kernel (or, with `fallback=True`, warns and
runs that signature eagerly), instead of replaying something wrong. The third call
replays.

    step = ta.jit(train_step)      # train_step(x, y): a loss, ta.grad, an update
    step(x, y); step(x, y)         # recorded (eagerly), twice, and checked
    step(x, y)                     # replayed
    print(step)                    # the recorded kernels, with their shapes
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .function import short_repr
from .grad_mode import state
from .tensor import Tensor

__all__ = ["TracingError", "TracingWarning", "jit"]

# Arguments that are fixed per recording (part of the signature) rather than traced.
_STATIC = (bool, int, float, str, type(None), np.generic)


class TracingError(RuntimeError):
    """The step cannot be replayed faithfully: the recordings disagree, or the function
    does something a recording cannot repeat."""


class TracingWarning(UserWarning):
    """A value was read into Python while a step was recorded: it is frozen there."""


# ---- recording ---------------------------------------------------------------------------


class _Kernel:
    """One recorded `Function.forward`: which arrays it reads (slots), which it writes."""

    __slots__ = ("op", "params", "needs_input_grad", "inputs", "output", "saved", "shape",
                 "dtype", "array_params", "returns_array")

    def shown_params(self) -> list[str]:
        """`param=value` for the parameters worth printing (not arrays, not tensors)."""
        return [f"{name}={short_repr(value)}" for name, value in self.params.items()
                if name not in self.array_params and not _holds_tensors(value)]

    def label(self) -> str:
        """`name(param=value, ...)`: `pow(exponent=2)`."""
        params = ", ".join(self.shown_params())
        return f"{self.op.op_name()}({params})" if params else self.op.op_name()


def _holds_tensors(value: Any) -> bool:
    if isinstance(value, (tuple, list)):
        return any(_holds_tensors(v) for v in value)
    return isinstance(value, (Tensor, np.ndarray))


class _Recorder:
    """Collects the kernels while the function runs eagerly (it is `state.recorder`).

    Every array gets a slot number the first time it is seen; `origin[slot]` says where it
    came from: ("arg", name), ("kernel", k), ("saved", k) or ("leaf", tensor). `arrays`
    keeps every array alive while recording, so that `id(array)` is unique."""

    def __init__(self) -> None:
        self.slot_of: dict[int, int] = {}
        self.arrays: list[np.ndarray] = []
        self.origin: list[tuple] = []
        self.specs: list[tuple] = []  # (shape, dtype) of each slot
        self.kernels: list[_Kernel] = []
        self.arg_slots: list[int] = []  # the slot of each traced argument, in order
        self.first_values: dict[int, np.ndarray] = {}
        self.watched: list[tuple] = []  # (tensor, its array, a copy), for jit(watch=...)
        self.result: Any = None  # what the function returned, as slots

    def new_slot(self, array: np.ndarray, origin: tuple) -> int:
        self.slot_of[id(array)] = len(self.arrays)
        self.arrays.append(array)
        self.origin.append(origin)
        self.specs.append((array.shape, array.dtype))
        return len(self.arrays) - 1

    def slot(self, tensor: Tensor) -> int:
        """Where `tensor`'s array came from; an array not seen yet is a leaf (state or
        constant: the second recording tells which). A copy of a leaf's values is kept, to
        tell at the end whether numpy code changed it behind the recorder's back."""
        slot = self.slot_of.get(id(tensor.data))
        if slot is None:
            slot = self.new_slot(tensor.data, ("leaf", tensor))
            self.first_values[slot] = tensor.data.copy()
        return slot

    def check(self, result: Any) -> None:
        """After the call: what it returned, as slots, and whether a leaf changed in place
        by anything but a recorded kernel (`p.data -= ...`): the replay would not repeat
        that change."""
        self.result = self.source(result)
        written = {slot for k in self.kernels if getattr(k.op, "in_place", False)
                   for slot in k.inputs}
        written_arrays = {id(self.arrays[slot]) for slot in written}
        first_values, self.first_values = self.first_values, {}
        changed = [self.origin[slot][1] for slot, before in first_values.items()
                   if slot not in written and not _same(before, self.arrays[slot])]
        changed += [t for t, array, before in self.watched if id(array) not in written_arrays
                    and (t.data is not array or not _same(before, array))]
        self.watched = []
        if changed:
            t = changed[0]
            raise TracingError(
                f"ta.jit: {t.name or 'a tensor'} (shape {t.shape}) was changed by code "
                "outside the recorded kernels (numpy on .data?): a replay would not repeat "
                "that change. Write updates with Tensor.assign, assign_add or assign_sub "
                "under ta.no_grad() (the optimizers do).")

    def record(self, ctx: Any, output: Any, array: np.ndarray) -> None:
        """Called by `Function.apply` after each forward: note the kernel."""
        k = _Kernel()
        k.op, k.needs_input_grad = type(ctx), ctx.needs_input_grad
        k.inputs = tuple([self.slot(t) for t in ctx.parents])
        k.params, k.array_params = dict(ctx.params), {}
        for name, value in ctx.params.items():  # e.g. an index array taken from an argument
            if isinstance(value, np.ndarray) and id(value) in self.slot_of:
                k.array_params[name] = self.slot_of[id(value)]
            elif isinstance(value, tuple) and any(
                    isinstance(v, np.ndarray) and id(v) in self.slot_of for v in value):
                k.array_params[name] = tuple(  # the slot of each such array, None elsewhere
                    self.slot_of.get(id(v)) if isinstance(v, np.ndarray) else None
                    for v in value)
        k.shape, k.dtype, k.returns_array = array.shape, array.dtype, output is array
        index = len(self.kernels)
        self.kernels.append(k)
        k.output = self.new_slot(array, ("kernel", index))
        # What forward saved for backward, other than its inputs and output, comes out of the
        # kernel too (a slope saved by an activation): backward's rule reads it.
        k.saved = tuple(
            (position, self.new_slot(value, ("saved", index)))
            for position, value in enumerate(ctx._saved or ())
            if isinstance(value, np.ndarray) and value is not output
            and id(value) not in self.slot_of
        )

    def read_value(self, what: str) -> None:
        warnings.warn(
            f"ta.jit: {what} of a tensor while a step is recorded: the value is read once, "
            "into Python, and frozen into the recording (an `if` on it takes the same "
            "branch at every replay). Return the tensor from the step instead, and read it "
            "outside.", TracingWarning, stacklevel=4)

    def source(self, value: Any) -> Any:
        """A returned value as a slot structure (Tensors and arrays by slot)."""
        if isinstance(value, (Tensor, np.ndarray)):
            t = value if isinstance(value, Tensor) else Tensor._wrap(value)
            return ("tensor" if isinstance(value, Tensor) else "array", self.slot(t))
        if value is None:
            return None
        if isinstance(value, (tuple, list)):
            return (type(value), tuple(self.source(v) for v in value))
        if isinstance(value, dict):
            return (dict, tuple((key, self.source(v)) for key, v in value.items()))
        raise TracingError(
            f"ta.jit: the function returned {type(value).__name__} {value!r:.60}: a Python "
            "value would be frozen into the recording. Return Tensors (e.g. the loss itself, "
            "not loss.item()), arrays, None, or tuples, lists and dicts of them.")


def _same(a: Any, b: Any) -> bool:
    """Equal values, arrays compared element by element (NaN equal to NaN)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _disagreement(first: _Recorder, second: _Recorder) -> str | None:
    """Why two recordings of one signature differ (None when they agree). A leaf that is the
    same tensor (or array) in both is state; other leaves are constants and must be equal."""
    for k, (a, b) in enumerate(zip(first.kernels, second.kernels, strict=False)):
        if (a.op, a.inputs, a.shape, a.dtype) != (b.op, b.inputs, b.shape, b.dtype):
            return (f"the two calls ran different kernels (kernel {k}: {a.label()} then "
                    f"{b.label()}): Python control flow depends on values (an `if` on a "
                    "tensor, .item()), so no single recording is right")
        if a.array_params != b.array_params or not _same(_static_params(a), _static_params(b)):
            return (f"kernel {k} ({a.label()}) had other parameters at the second call: "
                    "they were computed in Python from values (numpy on .data, .item(), a "
                    "counter), and a recording would freeze them")
    if len(first.kernels) != len(second.kernels):
        return (f"the two calls ran {len(first.kernels)} and {len(second.kernels)} kernels: "
                "Python control flow depends on values")
    for slot, (a, b) in enumerate(zip(first.origin, second.origin, strict=True)):
        if a[0] == "leaf" and a[1] is not b[1] and first.arrays[slot] is not second.arrays[slot]:
            if not _same(first.arrays[slot], second.arrays[slot]):
                return _changed_constant(slot, second)
            if second.arrays[slot].size > 1:  # the same twice, but possibly by chance
                return _changed_constant(slot, second, changed=False)
    return None


def _param_slots(k: _Kernel) -> list[int]:
    """The slots of the arrays that the kernel's parameters take from the step."""
    slots: list[int] = []
    for where in k.array_params.values():
        slots += [where] if isinstance(where, int) else [s for s in where if s is not None]
    return slots


def _static_params(k: _Kernel) -> dict:
    """The parameters, without the parts taken from the step's arrays."""
    params = dict(k.params)
    for name, where in k.array_params.items():
        params[name] = None if isinstance(where, int) else tuple(
            v if s is None else None for v, s in zip(params[name], where, strict=True))
    return params


def _param_value(k: _Kernel, name: str, arrays: dict) -> Any:
    """Parameter `name` rebuilt with the step's arrays (`arrays[slot]`)."""
    where = k.array_params[name]
    if isinstance(where, int):
        return arrays[where]
    return tuple(v if s is None else arrays[s] for v, s in zip(k.params[name], where, strict=True))


def _changed_constant(slot: int, recording: _Recorder, changed: bool = True) -> str:
    """Why a value made during the call, outside the kernels, cannot be trusted: it changed
    between the two calls, or it is an array made anew at each call (a number or the
    gradient of ones that backward starts from are fine; a mask computed from the data
    with numpy is not, even when two calls happen to give the same one)."""
    user = next(k for k, kernel in enumerate(recording.kernels) if slot in kernel.inputs)
    tensor = recording.origin[slot][1]
    how = ("changed between the two calls" if changed else
           "was made anew at each call (the same values twice, maybe by chance)")
    text = (f"an input of kernel {user} ({recording.kernels[user].label()}), of shape "
            f"{recording.arrays[slot].shape}, was computed outside the recorded kernels and "
            f"{how}: the replay could only repeat the first value.")
    owners = [t for origin in recording.origin if origin[0] == "leaf"
              for t in [origin[1]] if t.grad is tensor]
    if owners:
        return text + (f" It is the .grad of {owners[0].name or 'a weight'}, stored by "
                       "backward(): inside ta.jit take gradients with ta.grad(loss, params), "
                       "which returns them as recorded kernels.")
    if not changed:
        return text + (" If it is truly a constant (an array written in the step), make it "
                       "once, outside the step; if it is computed from values, compute it "
                       "with Tensor operations.")
    return text + (" Usual causes: numpy on .data, random numbers drawn in Python, a Python "
                   "number that changes (a counter), or .grad stored by backward() (use "
                   "ta.grad).")


# ---- replaying ---------------------------------------------------------------------------


class _Replay:
    """A verified recording compiled into a plain Python function, one line per kernel:

        def replay(v0, v1, v2, v4):             # the arguments, then the state arrays
            v3 = forward3(ctx3, v0, v2)  # matmul   a kernel: its forward, on arrays
            v5 = forward5(ctx5, v3, v4)  # add
            ...
            return (v20, )

    Straight-line code is what a compiler emits: no loop over a list of kernels, no
    Tensors. Two classic passes shorten it first: *constant folding* (a kernel whose
    inputs are all constants is run once, now: its result is a constant too) and *dead
    code elimination* (a kernel whose result nothing uses is dropped, unless it writes in
    place or draws random numbers). `step.code` shows the function."""

    def __init__(self, rec: _Recorder, stateful: set[Tensor]) -> None:
        self.recording, self.stateful = rec, stateful
        constants: dict[int, Any] = {}
        self.state: list[tuple] = []  # (tensor, shape, dtype), read at every run
        state_slots = []
        for slot, origin in enumerate(rec.origin):
            if origin[0] == "leaf" and origin[1] in stateful:
                t = origin[1]
                self.state.append((t, t.data.shape, t.data.dtype))
                state_slots.append(slot)
            elif origin[0] == "leaf":
                constants[slot] = rec.arrays[slot]
        kernels = _fold_constants(rec.kernels, constants)
        self.result_slots = sorted(_slots_of(rec.result))
        kernels = _without_dead_code(kernels, set(self.result_slots))
        self.folded = len(rec.kernels) - len(kernels)
        self.source, namespace = _emit(kernels, list(dict.fromkeys(rec.arg_slots)), state_slots,
                                       rec.result)
        namespace.update({f"v{slot}": array for slot, array in constants.items()})
        exec(compile(self.source, f"<ta.jit {len(kernels)} kernels>", "exec"), namespace)
        self.function = namespace["replay"]
        self.arg_positions = [rec.arg_slots.index(slot) for slot in dict.fromkeys(rec.arg_slots)]
        # What the recording computed is no longer needed (only the leaves, for `trace`).
        rec.arrays = [a if o[0] == "leaf" else None for a, o in zip(rec.arrays, rec.origin,
                                                                      strict=True)]
        rec.slot_of = {}

    def run(self, arrays: list[np.ndarray]) -> Any:
        inputs = [arrays[i] for i in self.arg_positions]
        for t, shape, dtype in self.state:
            array = t.data
            if array.shape != shape or array.dtype != dtype:
                raise ValueError(
                    f"ta.jit: {t.name or 'a state tensor'} had shape {shape} and dtype {dtype} "
                    f"when the step was recorded, and now has shape {array.shape} and dtype "
                    f"{array.dtype}: the recording no longer fits it (make a new ta.jit)")
            inputs.append(array)
        return self.function(*inputs)


def _has_effect(k: _Kernel) -> bool:
    """A kernel that must run even if its result is unused, and cannot run ahead of time."""
    return getattr(k.op, "in_place", False) or getattr(k.op, "random", False)


def _fold_constants(kernels: list[_Kernel], constants: dict[int, Any]) -> list[_Kernel]:
    """Run now every kernel whose inputs are all constants; its results join `constants`."""
    kept = []
    for k in kernels:
        slots = k.inputs + tuple(_param_slots(k))
        if _has_effect(k) or not all(slot in constants for slot in slots):
            kept.append(k)
            continue
        ctx = _context(k)
        params = {**k.params, **{n: _param_value(k, n, constants) for n in k.array_params}}
        constants[k.output] = np.asarray(k.op.forward(ctx, *[constants[i] for i in k.inputs],
                                                      **params))
        for position, slot in k.saved:
            constants[slot] = ctx._saved[position]
    return kept


def _without_dead_code(kernels: list[_Kernel], needed: set[int]) -> list[_Kernel]:
    """Drop the kernels whose results nothing needs (walking back from the results)."""
    live = []
    for k in reversed(kernels):
        if _has_effect(k) or k.output in needed or any(s in needed for _, s in k.saved):
            live.append(k)
            needed.update(k.inputs, _param_slots(k))
    return live[::-1]


def _context(k: _Kernel) -> Any:
    """A context for calling the kernel's forward: its params, as when it was recorded."""
    ctx = k.op()
    ctx.params, ctx.needs_input_grad, ctx.scope = k.params, k.needs_input_grad, None
    return ctx


def _emit(kernels: list[_Kernel], arg_slots: list[int], state_slots: list[int],
          result: Any) -> tuple[str, dict]:
    """The source of `replay` and the names it uses (forwards, contexts, parameters)."""
    namespace: dict[str, Any] = {"asarray": np.asarray}
    params = ", ".join(f"v{slot}" for slot in arg_slots + state_slots)
    lines = [f"def replay({params}):"]
    for k in kernels:
        n = k.output
        namespace[f"forward{n}"], namespace[f"ctx{n}"] = k.op.forward, _context(k)
        operands = [f"v{slot}" for slot in k.inputs]
        for name, value in k.params.items():
            where = k.array_params.get(name)
            if isinstance(where, int):
                operands.append(f"{name}=v{where}")
            elif where is not None:
                namespace[f"p{n}_{name}"] = value
                parts = "".join(f"p{n}_{name}[{i}], " if s is None else f"v{s}, "
                                for i, s in enumerate(where))
                operands.append(f"{name}=({parts})")
            else:
                namespace[f"p{n}_{name}"] = value
                operands.append(f"{name}=p{n}_{name}")
        call = f"forward{n}(ctx{n}, {', '.join(operands)})"
        if not k.returns_array:  # numpy returned a scalar: apply makes it an array
            call = f"asarray({call})"
        lines.append(f"    v{n} = {call}  # {k.label()}")
        lines += [f"    v{slot} = ctx{n}._saved[{position}]" for position, slot in k.saved]
    namespace["wrap"] = Tensor._wrap
    lines.append(f"    return {_expression(result, namespace)}")
    return "\n".join(lines) + "\n", namespace


def _expression(structure: Any, namespace: dict) -> str:
    """The code that rebuilds what the function returned: `(wrap(v20), None, v31)`, where
    `wrap` makes a plain Tensor of an array."""
    if structure is None:
        return "None"
    kind, content = structure
    if kind == "tensor":
        return f"wrap(v{content})"
    if kind == "array":
        return f"v{content}"
    if kind is dict:
        namespace.setdefault("keys", [])
        items = []
        for key, value in content:
            namespace["keys"].append(key)
            items.append(f"keys[{len(namespace['keys']) - 1}]: {_expression(value, namespace)}")
        return "{" + ", ".join(items) + "}"
    parts = "".join(f"{_expression(value, namespace)}, " for value in content)
    if kind is list:
        return f"[{parts}]"
    if kind is tuple:
        return f"({parts})"
    name = _name_of(kind, namespace)  # a namedtuple takes its fields, another kind a tuple
    return f"{name}({parts})" if hasattr(kind, "_fields") else f"{name}(({parts}))"


def _name_of(kind: type, namespace: dict) -> str:
    """A name for a tuple or list subclass (a namedtuple), for the generated code."""
    namespace[f"kind{id(kind)}"] = kind
    return f"kind{id(kind)}"


def _slots_of(structure: Any) -> set[int]:
    if structure is None:
        return set()
    kind, content = structure
    if kind in ("tensor", "array"):
        return {content}
    if kind is dict:
        return set().union(*(_slots_of(v) for _, v in content))
    return set().union(*(_slots_of(v) for v in content))


# ---- the user's side ---------------------------------------------------------------------


class _Eager:
    """A signature that could not be replayed (with `fallback=True`): it runs eagerly."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class Jitted:
    """What `ta.jit(fn)` returns: call it as `fn`. `print(it)` or `it.trace` shows the
    kernels of each recording."""

    def __init__(self, fn: Callable, fallback: bool = False, watch: tuple = ()) -> None:
        self.fn, self.fallback, self.watch = fn, fallback, tuple(watch)
        functools.update_wrapper(self, fn)
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        # signature -> _Recorder (after one call), then _Replay (or _Eager)
        self._recordings: dict[tuple, Any] = {}
        self._traced_positions: set = set()  # positions that held Tensors or arrays
        try:
            self._names = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            self._names = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if state.recorder is not None:  # inside another step's recording: part of that one
            return self.fn(*args, **kwargs)
        key, arrays, positions = self._signature(args, kwargs)
        entry = self._recordings.get(key)
        if isinstance(entry, _Replay):
            return entry.run(arrays)
        if isinstance(entry, _Eager):
            return self.fn(*args, **kwargs)
        recording, result = self._record(args, kwargs, arrays,
                                         [self._name(p) for p in positions])
        try:
            recording.check(result)
            self._recordings[key] = recording if entry is None else self._verified(entry, recording)
        except TracingError as error:
            if not self.fallback:
                raise
            self._recordings[key] = _Eager(str(error))
            warnings.warn(f"{error} It runs eagerly from now on.", TracingWarning, stacklevel=2)
        return result

    def _signature(self, args: tuple, kwargs: dict) -> tuple[tuple, list, list]:
        """The cache key (shapes, dtypes, Python values), the traced arrays in order, and
        their positions (an index, or a keyword's name)."""
        key, arrays, positions = [], [], []
        items = [*enumerate(args), *sorted(kwargs.items())] if kwargs else enumerate(args)
        for position, value in items:
            if isinstance(value, (Tensor, np.ndarray)):
                array = value.data if isinstance(value, Tensor) else value
                key.append((position, type(value), array.shape, array.dtype,
                            getattr(value, "requires_grad", False)))
                arrays.append(array)
                positions.append(position)
            elif isinstance(value, _STATIC):
                if value is not None and position in self._traced_positions:
                    raise TypeError(
                        f"ta.jit({self.__name__}): argument {self._name(position)} was a "
                        "Tensor or an array when the step was recorded, received "
                        f"{type(value).__name__} {value!r:.60}; pass a Tensor or a numpy array")
                key.append((position, type(value), value))
            else:
                raise TypeError(
                    f"ta.jit({self.__name__}): argument {self._name(position)} must be a "
                    "Tensor or a numpy array (traced), or a number, string, bool or None "
                    "(fixed in the recording), received "
                    f"{type(value).__name__}: {value!r:.60}")
        ids = [id(a) for a in arrays]  # the same array passed twice is part of the signature
        if len(set(ids)) < len(ids):
            key.append(tuple(ids.index(i) for i in ids))
        return tuple(key), arrays, positions

    def _name(self, position: int | str) -> str:
        if isinstance(position, str):
            return position
        return self._names[position] if position < len(self._names) else f"#{position}"

    def _record(self, args, kwargs, arrays, names) -> tuple[_Recorder, Any]:
        recorder = _Recorder()
        for array, name in zip(arrays, names, strict=True):
            if id(array) not in recorder.slot_of:
                recorder.new_slot(array, ("arg", name))
            recorder.arg_slots.append(recorder.slot_of[id(array)])
        # numpy arrays reach fn as Tensors (constants, same array), so that all it computes
        # from them goes through kernels
        args = tuple(Tensor._wrap(a) if isinstance(a, np.ndarray) else a for a in args)
        kwargs = {key: Tensor._wrap(a) if isinstance(a, np.ndarray) else a
                  for key, a in kwargs.items()}
        recorder.watched = [(t, t.data, t.data.copy()) for t in self.watch]
        state.recorder = recorder
        try:
            result = self.fn(*args, **kwargs)
        finally:
            state.recorder = None
        self._traced_positions.update(p for p, v in [*enumerate(args), *kwargs.items()]
                                      if isinstance(v, (Tensor, np.ndarray)))
        return recorder, result

    def _verified(self, first: _Recorder, second: _Recorder) -> _Replay:
        problem = _disagreement(first, second)
        if problem is None and first.result != second.result:
            problem = "the two calls returned different structures"
        if problem is not None:
            raise TracingError(f"ta.jit({self.__name__}) cannot replay this step: {problem}.")
        stateful = {o2[1] for o1, o2 in zip(first.origin, second.origin, strict=True)
                    if o2[0] == "leaf" and o1[1] is o2[1]}
        return _Replay(second, stateful)

    # ---- what a student can see ------------------------------------------------------------
    @property
    def trace(self) -> str:
        """The recorded kernels of each signature, with their shapes and where each input
        comes from."""
        if not self._recordings:
            return f"ta.jit({self.__name__}): nothing recorded yet (call it)"
        lines = [f"ta.jit({self.__name__}): {len(self._recordings)} signature(s)"]
        for entry in self._recordings.values():
            lines += _describe(entry)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.trace

    @property
    def code(self) -> str:
        """The Python source of each replayed recording (the compiler's output)."""
        return "\n".join(entry.source for entry in self._recordings.values()
                         if isinstance(entry, _Replay))

    def writes(self) -> list[Tensor]:
        """The tensors the last recording may write in place (the leaves read by kernels
        that write in place: assign, apply_gradients)."""
        rec = self._last()
        return [rec.origin[slot][1] for k in rec.kernels if getattr(k.op, "in_place", False)
                for slot in k.inputs if rec.origin[slot][0] == "leaf"]

    def _last(self) -> _Recorder:
        recordings = [e for e in self._recordings.values() if not isinstance(e, _Eager)]
        if not recordings:
            raise ValueError(f"ta.jit({self.__name__}): nothing recorded yet (call it first)")
        return recordings[-1].recording if isinstance(recordings[-1], _Replay) else recordings[-1]

    @property
    def kernels(self) -> list[str]:
        """The names of the kernels of the last recording, in order."""
        return [k.label() for k in self._last().kernels]


def _describe(entry: Any) -> list[str]:
    if isinstance(entry, _Eager):
        return [f"a signature that runs eagerly: {entry.reason}"]
    rec = entry.recording if isinstance(entry, _Replay) else entry
    stateful = entry.stateful if isinstance(entry, _Replay) else set()
    names = {}
    for slot, origin in enumerate(rec.origin):
        if origin[0] == "arg":
            names[slot] = origin[1]
        elif origin[0] == "leaf" and origin[1] in stateful:
            names[slot] = origin[1].name or f"state{slot}"
        elif origin[0] == "leaf":
            array = rec.arrays[slot]
            names[slot] = f"{array.item():.6g}" if array.size == 1 else f"const{slot}"
        else:
            names[slot] = f"%{slot}"
    args = [f"{names[s]} {rec.specs[s][1]}{rec.specs[s][0]}"
            for s, o in enumerate(rec.origin) if o[0] == "arg"]
    status = (f"replayed as {len(rec.kernels) - entry.folded} (the others folded or unused)"
              if isinstance(entry, _Replay) else "recorded once (checked at the next call)")
    lines = [f"signature ({', '.join(args)}): {len(rec.kernels)} kernels, {status}"]
    for k in rec.kernels:
        operands = ", ".join([names[i] for i in k.inputs] + k.shown_params())
        shape = "x".join(map(str, k.shape)) or "scalar"
        writes = " (in place)" if getattr(k.op, "in_place", False) else ""
        saves = "".join(f", saves {names[slot]}" for _, slot in k.saved)
        lines.append(f"  {names[k.output]:>5} = {k.op.op_name()}({operands})  {shape} {k.dtype}"
                     f"{writes}{saves}")
    return lines


def jit(fn: Callable, *, fallback: bool = False, watch: Any = ()) -> Jitted:
    """Compile `fn` by tracing: record the kernels it runs, then replay them.

    The first two calls with a given signature (the shapes and dtypes of the Tensor and
    array arguments, and the values of number, string, bool and None arguments) run `fn`
    eagerly and record its kernels; the two recordings must agree (else `TracingError`).
    Later calls replay the kernels on the new arguments and on the current values of the
    state tensors (weights, optimizer moments), writing updates in place: the same results
    as eager mode, bit for bit, without building Tensors or a graph. Returned Tensors are
    plain values (no graph).

    Use `ta.grad` (not `.backward()`) for gradients, and in-place operations (the
    optimizers' `apply_gradients`, `Tensor.assign`, `assign_add`, `assign_sub`) for
    updates. See the module's docstring for what a recording cannot see.

    Args:
        fn: the step, a callable taking Tensors or numpy arrays (arrays reach it as
            Tensors), and numbers, strings, bools or None (fixed per recording).
        fallback: what to do with a step that cannot be replayed: False raises
            `TracingError`; True warns (`TracingWarning`) and runs that signature eagerly
            from then on (what `Sequential.compile(jit_compile=True)` does).
        watch: tensors the step may change (a model's weights): while recording, a change
            to one that no recorded kernel made (numpy on `.data`, which a replay would not
            repeat) is refused, even when no kernel reads that tensor.
    """
    if not callable(fn):
        raise TypeError(f"ta.jit: fn must be a callable (a function taking Tensors), "
                        f"received {type(fn).__name__}: {fn!r:.60}")
    if not isinstance(fallback, bool):
        raise TypeError(f"ta.jit: fallback must be True or False, received {fallback!r}")
    watch = list(watch) if isinstance(watch, (list, tuple)) else watch
    if not isinstance(watch, list) or not all(isinstance(t, Tensor) for t in watch):
        raise TypeError(f"ta.jit: watch must be a list of Tensors, received {watch!r:.80}")
    return Jitted(fn, fallback, watch)
