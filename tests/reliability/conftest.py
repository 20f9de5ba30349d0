"""The fault plugin, pip-installed once into a temporary venv for every test of this folder."""

from __future__ import annotations

import pytest

from tests.reliability.fault_plugin import SAVING_SOURCE, SOURCE
from tests.support.plugin_packages import PluginEnvironment, make_plugin_environment, write_plugin_package


@pytest.fixture(scope="package")
def faults(tmp_path_factory: pytest.TempPathFactory) -> PluginEnvironment:
    """A venv with ``kreg-test-faults`` installed (entry point ``faults``) beside the built-ins."""
    root = tmp_path_factory.mktemp("fault-plugin")
    environment = make_plugin_environment(root / "venv")
    package = write_plugin_package(
        root / "src", "kreg-test-faults", SOURCE, extra_modules={"kreg_test_faults_saving": SAVING_SOURCE}
    )
    environment.install(package)
    return environment
