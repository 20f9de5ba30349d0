"""``kreg train``: one smoke training of one architecture, as the user asked for it.

Vet the options, seed, make the distribution strategy, build the architecture
inside its scope (its data-state step learning from ``--data``), train it in
Keras's ``fit`` and save it. The training run itself is
:func:`kreg.running.training.train_model`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.errors import KregUsageError
from kreg.files import check_destination
from kreg.phases import Phase
from kreg.running.building import build
from kreg.running.calls import in_phase
from kreg.running.keras_runtime import require_keras
from kreg.running.training import TrainOptions, TrainResult, require_trainable, train_model, writes_outputs

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["TrainOptions", "TrainResult", "check_options", "train"]  # the options and result the CLI handles too


def check_options(options: TrainOptions) -> None:
    """Reject options that cannot work before anything is built.

    Raises:
        KregUsageError: ``source`` does not exist; ``save`` is not a ``.keras``
            file name, is a directory, or its folder cannot be created or
            written (checked only where this process writes it: not on a
            multi-worker process other than the chief).
    """
    if options.source is not None and not os.path.exists(options.source):
        raise KregUsageError(f"--data path {options.source!r} does not exist")
    if options.save is not None and writes_outputs(options):
        check_destination(options.save, "--save", (".keras",))


def train(entry: Entry, hyperparameters: Mapping[str, Any], options: TrainOptions) -> TrainResult:
    """Build ``entry`` (inside the strategy's scope, if any) and smoke-train it.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. Resolved hyperparameters (defaults,
            preset, ``--set``).
        options: TrainOptions. Steps, data, strategy, outputs.

    Returns:
        TrainResult. Check :meth:`TrainResult.failure` for a run stopped by a
        non-finite metric.

    Raises:
        KregUsageError: bad options, or an architecture without a data adapter.
        ArchitectureFailure: a phase (resolve, data-state, build, data, train,
            save) failed.
    """
    check_options(options)
    require_trainable(entry)
    require_keras()
    import keras

    from kreg.running.train_loop import strategy_scope

    if options.seed is not None:
        keras.utils.set_random_seed(options.seed)
    strategy = _strategy(entry, options)
    with strategy_scope(strategy):
        built = build(entry, hyperparameters, options.source)
    result = train_model(built, options)
    result.replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    return result


def _strategy(entry: Entry, options: TrainOptions) -> tf.distribute.Strategy | None:
    from kreg.running.train_loop import make_strategy

    try:
        with in_phase(entry.name, Phase.DISTRIBUTE, passes=(ValueError, KregUsageError)):
            return make_strategy(options.distribute, options.connect_timeout)
    except ValueError as error:
        raise KregUsageError(str(error)) from None
