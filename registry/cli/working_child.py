"""The commands that run plugin code run in a child of the ``kreg`` process, which watches it (Linux).

Two promises need a process above the one that builds models:

- A process the kernel kills for its memory (SIGKILL), or one that crashes in
  native code, cannot say so; its parent can, in one line naming the command
  and how much memory it had used (exit 1).
- No process outlives ``kreg``, ``kill -9`` included: a process killed that
  way cleans nothing up, so the clean-up is done below it, by a process that
  sees it die (:func:`kreg.descendants.end_with_parent`: a subreaper holding a
  lifeline to the ``kreg`` process).

So the ``kreg`` process, which has imported neither TensorFlow nor a plugin,
forks as soon as it knows the command (:func:`run_in_working_child`). The
child returns and runs the command as the one process did before (the same
standard streams, messages and exit status); the ``kreg`` process waits:

- a signal meant for kreg reaches the child once. Off a terminal (CI, a
  launcher, ``kreg train --workers``' own workers) the child leads a process
  group of its own, and the ``kreg`` process relays SIGINT, SIGTERM and
  SIGHUP, whether sent to it or to its group. On a terminal the child stays
  in kreg's process group, so that job control (Ctrl-Z, ``fg``, a
  ``breakpoint()`` reading the terminal) treats both as one: what the
  terminal sends (Ctrl-C) reaches the child directly, and only what a program
  sends is relayed; a SIGINT a program sends to that whole group then reaches
  the child twice;
- the child's exit status becomes its own; a child killed by one of those
  signals ends it by the same signal;
- a child killed by any other signal (the out-of-memory killer's SIGKILL,
  SIGSEGV) is one line on stderr and exit 1.

The commands that only read the catalogue (``kreg list``, ``plugins``,
``info``, ``new-plugin``) stay in the ``kreg`` process. Elsewhere than Linux
every command does. Importing this module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading

from kreg.descendants import end_with_parent, kill_descendants, spared
from kreg.errors import KregError
from kreg.memory import format_size
from kreg.processes import describe_exit

IN_PROCESS_COMMANDS = frozenset({"list", "plugins", "info", "new-plugin"})
"""Commands that run in the ``kreg`` process itself: they build nothing (``kreg list`` must stay light and fast)."""

RELAYED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Signals a program sends to the ``kreg`` process that the working child receives too."""

_WATCHED = {*RELAYED, signal.SIGCHLD}
_LONGEST_COMMAND_LINE = 80
_CRASHES = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT}


def runs_in_working_child(command: str | None) -> bool:
    """Whether the sub-command ``command`` runs in a working child on this system."""
    return (
        command is not None
        and command not in IN_PROCESS_COMMANDS
        and sys.platform == "linux"
        and hasattr(signal, "sigtimedwait")
        and threading.active_count() == 1  # forking is safe only without other threads
    )


def run_in_working_child(command_line: list[str]) -> None:
    """Fork; in the child, return (it runs the command); here, wait for it and end as it ended.

    In this process it does not return: once the child has exited, this
    process exits with its status; once a signal it relayed killed the
    child, the same signal kills this process.

    Args:
        command_line: list[str]. The command's arguments, to name it in a message (``inspect mlp``).

    Raises:
        KregError: in this process, once the child was killed by a signal not
            relayed: what killed it, and its memory's peak.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()  # not twice: buffered output would be written by both processes
    on_a_terminal = any(os.isatty(fd) for fd in (0, 1, 2))
    lifeline, held = os.pipe()
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, _WATCHED)  # none is lost before the wait starts
    kills_before = out_of_memory_kills()
    # What is allocated so far stays out of the child's garbage collections, whose visits would write to (and copy)
    # every page shared with this process: 13 ms of CPU a command instead of 27 (kreg inspect --help, median of 20).
    gc.freeze()
    child = os.fork()
    if child == 0:
        os.close(held)  # the parent's is the only write end: its death closes the pipe
        if not on_a_terminal:
            _lead_a_process_group(0)
        end_with_parent(lifeline)
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        return
    os.close(lifeline)
    if not on_a_terminal:
        _lead_a_process_group(child)  # here too, before any relaying: whichever process gets there first
    status, peak = _wait_relaying_signals(child, relay_all=not on_a_terminal)
    _end_as_the_child_ended(status, peak, command_line, out_of_memory_kills() > kills_before)


def _lead_a_process_group(process: int) -> None:
    with contextlib.suppress(OSError):  # the other process got there first, or the child has already ended
        os.setpgid(process, process)


def _wait_relaying_signals(child: int, relay_all: bool) -> tuple[int, int]:
    """Wait for ``child`` to end, relaying signals; its exit status and its resident memory's peak.

    Args:
        child: int. The working child's process id.
        relay_all: bool. The child leads a process group of its own: relay every
            signal. Else relay only those a process sent (``kill``), not the
            terminal's (SI_KERNEL), which the child, in kreg's group, received too.
    """
    while True:
        arrived = signal.sigtimedwait(_WATCHED, 1.0)  # also wakes now and then: a SIGCHLD coalesced is not missed
        if arrived is not None and arrived.si_signo != signal.SIGCHLD and (relay_all or arrived.si_code <= 0):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, arrived.si_signo)
        ended, status, usage = os.wait4(child, os.WNOHANG)
        if ended:
            return os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024  # Linux counts kilobytes


def _end_as_the_child_ended(status: int, peak: int, command_line: list[str], oom_killer_ran: bool) -> None:
    if status < 0 and -status not in RELAYED:
        raise KregError(killed_message(command_line, status, peak, oom_killer_ran))
    # The child has said all there is to say: what it left re-parented to this subreaper is killed, and this process
    # ends without the interpreter's clean-up (12 ms of CPU for nothing: it ran no command).
    kill_descendants(spare=spared)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    if status >= 0:
        os._exit(status)
    signal.signal(-status, signal.SIG_DFL)  # killed by a signal it relayed (or the terminal sent): the same here
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {-status})
    os.kill(os.getpid(), -status)
    os._exit(128 - status)  # not reached


def killed_message(command_line: list[str], status: int, peak: int, oom_killer_ran: bool) -> str:
    """``the process running 'kreg inspect mlp' was killed by SIGKILL (out of memory? ...)``.

    Args:
        command_line: list[str]. The command's arguments after ``kreg``.
        status: int. Negative: the signal that killed it.
        peak: int. Its resident memory's peak, in bytes.
        oom_killer_ran: bool. The kernel's out-of-memory killer killed a process while it ran.
    """
    text = " ".join(["kreg", *command_line])
    if len(text) > _LONGEST_COMMAND_LINE:
        text = text[: _LONGEST_COMMAND_LINE - 3] + "..."
    words = f"the process running '{text}' {describe_exit(status)}"
    if -status == signal.SIGKILL:
        memory = f"its memory peaked at {format_size(peak)}"  # not "of the machine's": a cgroup may hold less
        if oom_killer_ran:
            return f"{words}: out of memory (the kernel's out-of-memory killer ran meanwhile; {memory})"
        return f"{words} (out of memory? {memory})"
    if -status in _CRASHES:
        return f"{words} (a crash in native code)"
    return words


def out_of_memory_kills() -> int:
    """How many processes the kernel's out-of-memory killer has killed since boot (``/proc/vmstat``); 0 unknown."""
    try:
        with open("/proc/vmstat", "rb") as counters:
            for line in counters:
                if line.startswith(b"oom_kill "):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
