"""The local-cluster launcher on real, cheap processes: output relayed, a failed or killed
worker stops the others, Ctrl-C or SIGTERM stops them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from kreg.workflows.launching import run_workers
from tests.support.processes import alive

ENV = dict(os.environ)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def test_every_worker_runs_to_the_end_with_its_output_kept():
    seen = []
    code = """
        import sys
        print("line one", file=sys.stderr, flush=True)
        print("line two", file=sys.stderr, flush=True)
        print('{"worker": %s}' % sys.argv[1])
    """
    workers = run_workers(
        [[*python(code), str(i)] for i in range(3)], [ENV] * 3, on_line=lambda w, line: seen.append((w.index, line))
    )
    assert [w.status for w in workers] == [0, 0, 0]
    assert [json.loads(w.stdout) for w in workers] == [{"worker": 0}, {"worker": 1}, {"worker": 2}]
    for index in range(3):
        assert [line for i, line in seen if i == index] == ["line one", "line two"]
    assert not any(w.failed or w.stopped for w in workers)


def test_each_worker_gets_its_own_environment():
    workers = run_workers(
        [python("import os; print(os.environ['TASK'])")] * 2, [{**ENV, "TASK": "a"}, {**ENV, "TASK": "b"}]
    )
    assert [w.stdout.strip() for w in workers] == ["a", "b"]


def test_a_failing_worker_stops_the_others_at_once():
    failing = python("""
        import sys, time
        time.sleep(0.5)
        print("kreg: error: test: train failed: boom", file=sys.stderr)
        sys.exit(1)
    """)
    sleeping = python("import time; time.sleep(60)")
    started = time.monotonic()
    workers = run_workers([sleeping, failing], [ENV] * 2)
    assert time.monotonic() - started < 20
    assert (workers[1].failed, workers[1].describe_exit()) == (True, "exited with status 1: test: train failed: boom")
    assert workers[0].stopped and not workers[0].failed


def test_a_killed_worker_is_named_with_its_signal():
    killed = python("import os, signal, time; time.sleep(0.5); os.kill(os.getpid(), signal.SIGKILL)")
    workers = run_workers([killed, python("import time; time.sleep(60)")], [ENV] * 2)
    assert workers[0].failed and workers[0].describe_exit() == "was killed by SIGKILL"
    assert workers[1].stopped


def test_a_worker_that_ignores_sigint_is_killed_after_the_grace_period():
    stubborn = python("""
        import signal, sys, time
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("ready", file=sys.stderr, flush=True)
        time.sleep(60)
    """)
    started = time.monotonic()
    workers = run_workers([stubborn, python("import sys; sys.exit(2)")], [ENV] * 2, grace=0.5)
    assert time.monotonic() - started < 20
    assert workers[0].stopped and workers[0].status == -signal.SIGKILL
    assert workers[1].describe_exit() == "exited with status 2"


LAUNCHER = """
import os, sys
from kreg.workflows.launching import Interrupted, run_workers

child = [sys.executable, "-c", "import os, sys, time; print(os.getpid(), file=sys.stderr, flush=True); time.sleep(120)"]
try:
    run_workers(
        [child, child], [dict(os.environ)] * 2, on_line=lambda w, line: line.isdigit() and print(line, flush=True)
    )
except Interrupted as interrupted:
    print("interrupted", interrupted.signal_number, flush=True)
    sys.exit(interrupted.exit_status)
"""


@pytest.mark.parametrize("number, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_the_launcher_stops_every_worker(number, status):
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdout=subprocess.PIPE, text=True)
    pids = [int(launcher.stdout.readline()) for _ in range(2)]
    assert all(alive(pid) for pid in pids)
    launcher.send_signal(number)
    rest, _ = launcher.communicate(timeout=30)
    assert launcher.returncode == status
    assert rest.strip() == f"interrupted {int(number)}"
    assert not any(alive(pid) for pid in pids)


def test_workers_die_with_a_killed_launcher():
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdout=subprocess.PIPE, text=True)
    pids = [int(launcher.stdout.readline()) for _ in range(2)]
    launcher.kill()
    launcher.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in pids)


def test_the_launcher_side_never_imports_tensorflow():
    """The process that starts the workers stays light: only the workers import TensorFlow."""
    code = (
        "import sys; import kreg.cluster, kreg.workflows.launching, kreg.sharding, kreg.cli.local_cluster; "
        "from kreg.cli import main; "
        "main(['train', 'risk-factor-autoencoder', '--workers', '2', '--distribute', 'mirrored'], "
        "standalone_mode=False)"
    )
    script = (
        "import sys\n"
        "try:\n"
        f"    {code}\n"
        "except Exception:\n"
        "    pass\n"
        "leaked = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "print(leaked); sys.exit(1 if leaked else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_worker_that_cannot_start_stops_those_already_started(tmp_path):
    marker = f"kreg-test-marker-{os.getpid()}-{time.monotonic_ns()}"
    first = [*python("import time; time.sleep(60)"), marker]
    with pytest.raises(FileNotFoundError):
        run_workers([first, [str(tmp_path / "no-such-program")]], [ENV] * 2)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert left == []
