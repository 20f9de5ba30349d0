"""Run a command and wait for every process below it, so that their CPU time is counted.

``kreg check`` runs each architecture in a child forked from a fork server;
the server reaps those children but outlives kreg by a moment (it stops when
kreg's end closes its pipe), so ``wait4`` on kreg alone never sees their CPU
time. This wrapper makes itself a subreaper (Linux), runs the command, then
reaps every orphan that lands on it. Measured with ``wait4`` from outside
(:func:`harness.run_command`), its figures are then the CPU of the whole tree:
the command, the fork server, every child, and this wrapper's own start
(about 0.03 s, the same on both sides of a comparison that both use it).

    python benchmarks/tree_cpu.py COMMAND [ARGS ...]

Exit status: the command's. Descendants still running ``GRACE_SECONDS``
after the command ended are killed (and their CPU until then counted).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from kreg.descendants import become_subreaper, descendants

GRACE_SECONDS = 30.0
_POLL_SECONDS = 0.05


def run_and_reap(command: list[str]) -> int:
    """Run ``command``, reap every descendant it leaves, and return its exit status."""
    if not become_subreaper():
        print("tree_cpu: not Linux: only the command's own CPU (and what it reaped) is counted", file=sys.stderr)
    status = subprocess.call(command)
    deadline = time.monotonic() + GRACE_SECONDS
    while _reap_one():
        if time.monotonic() > deadline:
            for pid in descendants(os.getpid()):
                _kill(pid)
            deadline = float("inf")
    return status


def _reap_one() -> bool:
    """Reap one ended descendant if there is one; False once none is left."""
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return False
    if pid == 0:
        time.sleep(_POLL_SECONDS)
    return True


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(run_and_reap(sys.argv[1:]))
