"""The commands that build run in a working child the ``kreg`` process watches: a kill is one line, not silence.

The issue: a file declaring ``input_dim`` 1e8 was built in the kreg process
and killed for its memory after 116 s with no message. The kernel's
out-of-memory killer sends SIGKILL, which the process it kills cannot report;
the ``kreg`` process above it can (exit 1, the command named, its memory's
peak). Here a real SIGKILL is sent to the working child, and (as root, where a
memory cgroup can be made) the kernel's own out-of-memory killer sends it.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from kreg.cli.working_child import killed_message
from tests.support.processes import alive, wait_for


def _pids(tmp_path: Path, name: str) -> tuple[int, int]:
    child, helper = (tmp_path / f"{name}.pids").read_text().split()
    return int(child), int(helper)


def test_sigkill_of_the_working_child_is_one_line_naming_the_command_and_exit_1(faults, tmp_path):
    process = faults.start_kreg("inspect", "fault-hang", env={"FAULT_PID_DIR": str(tmp_path)})
    wait_for(lambda: (tmp_path / "fault-hang.pids").exists() or process.poll() is not None, what="the hanging builder")
    child, helper = _pids(tmp_path, "fault-hang")
    assert child != process.pid  # the builder runs below the kreg process
    os.kill(child, signal.SIGKILL)  # what the out-of-memory killer sends
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 1, stderr
    # "(out of memory? ...)"; ": out of memory (the kernel's ... ran meanwhile; ...)" should another process here
    # have been killed for its memory meanwhile (the kernel counts for the whole machine).
    assert re.fullmatch(
        r"kreg: error: the process running 'kreg inspect fault-hang' was killed by SIGKILL"
        r"( \(out of memory\? |: out of memory \(the kernel's out-of-memory killer ran meanwhile; )"
        r"its memory peaked at [\d.]+ [KMG]iB\)",
        stderr.strip().splitlines()[-1],
    ), stderr
    assert stdout == ""
    wait_for(lambda: not alive(helper), timeout=5, what="the builder's helper process ending")


def test_out_of_memory_is_said_outright_only_when_the_kernels_killer_ran():
    line = killed_message(["inspect", "mlp"], -signal.SIGKILL, 3 << 30, oom_killer_ran=True)
    assert line == (
        "the process running 'kreg inspect mlp' was killed by SIGKILL: out of memory "
        "(the kernel's out-of-memory killer ran meanwhile; its memory peaked at 3.0 GiB)"
    )
    line = killed_message(["inspect", "mlp"], -signal.SIGKILL, 3 << 30, oom_killer_ran=False)
    assert (
        line
        == "the process running 'kreg inspect mlp' was killed by SIGKILL (out of memory? its memory peaked at 3.0 GiB)"
    )
    line = killed_message(["inspect", "x" * 100], -signal.SIGSEGV, 0, oom_killer_ran=False)
    assert (
        line.endswith("xxx...' was killed by SIGSEGV (a crash in native code)")
        and "kreg inspect " + "x" * 64 + "..." in line
    )


def _memory_cgroup(limit: int) -> Path | None:
    """A new memory cgroup (v1 or v2) limited to ``limit`` bytes; None where none can be made (not root)."""
    name = f"kreg-test-{uuid.uuid4().hex[:8]}"
    for root, limit_file in (("/sys/fs/cgroup/memory", "memory.limit_in_bytes"), ("/sys/fs/cgroup", "memory.max")):
        folder = Path(root) / name
        try:
            folder.mkdir()
        except OSError:
            continue
        try:
            (folder / limit_file).write_text(str(limit))
            return folder
        except OSError:
            folder.rmdir()
    return None


# Slow (8 s) and root only; the SIGKILL above stands for it in the default suite.
@pytest.mark.slow
def test_the_out_of_memory_killer_is_named_in_one_line(faults, tmp_path):
    cgroup = _memory_cgroup(1 << 30)
    if cgroup is None:
        pytest.skip("no memory cgroup can be made here (needs root)")
    try:
        # The shell joins the cgroup, then becomes kreg: every process kreg starts is in it too.
        command = (
            f"echo $$ > {cgroup}/cgroup.procs && exec {faults.python} -m kreg inspect fault-hog --set megabytes=4096"
        )
        result = subprocess.run(
            ["sh", "-c", command], capture_output=True, text=True, env=faults._environment(None), timeout=300
        )
    finally:
        wait_for(lambda: not (cgroup / "cgroup.procs").read_text().strip(), timeout=10, what="the cgroup emptying")
        cgroup.rmdir()
    assert result.returncode == 1, result.stderr
    assert re.fullmatch(
        r"kreg: error: the process running 'kreg inspect fault-hog --set megabytes=4096' was killed by SIGKILL: "
        r"out of memory \(the kernel's out-of-memory killer ran meanwhile; its memory peaked at [\d.]+ [MG]iB\)",
        result.stderr.strip().splitlines()[-1],
    ), result.stderr


def _read_until_closed(master: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every process holding the terminal has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


# Slow (12 s): the default suite interrupts the working child off a terminal (test_saving, test_check_isolation).
@pytest.mark.slow
def test_ctrl_c_on_a_terminal_reaches_the_working_child_once(faults, tmp_path):
    # On a terminal the child shares kreg's process group and the terminal's SIGINT reaches both: were it relayed as
    # well, training would take it for a second Ctrl-C and stop at once instead of after the step under way.
    environment = faults._environment({"FAULT_MARK_DIR": str(tmp_path)})
    command = [str(faults.python), "-m", "kreg", "train", "fault-slow-train", "--steps", "1000"]
    pid, master = pty.fork()  # the child leads a session whose controlling terminal is this pty
    if pid == 0:
        os.execve(command[0], command, environment)
    try:
        wait_for(lambda: (tmp_path / "training").exists(), what="training starting")
        os.write(master, b"\x03")  # Ctrl-C, as typed: the terminal sends SIGINT to its foreground process group
        output = _read_until_closed(master)
        _, status = os.waitpid(pid, 0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.close(master)
    assert os.waitstatus_to_exitcode(status) == 130, output
    assert "kreg: stopping after this step" in output, output
    step = re.search(r"kreg: error: interrupted at step (\d+) of 1000", output)  # a second SIGINT: "interrupted"
    assert step and f"fault-slow-train: {step[1]} steps" in output, output
