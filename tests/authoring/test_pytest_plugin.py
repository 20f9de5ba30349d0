"""kreg's pytest plugin and contract_tests, run by a real pytest in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import kreg.testing_plugin  # noqa: F401  (the module pytest11 names must import)
from tests.authoring.conftest import TINY_MODEL


def _pytest(folder, *args: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(folder), *sys.path]))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=folder, capture_output=True, text=True, env=environment, timeout=300,
    )


def test_contract_tests_make_one_failing_test_per_broken_check(write_module, tmp_path):
    module = write_module(
        "import kreg_fake_heavy_three\nimport kreg\n\n@kreg.hookimpl\ndef kreg_register_architectures(register):\n    raise RuntimeError('boom')\n"
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
    # No architecture registered: the parametrized test has nothing to run.
    assert "2 failed, 1 skipped" in result.stdout.splitlines()[-1]


def test_kreg_steps_is_a_pytest_option(tmp_path):
    result = _pytest(tmp_path, "--help")
    assert "--kreg-steps=N" in result.stdout and "kreg contract tests" in result.stdout
