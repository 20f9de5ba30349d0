"""load_catalogue with entry points faked by monkeypatching (no install needed)."""

from __future__ import annotations

import sys
import types
from importlib import metadata

import pytest

import kreg
from kreg.errors import PluginLoadError
from kreg.loading import disabled_from_environment, order_entry_points, scan_entry_points


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


# Entry points read without importlib.metadata -------------------------------------------------


SCANNED = pytest.mark.skipif(sys.version_info < (3, 11), reason="before 3.11 importlib.metadata reads the entry points")


def _dist_info(folder, name, text=None, metadata_name=None):
    info = folder / name
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {metadata_name or name.split('-')[0]}\nVersion: 1\n")
    if text is not None:
        (info / "entry_points.txt").write_text(text)


def _importlib_view(group, paths):
    found = metadata.entry_points(group=group) if paths is None else _entry_points_on(group, paths)
    return [(ep.name, ep.value, ep.group, str(ep.dist._path)) for ep in found]


def _entry_points_on(group, paths):
    saved = sys.path[:]
    sys.path[:] = paths
    try:
        return list(metadata.entry_points(group=group))
    finally:
        sys.path[:] = saved


def _scanned_view(group, paths):
    found = scan_entry_points(group, paths)
    return None if found is None else [(ep.name, ep.value, ep.group, ep.dist.path) for ep in found]


@SCANNED
def test_the_scan_finds_what_importlib_metadata_finds(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    (tmp_path / "working").mkdir()
    monkeypatch.chdir(tmp_path / "working")  # "" on the path is the working folder
    _dist_info(first, "alpha-1.0.dist-info", "# a comment\n[kreg]\n one = alpha.plugin \n[other]\nx = y:z\n")
    _dist_info(first, "Beta_Thing-2.0.dist-info", "[kreg]\nbeta = beta.plugin:hooks\n\nbeta-two=beta.two\n")
    _dist_info(first, "gamma.egg-info", "stray = line.before.sections\n[kreg]\ngamma = gamma\n")
    _dist_info(first, "no_entry_points-1.dist-info")
    _dist_info(second, "alpha-2.0.dist-info", "[kreg]\nshadowed = alpha.second\n")  # the first alpha wins
    _dist_info(second, "beta.thing-3.dist-info", "[kreg]\nalso-shadowed = beta.second\n")
    _dist_info(second, "delta-1.dist-info", "[kreg]\ndelta = delta.plugin\n")
    paths = ["", str(tmp_path / "missing"), str(first), str(second)]
    for group in ("kreg", "other"):
        assert _scanned_view(group, paths) == _importlib_view(group, paths)
    assert sorted(name for name, *_ in _scanned_view("kreg", paths)) == ["beta", "beta-two", "delta", "gamma", "one"]
    # ... and in the environment the tests run in.
    assert _scanned_view("kreg", None) == _importlib_view("kreg", None)
    assert _scanned_view("console_scripts", None) == _importlib_view("console_scripts", None)


@SCANNED
def test_the_scan_sees_a_plugin_installed_a_moment_ago(tmp_path):
    paths = [str(tmp_path)]
    assert scan_entry_points("kreg", paths) == []
    _dist_info(tmp_path, "late-1.0.dist-info", "[kreg]\nlate = late_plugin\n")
    assert [ep.name for ep in scan_entry_points("kreg", paths)] == ["late"]


@pytest.mark.parametrize(
    "layout",
    ["malformed", "zip", "upper-case"],
)
def test_the_scan_leaves_to_importlib_metadata_what_it_cannot_tell(tmp_path, layout):
    if layout == "malformed":  # importlib.metadata raises on a line without '='
        _dist_info(tmp_path, "bad-1.dist-info", "[console_scripts]\nno equals sign\n")
    elif layout == "zip":  # a zip on sys.path (distributions inside it)
        (tmp_path / "packages.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    else:  # a name importlib.metadata reads from METADATA
        _dist_info(tmp_path, "odd-1.DIST-INFO", "[kreg]\nodd = odd\n", metadata_name="odd")
    paths = [str(tmp_path / "packages.zip") if layout == "zip" else str(tmp_path)]
    assert scan_entry_points("kreg", paths) is None


def test_found_entry_points_load_as_importlib_metadatas_do(fake_plugins):
    from kreg.loading import FoundDistribution, FoundEntryPoint

    dist = FoundDistribution("/nowhere")
    assert FoundEntryPoint("good", "fake_good_plugin", "kreg", dist).load() is sys.modules["fake_good_plugin"]
    hook = FoundEntryPoint("hook", "fake_good_plugin : kreg_register_architectures", "kreg", dist).load()
    assert hook is sys.modules["fake_good_plugin"].kreg_register_architectures
    assert dist.read_text("METADATA") is None
    catalogue = kreg.load_catalogue(entry_points=[FoundEntryPoint("good", "fake_good_plugin", "kreg", dist)])
    assert catalogue.names() == ["fake-arch"] and catalogue.plugins["good"].distribution is None
