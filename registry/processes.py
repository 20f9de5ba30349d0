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


_signals_seen = 0
_counting = False


def signals_seen() -> int:
    """How many SIGINTs and SIGTERMs kreg's own handlers have received in this process so far."""
    return _signals_seen


def note_signal(number: int = signal.SIGINT, frame: object = None) -> None:
    """Count a signal that arrived; every handler kreg installs calls this first."""
    global _signals_seen
    _signals_seen += 1


def counting_interrupt_handler(number: int, frame: object) -> None:
    """Python's own Ctrl-C handler (raise ``KeyboardInterrupt``), counting the signal first."""
    note_signal(number, frame)
    raise KeyboardInterrupt


@contextlib.contextmanager
def interrupts_counted() -> Iterator[None]:
    """While active (in the main thread), every Ctrl-C is counted, so that a ``KeyboardInterrupt``
    plugin code raises itself is told from the user's (:func:`raised_by_signal`).

    Python's default SIGINT handler is replaced by :func:`counting_interrupt_handler`,
    which behaves the same; a process that ignores SIGINT, or handles it some
    other way, is left as it is. The ``kreg`` command runs inside this.
    """
    global _counting
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    signal.signal(signal.SIGINT, counting_interrupt_handler)
    _counting = True
    try:
        yield
    finally:
        _counting = False
        signal.signal(signal.SIGINT, signal.default_int_handler)


def raised_by_signal(error: KeyboardInterrupt, seen_before: int) -> bool:
    """Whether ``error`` is the user's Ctrl-C (or SIGTERM), not a ``KeyboardInterrupt`` plugin code raised itself.

    Args:
        error: KeyboardInterrupt. What the plugin's block raised.
        seen_before: int. :func:`signals_seen` when the block started.

    Returns:
        bool. True for :class:`Interrupted` and for a signal counted since the
        block started; False where SIGINT is ignored (``kreg check``'s
        children: no Ctrl-C can raise there) or where kreg counts signals and
        none came; True where nothing is counted (the Python API in a
        notebook: it cannot be told, so it is taken as the user's).
    """
    if isinstance(error, Interrupted):
        return True
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return False
    if not _counting:
        return True
    return _signals_seen != seen_before


def is_plugin_failure(error: BaseException, seen_before: int) -> bool:
    """Whether an exception out of plugin code is the plugin's failure to report (not one to let through).

    Everything is, ``SystemExit`` and any ``BaseException`` subclass included,
    except the user's interruption (:func:`raised_by_signal`) and
    ``GeneratorExit`` (Python closing a generator the block yields from).
    """
    if isinstance(error, GeneratorExit):
        return False
    if isinstance(error, KeyboardInterrupt):
        return not raised_by_signal(error, seen_before)
    return True


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
        note_signal(number, frame)
        for each in (signal.SIGINT, signal.SIGTERM):
            signal.signal(each, signal.SIG_IGN)
        raise Interrupted(number)

    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


LEAVE_WORKING_FOLDER = "import sys\nif sys.path[:1] == ['']:\n    del sys.path[0]\n"
"""Python source that takes the working folder off ``sys.path`` (``python -c`` puts it first, as ``''``)."""


def kreg_command(*args: str) -> list[str]:
    """The command line that runs ``kreg ARGS`` in a new Python process of this interpreter.

    Not ``python -m kreg``: that imports ``kreg`` from the working folder
    first (a ``kreg/`` folder or ``kreg.py`` there would be run instead).
    Here the working folder is taken off ``sys.path`` before kreg is imported.
    """
    boot = f"{LEAVE_WORKING_FOLDER}from kreg.cli import main\nmain(prog_name='kreg')\n"
    return [sys.executable, "-c", boot, *args]


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
