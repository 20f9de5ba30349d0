"""kreg: a plugin-based registry of Keras model architectures with graph inspection.

The public API for plugin authors is :data:`hookimpl` and :class:`Architecture`;
:func:`load_catalogue` and :class:`Catalogue` give programs the registry itself;
:func:`inspect`, :func:`plot` and :func:`review` (from :mod:`kreg.api`) inspect,
draw and review any Keras model, registered architecture or ``.keras`` file.
Importing this package never imports TensorFlow or Keras: those three import
them when called.
"""

from kreg.api import inspect, plot, review
from kreg.architecture import Architecture
from kreg.catalogue import Catalogue, Entry
from kreg.errors import ArchitectureFailure, KregError, KregUsageError
from kreg.hookspecs import hookimpl, hookspec
from kreg.loading import load_catalogue
from kreg.phases import Phase
from kreg.plugin_records import PluginFailure, PluginRecord

__version__ = "0.1.0"

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
