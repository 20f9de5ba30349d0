"""Start N worker processes of a local cluster, relay their output, stop them together.

:func:`run_workers` has kreg's one supervisor of child processes
(:mod:`kreg.running.supervisor`) start every command in its own process group,
hands each line a worker writes on stderr to a callback as it comes, keeps
what it writes on stdout (``kreg train --json`` prints its result there), and
waits. When a worker exits with an error or is killed while others still run,
the others cannot finish (each step waits for every worker), so they are
stopped at once. Ctrl-C or SIGTERM stops every worker too, and then raises
:class:`Interrupted`. Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from kreg.processes import Interrupted, describe_exit
from kreg.running.supervisor import CommandChild, Supervisor

__all__ = ["STOP_GRACE_SECONDS", "Interrupted", "Worker", "run_workers"]

STOP_GRACE_SECONDS = 3.0
"""How long a stopped worker gets to exit after SIGINT before it is killed."""

_ERROR_PREFIX = "kreg: error: "


@dataclass
class Worker:
    """One worker process and what it wrote.

    Attributes:
        index: int. Its position in the cluster.
        process: CommandChild. The process (started by the supervisor).
        stdout: str. Everything it wrote on stdout (complete once it exited).
        stderr: list[str]. Its stderr lines, in order.
        stopped: bool. The launcher stopped it (another failed, or Ctrl-C).
    """

    index: int
    process: CommandChild
    stdout: str = ""
    stderr: list[str] = field(default_factory=list)
    stopped: bool = False
    readers: list[threading.Thread] = field(default_factory=list, repr=False)

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    @property
    def status(self) -> int | None:
        """The exit status; negative for a signal, None while it runs."""
        return self.process.status

    @property
    def failed(self) -> bool:
        """It exited with an error or was killed (and the launcher did not stop it)."""
        return self.status not in (None, 0) and not self.stopped

    def describe_exit(self) -> str:
        """``exited with status 1: <its error line>`` or ``was killed by SIGKILL``."""
        status = self.status
        if status is None or status < 0:
            return describe_exit(status)
        errors = [line[len(_ERROR_PREFIX) :] for line in self.stderr if line.startswith(_ERROR_PREFIX)]
        reason = errors[-1] if errors else next((line for line in reversed(self.stderr) if line.strip()), "")
        return f"exited with status {status}" + (f": {reason}" if reason else "")


def run_workers(
    commands: Sequence[Sequence[str]],
    environments: Sequence[Mapping[str, str]],
    on_line: Callable[[Worker, str], None] = lambda worker, line: None,
    grace: float = STOP_GRACE_SECONDS,
) -> list[Worker]:
    """Run one process per command to the end, all stopped together when one fails.

    Args:
        commands: Sequence[Sequence[str]]. The command of each worker.
        environments: Sequence[Mapping[str, str]]. The full environment of each.
        on_line: callable. Called in this thread with each stderr line (without
            its newline) as it arrives.
        grace: float. Seconds a stopped worker gets after SIGINT before SIGKILL.

    Returns:
        list[Worker]. Every worker, finished; check ``failed`` and ``stopped``.

    Raises:
        Interrupted: SIGINT or SIGTERM arrived; every worker was stopped first.
    """
    lines: queue.Queue[tuple[Worker, str]] = queue.Queue()
    workers: list[Worker] = []
    supervisor = Supervisor(stop_signal=signal.SIGINT, grace=grace)
    # SIGINT, not SIGTERM: TensorFlow's preemption notifier catches SIGTERM in a worker of
    # a multi-worker cluster, and the process goes on.
    with supervisor.supervising():  # whatever ends the run (a worker that cannot start), none is left behind
        try:
            # Every process first, then the threads that read them: a fork
            # while other threads run is what preexec_fn must not meet.
            for index, (command, environment) in enumerate(zip(commands, environments)):
                workers.append(Worker(index, supervisor.run_command(command, environment)))
            for worker in workers:
                _read(worker, lines)
            _supervise(supervisor, workers, lines, on_line)
        except Interrupted:
            _stop(supervisor, workers)
            _drain(workers, lines, on_line)
            raise
    return workers


def _read(worker: Worker, lines: queue.Queue) -> None:
    worker.readers = [
        threading.Thread(target=_read_stdout, args=(worker, worker.process.stdout), daemon=True),
        threading.Thread(target=_read_stderr, args=(worker, worker.process.stderr, lines), daemon=True),
    ]
    for reader in worker.readers:
        reader.start()


def _read_stdout(worker: Worker, stream: IO[bytes]) -> None:
    worker.stdout = stream.read().decode(errors="replace")


def _read_stderr(worker: Worker, stream: IO[bytes], lines: queue.Queue) -> None:
    for raw in stream:
        lines.put((worker, raw.decode(errors="replace").rstrip("\n")))


def _supervise(
    supervisor: Supervisor, workers: list[Worker], lines: queue.Queue, on_line: Callable[[Worker, str], None]
) -> None:
    while any(worker.status is None for worker in workers):
        _relay(lines, on_line, timeout=0.2)
        if any(worker.failed for worker in workers):
            _stop(supervisor, workers)
    _drain(workers, lines, on_line)


def _relay(lines: queue.Queue, on_line: Callable[[Worker, str], None], timeout: float) -> None:
    try:
        worker, line = lines.get(timeout=timeout)
    except queue.Empty:
        return
    worker.stderr.append(line)
    on_line(worker, line)


def _drain(workers: list[Worker], lines: queue.Queue, on_line: Callable[[Worker, str], None]) -> None:
    """Wait for every reader to reach the end of its stream, relaying what is left."""
    for worker in workers:
        worker.process.wait(None)
        for reader in worker.readers:
            reader.join()
    while not lines.empty():
        _relay(lines, on_line, timeout=0)


def _stop(supervisor: Supervisor, workers: list[Worker]) -> None:
    """Stop every worker still running (SIGINT to its group, SIGKILL after the grace period)."""
    running = [worker for worker in workers if worker.status is None]
    for worker in running:
        worker.stopped = True
    supervisor.stop(worker.process for worker in running)
