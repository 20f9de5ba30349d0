"""The catalogue: the registered architectures and the plugins that gave them.

A :class:`Catalogue` is an ordinary object (no module-level state): tests make
a fresh one each, and :func:`kreg.load_catalogue` fills one from entry points.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pluggy

from kreg import hookspecs
from kreg.architecture import Architecture
from kreg.errors import DuplicateArchitecture, InvalidArchitecture, UnknownArchitecture, describe_exception
from kreg.plugin_records import PluginFailure, PluginRecord
from kreg.processes import is_plugin_failure, signals_seen


@dataclass(frozen=True)
class Entry:
    """A registered architecture together with the plugin that registered it."""

    architecture: Architecture
    plugin: PluginRecord

    @property
    def name(self) -> str:
        """The architecture's name."""
        return self.architecture.name

    def to_json(self) -> dict[str, Any]:
        """Return the row ``kreg list --json`` prints."""
        arch = self.architecture
        return {
            "name": arch.name,
            "summary": arch.summary,
            "plugin": self.plugin.name,
            "distribution": self.plugin.distribution,
            "version": self.plugin.version,
            "builtin": self.plugin.builtin,
            "tags": list(arch.tags),
            "components": list(arch.components),
        }


class Catalogue:
    """Registered architectures, looked up by name, plus a record of every plugin.

    Plugins are added one at a time with :meth:`add_plugin`; a plugin that fails
    is recorded and never stops the next one.
    """

    def __init__(self) -> None:
        self.plugin_manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.plugin_manager.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginRecord] = {}
        self._entries: dict[str, Entry] = {}

    # -- plugins ---------------------------------------------------------------

    def add_plugin(self, plugin: object, record: PluginRecord) -> PluginRecord:
        """Register a loaded plugin object and run its registration hook.

        Args:
            plugin: object. The plugin: usually a module with hook implementations.
            record: PluginRecord. Where it came from; failures and architectures
                are added to it.

        Returns:
            PluginRecord. ``record``, filled in.
        """
        self.plugins[record.name] = record
        try:
            self.plugin_manager.register(plugin, name=record.name)
        except Exception as error:  # noqa: BLE001 - pluggy's validation, a name taken twice...: recorded
            return self.record_failure(record, "register", error)
        record.hooks = sorted(caller.name for caller in self.plugin_manager.get_hookcallers(plugin) or ())
        for hook in record.hooks:
            if not getattr(self.plugin_manager.hook, hook).has_spec():
                record.failures.append(PluginFailure(record.name, "register", f"unknown hook {hook!r}"))
        self._run_registration_hook(record)
        return record

    def record_failure(self, record: PluginRecord, phase: str, error: BaseException | str) -> PluginRecord:
        """Mark a plugin as failed in ``phase`` and keep it in :attr:`plugins`."""
        self.plugins[record.name] = record
        record.status = "failed"
        record.failures.append(PluginFailure(record.name, phase, describe_exception(error)))
        return record

    def _run_registration_hook(self, record: PluginRecord) -> None:
        # The hook is called for this plugin alone (subset_hook_caller leaves the
        # others out), right after it registers: one plugin raising neither hides
        # the others (they were called before, or will be after) nor discards
        # what it registered before raising (the registrar has added it already).
        plugin = self.plugin_manager.get_plugin(record.name)
        others = [other for other in self.plugin_manager.get_plugins() if other is not plugin]
        hook = self.plugin_manager.subset_hook_caller("kreg_register_architectures", remove_plugins=others)
        seen = signals_seen()
        try:
            hook(register=_Registrar(self, record))
        except BaseException as error:  # plugin code: recorded, the other plugins still load; not the user's Ctrl-C
            if not is_plugin_failure(error, seen):
                raise
            self.record_failure(record, "hook", error)

    def block(self, record: PluginRecord) -> None:
        """Record a disabled plugin and block its name, as pytest's ``-p no:NAME`` does."""
        record.status = "disabled"
        self.plugins[record.name] = record
        self.plugin_manager.set_blocked(record.name)

    # -- architectures --------------------------------------------------------

    def add(self, architecture: Architecture, record: PluginRecord) -> None:
        """Validate and add one architecture; raise on a problem.

        Raises:
            InvalidArchitecture: it breaks the contract.
            DuplicateArchitecture: the name is taken.
        """
        if not isinstance(architecture, Architecture):
            raise InvalidArchitecture(f"register() takes a kreg.Architecture, not {type(architecture).__name__}")
        architecture.validate()
        taken = self._entries.get(architecture.name)
        if taken is not None:
            raise DuplicateArchitecture(
                f"name {architecture.name!r} is already registered by plugin {taken.plugin.name!r}"
            )
        self._entries[architecture.name] = Entry(architecture, record)
        record.architectures.append(architecture.name)

    def get(self, name: str) -> Entry:
        """Return the entry of an architecture.

        Raises:
            UnknownArchitecture: no such name; the error suggests close matches.
        """
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownArchitecture(name, self._entries) from None

    def select(
        self, patterns: Iterable[str] = (), tags: Iterable[str] = (), exclude_tags: Iterable[str] = ()
    ) -> list[Entry]:
        """Return the entries matching any fnmatch pattern, carrying every tag and none of the excluded ones.

        Args:
            patterns: Iterable[str]. Shell-style patterns (``"vae*"``); none means all.
            tags: Iterable[str]. Tags that must all be present.
            exclude_tags: Iterable[str]. Tags that must all be absent.

        Returns:
            list[Entry]. Sorted by name.
        """
        patterns, tags, excluded = list(patterns), set(tags), set(exclude_tags)
        entries = [self._entries[name] for name in sorted(self._entries)]
        if not patterns and not tags and not excluded:  # `kreg list`: every entry, without a test per entry
            return entries
        return [
            entry
            for entry in entries
            if (not patterns or any(fnmatch.fnmatchcase(entry.name, p) for p in patterns))
            and tags <= set(entry.architecture.tags)
            and not excluded & set(entry.architecture.tags)
        ]

    @property
    def failures(self) -> list[PluginFailure]:
        """Every plugin failure, in loading order."""
        return [failure for record in self.plugins.values() for failure in record.failures]

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.select())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries


class _Registrar:
    """The ``register`` callable handed to one plugin's hook."""

    def __init__(self, catalogue: Catalogue, record: PluginRecord):
        self._catalogue = catalogue
        self._record = record

    def __call__(self, architecture: Architecture) -> None:
        """Add ``architecture``, or record why it was refused and carry on."""
        try:
            self._catalogue.add(architecture, self._record)
        except Exception as error:  # noqa: BLE001 - validating a plugin's values (their repr, a Mapping): recorded
            name = getattr(architecture, "name", None)
            self._record.failures.append(
                PluginFailure(self._record.name, "architecture", describe_exception(error), str(name))
            )
