"""Smoke training: build an architecture, feed it its adapter's batches and run
its train step inside Keras's ``fit``, recording what each step returned.

:func:`train` is what ``kreg train`` calls; ``kreg check`` builds first and
calls :func:`train_model`. Each phase that runs plugin code (resolving
references, the builder, the data adapter, the train step, saving) turns an
exception into :class:`~kreg.errors.ArchitectureFailure` naming that phase. Importing this
module does not import TensorFlow; :func:`train` does.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kreg.building import build, require_keras, resolve_part
from kreg.catalogue import Entry
from kreg.cluster import output_for_this_worker, read_tf_config
from kreg.errors import ArchitectureFailure, KregError, KregUsageError
from kreg.references import describe_reference

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

    from kreg.inspect_tools.metrics_log import MetricTrace

DEFAULT_STEPS = 20
"""Steps per epoch of ``kreg train`` unless ``--steps`` says otherwise."""


@dataclass
class TrainOptions:
    """How to run one smoke training.

    Attributes:
        steps: int. Steps per epoch.
        epochs: int. Epochs; the run has ``steps * epochs`` steps.
        batch_size: int or None. Batch size handed to the data adapter; None
            uses the architecture's ``batch_size``.
        source: str or None. Path handed to the data adapter; None asks for
            synthetic data.
        distribute: str or None. ``"mirrored"``, ``"multiworker"`` or None.
        logdir: str or None. Write TensorBoard scalars here.
        save: str or None. Save the trained model to this ``.keras`` file.
        quiet: bool. No progress output (``--json``).
        jit_compile: bool or None. Override the model's XLA setting; None keeps
            what the builder compiled it with.
        seed: int or None. Seed Python, NumPy and TensorFlow before building.
        connect_timeout: float or None. ``multiworker``: seconds to wait for
            the other workers (None: the default of ``--connect-timeout``).
        progress_lines: bool. Print progress as plain lines on stderr
            (:mod:`kreg.inspect_tools.progress_lines`), for a launcher to relay.
        callbacks: tuple[keras.callbacks.Callback, ...]. More callbacks for
            ``fit``, run after kreg's own (which record the metrics).
    """

    steps: int = DEFAULT_STEPS
    epochs: int = 1
    batch_size: int | None = None
    source: str | None = None
    distribute: str | None = None
    logdir: str | None = None
    save: str | None = None
    quiet: bool = False
    jit_compile: bool | None = None
    seed: int | None = 0
    connect_timeout: float | None = None
    progress_lines: bool = False
    callbacks: tuple[keras.callbacks.Callback, ...] = ()


@dataclass
class TrainResult:
    """What a smoke training did.

    Attributes:
        architecture: str. Its name.
        hyperparameters: dict[str, Any]. What it was built with.
        train_step: str or None. The plugin's train step reference; None for
            the model's own ``train_step``.
        batch_size: int. The batch size given to the data adapter.
        epochs: int. Epochs asked for.
        trace: MetricTrace. Per-metric first and last values, steps, timings.
        distribute: str or None. The strategy used.
        replicas: int. Replicas in sync (1 without a strategy).
        saved: str or None. Where the trained model was saved.
        logdir: str or None. Where the TensorBoard scalars went.
        cluster: dict or None. ``multiworker``: this worker's task, the cluster
            size and a digest of the trained weights (:func:`~kreg.inspect_tools.multiworker.describe_worker`).
    """

    architecture: str
    hyperparameters: dict[str, Any]
    train_step: str | None
    batch_size: int
    epochs: int
    trace: MetricTrace
    distribute: str | None = None
    replicas: int = 1
    saved: str | None = None
    logdir: str | None = None
    cluster: dict[str, Any] | None = None

    @property
    def finite(self) -> bool:
        """True when every metric stayed finite."""
        return self.trace.finite

    def failure(self) -> ArchitectureFailure | None:
        """The failure to report when the run stopped on a bad metric, else None."""
        if self.trace.problem is None:
            return None
        return ArchitectureFailure(self.architecture, "train", self.trace.problem)

    def to_json(self) -> dict[str, Any]:
        """Return the object ``kreg train --json`` prints (non-finite floats as strings)."""
        trace = self.trace
        return {
            "architecture": self.architecture,
            "hyperparameters": self.hyperparameters,
            "train_step": self.train_step,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "steps": trace.steps,
            "seconds": round(trace.seconds, 6),
            "first_step_seconds": None if trace.first_step_seconds is None else round(trace.first_step_seconds, 6),
            "steps_per_second": None if trace.steps_per_second is None else round(trace.steps_per_second, 3),
            "finite": trace.finite,
            "metrics": {name: {"first": json_float(trace.first[name]), "last": json_float(trace.last[name])} for name in trace.first},
            "stopped": trace.problem,
            "distribute": self.distribute,
            "replicas": self.replicas,
            "saved": self.saved,
            "logdir": self.logdir,
            "cluster": self.cluster,
        }


def json_float(value: float) -> float | str:
    """A float JSON can carry: finite values as is, others as ``"nan"``, ``"inf"``, ``"-inf"``."""
    return value if math.isfinite(value) else str(value)


def check_options(options: TrainOptions) -> None:
    """Reject options that cannot work before anything is built.

    Raises:
        KregUsageError: ``source`` does not exist, or ``save`` is not a ``.keras`` file.
    """
    if options.source is not None and not os.path.exists(options.source):
        raise KregUsageError(f"--data path {options.source!r} does not exist")
    if options.save is not None and not options.save.endswith(".keras"):
        raise KregUsageError(f"--save {options.save!r}: the file name must end in .keras")


def train(entry: Entry, hyperparameters: dict[str, Any], options: TrainOptions) -> TrainResult:
    """Build ``entry`` (inside the strategy's scope, if any) and smoke-train it.

    Args:
        entry: Entry. The architecture.
        hyperparameters: dict[str, Any]. Resolved hyperparameters (defaults,
            preset, ``--set``).
        options: TrainOptions. Steps, data, strategy, outputs.

    Returns:
        TrainResult. Check :meth:`TrainResult.failure` for a run stopped by a
        non-finite metric.

    Raises:
        KregUsageError: bad options, or an architecture without a data adapter.
        ArchitectureFailure: a phase (resolve, build, data, train, save) failed.
    """
    check_options(options)
    require_trainable(entry)
    require_keras()
    import keras

    from kreg.inspect_tools.train_loop import strategy_scope

    if options.seed is not None:
        keras.utils.set_random_seed(options.seed)
    strategy = _strategy(entry, options)
    with strategy_scope(strategy):
        model = build(entry, hyperparameters).model
    result = train_model(entry, model, hyperparameters, options)
    result.replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    return result


def train_model(entry: Entry, model: keras.Model, hyperparameters: dict[str, Any], options: TrainOptions) -> TrainResult:
    """Smoke-train an already built ``"model"`` component of ``entry``.

    Args:
        entry: Entry. The architecture (for its data adapter and train step).
        model: keras.Model. What its builder returned as ``"model"``.
        hyperparameters: dict[str, Any]. What it was built with (the adapter gets them).
        options: TrainOptions. Build the model in the scope of the strategy
            ``distribute`` names first, as :func:`train` does; in a multi-worker
            cluster only the chief writes ``save`` and ``logdir``.

    Returns:
        TrainResult.

    Raises:
        ArchitectureFailure: the model is not compiled, or a phase (resolve,
            data, train, save) failed.
    """
    check_options(options)
    require_trainable(entry)
    if not model.compiled:
        raise ArchitectureFailure(
            entry.name, "build", "the builder returned an uncompiled model; call model.compile(optimizer=...) in the builder"
        )
    step = resolve_part(entry, "train_step")
    batch_size = options.batch_size or entry.architecture.batch_size
    dataset = make_dataset(entry, hyperparameters, batch_size, options.source)
    writes_outputs = _writes_outputs(options)
    if options.distribute is not None:
        from kreg.inspect_tools.multiworker import shard_by_example

        dataset = shard_by_example(dataset)
    if options.jit_compile is not None:
        model.jit_compile = options.jit_compile
    trace = run_training(entry.name, model, step, dataset, options, write_scalars=writes_outputs)
    cluster = _settle_workers(model) if options.distribute == "multiworker" else None
    saved = None
    if options.save is not None and trace.problem is None:
        saved = save_model(entry.name, model, options.save, is_chief=writes_outputs)
    return TrainResult(
        architecture=entry.name,
        hyperparameters=dict(hyperparameters),
        train_step=describe_reference(entry.architecture.train_step),
        batch_size=batch_size,
        epochs=options.epochs,
        trace=trace,
        distribute=options.distribute,
        saved=saved,
        logdir=options.logdir if writes_outputs else None,
        cluster=cluster,
    )


def _writes_outputs(options: TrainOptions) -> bool:
    """False for a multi-worker process that is not the chief: it writes no file the user named."""
    cluster = read_tf_config() if options.distribute == "multiworker" else None
    return cluster is None or cluster.is_chief


def _settle_workers(model: keras.Model) -> dict[str, Any]:
    from kreg.inspect_tools.multiworker import settle_workers

    return settle_workers(model)


def require_trainable(entry: Entry) -> None:
    """Raise unless the architecture has a data adapter to train on.

    Raises:
        KregUsageError: it has none.
    """
    if entry.architecture.data_adapter is None:
        raise KregUsageError(f"architecture {entry.name!r} has no data adapter, so it cannot be trained")


def _strategy(entry: Entry, options: TrainOptions) -> tf.distribute.Strategy | None:
    from kreg.inspect_tools.train_loop import make_strategy

    try:
        return make_strategy(options.distribute, options.connect_timeout)
    except KregUsageError:
        raise
    except ValueError as error:
        raise KregUsageError(str(error)) from None
    except Exception as error:
        raise ArchitectureFailure(entry.name, "distribute", error) from error


def make_dataset(entry: Entry, hyperparameters: dict[str, Any], batch_size: int, source: str | None) -> tf.data.Dataset:
    """Call the architecture's data adapter and check it returned batches.

    Raises:
        ArchitectureFailure: the adapter raised, returned something other than
            a ``tf.data.Dataset``, or an empty one (phase ``"data"``).
    """
    import tensorflow as tf

    adapter = resolve_part(entry, "data_adapter")
    try:
        dataset = adapter(dict(hyperparameters), batch_size, source)
    except KregUsageError:
        raise
    except Exception as error:
        raise ArchitectureFailure(entry.name, "data", error) from error
    if not isinstance(dataset, tf.data.Dataset):
        raise ArchitectureFailure(entry.name, "data", f"the data adapter returned {type(dataset).__name__}, not a tf.data.Dataset")
    if int(dataset.cardinality()) == 0:
        raise ArchitectureFailure(entry.name, "data", "the data adapter returned an empty dataset")
    return dataset


def run_training(
    name: str, model: keras.Model, step: Any, dataset: tf.data.Dataset, options: TrainOptions, write_scalars: bool = True
) -> MetricTrace:
    """Run ``fit`` with the recorder (and the TensorBoard writer, if ``write_scalars``) and return the trace.

    Raises:
        ArchitectureFailure: the train step or ``fit`` raised (phase ``"train"``),
            or no step ran (phase ``"data"``).
    """
    from kreg.inspect_tools.metrics_log import MetricRecorder, ScalarWriter
    from kreg.inspect_tools.multiworker import lost_worker
    from kreg.inspect_tools.train_loop import fit_steps, installed_train_step, progress_verbosity

    recorder = MetricRecorder()
    writer = ScalarWriter(options.logdir) if options.logdir is not None and write_scalars else None
    callbacks = [recorder, *([writer] if writer is not None else []), *_progress(options), *options.callbacks]
    try:
        with installed_train_step(model, step):
            fit_steps(model, dataset, options.steps, options.epochs, callbacks, progress_verbosity(options.quiet))
    except KregError:
        raise
    except Exception as error:
        raise ArchitectureFailure(name, "train", lost_worker(error) or short_cause(error)) from error
    finally:
        if writer is not None:
            writer.close()
    if recorder.trace.steps == 0:
        raise ArchitectureFailure(name, "data", "the dataset yielded no batches")
    return recorder.trace


def _progress(options: TrainOptions) -> list[keras.callbacks.Callback]:
    if not options.progress_lines:
        return []
    from kreg.inspect_tools.progress_lines import ProgressLines

    return [ProgressLines(options.steps * options.epochs)]


def save_model(name: str, model: keras.Model, path: str, is_chief: bool = True) -> str | None:
    """Save the trained model as a ``.keras`` file, whole or not at all.

    Args:
        is_chief: bool. False for a multi-worker process that is not the
            chief: it saves to a temporary folder that is then deleted
            (:func:`~kreg.cluster.output_for_this_worker`), and returns None.

    Raises:
        ArchitectureFailure: Keras could not save it (phase ``"save"``).
    """
    try:
        with output_for_this_worker(path, is_chief) as target:
            model.save(target)
    except Exception as error:
        raise ArchitectureFailure(name, "save", error) from error
    return path if is_chief else None


def short_cause(error: BaseException) -> BaseException | str:
    """Keep the informative line of a TensorFlow runtime error.

    A ``tf.errors.OpError`` raised while a ``tf.function`` runs starts with
    "Graph execution error:" and the Python stack of the failing op (indented
    lines), and ends with node annotations (indented too); the first line that
    is neither is what went wrong.
    """
    import tensorflow as tf

    if not isinstance(error, tf.errors.OpError):
        return error
    skipped = ("Graph execution error:", "Detected at node")
    lines = [
        line.strip()
        for line in str(error.message).splitlines()
        if line.strip() and not line[0].isspace() and not line.startswith(skipped)
    ]
    message = lines[0].split(" [Op:")[0].strip() if lines else ""
    return f"{type(error).__name__}: {message}" if message else error
