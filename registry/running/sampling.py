"""Calling an architecture's sampler and checking what it returned."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure, KregError
from kreg.phases import Phase
from kreg.running.calls import in_phase, resolve_part


def run_sampler(
    entry: Entry, model: Any, hyperparameters: Mapping[str, Any], output: str | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    """Call an architecture's sampler and check what it returns.

    Returns:
        dict. ``"text"`` (list[str]) and ``"files"`` (list[str]), always present,
        and any other keys the sampler returned.

    Raises:
        KregUsageError: the sampler rejected an option.
        ArchitectureFailure: the sampler raised or returned the wrong thing (phase ``sample``).
    """
    sampler = resolve_part(entry, "sampler")
    with in_phase(entry.name, Phase.SAMPLE, passes=(KregError,)):
        result = sampler(model, dict(hyperparameters), output, **options)
    if not isinstance(result, Mapping):
        raise ArchitectureFailure(
            entry.name,
            Phase.SAMPLE,
            f"the sampler returned {type(result).__name__}, not a mapping with 'text' and/or 'files'",
        )
    checked = dict(result)
    for key in ("text", "files"):
        values = result.get(key) or []
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise ArchitectureFailure(
                entry.name, Phase.SAMPLE, f"the sampler's {key!r} must be a list, got {type(values).__name__}"
            )
        checked[key] = [str(value) for value in values]
    return checked
