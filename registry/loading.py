"""Loading plugins from the ``kreg`` entry-point group, one at a time.

Unlike ``PluginManager.load_setuptools_entrypoints``, which stops at the first
plugin that raises, each entry point is loaded in its own ``try``: a broken
plugin is recorded in the catalogue and the next one loads as usual.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Iterable, Mapping
from importlib import metadata

from kreg.catalogue import Catalogue
from kreg.errors import KregUsageError, PluginLoadError
from kreg.hookspecs import PROJECT_NAME
from kreg.plugin_records import PluginFailure, PluginRecord
from kreg.processes import is_plugin_failure, signals_seen

BUILTIN_DISTRIBUTION = "kreg"
DISABLE_ENVIRONMENT_VARIABLE = "KREG_DISABLE_PLUGINS"
STRICT_ENVIRONMENT_VARIABLE = "KREG_STRICT_PLUGINS"
DEBUG_ENVIRONMENT_VARIABLE = "KREG_DEBUG"
HEAVY_MODULES = ("tensorflow", "keras")
"""Modules a plugin's entry module and registration hook must not import (``kreg list`` would pay for them)."""


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
    already_imported = {name for name in HEAVY_MODULES if name in sys.modules}
    started = time.perf_counter()
    seen = signals_seen()
    try:
        plugin = entry_point.load()
    except BaseException as error:  # importing a plugin runs its code: recorded, unless it is the user's Ctrl-C
        if not is_plugin_failure(error, seen):
            raise
        record.import_seconds = time.perf_counter() - started
        catalogue.record_failure(record, "import", error)
        return
    catalogue.add_plugin(plugin, record)
    record.import_seconds = time.perf_counter() - started
    _note_heavy_imports(record, already_imported)


def _note_heavy_imports(record: PluginRecord, already_imported: set[str]) -> None:
    """Warn when loading the plugin imported TensorFlow or Keras: every command then pays for it."""
    pulled_in = [name for name in HEAVY_MODULES if name in sys.modules and name not in already_imported]
    if pulled_in:
        record.warnings.append(
            f"imports {' and '.join(pulled_in)} when loaded ({record.import_seconds:.1f} s), which slows every "
            "kreg command: import them only in the modules its 'module:attr' references name"
        )


def discover_entry_points() -> list[metadata.EntryPoint]:
    """Return the installed entry points of the ``kreg`` group, built-ins first."""
    return order_entry_points(metadata.entry_points(group=PROJECT_NAME))


def order_entry_points(entry_points: Iterable[metadata.EntryPoint]) -> list[metadata.EntryPoint]:
    """Sort entry points: kreg's own first, then the others by name."""
    return sorted(entry_points, key=lambda ep: (_distribution_name(ep) != BUILTIN_DISTRIBUTION, ep.name))


def disabled_from_environment(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Return the plugin names listed in ``KREG_DISABLE_PLUGINS`` (comma-separated)."""
    return split_names([environ.get(DISABLE_ENVIRONMENT_VARIABLE, "")])


def flag_from_environment(name: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Read a yes/no environment variable such as ``KREG_STRICT_PLUGINS``.

    Unset or empty is False; ``1``, ``true``, ``yes``, ``on`` are True and
    ``0``, ``false``, ``no``, ``off`` False, in any case.

    Raises:
        KregUsageError: any other value, naming the variable.
    """
    raw = environ.get(name, "")
    value = raw.strip().lower()
    if value in _FALSE_WORDS:
        return False
    if value in _TRUE_WORDS:
        return True
    raise KregUsageError(
        f"environment variable {name}={raw!r} is not a yes/no value: use 1 or 0 (or true/false, yes/no, on/off)"
    )


def debug_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """True when ``KREG_DEBUG`` asks for tracebacks and TensorFlow's logging (``--debug`` sets it).

    A malformed value counts as no: the command reports it when it loads the catalogue.
    """
    try:
        return flag_from_environment(DEBUG_ENVIRONMENT_VARIABLE, environ)
    except KregUsageError:
        return False


_TRUE_WORDS = ("1", "true", "yes", "on", "y", "t")
_FALSE_WORDS = ("", "0", "false", "no", "off", "n", "f")


def split_names(values: Iterable[str]) -> list[str]:
    """Split comma-separated names, dropping blanks: ``["a,b", "c"]`` -> ``["a", "b", "c"]``."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _record_for(entry_point: metadata.EntryPoint) -> PluginRecord:
    distribution = getattr(entry_point, "dist", None)
    name, version = _name_and_version(distribution) if distribution is not None else (None, None)
    return PluginRecord(
        name=entry_point.name,
        module=entry_point.value,
        distribution=name,
        version=version,
        builtin=name == BUILTIN_DISTRIBUTION,
    )


def _distribution_name(entry_point: metadata.EntryPoint) -> str | None:
    distribution = getattr(entry_point, "dist", None)
    return _name_and_version(distribution)[0] if distribution is not None else None


@functools.cache
def _name_and_version(distribution: metadata.Distribution) -> tuple[str | None, str | None]:
    """A distribution's ``Name`` and ``Version``, read once per distribution from its metadata's headers.

    ``distribution.metadata`` parses the whole file with the email package
    (the long description included) at each call: three times per entry
    point, most of ``kreg list``'s own time with the built-ins. The two fields
    sit in the header block at the top of the file.
    """
    text = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO")
    if text is None:
        return distribution.metadata["Name"], distribution.version
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line:  # the end of the headers: the description follows
            break
        key, separator, value = line.partition(":")
        if separator and key in ("Name", "Version") and key not in fields:
            fields[key] = value.strip()
    return fields.get("Name"), fields.get("Version")
