"""Hyperparameter values from the command line: ``--set key=value``.

Each value is parsed to the type of the key's default: ``n_tickers=50`` becomes
an int because the default ``100`` is one. The same parsing serves sampler
options.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kreg.errors import HyperparameterError, KregUsageError

if TYPE_CHECKING:
    from kreg.catalogue import Entry

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def resolve_hyperparameters(
    entry: Entry, assignments: Iterable[str] = (), preset: str | None = None, values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Combine an architecture's defaults, an optional preset, ``--set`` values and Python values.

    Args:
        entry: Entry. The architecture.
        assignments: Iterable[str]. ``key=value`` strings, applied after the preset.
        preset: str or None. Name of one of the architecture's presets.
        values: Mapping[str, Any] or None. Values as Python objects (the
            Python API's keyword arguments), applied last, not parsed.

    Returns:
        dict[str, Any]. The hyperparameters to build with.

    Raises:
        KregUsageError: unknown preset.
        HyperparameterError: bad ``--set``, or a key the architecture does not have.
    """
    architecture = entry.architecture
    resolved = dict(architecture.hyperparameters)
    if preset is not None:
        if preset not in architecture.presets:
            known = ", ".join(sorted(architecture.presets)) or "none"
            raise KregUsageError(f"architecture {entry.name!r} has no preset {preset!r}; its presets: {known}")
        resolved.update(architecture.presets[preset])
    resolved.update(parse_assignments(assignments, architecture.hyperparameters))
    for key in values or {}:
        if key not in architecture.hyperparameters:
            raise _unknown_key(key, architecture.hyperparameters)
    resolved.update(values or {})
    return resolved


def parse_assignments(assignments: Iterable[str], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Parse ``key=value`` strings into typed overrides of ``defaults``.

    Args:
        assignments: Iterable[str]. Strings such as ``"n_tickers=50"``.
        defaults: Mapping[str, Any]. The known keys and their default values.

    Returns:
        dict[str, Any]. Overrides, each parsed to its default's type.

    Raises:
        HyperparameterError: malformed assignment, unknown key or bad value.
    """
    overrides: dict[str, Any] = {}
    for assignment in assignments:
        key, separator, text = assignment.partition("=")
        key = key.strip()
        if not separator or not key:
            raise HyperparameterError(assignment, "expected key=value")
        if key not in defaults:
            raise _unknown_key(key, defaults)
        overrides[key] = parse_value(key, text, defaults[key])
    return overrides


def _unknown_key(key: str, defaults: Mapping[str, Any]) -> HyperparameterError:
    known = ", ".join(sorted(defaults)) or "none"
    return HyperparameterError(key, f"unknown key; known keys: {known}")


def parse_value(key: str, text: str, default: Any) -> Any:
    """Parse one command-line value to the type of ``default``.

    Args:
        key: str. The key, named in errors.
        text: str. The value as typed.
        default: Any. The default whose type is wanted; None accepts any JSON
            value (or the text itself when it is not JSON).

    Returns:
        Any. The parsed value.

    Raises:
        HyperparameterError: the text cannot be read as that type.
    """
    try:
        return _parse(text.strip(), default)
    except (ValueError, TypeError) as error:
        raise HyperparameterError(key, f"{text!r} is not {_type_phrase(default)} ({error})") from None


def _parse(text: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = text.lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise ValueError("use true or false")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    if isinstance(default, str):
        return text
    if isinstance(default, (list, tuple)):
        return _parse_list(text, default)
    if isinstance(default, dict):
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("expected a JSON object")
        return value
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _parse_list(text: str, default: list | tuple) -> list:
    if text.startswith("["):
        items = json.loads(text)
        if not isinstance(items, list):
            raise ValueError("expected a JSON list")
    else:
        items = [item.strip() for item in text.split(",") if item.strip()]
    if default:
        items = [_parse(str(item) if not isinstance(item, str) else item, default[0]) for item in items]
    return list(items)


def _type_phrase(default: Any) -> str:
    if isinstance(default, bool):
        return "a boolean"
    if isinstance(default, (list, tuple)):
        return "a list (comma-separated or JSON)"
    names = {int: "an integer", float: "a number", str: "a string", dict: "a JSON object"}
    return names.get(type(default), "a JSON value")
