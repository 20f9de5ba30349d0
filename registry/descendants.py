"""No process outlives kreg: the processes below kreg found in ``/proc`` and killed (Linux).

A plugin may start processes kreg does not know about: a helper it forks, a
daemon that calls ``setsid`` and forks twice to leave its process group and
its parent. Such a process is re-parented to the nearest *subreaper* above it
(``prctl(PR_SET_CHILD_SUBREAPER)``), or to init when there is none. kreg makes
itself a subreaper while it owns the process (:func:`owning_descendants`), so
that every process started below it stays below it, and kills them all when
it ends, however it ends short of SIGKILL. For SIGKILL, the process that runs
plugin code is below the one a user can kill: the ``kreg`` command's working
child (:mod:`kreg.cli.working_child`) ends everything below it when the
``kreg`` process dies (:func:`end_with_parent`), and ``kreg check``'s fork
server does the same for its children (:mod:`kreg.running.worker_preload`).
Elsewhere than Linux these do nothing. Importing this module imports neither
TensorFlow nor Keras.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

spared: set[int] = set()
"""Processes :func:`owning_descendants` leaves alone: multiprocessing's resource tracker, which exits by itself
once every process holding its pipe has ended (killing it first makes multiprocessing start another at exit)."""


def prctl(option: int, value: int) -> bool:
    """Call Linux's ``prctl(option, value)``; False where it failed or there is none."""
    if sys.platform != "linux":
        return False
    import ctypes

    return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0


def become_subreaper() -> bool:
    """Make orphans below this process its children rather than init's (Linux); True when it worked."""
    return prctl(PR_SET_CHILD_SUBREAPER, 1)


def descendants(root: int) -> list[int]:
    """Every living (not zombie) process below ``root``, parents before their children, read from ``/proc``."""
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    state, parent = stat.read().rsplit(b")", 1)[1].split()[:2]
            except (OSError, ValueError):  # it ended while we read
                continue
            if state != b"Z":
                children.setdefault(int(parent), []).append(int(entry.name))
    found: list[int] = []
    waiting = [root]
    while waiting:
        below = children.get(waiting.pop(), [])
        found.extend(below)
        waiting.extend(below)
    return found


def kill_descendants(root: int | None = None, spare: Iterable[int] = (), rounds: int = 100) -> None:
    """SIGKILL every process below ``root`` (this one by default) but ``spare``, until none is left.

    A process killed leaves its children to the nearest subreaper (``root``
    when it is one), so the search is repeated until it finds nothing (at most
    ``rounds`` times, against a plugin that forks faster than it is killed).
    """
    root = os.getpid() if root is None else root
    spare = set(spare)
    for _ in range(rounds):
        found = [pid for pid in descendants(root) if pid not in spare]
        if not found:
            return
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in found:  # reap those that were our own children, so they leave /proc
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.01)


@contextlib.contextmanager
def owning_descendants() -> Iterator[None]:
    """While active this process is a subreaper; on the way out every process below it is killed (Linux).

    For a process that is kreg's alone (the ``kreg`` command): what plugin code
    started, even a ``setsid`` daemon that forked twice, ends with kreg.
    """
    if not become_subreaper():
        yield
        return
    try:
        yield
    finally:
        kill_descendants(spare=spared)


ENDED_WITH_PARENT = 128 + signal.SIGKILL
"""The exit status of a process :func:`end_with_parent` ended (no one reads it: its parent is dead)."""


def end_with_parent(lifeline: int) -> None:
    """Make this process a subreaper that, once its parent has died (SIGKILL included), kills every process below it
    and exits.

    ``lifeline`` is the read end of a pipe whose only write end the parent
    holds: the kernel closes that end when the parent dies, however it dies,
    and the read here sees the end of the pipe. A thread waits for it, so that
    the clean-up does not wait for the main thread (which may be deep in
    native code, where a Python signal handler would not run); nor can the
    parent die unseen before the thread starts, as a ``PR_SET_PDEATHSIG``
    asked for too late would.
    """
    become_subreaper()

    def wait_for_the_parent() -> None:
        try:
            while os.read(lifeline, 1):  # the parent never writes: only the end of the pipe returns
                pass
        except OSError:  # the descriptor was closed under us (plugin code): the parent can no longer be watched
            return
        kill_descendants()
        os._exit(ENDED_WITH_PARENT)

    threading.Thread(target=wait_for_the_parent, name="kreg-lifeline", daemon=True).start()
