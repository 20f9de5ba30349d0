"""The hooks a kreg plugin may implement.

A plugin is a module (or any object) named by an entry point in the ``kreg``
group. It implements hooks by defining functions of the same name decorated with
:data:`kreg.hookimpl`::

    import kreg

    @kreg.hookimpl
    def kreg_register_architectures(register):
        register(kreg.Architecture(name="tiny-mlp", ...))

A plugin's module is imported when kreg starts (``kreg list`` included), so it
must stay light: refer to builders, data adapters and train steps with
``"module:attr"`` strings and import TensorFlow or Keras only inside them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from kreg.architecture import Architecture

PROJECT_NAME = "kreg"
"""The pluggy project name and the entry-point group plugins are found in."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a function in this module as a hook specification."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's function as an implementation of a kreg hook."""


@hookspec
def kreg_register_architectures(register: Callable[[Architecture], None]) -> None:
    """Register the architectures this plugin contributes.

    Called once per plugin, right after the plugin is loaded, built-in plugins
    first. Each call to ``register`` validates one architecture and adds it to the
    catalogue; an invalid architecture, or a name another plugin already took, is
    recorded as a failure of this plugin and the call returns normally, so the
    plugin's other architectures still register.

    Args:
        register: Callable[[Architecture], None]. Call it once per
            :class:`kreg.Architecture`.

    Returns:
        None. Results go through ``register``, not the return value.
    """
