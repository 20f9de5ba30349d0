"""Loading plugins from the ``kreg`` entry-point group, one at a time.

Unlike ``PluginManager.load_setuptools_entrypoints``, which stops at the first
plugin that raises, each entry point is loaded in its own ``try``: a broken
plugin is recorded in the catalogue and the next one loads as usual.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from importlib import import_module
from importlib.machinery import PathFinder
from typing import TYPE_CHECKING, Any, TypeVar

from kreg.catalogue import Catalogue
from kreg.errors import KregUsageError, PluginLoadError
from kreg.hookspecs import PROJECT_NAME
from kreg.plugin_records import PluginFailure, PluginRecord
from kreg.processes import is_plugin_failure, signals_seen

if TYPE_CHECKING:
    from importlib import metadata

_Point = TypeVar("_Point", "metadata.EntryPoint", "FoundEntryPoint")
"""An entry point, ``importlib.metadata``'s or :func:`scan_entry_points`'s."""

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
    points = installed_entry_points() if entry_points is None else order_entry_points(entry_points)
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


def load_entry_point(
    catalogue: Catalogue, entry_point: metadata.EntryPoint | FoundEntryPoint, record: PluginRecord
) -> None:
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
    """Return the installed entry points of the ``kreg`` group, built-ins first (``importlib.metadata``'s)."""
    from importlib import metadata

    return order_entry_points(metadata.entry_points(group=PROJECT_NAME))


def installed_entry_points() -> list[Any]:
    """The entry points :func:`discover_entry_points` returns, read without importing ``importlib.metadata``.

    Importing ``importlib.metadata`` (and the email package under it) takes
    about 25 ms, a fifth of ``kreg list``; :func:`scan_entry_points` reads the
    same files as it does, in the same order, every time (nothing is cached:
    a plugin installed a moment ago is seen). Where the scan cannot tell what
    ``importlib.metadata`` would find (another distribution finder, a zip or
    egg on ``sys.path``, a folder or file it would read otherwise), it is used.
    """
    found = scan_entry_points(PROJECT_NAME)
    return discover_entry_points() if found is None else order_entry_points(found)


class FoundDistribution:
    """An installed distribution's metadata folder (``*.dist-info``, ``*.egg-info``), read as
    ``importlib.metadata.PathDistribution`` reads it."""

    def __init__(self, path: str):
        self.path = path

    def read_text(self, filename: str) -> str | None:
        """The text of one of its metadata files, None when it has none (``PathDistribution.read_text``)."""
        try:
            with open(os.path.join(self.path, filename), encoding="utf-8") as stream:
                return stream.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return None

    @property
    def metadata(self) -> Any:
        """Its parsed metadata (``importlib.metadata``'s, imported on first use)."""
        from importlib import metadata
        from pathlib import Path

        return metadata.PathDistribution(Path(self.path)).metadata

    @property
    def version(self) -> str | None:
        """Its ``Version``."""
        return self.metadata["Version"]

    def __repr__(self) -> str:
        return f"FoundDistribution({self.path!r})"


_ENTRY_POINT_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""``importlib.metadata.EntryPoint.pattern``: ``module``, ``module:attr`` and extras."""


class FoundEntryPoint:
    """An entry point found by :func:`scan_entry_points`: what kreg uses of ``importlib.metadata.EntryPoint``."""

    def __init__(self, name: str, value: str, group: str, dist: FoundDistribution):
        self.name, self.value, self.group, self.dist = name, value, group, dist

    def load(self) -> Any:
        """Import the module and return the attribute it names (``EntryPoint.load``)."""
        match = _ENTRY_POINT_VALUE.match(self.value)
        if match is None:
            raise ValueError(f"entry point {self.name} = {self.value!r} is not 'module' or 'module:attr'")
        attributes = filter(None, (match.group("attr") or "").split("."))
        return functools.reduce(getattr, attributes, import_module(match.group("module")))

    def __repr__(self) -> str:
        return f"FoundEntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


def scan_entry_points(group: str, paths: Sequence[Any] | None = None) -> list[FoundEntryPoint] | None:
    """The entry points of ``group`` that ``importlib.metadata.entry_points(group=group)`` finds, in its order.

    As its path finder does: each folder of ``paths`` (default ``sys.path``)
    is listed, its ``*.dist-info`` and ``*.egg-info`` folders taken grouped by
    normalised name, the first distribution of a name wins, and each one's
    ``entry_points.txt`` is read.

    Returns:
        list[FoundEntryPoint] or None. None where ``importlib.metadata`` could
        find otherwise (another finder on ``sys.meta_path``, a zip file or
        an egg on the path, a name known only from its metadata, a line it
        would reject): the caller asks it then.
    """
    if sys.version_info < (3, 11):  # read as the 3.11 to 3.13 importlib.metadata reads (earlier 3.10s differed)
        return None
    if any(
        getattr(finder, "find_distributions", None) is not None for finder in sys.meta_path if finder is not PathFinder
    ):
        return None
    seen: set[str] = set()
    found: list[FoundEntryPoint] = []
    for root in sys.path if paths is None else paths:
        folders = _metadata_folders(root) if isinstance(root, str) else None
        if folders is None:
            return None
        for folder in folders:
            name = _name_from_folder(folder)
            if name is None:
                return None
            if name in seen:
                continue
            seen.add(name)
            distribution = FoundDistribution(os.path.join(root, folder))
            try:
                points = _entry_points_in(distribution.read_text("entry_points.txt") or "", group, distribution)
            except UnicodeDecodeError:
                return None
            if points is None:
                return None
            found.extend(points)
    return found


def _metadata_folders(root: str) -> list[str] | None:
    """The metadata folders in ``root``, in the order ``importlib.metadata``'s ``Lookup`` yields them."""
    try:
        children = os.listdir(root or ".")
    except (OSError, ValueError):  # a path that cannot be listed holds nothing, unless it is a zip file
        return None if os.path.isfile(root) else []  # which is left to importlib.metadata
    egg = os.path.basename(root).lower().endswith(".egg")
    by_name: dict[str, list[str]] = {}
    for child in children:
        low = child.lower()
        if low.endswith((".dist-info", ".egg-info")):
            by_name.setdefault(_normalise(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        elif egg and low == "egg-info":
            return None
    return [child for children_of_name in by_name.values() for child in children_of_name]


def _name_from_folder(folder: str) -> str | None:
    """The normalised distribution name ``PathDistribution._normalized_name`` reads from a folder's name."""
    stem, extension = os.path.splitext(folder)
    if extension not in (".dist-info", ".egg-info"):
        return None  # importlib.metadata would read the name from the metadata
    return _normalise(stem.partition("-")[0]) or None


def _normalise(name: str) -> str:
    """PEP 503 normalisation, dashes as underscores (``importlib.metadata.Prepared.normalize``)."""
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _entry_points_in(text: str, group: str, distribution: FoundDistribution) -> list[FoundEntryPoint] | None:
    """The entry points of ``group`` in an ``entry_points.txt``; None when a line would make importlib raise."""
    points = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section is None:
            continue
        name, separator, value = line.partition("=")
        if not separator:
            return None
        if section == group:
            points.append(FoundEntryPoint(name.strip(), value.strip(), section, distribution))
    return points


def order_entry_points(entry_points: Iterable[_Point]) -> list[_Point]:
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


def _record_for(entry_point: metadata.EntryPoint | FoundEntryPoint) -> PluginRecord:
    distribution = getattr(entry_point, "dist", None)
    name, version = _name_and_version(distribution) if distribution is not None else (None, None)
    return PluginRecord(
        name=entry_point.name,
        module=entry_point.value,
        distribution=name,
        version=version,
        builtin=name == BUILTIN_DISTRIBUTION,
    )


def _distribution_name(entry_point: metadata.EntryPoint | FoundEntryPoint) -> str | None:
    distribution = getattr(entry_point, "dist", None)
    return _name_and_version(distribution)[0] if distribution is not None else None


@functools.cache
def _name_and_version(distribution: metadata.Distribution | FoundDistribution) -> tuple[str | None, str | None]:
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
