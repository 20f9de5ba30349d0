"""A worker on its own: one line naming the worker it waits for in vain, or the worker it lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from kreg.cluster import free_local_addresses, local_tf_configs

TRAIN = [
    sys.executable,
    "-m",
    "kreg",
    "train",
    "risk-factor-autoencoder",
    "--preset",
    "smoke",
    "--distribute",
    "multiworker",
]


def worker_env(tf_config: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KREG_", "TF_CPP"))}
    return {**environment, "TF_CONFIG": tf_config}


@pytest.mark.slow
def test_a_worker_alone_gives_up_after_the_connect_timeout_naming_the_missing_worker():
    configs = local_tf_configs(addresses := free_local_addresses(2))
    started = time.monotonic()
    result = subprocess.run(
        [*TRAIN, "--steps", "3", "--connect-timeout", "3", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=worker_env(configs[0]),
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"kreg: error: risk-factor-autoencoder: distribute failed: could not reach worker 1 at {addresses[1]} "
        f"within 3 s (as worker 0 at {addresses[0]}); start every worker with the same cluster in TF_CONFIG "
        "and check that the port is open, or raise --connect-timeout"
    ]
    assert time.monotonic() - started < 120


@pytest.mark.slow
def test_the_survivor_names_the_worker_it_lost():
    addresses = free_local_addresses(2)
    workers = [
        subprocess.Popen(
            [*TRAIN, "--steps", "1000000", "--json", "--progress-lines"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=worker_env(config),
        )
        for config in local_tf_configs(addresses)
    ]
    try:
        for line in workers[0].stderr:  # the chief's progress: training has started
            if line.startswith("kreg: step "):
                break
        workers[1].kill()
        workers[1].wait()
        _, stderr = workers[0].communicate(timeout=120)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert workers[0].returncode == 1
    errors = [line for line in stderr.splitlines() if not line.startswith("kreg: step ")]
    assert len(errors) == 1, stderr[-3000:]
    assert errors[0].startswith(
        f"kreg: error: risk-factor-autoencoder: train failed: lost contact with worker 1 at {addresses[1]} ("
    )
    assert errors[0].endswith("a worker stopped or the network failed, and the cluster cannot go on without it")
