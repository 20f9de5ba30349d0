"""An architecture's data: the optional data-state step and the data adapter.

The data-state step (``Architecture.data_state``) learns what the model must
carry from the training data (a vocabulary, normalisation statistics) before
the model is built; its result is handed to both the builder and the adapter,
so nothing travels between them through module-level state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure
from kreg.phases import Phase
from kreg.running.calls import call_plugin

if TYPE_CHECKING:
    import tensorflow as tf


def fit_data_state(entry: Entry, hyperparameters: Mapping[str, Any], source: str | None) -> dict[str, Any] | None:
    """Run the architecture's data-state step on ``source`` (None: synthetic data).

    Returns:
        dict or None. What the step learned (empty when there is nothing to
        learn, e.g. from synthetic data); None when the architecture has no
        data-state step.

    Raises:
        ArchitectureFailure: the step raised or returned something other than
            a mapping (phase ``data-state``).
    """
    if entry.architecture.data_state is None:
        return None
    state = call_plugin(entry, "data_state", Phase.DATA_STATE, dict(hyperparameters), source)
    if state is None:
        return {}
    if not isinstance(state, Mapping):
        raise ArchitectureFailure(
            entry.name, Phase.DATA_STATE, f"the data-state step returned {type(state).__name__}, not a mapping"
        )
    return dict(state)


def make_dataset(
    entry: Entry,
    hyperparameters: Mapping[str, Any],
    batch_size: int,
    source: str | None,
    data_state: Mapping[str, Any] | None = None,
) -> tf.data.Dataset:
    """Call the architecture's data adapter and check it returned batches.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. What the model was built with.
        batch_size: int. Examples per batch.
        source: str or None. The data to load; None asks for synthetic data.
        data_state: Mapping or None. What the data-state step learned, passed
            on as ``data_state=`` when the architecture has that step (None
            runs the step here).

    Raises:
        ArchitectureFailure: the adapter raised, returned something other than
            a ``tf.data.Dataset``, or an empty one (phase ``data``).
    """
    import tensorflow as tf

    extra = {}
    if entry.architecture.data_state is not None:
        extra["data_state"] = data_state if data_state is not None else fit_data_state(entry, hyperparameters, source)
    dataset = call_plugin(entry, "data_adapter", Phase.DATA, dict(hyperparameters), batch_size, source, **extra)
    if not isinstance(dataset, tf.data.Dataset):
        raise ArchitectureFailure(
            entry.name, Phase.DATA, f"the data adapter returned {type(dataset).__name__}, not a tf.data.Dataset"
        )
    if int(dataset.cardinality()) == 0:
        raise ArchitectureFailure(entry.name, Phase.DATA, "the data adapter returned an empty dataset")
    return dataset
