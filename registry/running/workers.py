"""Running each architecture in a child process of its own, under a time limit.

This is the one place that decides where an architecture's plugin code runs
for ``kreg check``: every architecture gets a fresh child process (also with
one job), so a plugin that calls ``os._exit``, crashes in native code
(SIGSEGV), runs out of memory or hangs takes down only its own architecture.
The child tells this process each phase it enters (:mod:`kreg.running.child`),
so a child that dies or runs past ``timeout`` is reported with what it was
doing: "timed out after 30 s while building".

Children are forked from a fork server that imported TensorFlow once
(:mod:`kreg.running.worker_preload`), so a fresh process per architecture does
not pay for TensorFlow's import each time. kreg's one supervisor of child
processes (:mod:`kreg.running.supervisor`) starts and stops them: each leads
its own process group, which is killed whole, and dies with kreg (Linux).
Ctrl-C or SIGTERM stops every child and returns what finished. Importing this
module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import os
import pickle
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kreg.catalogue import Entry
from kreg.defaults import CHECK_TIMEOUT
from kreg.errors import ArchitectureFailure
from kreg.phases import Phase
from kreg.processes import Interrupted, describe_exit
from kreg.running.supervisor import ForkedChild, Supervisor

EXIT_GRACE_SECONDS = 5.0
"""How long a child that sent its result gets to exit before it is killed."""

Task = Callable[[Entry], Any]
"""What runs for one architecture in its child: a picklable callable (a module-level function)."""


@dataclass
class Unfinished:
    """An architecture whose child was stopped by an interruption, or never started.

    Attributes:
        name: str. The architecture.
        phase: Phase or None. What its child was doing when stopped; None when it had not started.
    """

    name: str
    phase: Phase | None = None


@dataclass
class IsolatedRun:
    """What :func:`run_isolated` got back.

    Attributes:
        results: dict[str, Any]. Per architecture whose child finished, what
            the task returned; per child that died or ran out of time, what
            ``on_lost`` made of the failure.
        interrupted: Interrupted or None. The signal that stopped the run.
        unfinished: list[Unfinished]. With an interruption, every architecture
            without a result, in the order given.
    """

    results: dict[str, Any] = field(default_factory=dict)
    interrupted: Interrupted | None = None
    unfinished: list[Unfinished] = field(default_factory=list)


def run_isolated(
    task: Task,
    entries: Sequence[Entry],
    *,
    jobs: int = 1,
    timeout: float | None = CHECK_TIMEOUT,
    disabled: Sequence[str] = (),
    on_result: Callable[[str, Any], None] = lambda name, result: None,
    on_lost: Callable[[str, ArchitectureFailure, float], Any] = lambda name, failure, seconds: failure,
) -> IsolatedRun:
    """Run ``task(entry)`` for every entry, each in a child process of its own, ``jobs`` at a time.

    Args:
        task: Task. Picklable; what it returns must be picklable too (no models).
        entries: Sequence[Entry]. The architectures.
        jobs: int. Children running at once; the machine's cores are shared among them.
        timeout: float or None. Seconds each child may run; None for no limit.
        disabled: Sequence[str]. Plugins to skip when a child must load the
            catalogue itself (an entry whose code cannot be pickled).
        on_result: callable. Called with each name and result as it arrives.
        on_lost: callable. Makes the result of an architecture whose child
            died or ran past ``timeout`` from an ``ArchitectureFailure`` naming
            the phase and what happened, and the seconds the child ran.

    Returns:
        IsolatedRun. Never raises for a child's failure; Ctrl-C or SIGTERM
        ends the run early with ``interrupted`` set and no child left running.
    """
    return _IsolatedRun(task, list(entries), jobs, timeout, list(disabled), on_result, on_lost).run()


@dataclass
class _Child:
    """One architecture's child process, as the parent sees it."""

    entry: Entry
    forked: ForkedChild
    started: float
    deadline: float | None
    phase: Phase | None = None
    phase_running: bool = False
    reply: tuple[str, Any] | None = None

    @property
    def name(self) -> str:
        """The architecture's name."""
        return self.entry.name

    def receive(self) -> None:
        """Take every message the child has sent so far: phase changes, then its result or error."""
        for kind, payload in self.forked.messages():
            if kind == "phase":
                self.phase_running = payload is not None
                self.phase = Phase(payload) if payload is not None else self.phase
            else:
                self.reply = (kind, payload)

    def doing(self) -> str:
        """``while building``, ``after training``, or ``while starting`` before any phase."""
        if self.phase is None:
            return f"while {Phase.CHECK.activity}"
        return f"{'while' if self.phase_running else 'after'} {self.phase.activity}"


class _IsolatedRun:
    """Starts the children (``jobs`` at a time), reads what they send, enforces the time limit."""

    def __init__(
        self,
        task: Task,
        entries: list[Entry],
        jobs: int,
        timeout: float | None,
        disabled: list[str],
        on_result: Callable[[str, Any], None],
        on_lost: Callable[[str, ArchitectureFailure, float], Any],
    ):
        self.task, self.entries, self.jobs, self.timeout, self.disabled = task, entries, max(1, jobs), timeout, disabled
        self.on_result, self.on_lost = on_result, on_lost
        self.threads = max(1, (os.cpu_count() or 1) // self.jobs) if self.jobs > 1 else None
        self.supervisor = Supervisor(stop_signal=signal.SIGKILL)
        self.outcome = IsolatedRun()
        self.running: list[_Child] = []

    def run(self) -> IsolatedRun:
        """Run every entry to a result, or until interrupted; no child is left running either way."""
        pending = list(self.entries)
        try:
            with self.supervisor.supervising():
                while pending or self.running:
                    while pending and len(self.running) < self.jobs:
                        self._start(pending.pop(0))
                    self._wait()
                    for child in list(self.running):
                        self._settle(child)
        except Interrupted as interrupted:
            self.outcome.interrupted = interrupted
            stopped = {child.name: child.phase for child in self.running}
            self.outcome.unfinished = [
                Unfinished(entry.name, stopped.get(entry.name))
                for entry in self.entries
                if entry.name not in self.outcome.results
            ]
        self.running.clear()  # the supervisor stopped every child still running on its way out
        return self.outcome

    def _start(self, entry: Entry) -> None:
        from kreg.running.child import run_child

        forked = self.supervisor.fork(
            run_child, (self.task, _portable(entry), self.disabled, self.threads), name=f"kreg: {entry.name}"
        )
        started = time.monotonic()
        deadline = None if self.timeout is None else started + self.timeout
        self.running.append(_Child(entry, forked, started, deadline))

    def _wait(self) -> None:
        deadlines = [child.deadline for child in self.running if child.deadline is not None]
        limit = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        self.supervisor.wait([child.forked for child in self.running], timeout=limit)

    def _settle(self, child: _Child) -> None:
        """Finish a child that replied, died or ran out of time; leave one that is still working."""
        child.receive()
        exitcode = child.forked.status
        if child.reply is None and exitcode is not None:
            child.receive()  # what it sent just before it ended
        if child.reply is not None:
            child.forked.wait(EXIT_GRACE_SECONDS)
            self._finish(child, self._replied(child))
        elif exitcode is not None:
            self._finish(
                child,
                self._lost(child, f"the process checking it {_exit_words(exitcode)} {child.doing()}"),
            )
        elif child.deadline is not None and time.monotonic() >= child.deadline:
            self._finish(child, self._lost(child, f"timed out after {self.timeout:g} s {child.doing()}"))

    def _replied(self, child: _Child) -> Any:
        assert child.reply is not None
        kind, payload = child.reply
        if kind == "result":
            return payload
        return self._lost(child, payload)

    def _lost(self, child: _Child, cause: str) -> Any:
        failure = ArchitectureFailure(child.name, child.phase or Phase.CHECK, cause)
        return self.on_lost(child.name, failure, time.monotonic() - child.started)

    def _finish(self, child: _Child, result: Any) -> None:
        self.supervisor.stop([child.forked])  # its whole group: what the plugin started too
        self.running.remove(child)
        self.outcome.results[child.name] = result
        self.on_result(child.name, result)


def _exit_words(status: int) -> str:
    words = describe_exit(status)
    if status == -signal.SIGKILL:
        return f"{words} (out of memory?)"
    if status >= 0:
        return f"{words} without a result (os._exit, or a crash in native code)"
    return words


def _portable(entry: Entry) -> Entry | str:
    """The entry itself when it can be sent to a child; else its name (the child loads the catalogue).

    An architecture whose builder is a lambda or a local function cannot be
    pickled; an installed plugin names its code by ``"module:attr"`` and can.
    """
    try:
        pickle.dumps(entry)
    except (pickle.PicklingError, AttributeError, TypeError):  # a lambda; a local function; an unpicklable object
        return entry.name
    return entry
