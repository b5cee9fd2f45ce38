"""The grad mode: whether operations record the graph that `backward` needs.

Recording costs memory (every operation keeps its inputs and what it saved), so inference and
weight updates run without it, inside `with ta.no_grad():`. The backward pass itself runs
with recording off, unless `create_graph=True` asks for a graph of the backward pass (for
second derivatives).

The mode is per thread. `name_scope` is the other per-thread setting: the layer being called,
so that a drawing can group a layer's operations together.
"""

from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    """Per-thread state: whether operations record a graph, the layer being called, and
    the step being recorded by `ta.jit`, if any."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.scope: str | None = None
        # The step ta.jit is recording in this thread (jit.py), None otherwise: every
        # Function.apply reports to it.
        self.recorder = None


state = _State()


def is_grad_enabled() -> bool:
    """True when operations record the graph that `backward` needs."""
    return state.grad_enabled


class _GradMode:
    """Sets the grad mode inside a `with` block or a decorated function, then restores it.

    As a decorator it works with and without parentheses (`@ta.no_grad` and
    `@ta.no_grad()`), and on generator functions and coroutines too: each time they resume,
    they run in the decorator's mode (as in PyTorch).
    """

    enabled: bool

    def __new__(cls, fn=None):
        mode = super().__new__(cls)
        return mode if fn is None else mode(fn)  # `@no_grad` without parentheses

    def __enter__(self) -> None:
        self._previous = state.grad_enabled
        state.grad_enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        state.grad_enabled = self._previous

    def __call__(self, fn):
        if not callable(fn):
            raise TypeError(
                f"{type(self).__name__}: a decorator takes a function, received "
                f"{type(fn).__name__}: {fn!r:.80}"
            )
        mode = type(self)
        if inspect.isgeneratorfunction(fn):
            return functools.wraps(fn)(_generator_in_mode(fn, mode))
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def coroutine(*args, **kwargs):
                return await _awaitable_in_mode(fn(*args, **kwargs), mode)

            return coroutine

        @functools.wraps(fn)
        def function(*args, **kwargs):
            with mode():
                return fn(*args, **kwargs)

        return function


def _generator_in_mode(fn, mode):
    """A generator function whose body runs in `mode` each time it resumes."""

    def generator(*args, **kwargs):
        return (yield from _steps_in_mode(fn(*args, **kwargs), mode))

    return generator


def _steps_in_mode(gen, mode):
    """Drive a generator (or a coroutine) step by step, each step in `mode`; what the caller
    sends or throws in is passed on. Returns what it returns."""
    try:
        with mode():
            request = gen.send(None)
        while True:
            try:
                sent = yield request
            except GeneratorExit:
                with mode():
                    gen.close()
                raise
            except BaseException as error:  # thrown in: pass it on
                with mode():
                    request = gen.throw(error)
            else:
                with mode():
                    request = gen.send(sent)
    except StopIteration as stop:
        return stop.value


class _awaitable_in_mode:
    """Awaits a coroutine, running each of its steps in `mode`."""

    def __init__(self, coroutine, mode) -> None:
        self.coroutine, self.mode = coroutine, mode

    def __await__(self):
        return (yield from _steps_in_mode(self.coroutine, self.mode))


class no_grad(_GradMode):
    """Context manager and decorator: operations inside record no graph (inference, updates)."""

    enabled = False


class enable_grad(_GradMode):
    """Context manager and decorator: record the graph again inside a `no_grad` block."""

    enabled = True


class name_scope:
    """Tags every operation recorded inside the block with `name` (a layer's name), so that
    the graph drawing can group a layer's operations together."""

    def __init__(self, name: str | None) -> None:
        self.name = name

    def __enter__(self) -> None:
        self._previous = state.scope
        state.scope = self.name

    def __exit__(self, *exc_info: object) -> None:
        state.scope = self._previous
