"""Keras ``get_config`` dictionaries made of the attributes a constructor kept under its arguments' names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def attribute_config(base: Mapping[str, Any], owner: object, names: Iterable[str]) -> dict[str, Any]:
    """``base`` (the parent class's config), then each of ``names`` read off ``owner``, in that order.

    Args:
        base: Mapping. What ``super().get_config()`` returned.
        owner: object. The layer or model whose constructor stored each argument as ``self.<name>``.
        names: Iterable[str]. The constructor arguments to save, in the config's order.

    Returns:
        dict[str, Any]. A new dict; a name already in ``base`` keeps its place and takes the new value.
    """
    return {**base, **{name: getattr(owner, name) for name in names}}
