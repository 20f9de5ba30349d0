"""kreg's own plugins keep the contract kreg.testing checks third-party plugins against."""

from __future__ import annotations

import pytest

from kreg.loading import BUILTIN_DISTRIBUTION, discover_entry_points
from kreg.testing import (
    check_architecture,
    check_hyperparameters,
    check_light_import,
    check_registration,
    registered_names,
)

BUILTIN_PLUGINS = sorted(
    ep.name
    for ep in discover_entry_points()
    if ep.dist is not None and ep.dist.metadata["Name"] == BUILTIN_DISTRIBUTION
)


@pytest.mark.parametrize("plugin", BUILTIN_PLUGINS)
def test_every_builtin_plugin_registers_cleanly(plugin):
    assert check_registration(plugin)


APPLICATIONS_CHECKED_WHOLE = {"mobilenetv3small", "resnet50", "densenet121", "efficientnetv2b0"}
"""The keras.applications models whose whole contract (save and reload included) is checked here:
one per preprocessing mode. All forty share one builder and adapter, and
tests/applications/test_sweep.py runs ``kreg check`` and the published counts on every one;
saving all forty here would write gigabytes (ConvNeXtXLarge alone is 1.4 GB)."""


@pytest.mark.slow
@pytest.mark.parametrize("plugin", BUILTIN_PLUGINS)
def test_every_builtin_plugin_keeps_the_whole_contract(plugin, tmp_path):
    entries = check_registration(plugin)
    check_light_import(plugin)
    if plugin == "applications":
        entries = [entry for entry in entries if entry.name in APPLICATIONS_CHECKED_WHOLE]
        assert len(entries) == len(APPLICATIONS_CHECKED_WHOLE)
    for entry in entries:
        report = check_architecture(entry, workdir=tmp_path)
        assert report.steps == 3 or entry.architecture.data_adapter is None


BUILTIN_ARCHITECTURES = sorted(name for plugin in BUILTIN_PLUGINS for name in registered_names(plugin))


@pytest.mark.parametrize("architecture", BUILTIN_ARCHITECTURES)
def test_every_builtin_registers_the_defaults_its_builder_has(architecture):
    check_hyperparameters(architecture)
