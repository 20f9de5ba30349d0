"""What a family's architectures share, written once in its registration.

No Keras here: the families' ``__init__`` modules import this, and ``kreg list``
imports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import kreg

REFERENCE_FIELDS = ("builder", "data_adapter", "data_state", "train_step", "sampler")
"""The :class:`kreg.Architecture` fields that name plugin code as ``"module:attr"``."""


class Family:
    """The fields a family's architectures share, and the package their code lives in.

    ``Family("kreg.plugins.gan", tags=("generative", "gan"), sampler=".sampling:generated_grid")``
    then ``architecture(name="dcgan", builder=".model:build", tags=("convolutional",), ...)``
    registers ``kreg.plugins.gan.model:build`` and ``kreg.plugins.gan.sampling:generated_grid``
    with the tags ``generative, gan, convolutional``. A reference that starts
    with a dot is relative to the package, as in a relative import; it stays a
    string, so registering imports none of the family's code.

    Args:
        package: str. The family's import name (its ``__name__``).
        tags: tuple[str, ...]. The tags every architecture of the family starts with.
        **shared: Other :class:`kreg.Architecture` fields every architecture of
            the family has (``components``, ``sampler``, ...); an architecture
            may set one again.
    """

    def __init__(self, package: str, *, tags: tuple[str, ...] = (), **shared: Any) -> None:
        self.package = package
        self.tags = tags
        self.shared = shared

    def architecture(self, *, tags: tuple[str, ...] = (), **fields: Any) -> kreg.Architecture:
        """The record of one architecture: the family's fields, then its own, its tags after the family's."""
        return kreg.Architecture(tags=(*self.tags, *tags), **self.resolved({**self.shared, **fields}))

    def resolved(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``fields`` with each reference field's string made absolute by :meth:`reference`."""
        resolved = dict(fields)
        for name in REFERENCE_FIELDS:
            if isinstance(resolved.get(name), str):
                resolved[name] = self.reference(resolved[name])
        return resolved

    def reference(self, reference: str) -> str:
        """``".model:build"`` in ``kreg.plugins.vae`` is ``"kreg.plugins.vae.model:build"``; others are kept."""
        return f"{self.package}{reference}" if reference.startswith(".") else reference


CONVENTIONAL_LAYOUT: dict[str, Any] = {"builder": ".model:build", "data_adapter": ".data:make_dataset"}
"""Where a family keeps its code by convention: ``model.py``'s ``build``, ``data.py``'s ``make_dataset``."""

RESEARCH_LAYOUT: dict[str, Any] = {**CONVENTIONAL_LAYOUT, "train_step": ".train:train_step"}
"""The research families' layout: the conventional one, and ``train.py``'s ``train_step`` (their own loop)."""

IMAGE_OPTIMISATION_LAYOUT: dict[str, Any] = {
    **RESEARCH_LAYOUT,
    "sampler": ".sampling:sample",
    "components": ("model", "feature_extractor"),
    "batch_size": 1,
}
"""The families that optimise one image (the model's only trainable weight) against a frozen feature extractor."""


def layout_of(package: str, layout: Mapping[str, Any]) -> dict[str, Any]:
    """``layout``'s fields, its relative references made absolute in ``package`` (for ``kreg.Architecture(**...)``)."""
    return Family(package).resolved(layout)
