"""kreg: a plugin-based registry of Keras model architectures with graph inspection.

The public API for plugin authors is :data:`hookimpl` and :class:`Architecture`;
:func:`load_catalogue` and :class:`Catalogue` give programs the registry itself.
Importing this package never imports TensorFlow or Keras.
"""

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
    "load_catalogue",
]
