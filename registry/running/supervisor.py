"""kreg's one supervisor of child processes: each leads a process group of its own, none outlives the run.

Every process kreg starts to run plugin code in is started, watched and
stopped by a :class:`Supervisor`: ``kreg check``'s architectures, forked from
a server that imported TensorFlow once (:mod:`kreg.running.workers`), and the
``kreg train`` commands of a local cluster (:mod:`kreg.workflows.launching`).
Each child leads a process group of its own, so that stopping it stops what
the plugin started with it, and dies with kreg (Linux). While
:meth:`Supervisor.supervising` is active, SIGINT and SIGTERM raise
:class:`~kreg.processes.Interrupted`; on the way out, for whatever reason,
every child still held is stopped. Importing this module imports neither
TensorFlow nor Keras.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from kreg.descendants import spared
from kreg.processes import die_with_parent, signals_raise_interrupted

FORK_SERVER_PARENT = "KREG_FORK_SERVER_PARENT"
"""The environment variable that tells the fork server kreg's process id (it ends when that process does)."""


class Child(Protocol):
    """A child process as the supervisor sees it: the leader of a process group of its own."""

    @property
    def pid(self) -> int:
        """The process id, which is also its process group's."""
        ...

    @property
    def status(self) -> int | None:
        """The exit status; negative for a signal, None while it runs."""
        ...

    def signal(self, number: int) -> None:
        """Send ``number`` to the process itself, unless it has been reaped."""
        ...

    def wait(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds (None: for ever) for it to exit; True once it has (reaped)."""
        ...

    def close(self) -> None:
        """Let go of what connects this process to it, once it has exited."""
        ...


@dataclass
class ForkedChild:
    """A child forked to run a function, which sends its reports on ``connection``'s other end.

    Attributes:
        process: multiprocessing.Process. The child.
        connection: Connection. The receiving end of its pipe; the child holds the
            only sending end, so its death reads as the end of the pipe.
        ended: bool. The pipe has reached its end: nothing more will come.
    """

    process: Any
    connection: multiprocessing.connection.Connection
    ended: bool = False

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    @property
    def status(self) -> int | None:
        """The exit status; negative for a signal, None while it runs."""
        return self.process.exitcode

    @property
    def sentinel(self) -> int:
        """Becomes ready when the process ends (for :meth:`Supervisor.wait`)."""
        return self.process.sentinel

    def messages(self) -> Iterator[Any]:
        """Every message the child has sent so far, in order; at the end of the pipe, ``ended`` is set."""
        while not self.ended and self.connection.poll():
            try:
                yield self.connection.recv()
            except (EOFError, OSError):
                self.ended = True

    def signal(self, number: int) -> None:
        """Send ``number`` to the process, unless it has ended (it is not reaped before :meth:`wait`)."""
        if self.process.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, number)

    def wait(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds for it to exit; True once it has."""
        self.process.join(timeout)
        return self.process.exitcode is not None

    def close(self) -> None:
        """Close the receiving end of its pipe."""
        self.connection.close()


@dataclass
class CommandChild:
    """A child running a command, its stdout and stderr piped to kreg.

    Attributes:
        process: subprocess.Popen. The child.
    """

    process: subprocess.Popen

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    @property
    def status(self) -> int | None:
        """The exit status; negative for a signal, None while it runs."""
        return self.process.poll()

    @property
    def stdout(self) -> IO[bytes]:
        """What it writes on stdout."""
        assert self.process.stdout is not None  # started with stdout=PIPE
        return self.process.stdout

    @property
    def stderr(self) -> IO[bytes]:
        """What it writes on stderr."""
        assert self.process.stderr is not None  # started with stderr=PIPE
        return self.process.stderr

    def signal(self, number: int) -> None:
        """Send ``number`` to the process, unless it has been reaped."""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(number)

    def wait(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds for it to exit; True once it has."""
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def close(self) -> None:
        """Nothing to close: whoever reads its pipes reads them to the end."""


@dataclass
class Supervisor:
    """The children of one run: started in process groups of their own, stopped whole.

    Attributes:
        stop_signal: int. What :meth:`stop` sends each child's group first.
        grace: float. Seconds the children get to exit after ``stop_signal``
            before their groups are killed (SIGKILL).
        children: list[Child]. The children started and not yet stopped.
    """

    stop_signal: int = signal.SIGKILL
    grace: float = 0.0
    children: list[Any] = field(default_factory=list)

    @contextlib.contextmanager
    def supervising(self) -> Iterator[Supervisor]:
        """While active, SIGINT and SIGTERM raise Interrupted; on the way out every child held is stopped."""
        with signals_raise_interrupted():
            try:
                yield self
            finally:
                self.stop(list(self.children))

    def fork(self, target: Callable[..., None], args: Sequence[Any], name: str) -> ForkedChild:
        """Start ``target(sending_end, *args)`` in a child forked from the fork server.

        The target must lead a process group of its own and die with its parent
        (:func:`kreg.running.child.run_child` does, first thing).
        """
        context = _context()
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=target, args=(sending, *args), name=name)
        process.start()
        child = self._hold(ForkedChild(process, receiving))
        sending.close()  # the child holds the only sending end: its death reads as the end of the pipe
        return child

    def run_command(self, command: Sequence[str], environment: Mapping[str, str]) -> CommandChild:
        """Start ``command`` in a session of its own, with ``environment``, stdin closed, stdout and stderr piped."""
        process = subprocess.Popen(
            list(command),
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Its own process group: the terminal's Ctrl-C reaches only kreg, which stops each child and waits for it.
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        return self._hold(CommandChild(process))

    def wait(self, children: Iterable[ForkedChild], timeout: float | None) -> None:
        """Block until one of ``children`` ends or sends something, or ``timeout`` seconds pass."""
        waitables: list[Any] = []
        for child in children:
            waitables.append(child.sentinel)
            if not child.ended:  # a pipe at its end is always ready to read
                waitables.append(child.connection)
        multiprocessing.connection.wait(waitables, timeout=timeout)

    def stop(self, children: Iterable[Child]) -> None:
        """Send each child's group ``stop_signal``, kill what is left after ``grace`` seconds, reap, let go.

        A child that has exited has its group stopped too: what the plugin
        started in it must not outlive it.
        """
        stopping = list(children)
        for child in stopping:
            _signal_group(child, self.stop_signal)
        deadline = time.monotonic() + self.grace
        for child in stopping:
            if not child.wait(max(0.0, deadline - time.monotonic())):
                _signal_group(child, signal.SIGKILL)
                child.wait(None)
            child.close()
            if child in self.children:
                self.children.remove(child)

    def _hold(self, child: Any) -> Any:
        self.children.append(child)  # at once: an interruption from here on stops it
        return child


def _signal_group(child: Child, number: int) -> None:
    """Signal the child's process group; the child alone when there is no such group.

    A forked child makes its group first thing, but may not have yet; a group
    whose processes have all ended is gone. Not both: a second SIGINT could cut
    short the clean-up the first one started.
    """
    try:
        os.killpg(child.pid, number)
    except (ProcessLookupError, PermissionError):
        child.signal(number)


def _context() -> Any:
    """Fork the children from a server that imported TensorFlow once; spawn them where there is no such server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["kreg.running.worker_preload"])
    _start_fork_server_away_from_the_working_folder()
    return context


def _start_fork_server_away_from_the_working_folder() -> None:
    """Start the fork server (and multiprocessing's resource tracker) in an empty folder of its own.

    Both are started with ``python -c``, which puts the working folder first on
    ``sys.path``: a ``kreg/`` folder or a ``kreg.py`` there would be imported
    as kreg (and its code run) when the server imports its preload. Started
    from an empty folder, they cannot; each child then moves back to kreg's
    working folder and takes kreg's ``sys.path`` (multiprocessing's preparation).
    """
    from multiprocessing import forkserver, resource_tracker

    os.environ[FORK_SERVER_PARENT] = str(os.getpid())  # the server ends with this process (worker_preload)
    try:
        working = os.getcwd()
    except FileNotFoundError:  # the working folder was deleted: nothing to import from
        working = None
    try:
        with tempfile.TemporaryDirectory(prefix="kreg-fork-server-") as empty:
            os.chdir(empty)
            try:
                forkserver.ensure_running()
            finally:
                if working is not None:
                    os.chdir(working)
    finally:
        os.environ.pop(FORK_SERVER_PARENT, None)
    tracker = getattr(resource_tracker._resource_tracker, "_pid", None)  # multiprocessing keeps no public handle
    if tracker is not None:
        spared.add(tracker)  # it exits by itself once the processes holding its pipe have
