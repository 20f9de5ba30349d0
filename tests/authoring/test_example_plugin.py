"""examples/kreg-example-plugin, pip-installed into a temporary venv, passes its own tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.plugin_packages import PluginEnvironment, make_plugin_environment

EXAMPLE = "examples/kreg-example-plugin"
BUILD_OUTPUTS = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", ".pytest_cache")


def copy_package(source: Path, target: Path) -> Path:
    """Copy a package folder without build outputs (pip builds in the copy, not the repository)."""
    shutil.copytree(source, target, ignore=BUILD_OUTPUTS)
    return target


@pytest.fixture(scope="module")
def example(repository_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[PluginEnvironment, Path]:
    root = tmp_path_factory.mktemp("example")
    package = copy_package(repository_root / EXAMPLE, root / "kreg-example-plugin")
    environment = make_plugin_environment(root / "venv")
    environment.install(package)
    return environment, package


# Slow (24 s: pytest in a fresh venv); the default suite runs the scaffold's package through the same path.
@pytest.mark.slow
def test_the_example_plugin_passes_its_own_test_suite(example):
    environment, package = example
    result = subprocess.run(
        [str(environment.python), "-m", "pytest", "-p", "no:cacheprovider", "-v"],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    for test in ("test_registration", "test_light_import", "test_architecture[masked-sensor-autoencoder]"):
        assert f"tests/test_contract.py::TestKregContract::{test} PASSED" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]


def test_kreg_sees_the_installed_example(example):
    environment, _ = example
    plugins = json.loads(environment.kreg("plugins", "--json").stdout)
    (record,) = [p for p in plugins if p["name"] == "example"]
    assert record["distribution"] == "kreg-example-plugin" and record["version"] == "1.0.0"
    assert record["architectures"] == ["masked-sensor-autoencoder"] and record["status"] == "loaded"
    listed = json.loads(environment.kreg("list", "--tag", "example", "--json").stdout)
    assert [row["name"] for row in listed] == ["masked-sensor-autoencoder"]


PUBLIC_MODULES = {"kreg", "kreg.testing", "kreg.errors", "kreg.validation"}
"""What a third-party plugin may import from kreg: the documented public API."""


def test_the_example_plugins_tests_use_only_kregs_public_api(repository_root):
    import ast

    imported = set()
    for path in (repository_root / "examples" / "kreg-example-plugin").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                imported.update((path.name, alias.name) for alias in node.names)
    private = sorted(
        (name, module) for name, module in imported if module.split(".")[0] == "kreg" and module not in PUBLIC_MODULES
    )
    assert private == []
    assert ("test_model.py", "kreg") in imported  # `from kreg import testing`
