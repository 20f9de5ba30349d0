"""No process outlives kreg, however kreg ends: kill -9 included.

The issue: after ``kill -9`` of ``kreg check`` the fork server, its resource
tracker and a hanging child were alive 90 s later (parent 1); a plugin child
started with ``setsid`` and a double fork outlived the check and kept the fork
server alive; a child forked by a plugin under ``kreg train`` outlived it.
The same holds for ``kill -9`` of ``kreg train``, ``inspect``, ``plot`` and
``review`` while a builder runs that left both behind (its working child
sees the ``kreg`` process die and ends everything below it). Every process
kreg starts inherits its environment, so each is found by a marker put there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.support.processes import wait_for

MARK = "KREG_TEST_ORPHAN_MARK"


def _marked(mark: str) -> list[int]:
    """Processes (not zombies) whose environment holds ``MARK=mark``."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
                if state != b"Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _kill_left(pids) -> None:
    for pid in pids:  # a failed test must not leave them either
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _none_left_after(mark: str, seconds: float = 5.0) -> list[int]:
    time.sleep(seconds)
    left = _marked(mark)
    _kill_left(left)
    return left


@pytest.fixture
def mark() -> str:
    return uuid.uuid4().hex


def _start(environment, tmp_path: Path, mark: str, *args: str, **variables: str) -> subprocess.Popen:
    """``python -m kreg ARGS`` with its output in files: a process left behind would hold a pipe open."""
    env = environment._environment({"FAULT_PID_DIR": str(tmp_path), MARK: mark, **variables})
    with open(tmp_path / "stdout", "wb") as stdout, open(tmp_path / "stderr", "wb") as stderr:
        return subprocess.Popen([str(environment.python), "-m", "kreg", *args], stdout=stdout, stderr=stderr, env=env)


def _stderr(tmp_path: Path) -> str:
    return (tmp_path / "stderr").read_text()


def test_kill_9_of_kreg_check_leaves_no_process_even_a_setsid_daemon(faults, tmp_path, mark):
    process = _start(faults, tmp_path, mark, "check", "fault-escape", "fault-hang")
    wait_for(lambda: (tmp_path / "fault-hang.pids").exists() or process.poll() is not None, what="the hanging builder")
    assert (tmp_path / "fault-escape.pids").exists(), _stderr(tmp_path)  # its helper and its daemon are running
    assert len(_marked(mark)) >= 6, _marked(mark)  # kreg, fork server, tracker, the child, its helpers and daemon
    process.kill()
    process.wait(timeout=30)
    assert _none_left_after(mark) == []


# Slow: the kill -9 test above leaves the same daemon behind a harder ending.
@pytest.mark.slow
def test_a_check_that_ends_leaves_no_daemon_of_a_plugin(faults, tmp_path, mark):
    process = _start(faults, tmp_path, mark, "check", "fault-escape", "--json")
    assert process.wait(timeout=300) == 0, _stderr(tmp_path)
    assert "unexpected pid" not in _stderr(tmp_path)
    assert _none_left_after(mark, 2.0) == []


def test_kreg_train_leaves_no_process_a_plugin_forked(faults, tmp_path, mark):
    process = _start(faults, tmp_path, mark, "train", "fault-escape", "--steps", "1", "--json")
    assert process.wait(timeout=300) == 0, _stderr(tmp_path)
    assert (tmp_path / "fault-escape.pids").exists()
    assert _none_left_after(mark, 2.0) == []


@pytest.mark.parametrize(
    "command",
    [
        ["train", "--steps", "1"],
        pytest.param(["inspect"], marks=pytest.mark.slow),  # 8 s each: train, the case, stands for them
        pytest.param(["plot", "-o", "graph.png"], marks=pytest.mark.slow),
        pytest.param(["review", "-o", "page.html"], marks=pytest.mark.slow),
    ],
    ids=lambda command: command[0],
)
def test_kill_9_while_a_builder_runs_leaves_no_process_even_a_setsid_daemon(faults, tmp_path, mark, command):
    name, *options = command
    process = _start(faults, tmp_path, mark, name, "fault-escape", *options, FAULT_ESCAPE_HANG="1")
    wait_for(lambda: (tmp_path / "fault-escape.pids").exists() or process.poll() is not None, what="the builder")
    assert process.poll() is None, _stderr(tmp_path)
    assert len(_marked(mark)) >= 4, _marked(mark)  # kreg, its working child, the builder's helper and daemon
    process.kill()
    process.wait(timeout=30)
    assert _none_left_after(mark) == []
