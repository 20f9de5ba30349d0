"""kreg's pytest plugin and contract_tests, run by a real pytest in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys


def _pytest(folder, *args: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(folder), *sys.path]))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def test_contract_tests_make_one_failing_test_per_broken_check(write_module, tmp_path):
    module = write_module(
        "import kreg_fake_heavy_three\nimport kreg\n\n"
        "@kreg.hookimpl\ndef kreg_register_architectures(register):\n    raise RuntimeError('boom')\n"
    )
    folder = tmp_path / "modules"
    (folder / "kreg_fake_heavy_three.py").write_text("")
    (folder / "test_plugin_contract.py").write_text(
        "from kreg.testing import contract_tests\n\n"
        f"TestKregContract = contract_tests({module!r})\n"
        # The stand-in heavy module makes the light-import check fail without TensorFlow.
        "TestKregContract.test_light_import = lambda self: __import__('kreg.testing').testing.check_light_import("
        f"{module!r}, heavy=('kreg_fake_heavy_three',))\n"
    )
    result = _pytest(folder, "test_plugin_contract.py", "--kreg-steps", "2")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED test_plugin_contract.py::TestKregContract::test_registration" in result.stdout
    assert "FAILED test_plugin_contract.py::TestKregContract::test_light_import" in result.stdout
    assert "raised in kreg_register_architectures: RuntimeError: boom" in result.stdout
    assert "loading it imported kreg_fake_heavy_three" in result.stdout
    # No architecture registered: the two parametrized tests (hyperparameters, architecture) have nothing to run.
    assert "2 failed, 2 skipped" in result.stdout.splitlines()[-1]


def test_kreg_steps_is_a_pytest_option(tmp_path):
    result = _pytest(tmp_path, "--help")
    assert "--kreg-steps=N" in result.stdout and "kreg contract tests" in result.stdout


def test_kreg_testing_its_pytest_plugin_and_new_plugin_import_no_tensorflow(tmp_path):
    code = (
        "import sys, kreg.testing, kreg.testing_plugin\n"
        "from kreg.cli import main\n"
        f"main(['new-plugin', 'kreg-light-check', '--directory', {str(tmp_path)!r}], standalone_mode=False)\n"
        "leaked = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "sys.exit(f'imported {leaked}' if leaked else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-1000:]
    assert (tmp_path / "kreg-light-check" / "pyproject.toml").exists()
