"""kreg: a plugin-based registry of Keras model architectures with graph inspection.

The public API for plugin authors is :data:`hookimpl` and :class:`Architecture`;
:func:`load_catalogue` and :class:`Catalogue` give programs the registry itself;
:func:`inspect`, :func:`plot` and :func:`review` (from :mod:`kreg.api`) inspect,
draw and review any Keras model, registered architecture or ``.keras`` file.
Importing this package never imports TensorFlow or Keras: those three import
them when called.

Each name is imported from its module when first used (PEP 562), so that
``import kreg`` and the modules that only need one part of it (a plugin's
``kreg.hookimpl``, ``kreg list``'s catalogue) do not pay for the others:
``kreg.api`` and plugin discovery's ``importlib.metadata`` among them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kreg.api import inspect, plot, review
    from kreg.architecture import Architecture
    from kreg.catalogue import Catalogue, Entry
    from kreg.errors import ArchitectureFailure, KregError, KregUsageError
    from kreg.hookspecs import hookimpl, hookspec
    from kreg.loading import load_catalogue
    from kreg.phases import Phase
    from kreg.plugin_records import PluginFailure, PluginRecord

__version__ = "0.1.0"

_HOMES = {
    "inspect": "kreg.api",
    "plot": "kreg.api",
    "review": "kreg.api",
    "Architecture": "kreg.architecture",
    "Catalogue": "kreg.catalogue",
    "Entry": "kreg.catalogue",
    "ArchitectureFailure": "kreg.errors",
    "KregError": "kreg.errors",
    "KregUsageError": "kreg.errors",
    "hookimpl": "kreg.hookspecs",
    "hookspec": "kreg.hookspecs",
    "load_catalogue": "kreg.loading",
    "Phase": "kreg.phases",
    "PluginFailure": "kreg.plugin_records",
    "PluginRecord": "kreg.plugin_records",
}
"""The module each public name is imported from on first use."""

__all__ = [
    "Architecture",
    "ArchitectureFailure",
    "Catalogue",
    "Entry",
    "KregError",
    "KregUsageError",
    "Phase",
    "PluginFailure",
    "PluginRecord",
    "__version__",
    "hookimpl",
    "hookspec",
    "inspect",
    "load_catalogue",
    "plot",
    "review",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, then keep it here (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kreg' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
