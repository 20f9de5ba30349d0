"""``kreg sample``: an architecture's artefact from a saved or freshly built model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure
from kreg.running.building import build
from kreg.running.model_files import load_saved_model, wrong_model
from kreg.running.sampling import run_sampler


def sample(
    entry: Entry,
    hyperparameters: Mapping[str, Any],
    model_path: str | None,
    output: str | None,
    options: Mapping[str, Any],
) -> dict[str, Any]:
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
        KregUsageError: a missing model file, one that is not a ``.keras``
            archive or holds another architecture's model, or a bad sampler option.
        ArchitectureFailure: loading, building or sampling failed (a sampler
            reaching for a component the loaded model lacks: the wrong model).
    """
    if model_path is None:
        return run_sampler(entry, build(entry, hyperparameters).model, hyperparameters, output, options)
    model = load_saved_model(entry, model_path, hyperparameters)
    try:
        return run_sampler(entry, model, hyperparameters, output, options)
    except ArchitectureFailure as failure:
        wrong = wrong_model(entry, model_path, model, failure, hyperparameters)
        if wrong is None:
            raise
        raise wrong from failure
