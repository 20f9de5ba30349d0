"""``kreg train NAME --workers N``: N local workers started, relayed and stopped together."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from kreg.cli import main
from kreg.processes import kreg_command
from kreg.testing_plugin import run_kreg

TRAIN = [sys.executable, "-m", "kreg", "train", "risk-factor-autoencoder", "--preset", "smoke"]


def kreg_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("KREG_") and k != "TF_CONFIG"}


@pytest.mark.parametrize(
    "args, env, message",
    [
        (
            ["--workers", "2", "--distribute", "mirrored"],
            {},
            "--workers starts a multi-worker cluster; it cannot be combined with --distribute mirrored",
        ),
        (
            ["--workers", "2"],
            {"TF_CONFIG": '{"cluster": {}}'},
            "TF_CONFIG is set, but --workers starts a local cluster of its own",
        ),
        (["--workers", "2", "--set", "colour=red"], {}, "hyperparameter 'colour'"),
        (["--workers", "2", "--save", "model.h5"], {}, "--save 'model.h5': the file name must end in .keras"),
    ],
)
def test_usage_errors_exit_2_before_any_worker_starts(args, env, message):
    result = run_kreg("train", "risk-factor-autoencoder", *args, env=env)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("kreg: error: " + message)
    assert "starting" not in result.stderr


def test_workers_must_be_at_least_one():
    result = run_kreg("train", "risk-factor-autoencoder", "--workers", "0")
    assert result.exit_code == 2 and "--workers" in result.stderr


def test_worker_command_passes_every_option_on(tmp_path, monkeypatch):
    from kreg.cli.local_cluster import worker_command

    monkeypatch.chdir(tmp_path)
    options = {
        "steps": 7,
        "epochs": 2,
        "batch_size": None,
        "source": "d.npz",
        "save": "m.keras",
        "logdir": "runs",
        "connect_timeout": 30.0,
        "seed": 3,
        "jit_compile": False,
    }
    with main.make_context("kreg", ["list"]) as context, context.scope():
        command = worker_command("mlp", ("units=4",), "smoke", options)
    assert command[:5] == kreg_command("train", "mlp")  # not python -m kreg: the working folder is not imported
    rest = command[5:]
    assert rest == [
        "--steps",
        "7",
        "--epochs",
        "2",
        "--data",
        str(tmp_path / "d.npz"),
        "--save",
        str(tmp_path / "m.keras"),
        "--logdir",
        str(tmp_path / "runs"),
        "--connect-timeout",
        "30.0",
        "--seed",
        "3",
        "--no-jit-compile",
        "--set",
        "units=4",
        "--preset",
        "smoke",
        "--distribute",
        "multiworker",
        "--json",
        "--progress-lines",
    ]


@pytest.mark.slow
def test_two_local_workers_train_the_issues_architecture(tmp_path):
    """The issue's command, through --workers: one combined JSON, the model saved once."""
    result = subprocess.run(
        [*TRAIN, "--steps", "10", "--workers", "2", "--json", "--save", "model.keras"],
        capture_output=True,
        text=True,
        timeout=400,
        cwd=tmp_path,
        env=kreg_env(),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["architecture"], report["workers"], report["weights_identical"]) == (
        "risk-factor-autoencoder",
        2,
        True,
    )
    assert [r["cluster"]["task"]["index"] for r in report["results"]] == [0, 1]
    assert [r["saved"] for r in report["results"]] == [str(tmp_path / "model.keras"), None]
    assert all(r["steps"] == 10 and r["replicas"] == 2 for r in report["results"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]


@pytest.mark.slow
def test_progress_then_a_table_without_json(tmp_path):
    result = subprocess.run(
        [*TRAIN, "--steps", "5", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=400,
        cwd=tmp_path,
        env=kreg_env(),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("kreg: starting 2 local workers on 127.0.0.1:")
    assert "[worker 0] step 1/5: loss " in result.stderr and "[worker 0] step 5/5: loss " in result.stderr
    assert "[worker 1] step" not in result.stderr
    assert "identical on all 2 workers" in result.stdout and "1 (" not in result.stdout


def _start_long_run(tmp_path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*TRAIN, "--steps", "1000000", "--workers", "2", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=kreg_env(),
    )


def _worker_pids(launcher: subprocess.Popen) -> list[int]:
    """The launcher's children (the workers), once both are training."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        children = subprocess.run(["pgrep", "-P", str(launcher.pid)], capture_output=True, text=True).stdout.split()
        if len(children) == 2:
            return [int(pid) for pid in children]
        time.sleep(0.5)
    launcher.kill()
    pytest.fail("the launcher did not start two workers")


def _wait_for_training(launcher: subprocess.Popen) -> None:
    """Read stderr until the chief reports a step."""
    for line in launcher.stderr:
        if line.startswith("[worker 0] step "):
            return
    pytest.fail(f"no progress; exit {launcher.wait()}")


@pytest.mark.slow
def test_ctrl_c_stops_every_worker(tmp_path):
    launcher = _start_long_run(tmp_path)
    pids = _worker_pids(launcher)
    _wait_for_training(launcher)
    launcher.send_signal(signal.SIGINT)
    _, stderr = launcher.communicate(timeout=60)
    assert launcher.returncode == 130
    assert stderr.strip().splitlines()[-1] == "kreg: interrupted: stopped 2 workers"
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.slow
def test_a_worker_that_dies_mid_run_stops_the_rest(tmp_path):
    launcher = _start_long_run(tmp_path)
    pids = _worker_pids(launcher)
    _wait_for_training(launcher)
    os.kill(pids[1], signal.SIGKILL)
    stdout, stderr = launcher.communicate(timeout=60)
    assert launcher.returncode == 1 and stdout == ""
    died = [line for line in stderr.splitlines() if line.startswith("kreg: error: ")]
    assert len(died) == 1 and died[0].endswith("was killed by SIGKILL; stopped 1 other worker")
    assert died[0].startswith("kreg: error: worker ")
