"""Fixtures of the cluster tests: a venv with the sharded test plugin, and workers started in it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cluster.plugin_source import SHARDED


@pytest.fixture(scope="session")
def cluster_env(tmp_path_factory):
    """A venv that sees kreg and TensorFlow, with the ``test-sharded`` plugin pip-installed."""
    pytest.importorskip("tensorflow")
    from tests.support.plugin_packages import make_plugin_environment, write_plugin_package

    root = tmp_path_factory.mktemp("cluster-plugin")
    env = make_plugin_environment(root / "venv")
    env.install(write_plugin_package(root / "src", "kreg-test-sharded", SHARDED, entry_point="kreg-test-sharded"))
    return env


@dataclass
class Worker:
    """One ``kreg`` process started in its own folder (its own cwd and TMPDIR, as on its own machine)."""

    index: int
    folder: Path
    process: subprocess.Popen

    @property
    def scratch(self) -> Path:
        """The worker's TMPDIR."""
        return self.folder / "tmp"

    def finish(self, timeout: float = 240) -> tuple[int, str, str]:
        """Wait for the process; return (exit status, stdout, stderr)."""
        try:
            stdout, stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            stdout, stderr = self.process.communicate()
            pytest.fail(f"worker {self.index} did not finish within {timeout} s: {stderr[-2000:]}")
        return self.process.returncode, stdout, stderr


def start_worker(python: Path, index: int, folder: Path, args: list[str], env: dict[str, str]) -> Worker:
    """Start ``python -m kreg ARGS`` in ``folder`` with ``env`` added to a clean environment."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tmp").mkdir(exist_ok=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KREG_", "TF_CONFIG"))}
    environment.update({"TMPDIR": str(folder / "tmp"), **env})
    process = subprocess.Popen(
        [str(python), "-m", "kreg", *args],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Worker(index, folder, process)
