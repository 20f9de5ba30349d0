"""The cluster of a multi-worker run, read from ``TF_CONFIG`` and checked before
TensorFlow sees it; the ``TF_CONFIG`` of each worker of a local cluster.

TensorFlow's ``MultiWorkerMirroredStrategy`` reads ``TF_CONFIG`` itself, but a
malformed one surfaces as a ``KeyError``, a ``ValueError`` deep in the strategy,
or a worker that waits forever for a task that cannot exist. :func:`read_tf_config`
rejects those first, with one line naming ``TF_CONFIG`` and what is wrong.
Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kreg.errors import KregUsageError
from kreg.files import replaced_atomically

PROGRESS_PREFIX = "kreg: step "
"""How a worker's progress lines start (``kreg train --progress-lines``), for the launcher to relay."""

DEFAULT_CONNECT_TIMEOUT = 300.0
"""Seconds a worker waits for the whole cluster to come up (``kreg train --connect-timeout``)."""

TRAINING_JOBS = ("chief", "worker")
"""The task types that train under MultiWorkerMirroredStrategy (in TensorFlow's order)."""

OTHER_JOBS = {
    "evaluator": "an evaluator only evaluates checkpoints, which kreg train does not write",
    "ps": (
        "parameter servers belong to ParameterServerStrategy; --distribute multiworker is MultiWorkerMirroredStrategy"
    ),
}
"""Task types TensorFlow knows that kreg cannot run, and why."""


class ClusterConfigError(KregUsageError):
    """``TF_CONFIG`` is malformed or inconsistent (exit status 2)."""

    def __init__(self, problem: str):
        super().__init__(f"TF_CONFIG {problem}")


@dataclass(frozen=True)
class Task:
    """One task of the cluster: its type, index and ``host:port``."""

    type: str
    index: int
    address: str

    def __str__(self) -> str:
        return f"{self.type} {self.index} at {self.address}"


@dataclass(frozen=True)
class ClusterConfig:
    """A checked ``TF_CONFIG``: the training tasks of the cluster and this process's task.

    Attributes:
        jobs: dict[str, tuple[str, ...]]. ``"chief"`` and/or ``"worker"`` addresses.
        task_type: str. This process's task type.
        task_index: int. This process's index within its type.
    """

    jobs: dict[str, tuple[str, ...]]
    task_type: str
    task_index: int

    @property
    def tasks(self) -> list[Task]:
        """Every training task, the chief first."""
        return [
            Task(job, index, address) for job in TRAINING_JOBS for index, address in enumerate(self.jobs.get(job, ()))
        ]

    @property
    def size(self) -> int:
        """How many processes train together."""
        return len(self.tasks)

    @property
    def task(self) -> Task:
        """This process's task."""
        return Task(self.task_type, self.task_index, self.jobs[self.task_type][self.task_index])

    @property
    def chief(self) -> Task:
        """The task that writes the outputs: the chief, else worker 0 (TensorFlow's rule)."""
        return self.tasks[0]

    @property
    def is_chief(self) -> bool:
        """True for the one task that writes the saved model and the scalars."""
        return self.task == self.chief

    def peers(self) -> list[Task]:
        """The other training tasks."""
        return [task for task in self.tasks if task != self.task]

    def task_named(self, task_type: str, index: int) -> Task | None:
        """The task of that type and index, or None."""
        addresses = self.jobs.get(task_type, ())
        return Task(task_type, index, addresses[index]) if 0 <= index < len(addresses) else None

    def to_json(self) -> dict[str, Any]:
        """``{"task": {"type", "index"}, "address", "chief", "workers"}`` for ``kreg train --json``."""
        return {
            "task": {"type": self.task_type, "index": self.task_index},
            "address": self.task.address,
            "chief": self.is_chief,
            "workers": self.size,
        }


def read_tf_config(environ: Mapping[str, str] | None = None) -> ClusterConfig | None:
    """Parse and check ``TF_CONFIG``; None when it is unset or empty.

    Raises:
        ClusterConfigError: it is not JSON, has no cluster, lists a bad address
            or an address twice, names a task type kreg cannot run, or a task
            type or index that is not in the cluster.
    """
    text = (os.environ if environ is None else environ).get("TF_CONFIG", "").strip()
    if not text:
        return None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ClusterConfigError(
            f"is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    if not isinstance(config, dict):
        raise ClusterConfigError(f'must be a JSON object with "cluster" and "task", not {type(config).__name__}')
    jobs = _check_cluster(config.get("cluster"))
    task_type, task_index = _check_task(config.get("task"), jobs)
    return ClusterConfig(jobs, task_type, task_index)


def _check_cluster(cluster: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(cluster, dict) or not cluster:
        raise ClusterConfigError(
            'has no "cluster": it needs {"cluster": {"worker": ["host:port", ...]}, "task": {...}}'
        )
    for job in cluster:
        if job not in TRAINING_JOBS and job not in OTHER_JOBS:
            raise ClusterConfigError(
                f"names an unknown task type {job!r} in its cluster; use {' and '.join(TRAINING_JOBS)}"
            )
        if job in OTHER_JOBS and job != "evaluator":
            raise ClusterConfigError(f"has {job!r} tasks: {OTHER_JOBS[job]}")
    jobs = {job: _check_addresses(job, addresses) for job, addresses in cluster.items()}
    if not any(jobs.get(job) for job in TRAINING_JOBS):
        raise ClusterConfigError('has no "chief" or "worker" tasks in its cluster')
    if len(jobs.get("chief", ())) > 1:
        raise ClusterConfigError(f"lists {len(jobs['chief'])} chief tasks; a cluster has at most one")
    _check_unique(jobs)
    return {job: jobs[job] for job in TRAINING_JOBS if job in jobs}


def _check_addresses(job: str, addresses: Any) -> tuple[str, ...]:
    if isinstance(addresses, str) or not isinstance(addresses, Sequence):
        raise ClusterConfigError(
            f'cluster {job!r} must be a list of "host:port" addresses, not {json.dumps(addresses)}'
        )
    for index, address in enumerate(addresses):
        if not _is_host_port(address):
            raise ClusterConfigError(
                f'cluster {job}[{index}] is {json.dumps(address)}, not "host:port" with a host name or IP address '
                "and a port from 1 to 65535"
            )
    return tuple(addresses)


_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


def _is_host_port(address: Any) -> bool:
    if not isinstance(address, str) or ":" not in address:
        return False
    host, port = address.rsplit(":", 1)
    return _is_host(host) and port.isascii() and port.isdigit() and 1 <= int(port) <= 65535


def _is_host(host: str) -> bool:
    """A host name (RFC 1123 labels; ``_`` allowed, as container names have it), an IPv4 or IPv6 address."""
    if host.startswith("[") or host.endswith("]"):
        return host.startswith("[") and host.endswith("]") and _is_ip(host[1:-1])
    if _is_ip(host):
        return True
    return 0 < len(host) <= 253 and all(_HOST_LABEL.match(label) for label in host.removesuffix(".").split("."))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _check_unique(jobs: dict[str, tuple[str, ...]]) -> None:
    seen: dict[str, str] = {}
    for job, addresses in jobs.items():
        for index, address in enumerate(addresses):
            if address in seen:
                raise ClusterConfigError(
                    f"lists {address} twice ({seen[address]} and {job} {index}); every task needs its own port"
                )
            seen[address] = f"{job} {index}"


def _check_task(task: Any, jobs: dict[str, tuple[str, ...]]) -> tuple[str, int]:
    if not isinstance(task, dict):
        raise ClusterConfigError('has no "task": every process needs its own {"type": "worker", "index": N}')
    task_type, index = task.get("type"), task.get("index", 0)
    if task_type in OTHER_JOBS:
        raise ClusterConfigError(f"task type {task_type!r} cannot run kreg train: {OTHER_JOBS[task_type]}")
    if task_type not in jobs:
        known = ", ".join(repr(job) for job in jobs)
        raise ClusterConfigError(f"task type {json.dumps(task_type)} is not in its cluster ({known})")
    if isinstance(index, bool) or not isinstance(index, int):
        raise ClusterConfigError(f"task index {json.dumps(index)} is not an integer")
    count = len(jobs[task_type])
    if not 0 <= index < count:
        raise ClusterConfigError(
            f"task index {index} is out of range: the cluster has {count} {task_type} task(s), indices 0 to {count - 1}"
        )
    return task_type, index


def local_tf_configs(addresses: Sequence[str]) -> list[str]:
    """The ``TF_CONFIG`` of each worker of a cluster of ``addresses``, worker 0 first."""
    cluster = {"worker": list(addresses)}
    return [
        json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}) for index in range(len(addresses))
    ]


def free_local_addresses(count: int, host: str = "127.0.0.1") -> list[str]:
    """``count`` distinct ``host:port`` addresses whose ports were free a moment ago.

    The ports are chosen by the operating system (bind to port 0) and released
    at once, so another program could take one before a worker binds it; the
    worker then fails to start, naming the address.
    """
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.bind((host, 0))
            sockets.append(probe)
        return [f"{host}:{probe.getsockname()[1]}" for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def answers(address: str, timeout: float = 1.0) -> bool:
    """True when something accepts a TCP connection at ``host:port``."""
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return True
    except OSError:
        return False


_TIMED_OUT_TASKS = re.compile(r"timed out task names:(?P<names>.*)", re.DOTALL)
_TASK_NAME = re.compile(r"/job:(?P<type>\w+)/replica:\d+/task:(?P<index>\d+)")


def unreachable_message(cluster: ClusterConfig, timeout: float, detail: str = "") -> str:
    """Why the cluster did not form, naming the tasks that did not join, by task and address.

    Args:
        cluster: ClusterConfig. This worker's cluster.
        timeout: float. The seconds it waited.
        detail: str. TensorFlow's error, whose "timed out task names" are the
            tasks that never registered (their port may still accept connections:
            another program on it, or a worker with another TF_CONFIG).
    """
    silent = [task for task in cluster.peers() if not answers(task.address)]
    if silent:
        names = ", ".join(str(task) for task in silent)
        return (
            f"could not reach {names} within {timeout:g} s (as {cluster.task}); start every worker with the "
            "same cluster in TF_CONFIG and check that the port is open, or raise --connect-timeout"
        )
    missing = _timed_out_tasks(cluster, detail)
    if missing:
        names = ", ".join(str(task) for task in missing)
        return (
            f"{names} did not join the cluster within {timeout:g} s although its port accepts connections "
            f"(as {cluster.task}): another program may hold the port, or that worker runs with another TF_CONFIG; "
            "check that every worker has the same cluster in TF_CONFIG and its own task"
        )
    return (
        f"the cluster did not form within {timeout:g} s (as {cluster.task}); every other task's port accepts "
        "connections and TensorFlow did not say which task did not join: check that every worker has the same "
        "cluster in TF_CONFIG and its own task"
    )


def _timed_out_tasks(cluster: ClusterConfig, detail: str) -> list[Task]:
    """The tasks TensorFlow's registration error names as timed out, other than this worker."""
    listed = _TIMED_OUT_TASKS.search(detail)
    if listed is None:
        return []
    found: list[Task] = []
    for match in _TASK_NAME.finditer(listed["names"]):
        task = cluster.task_named(match["type"], int(match["index"]))
        if task is not None and task != cluster.task and task not in found:
            found.append(task)
    return found


@contextlib.contextmanager
def output_for_this_worker(path: str, is_chief: bool) -> Iterator[str]:
    """Yield where this process writes ``path``; the chief's file appears whole or not at all.

    The chief (or a process outside any cluster) writes a temporary file next
    to ``path`` that replaces ``path`` once written. Every other worker must
    write too, since saving a distributed model can take part in collective
    ops, but to a temporary folder of its own that is deleted afterwards
    (TensorFlow's pattern for multi-worker saving), so that the target, which
    may be on a filesystem all workers share, is written once.

    Args:
        path: str. The target file; its name's suffix is kept (Keras wants ``.keras``).
        is_chief: bool. Whether this process writes the target.
    """
    suffix = os.path.splitext(path)[1]
    if not is_chief:
        scratch = tempfile.mkdtemp(prefix="kreg-worker-")
        try:
            yield os.path.join(scratch, f"discarded{suffix}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with replaced_atomically(path) as partial:
        yield str(partial)
