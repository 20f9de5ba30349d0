"""Child processes and signals: what a stopped or dead process was, and how kreg stops its own.

Shared by everything that runs plugin code in other processes (``kreg check``'s
isolated architectures, ``kreg train --workers``): SIGINT and SIGTERM become
:class:`Interrupted`, children die with the process that started them, and an
exit status is described in words. Importing this module imports neither
TensorFlow nor Keras.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator


class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM stopped kreg's work.

    A ``KeyboardInterrupt``, so that no ``except Exception`` on the way (a
    pipeline stage recording a failure) mistakes it for a failure of the
    architecture.

    Attributes:
        signal_number: int. The signal that stopped it.
        detail: str. What was stopped, e.g. "at step 7 of 20".
    """

    def __init__(self, signal_number: int = signal.SIGINT, detail: str = ""):
        self.signal_number = signal_number
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """``interrupted`` (by SIGTERM, when not Ctrl-C), then the detail."""
        text = (
            "interrupted"
            if self.signal_number == signal.SIGINT
            else f"interrupted by {signal_name(self.signal_number)}"
        )
        return f"{text} {self.detail}" if self.detail else text

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports it (130 for Ctrl-C, 143 for SIGTERM)."""
        return 128 + self.signal_number

    def __reduce__(self) -> tuple:
        return (type(self), (self.signal_number, self.detail))


@contextlib.contextmanager
def signals_raise_interrupted() -> Iterator[None]:
    """While active (in the main thread), SIGINT and SIGTERM raise :class:`Interrupted`.

    Once one has arrived, both are ignored until the block ends, so a second
    Ctrl-C cannot break the clean-up that follows (stopping child processes).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, frame: object) -> None:
        for each in (signal.SIGINT, signal.SIGTERM):
            signal.signal(each, signal.SIG_IGN)
        raise Interrupted(number)

    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def die_with_parent() -> Callable[[], None] | None:
    """On Linux, a function a child process calls to be killed when its parent dies (no orphans).

    Returns None elsewhere. ``prctl`` is looked up here, in the parent: a
    child forked while other threads run must not load libraries.
    """
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGKILL)


def signal_name(number: int) -> str:
    """``SIGSEGV`` for 11; ``signal 99`` for a number with no name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def describe_exit(status: int | None) -> str:
    """An exit status in words: ``exited with status 7``, ``was killed by SIGSEGV``.

    Args:
        status: int or None. As ``subprocess`` and ``multiprocessing`` report it:
            negative for a signal, None while the process runs.
    """
    if status is None:
        return "is still running"
    if status < 0:
        return f"was killed by {signal_name(-status)}"
    return f"exited with status {status}"
