"""--distribute: MirroredStrategy over two logical CPU devices, and a single-worker multiworker run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

TWO_CPUS = """
import sys
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from kreg.cli import main

main(sys.argv[1:])
"""


def kreg_with_two_cpus(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``kreg ARGS`` in a fresh process whose CPU is split into two logical devices."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(TWO_CPUS), *args], capture_output=True, text=True, timeout=300, env=env
    )


# Slow (11 s); the default suite trains with two real multi-worker processes (tests/cluster).
@pytest.mark.slow
def test_mirrored_over_two_devices(tmp_path):
    path = tmp_path / "mirrored.keras"
    result = kreg_with_two_cpus(
        "train",
        "risk-factor-autoencoder",
        "--preset",
        "smoke",
        "--steps",
        "6",
        "--distribute",
        "mirrored",
        "--save",
        str(path),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["distribute"], report["replicas"], report["steps"], report["finite"]) == ("mirrored", 2, 6, True)
    assert path.exists()


@pytest.mark.slow
def test_multiworker_without_tf_config_is_one_local_worker():
    import os

    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    result = kreg_with_two_cpus(
        "train",
        "risk-factor-autoencoder",
        "--preset",
        "smoke",
        "--steps",
        "4",
        "--distribute",
        "multiworker",
        "--json",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["distribute"], report["steps"], report["finite"]) == ("multiworker", 4, True)
    assert "TF_CONFIG is not set" in result.stderr
