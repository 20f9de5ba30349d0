"""``kreg sample``: an architecture's artefact from a saved or freshly built model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kreg.catalogue import Entry
from kreg.running.building import build, load_saved_model
from kreg.running.sampling import run_sampler


def sample(entry: Entry, hyperparameters: Mapping[str, Any], model_path: str | None, output: str | None, options: Mapping[str, Any]) -> dict[str, Any]:
    """Load ``model_path`` (or build ``entry`` untrained) and run its sampler.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. For the untrained build, and handed to the sampler.
        model_path: str or None. A ``.keras`` file saved from ``entry``.
        output: str or None. Where the sampler writes its artefact.
        options: Mapping[str, Any]. The sampler options the user gave.

    Returns:
        dict. ``"text"`` and ``"files"`` (lists of str) and any other keys the sampler returned.

    Raises:
        KregUsageError: a missing model file or a bad sampler option.
        ArchitectureFailure: loading, building or sampling failed.
    """
    model = load_saved_model(entry, model_path) if model_path is not None else build(entry, hyperparameters).model
    return run_sampler(entry, model, hyperparameters, output, options)
