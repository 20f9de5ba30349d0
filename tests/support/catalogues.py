"""Catalogues of architectures defined in a test, without a plugin package."""

from __future__ import annotations

import kreg


def catalogue_of(*architectures: kreg.Architecture, plugin: str = "steps") -> kreg.Catalogue:
    """A fresh catalogue holding these architectures, registered by one plugin named ``plugin``."""

    class Plugin:
        @staticmethod
        @kreg.hookimpl
        def kreg_register_architectures(register):
            for architecture in architectures:
                register(architecture)

    catalogue = kreg.Catalogue()
    catalogue.add_plugin(Plugin, kreg.PluginRecord(name=plugin))
    assert not catalogue.failures, catalogue.failures
    return catalogue
