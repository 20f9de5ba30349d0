"""kreg new-plugin: the skeleton it writes, what it refuses, and that the result installs and passes its tests."""

from __future__ import annotations

import subprocess
import sys

import pytest
import tomllib

from kreg.scaffolding import plugin_names, render_plugin
from kreg.testing import check_light_import, check_registration
from tests.support.plugin_packages import make_plugin_environment

EXPECTED_FILES = {
    "pyproject.toml",
    "README.md",
    ".gitignore",
    "src/kreg_tiny_mlp/__init__.py",
    "src/kreg_tiny_mlp/model.py",
    "src/kreg_tiny_mlp/data.py",
    "src/kreg_tiny_mlp/train.py",
    "tests/test_contract.py",
    "tests/test_data.py",
}


def test_names_follow_from_the_distribution_name():
    names = plugin_names("kreg-tiny-mlp")
    assert (names.module, names.entry_point, names.architecture) == ("kreg_tiny_mlp", "tiny-mlp", "tiny-mlp")
    assert plugin_names("sensors", "sensor-net").architecture == "sensor-net"


@pytest.mark.parametrize("bad", ["Tiny", "tiny_mlp", "tiny-", "tiny--mlp", "kreg", "import", "9lives"])
def test_bad_names_are_usage_errors(tmp_path, bad, kreg_cli):
    result = kreg_cli("new-plugin", bad, "--directory", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert result.output.startswith("kreg: error: ") and not list(tmp_path.iterdir())


def test_the_skeleton_has_every_file_and_the_kreg_entry_point(tmp_path, kreg_cli):
    result = kreg_cli("new-plugin", "kreg-tiny-mlp", "--directory", str(tmp_path))
    assert result.exit_code == 0, result.output
    root = tmp_path / "kreg-tiny-mlp"
    assert {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} == EXPECTED_FILES
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert project["project"]["name"] == "kreg-tiny-mlp"
    assert project["project"]["entry-points"]["kreg"] == {"tiny-mlp": "kreg_tiny_mlp"}
    assert "kreg check tiny-mlp" in result.output
    assert 'contract_tests("tiny-mlp")' in (root / "tests/test_contract.py").read_text()


def test_every_generated_python_file_compiles():
    for path, text in render_plugin(plugin_names("kreg-tiny-mlp")).items():
        if path.endswith(".py"):
            compile(text, path, "exec")


def test_an_existing_folder_is_never_overwritten(tmp_path, kreg_cli):
    (tmp_path / "kreg-tiny-mlp").mkdir()
    (tmp_path / "kreg-tiny-mlp" / "keep.txt").write_text("mine")
    result = kreg_cli("new-plugin", "kreg-tiny-mlp", "--directory", str(tmp_path))
    assert result.exit_code == 2 and "already exists" in result.output
    assert [p.name for p in (tmp_path / "kreg-tiny-mlp").iterdir()] == ["keep.txt"]


def test_a_registered_architecture_name_is_refused(tmp_path, kreg_cli):
    result = kreg_cli(
        "new-plugin", "kreg-mine", "--architecture", "risk-factor-autoencoder", "--directory", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "already registered by plugin 'risk-factor'" in result.output and not list(tmp_path.iterdir())


def test_the_generated_registration_is_valid_and_light(tmp_path, monkeypatch, kreg_cli):
    assert kreg_cli("new-plugin", "kreg-scaffold-light", "--directory", str(tmp_path)).exit_code == 0
    monkeypatch.syspath_prepend(str(tmp_path / "kreg-scaffold-light" / "src"))
    try:
        (entry,) = check_registration("kreg_scaffold_light")
        assert entry.architecture.train_step == "kreg_scaffold_light.train:train_step"
        check_light_import("kreg_scaffold_light")
    finally:
        sys.modules.pop("kreg_scaffold_light", None)


# Slow: pip installs the generated package and runs its suite; the other tests here check what is generated.
@pytest.mark.slow
def test_the_generated_package_installs_and_passes_its_own_tests(tmp_path, kreg_cli):
    assert kreg_cli("new-plugin", "kreg-generated-net", "--directory", str(tmp_path)).exit_code == 0
    package = tmp_path / "kreg-generated-net"
    environment = make_plugin_environment(tmp_path / "venv")
    environment.install(package)
    result = subprocess.run(
        [str(environment.python), "-m", "pytest", "-p", "no:cacheprovider", "-v"],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "TestKregContract::test_architecture[generated-net] PASSED" in result.stdout
    assert (
        "6 passed" in result.stdout.splitlines()[-1]
    )  # the contract (4 tests, hyperparameters among them) and its own 2
