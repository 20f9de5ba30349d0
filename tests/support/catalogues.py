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


DEEP_CHAIN_WIDTH = 2
"""Units of every Dense layer of :func:`deep_chain_catalogue`'s model (and of its input)."""


def _deep_chain(depth: int = 10, width: int = DEEP_CHAIN_WIDTH):
    """A chain of ``depth`` Dense layers of ``width`` units: as deep as asked, as small as can be."""
    import keras

    inputs = x = keras.Input((width,), name="features")
    for _ in range(depth):
        x = keras.layers.Dense(width)(x)
    return keras.Model(inputs, x, name="deep_chain")


def deep_chain_catalogue() -> kreg.Catalogue:
    """A catalogue with ``deep-chain``, whose ``depth`` hyperparameter is its number of Dense layers in a chain."""
    architecture = kreg.Architecture(
        name="deep-chain",
        summary="A chain of Dense layers whose depth is a hyperparameter.",
        builder=_deep_chain,
        hyperparameters={"depth": 10, "width": DEEP_CHAIN_WIDTH},
    )
    return catalogue_of(architecture, plugin="deep")


def builtin_catalogue() -> kreg.Catalogue:
    """The catalogue of kreg's built-in plugins only (third-party plugins in the environment ignored)."""
    from kreg.loading import BUILTIN_DISTRIBUTION, discover_entry_points

    points = [
        ep for ep in discover_entry_points() if ep.dist is not None and ep.dist.metadata["Name"] == BUILTIN_DISTRIBUTION
    ]
    return kreg.load_catalogue(entry_points=points)
