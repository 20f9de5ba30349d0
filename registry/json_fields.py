"""Pieces of the JSON-ready dicts that kreg's records return (``to_json``, ``describe``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def attribute_fields(owner: object, names: Iterable[str]) -> dict[str, Any]:
    """``{name: owner.<name>}`` for each of ``names``, in that order: the fields a record shows as they are.

    Args:
        owner: object. The record (a dataclass, an :class:`~kreg.Architecture`).
        names: Iterable[str]. Its attributes, in the JSON's order.

    Returns:
        dict[str, Any]. A new dict; the caller adds the fields it converts after these.
    """
    return {name: getattr(owner, name) for name in names}


def rounded(value: float | None, digits: int) -> float | None:
    """``value`` rounded to ``digits`` decimals for the JSON, or None when it was not measured."""
    return None if value is None else round(value, digits)
