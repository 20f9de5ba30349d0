"""Running Keras on deep models: a thread with a large stack and a raised recursion limit.

Keras walks a functional model's graph recursively (``_build_map_helper`` in
``keras/src/ops/function.py``, and more on ``summary()``, cloning and saving),
one Python frame per layer in a chain: at Python's default limit of 1,000
frames a chain of about a thousand layers ends in ``RecursionError``. kreg runs
the builder and every call into Keras that walks a model through
:func:`run_with_deep_stack`: on a fresh thread whose stack is
:data:`STACK_BYTES` (virtual memory: only reserved, touched as it is used),
under a recursion limit of :data:`RECURSION_LIMIT`, which is set back when the
call returns. kreg's own walks of a graph use explicit worklists.

The thread is transparent to the caller:

- Keras keeps its global state (auto-naming, the dtype policy, the global seed
  generator, the functional-building scopes) per thread: the caller's is
  handed to the thread and what the thread leaves is handed back, so a model
  built on it is named as one built inline.
- Keras's stack of name scopes is lexical: the thread starts with a copy of
  the caller's and the caller keeps its own. (Keras pushes a scope before
  TensorFlow checks its name, so a layer named with characters TensorFlow
  refuses leaves its scope pushed after the error; without this, every later
  model in the process would be built inside it.)
- The caller's context variables (the phase running, :mod:`kreg.running.calls`)
  are the thread's, as a copy.
- A TensorFlow distribution strategy whose scope the caller is in is entered
  on the thread too (variables are created under it).
- Whatever the call raises (``KeyboardInterrupt`` and ``SystemExit``
  included) is raised again in the caller, the same object.
- Ctrl-C: SIGINT is handled by the main thread, waiting for the call; the
  ``KeyboardInterrupt`` it gets is raised inside the call's thread too, which
  stops at its next Python instruction (a running TensorFlow kernel finishes
  first), and then in the caller. A thread that does not stop within
  :data:`STOP_GRACE_SECONDS` (blocked in ``time.sleep``, a socket or native
  code, where only the main thread is woken by a signal) is left behind: the
  caller gets its ``KeyboardInterrupt`` then, and the thread, a daemon, ends
  with the process. A second Ctrl-C while it stops leaves at once.

A call made on the thread (a builder that inspects, nested runs) runs inline,
and so does every call where no thread with such a stack can start (an
address space limited by ``ulimit -v``): with Python's own ceiling then.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import functools
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

STACK_BYTES = 1 << 30
"""The stack of the thread calls run on: 1 GiB of address space, committed only as frames use it."""

RECURSION_LIMIT = 200_000
"""Python frames allowed on that thread: a chain of layers tens of thousands long (about 5 KiB of stack a frame)."""

T = TypeVar("T")

STOP_GRACE_SECONDS = 5.0
"""After Ctrl-C, how long the caller waits for the call's thread to stop before leaving it to end with the process."""

_POLL_SECONDS = 0.5  # how long one wait for the thread lasts; Ctrl-C interrupts it at once on POSIX

_on_deep_stack = threading.local()
_limit_lock = threading.Lock()


def run_with_deep_stack(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, run on a thread with a large stack under a raised recursion limit.

    Args:
        fn: Callable. What to run (a builder, an inspection, a drawing).
        *args: Any. Its positional arguments.
        **kwargs: Any. Its keyword arguments.

    Returns:
        What ``fn`` returned.

    Raises:
        BaseException: whatever ``fn`` raised, the same object, ``KeyboardInterrupt`` included.
    """
    if getattr(_on_deep_stack, "active", False):
        return fn(*args, **kwargs)
    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()
    keras_state = _keras_state()
    caller_scopes = _name_scopes(keras_state)
    done = threading.Event()
    strategy = _current_strategy()

    def target() -> None:
        _on_deep_stack.active = True
        try:
            _set_keras_state(_with_name_scopes(keras_state, caller_scopes))
            with _strategy_scope(strategy):
                outcome["value"] = context.run(fn, *args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, who raises it again
            outcome["error"] = error
        finally:
            outcome["keras_state"] = _keras_state()
            done.set()

    with _raised_recursion_limit():
        thread = _start_thread(target)
        if thread is not None:
            _wait_for(thread, done)
    if thread is None:  # no room for such a stack (a low ulimit -v): run here, under Python's own ceiling
        return fn(*args, **kwargs)
    _set_keras_state(_with_name_scopes(outcome.get("keras_state", {}), caller_scopes))
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def on_deep_stack(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn``, made to run through :func:`run_with_deep_stack` each time it is called."""

    @functools.wraps(fn)
    def deep(*args: Any, **kwargs: Any) -> T:
        return run_with_deep_stack(fn, *args, **kwargs)

    return deep


def _start_thread(target: Callable[[], None]) -> threading.Thread | None:
    """A started daemon thread running ``target`` on a stack of :data:`STACK_BYTES`; None when none can start."""
    with _limit_lock:  # threading.stack_size is process-wide: set it only for this start
        previous = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name="kreg-deep-stack", daemon=True)
            thread.start()
        except RuntimeError:  # "can't start new thread": the address space is limited
            return None
        finally:
            threading.stack_size(previous)
    return thread


def _wait_for(thread: threading.Thread, done: threading.Event) -> None:
    """Wait until ``thread`` sets ``done``; Ctrl-C while waiting is raised inside it too, then here once it stopped
    (or :data:`STOP_GRACE_SECONDS` later)."""
    # Not thread.join(): in Python 3.11 a join interrupted by Ctrl-C marks the thread stopped while it still runs.
    try:
        while not done.wait(_POLL_SECONDS):
            pass
    except KeyboardInterrupt:
        _raise_in(thread, KeyboardInterrupt)
        done.wait(STOP_GRACE_SECONDS)  # the caller's Ctrl-C is never ignored: a thread blocked in C is left behind
        raise


def _raise_in(thread: threading.Thread, error: type[BaseException]) -> None:
    """Raise ``error`` in ``thread`` at its next Python instruction."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(error))


@contextlib.contextmanager
def _raised_recursion_limit() -> Iterator[None]:
    """sys's recursion limit at least :data:`RECURSION_LIMIT` while the block runs, then as it was."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _keras_state() -> dict[str, dict[str, Any]]:
    """This thread's Keras global state (empty while Keras is not imported)."""
    trackers = _keras_trackers()
    return {name: dict(vars(tracker)) for name, tracker in trackers.items()}


def _set_keras_state(state: dict[str, dict[str, Any]]) -> None:
    """Make ``state`` this thread's Keras global state."""
    for name, tracker in _keras_trackers().items():
        if name in state:
            vars(tracker).clear()
            vars(tracker).update(state[name])


_NAME_SCOPES = ("GLOBAL_STATE_TRACKER", "name_scope_stack")
"""Where Keras keeps its stack of name scopes: (tracker, attribute)."""


def _name_scopes(state: dict[str, dict[str, Any]]) -> list[Any] | None:
    """A copy of the name-scope stack in ``state`` (None when it has none)."""
    tracker, attribute = _NAME_SCOPES
    scopes = state.get(tracker, {}).get(attribute)
    return None if scopes is None else list(scopes)


def _with_name_scopes(state: dict[str, dict[str, Any]], scopes: list[Any] | None) -> dict[str, dict[str, Any]]:
    """``state`` with a fresh copy of ``scopes`` as its name-scope stack (left out when ``scopes`` is None)."""
    tracker, attribute = _NAME_SCOPES
    if tracker not in state:
        return state
    values = {key: value for key, value in state[tracker].items() if key != attribute}
    if scopes is not None:
        values[attribute] = list(scopes)
    return {**state, tracker: values}


def _keras_trackers() -> dict[str, Any]:
    # Keras 3 keeps its global state in two threading.local objects; None when Keras is not loaded yet.
    module = sys.modules.get("keras.src.backend.common.global_state")
    if module is None:
        return {}
    names = ("GLOBAL_STATE_TRACKER", "GLOBAL_SETTINGS_TRACKER")
    return {name: getattr(module, name) for name in names if hasattr(module, name)}


def _current_strategy() -> Any:
    """The distribution strategy whose scope this thread is in, or None (also while TensorFlow is not loaded)."""
    tf = sys.modules.get("tensorflow")
    if tf is None or not tf.distribute.has_strategy():
        return None
    return tf.distribute.get_strategy()


def _strategy_scope(strategy: Any) -> contextlib.AbstractContextManager[Any]:
    return strategy.scope() if strategy is not None else contextlib.nullcontext()
