"""The one way into plugin code: resolve a reference, call it in a named phase.

Every call of a builder, data adapter, train step, sampler or data-state step,
and every block in which Keras runs a plugin's layers (tracing, drawing,
training, saving), goes through :func:`in_phase`. A failure becomes an
:class:`~kreg.errors.ArchitectureFailure` carrying the architecture, the
:class:`~kreg.phases.Phase` and the cause; :func:`current_phase` says which
phase is running, and :func:`phases_reported_to` tells a listener each time it
changes, for whoever must report on a run that did not come back (a child
process that died or ran out of time). Plugin code that calls ``sys.exit`` or
raises any ``BaseException`` (its own ``KeyboardInterrupt`` included) fails
like any other; only the user's Ctrl-C or SIGTERM goes through
(:func:`kreg.processes.raised_by_signal`).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure, KregUsageError, describe_exception
from kreg.phases import Phase
from kreg.processes import is_plugin_failure, signals_seen
from kreg.references import Reference, resolve
from kreg.running.causes import failed_phase, specific_cause

PLUGIN_FIELDS = ("builder", "data_adapter", "train_step", "sampler", "data_state")
"""The Architecture fields that name plugin code."""


@dataclass(frozen=True)
class RunningPhase:
    """The phase running now: which architecture, doing what."""

    architecture: str
    phase: Phase


_running: contextvars.ContextVar[RunningPhase | None] = contextvars.ContextVar("kreg_running_phase", default=None)

PhaseListener = Callable[[RunningPhase | None], None]
"""Called with the phase running now (None: none) each time it changes."""

_listeners: list[PhaseListener] = []


def current_phase() -> RunningPhase | None:
    """The innermost phase running in this context, or None outside plugin code."""
    return _running.get()


@contextlib.contextmanager
def phases_reported_to(listener: PhaseListener) -> Iterator[None]:
    """Call ``listener`` with the running phase each time a phase starts or ends, while the block runs.

    A child process checking an architecture sends these to its parent, which
    can then say what the child was doing when it died or ran out of time.
    """
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def _announce() -> None:
    for listener in _listeners:
        listener(_running.get())


def base_exception_cause(error: BaseException) -> str:
    """What a ``BaseException`` that is no ``Exception`` is reported as, when plugin code raised it itself.

    ``the plugin raised KeyboardInterrupt (not a Ctrl-C)``; ``the plugin raised
    Abort, a BaseException: stop``.
    """
    name = type(error).__name__
    if isinstance(error, KeyboardInterrupt):
        return f"the plugin raised {name} (not a Ctrl-C)"
    message = describe_exception(error).removeprefix(name).removeprefix(": ")
    return f"the plugin raised {name}, a BaseException" + (f": {message}" if message else "")


def exit_cause(exit: SystemExit) -> str:
    """What a ``SystemExit`` from plugin code is reported as: ``the plugin called sys.exit(7)``."""
    return f"the plugin called sys.exit({exit.code!r})" if exit.code is not None else "the plugin called sys.exit()"


@contextlib.contextmanager
def in_phase(
    architecture: str,
    phase: Phase,
    *,
    passes: tuple[type[BaseException], ...] = (KregUsageError,),
    cause: Callable[[BaseException], BaseException | str] = specific_cause,
) -> Iterator[None]:
    """Run a block of plugin code as ``phase`` of ``architecture``.

    Args:
        architecture: str. The architecture's name.
        phase: Phase. What the block does.
        passes: tuple of exception types. Raised as they are: by default a
            :class:`~kreg.errors.KregUsageError` (a builder rejecting a
            hyperparameter by name is the user's mistake, exit 2) and an
            :class:`~kreg.errors.ArchitectureFailure` of an inner phase.
        cause: callable. Turns the exception into the cause reported; by
            default its own message without TensorFlow's or Keras's wrapping
            (:func:`kreg.running.causes.specific_cause`).

    Raises:
        ArchitectureFailure: the block raised anything else, ``SystemExit``
            and any ``BaseException`` included (the user's Ctrl-C or SIGTERM
            goes through; a ``KeyboardInterrupt`` the plugin raised itself does not).
    """
    token = _running.set(RunningPhase(architecture, Phase(phase)))
    seen = signals_seen()
    _announce()
    try:
        yield
    except (ArchitectureFailure, *passes):
        raise
    except Exception as error:
        raise ArchitectureFailure(architecture, failed_phase(error, Phase(phase)), cause(error)) from error
    except SystemExit as exit:
        raise ArchitectureFailure(architecture, phase, exit_cause(exit)) from None
    except BaseException as error:
        if not is_plugin_failure(error, seen):
            raise  # the user's Ctrl-C or SIGTERM
        raise ArchitectureFailure(architecture, phase, base_exception_cause(error)) from None
    finally:
        _running.reset(token)
        _announce()


def resolve_part(entry: Entry, field: str) -> Any:
    """Import the builder, data adapter, train step, sampler or data-state step of an architecture.

    Args:
        entry: Entry. The architecture.
        field: str. One of :data:`PLUGIN_FIELDS`.

    Returns:
        The callable, or None when the architecture leaves that field empty.

    Raises:
        ArchitectureFailure: the reference cannot be imported (phase ``resolve``).
    """
    if field not in PLUGIN_FIELDS:
        raise ValueError(f"{field!r} is not one of {PLUGIN_FIELDS}")
    reference: Reference | None = getattr(entry.architecture, field)
    if reference is None:
        return None
    seen = signals_seen()
    try:
        return resolve(reference)
    except Exception as error:
        raise ArchitectureFailure(entry.name, Phase.RESOLVE, f"{field}: {error}") from error
    except SystemExit as exit:  # a module that exits when imported
        raise ArchitectureFailure(entry.name, Phase.RESOLVE, f"{field}: importing it, {exit_cause(exit)}") from None
    except BaseException as error:
        if not is_plugin_failure(error, seen):
            raise
        raise ArchitectureFailure(
            entry.name, Phase.RESOLVE, f"{field}: importing it, {base_exception_cause(error)}"
        ) from None


def call_plugin(entry: Entry, field: str, phase: Phase, *args: Any, **kwargs: Any) -> Any:
    """Resolve an architecture's ``field`` and call it in ``phase``.

    Args:
        entry: Entry. The architecture.
        field: str. Which code to call (see :data:`PLUGIN_FIELDS`); it must be set.
        phase: Phase. The phase a failure is reported in.
        *args, **kwargs: passed to the call.

    Returns:
        Whatever the plugin's function returned.

    Raises:
        ArchitectureFailure: resolving or calling it failed.
        KregUsageError: the plugin rejected a value by name.
    """
    function = resolve_part(entry, field)
    with in_phase(entry.name, phase):
        return function(*args, **kwargs)
