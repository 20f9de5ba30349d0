"""load_catalogue with entry points faked by monkeypatching (no install needed)."""

from __future__ import annotations

import sys
import types
from importlib import metadata

import pytest

import kreg
from kreg.errors import PluginLoadError
from kreg.loading import disabled_from_environment, order_entry_points


@pytest.fixture
def fake_plugins(monkeypatch):
    """Put two plugin modules in sys.modules and return entry points naming them."""
    good = types.ModuleType("fake_good_plugin")

    @kreg.hookimpl
    def kreg_register_architectures(register):
        register(kreg.Architecture(name="fake-arch", summary="fake", builder="x:y"))

    good.kreg_register_architectures = kreg_register_architectures
    monkeypatch.setitem(sys.modules, "fake_good_plugin", good)
    return [
        metadata.EntryPoint("good", "fake_good_plugin", "kreg"),
        metadata.EntryPoint("missing", "fake_module_that_does_not_exist", "kreg"),
    ]


def test_each_entry_point_loads_on_its_own(fake_plugins):
    catalogue = kreg.load_catalogue(entry_points=fake_plugins)
    assert catalogue.names() == ["fake-arch"]
    (failure,) = catalogue.failures
    assert failure.plugin == "missing" and failure.phase == "import"
    assert "ModuleNotFoundError" in failure.cause
    assert catalogue.plugins["missing"].status == "failed"


def test_strict_loading_raises_after_loading_everything(fake_plugins):
    with pytest.raises(PluginLoadError, match="1 plugin failure"):
        kreg.load_catalogue(entry_points=fake_plugins, strict=True)


def test_disabled_plugins_are_skipped_but_listed(fake_plugins):
    catalogue = kreg.load_catalogue(entry_points=fake_plugins, disabled=["missing"])
    assert catalogue.failures == []
    assert catalogue.plugins["missing"].status == "disabled"
    assert catalogue.plugin_manager.is_blocked("missing")  # pluggy's own record, as pytest's -p no:NAME


def test_environment_variable_lists_plugins_to_disable():
    assert disabled_from_environment({"KREG_DISABLE_PLUGINS": " a, b,,c "}) == ["a", "b", "c"]
    assert disabled_from_environment({}) == []


def test_builtins_sort_first():
    builtin = next(ep for ep in metadata.entry_points(group="kreg") if ep.name == "risk-factor")
    others = [metadata.EntryPoint("aaa", "m", "kreg"), metadata.EntryPoint("zzz", "m", "kreg")]
    assert [ep.name for ep in order_entry_points([others[1], builtin, others[0]])] == ["risk-factor", "aaa", "zzz"]
