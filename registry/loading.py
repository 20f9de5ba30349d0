"""Loading plugins from the ``kreg`` entry-point group, one at a time.

Unlike ``PluginManager.load_setuptools_entrypoints``, which stops at the first
plugin that raises, each entry point is loaded in its own ``try``: a broken
plugin is recorded in the catalogue and the next one loads as usual.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from importlib import metadata

from kreg.catalogue import Catalogue
from kreg.errors import PluginLoadError
from kreg.hookspecs import PROJECT_NAME
from kreg.plugin_records import PluginFailure, PluginRecord

BUILTIN_DISTRIBUTION = "kreg"
DISABLE_ENVIRONMENT_VARIABLE = "KREG_DISABLE_PLUGINS"
STRICT_ENVIRONMENT_VARIABLE = "KREG_STRICT_PLUGINS"


def load_catalogue(
    disabled: Iterable[str] = (),
    strict: bool = False,
    entry_points: Iterable[metadata.EntryPoint] | None = None,
) -> Catalogue:
    """Build a catalogue from every installed plugin.

    Built-in plugins (those of the ``kreg`` distribution) load first, so a
    third-party plugin can never take a built-in architecture's name.

    Args:
        disabled: Iterable[str]. Entry-point names to skip.
        strict: bool. Raise once loading is done if any plugin failed.
        entry_points: Iterable[EntryPoint] or None. The entry points to load;
            None means those installed in the ``kreg`` group.

    Returns:
        Catalogue. Failures are in ``catalogue.failures``.

    Raises:
        PluginLoadError: ``strict`` and at least one plugin failed.
    """
    catalogue = Catalogue()
    disabled = set(disabled)
    points = discover_entry_points() if entry_points is None else order_entry_points(entry_points)
    for entry_point in points:
        record = _record_for(entry_point)
        if entry_point.name in disabled:
            catalogue.block(record)
            continue
        load_entry_point(catalogue, entry_point, record)
    if strict:
        require_no_failures(catalogue)
    return catalogue


def require_no_failures(catalogue: Catalogue) -> None:
    """Raise :class:`~kreg.errors.PluginLoadError` when any plugin failed (strict loading).

    Raises:
        PluginLoadError: counting the failures.
    """
    if catalogue.failures:
        count = len(catalogue.failures)
        raise PluginLoadError(f"{count} plugin failure{'s' if count != 1 else ''} (strict plugin loading is on)")


def load_entry_point(catalogue: Catalogue, entry_point: metadata.EntryPoint, record: PluginRecord) -> None:
    """Import one entry point and add it to the catalogue, recording any failure."""
    existing = catalogue.plugins.get(record.name)
    if existing is not None:
        # Two distributions chose the same entry-point name: the first one wins.
        existing.failures.append(
            PluginFailure(
                record.name,
                "register",
                f"a second plugin of this name from distribution {record.distribution!r} was ignored",
            )
        )
        return
    try:
        plugin = entry_point.load()
    except (Exception, SystemExit) as error:
        catalogue.record_failure(record, "import", error)
        return
    catalogue.add_plugin(plugin, record)


def discover_entry_points() -> list[metadata.EntryPoint]:
    """Return the installed entry points of the ``kreg`` group, built-ins first."""
    return order_entry_points(metadata.entry_points(group=PROJECT_NAME))


def order_entry_points(entry_points: Iterable[metadata.EntryPoint]) -> list[metadata.EntryPoint]:
    """Sort entry points: kreg's own first, then the others by name."""
    return sorted(entry_points, key=lambda ep: (_distribution_name(ep) != BUILTIN_DISTRIBUTION, ep.name))


def disabled_from_environment(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Return the plugin names listed in ``KREG_DISABLE_PLUGINS`` (comma-separated)."""
    return split_names([environ.get(DISABLE_ENVIRONMENT_VARIABLE, "")])


def split_names(values: Iterable[str]) -> list[str]:
    """Split comma-separated names, dropping blanks: ``["a,b", "c"]`` -> ``["a", "b", "c"]``."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _record_for(entry_point: metadata.EntryPoint) -> PluginRecord:
    distribution = getattr(entry_point, "dist", None)
    name = _distribution_name(entry_point)
    return PluginRecord(
        name=entry_point.name,
        module=entry_point.value,
        distribution=name,
        version=distribution.version if distribution is not None else None,
        builtin=name == BUILTIN_DISTRIBUTION,
    )


def _distribution_name(entry_point: metadata.EntryPoint) -> str | None:
    distribution = getattr(entry_point, "dist", None)
    return distribution.metadata["Name"] if distribution is not None else None
