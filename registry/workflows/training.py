"""``kreg train``: one smoke training of one architecture, as the user asked for it.

Vet the options, seed, make the distribution strategy, build the architecture
inside its scope (its data-state step learning from ``--data``), train it in
Keras's ``fit`` and save it. The training run itself is
:func:`kreg.running.training.train_model`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.errors import KregUsageError
from kreg.files import absolute, check_destination, check_folder
from kreg.phases import Phase
from kreg.running.building import build
from kreg.running.calls import in_phase
from kreg.running.keras_runtime import require_keras
from kreg.running.training import TrainOptions, TrainResult, require_trainable, train_model, writes_outputs

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["TrainOptions", "TrainResult", "check_options", "train"]  # the options and result the CLI handles too


def check_options(options: TrainOptions) -> TrainOptions:
    """Reject options that cannot work before anything is built; make their paths absolute.

    Call it before any plugin code runs: a plugin that changes the working
    folder cannot then move what the user named.

    Returns:
        TrainOptions. ``options`` with ``source``, ``save`` and ``logdir`` absolute.

    Raises:
        KregUsageError: ``source`` does not exist; ``save`` is not a ``.keras``
            file name, is a directory, or its folder cannot be created or
            written; ``logdir`` cannot be created or written in (both checked
            only where this process writes them: not on a multi-worker process
            other than the chief).
    """
    if options.source is not None and not os.path.exists(options.source):
        raise KregUsageError(f"--data path {options.source!r} does not exist")
    source, save, logdir = (
        None if path is None else str(absolute(path)) for path in (options.source, options.save, options.logdir)
    )
    if writes_outputs(options):
        if options.save is not None:
            save = str(check_destination(options.save, "--save", (".keras",)))
        if options.logdir is not None:
            logdir = str(check_folder(options.logdir, "--logdir"))
    return dataclasses.replace(options, source=source, save=save, logdir=logdir)


def train(
    entry: Entry, hyperparameters: Mapping[str, Any], options: TrainOptions, *, checked: bool = False
) -> TrainResult:
    """Build ``entry`` (inside the strategy's scope, if any) and smoke-train it.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. Resolved hyperparameters (defaults,
            preset, ``--set``).
        options: TrainOptions. Steps, data, strategy, outputs.
        checked: bool. ``options`` came from :func:`check_options` (the CLI
            checks them before the plugins are imported); else they are checked here.

    Returns:
        TrainResult. Check :meth:`TrainResult.failure` for a run stopped by a
        non-finite metric.

    Raises:
        KregUsageError: bad options, or an architecture without a data adapter.
        ArchitectureFailure: a phase (resolve, data-state, build, data, train,
            save) failed.
    """
    if not checked:
        options = check_options(options)
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
