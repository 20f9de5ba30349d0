"""Smoke training of a built architecture: its adapter's batches through its
train step inside Keras's ``fit``, recording what each step returned.

:func:`train_model` is the one training run: ``kreg train``, ``kreg check``,
the contract checks and ``kreg review`` all call it (through
:mod:`kreg.workflows`). The data adapter, the train step and saving each run
in their phase (:func:`kreg.running.calls.in_phase`). Importing this module
does not import TensorFlow; training does.
"""

from __future__ import annotations

import math
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.cluster import output_for_this_worker, read_tf_config
from kreg.defaults import DEFAULT_STEPS
from kreg.errors import ArchitectureFailure, KregError, KregUsageError
from kreg.model_archives import record_origin
from kreg.phases import Phase
from kreg.processes import Interrupted
from kreg.references import describe_reference
from kreg.running.calls import in_phase, resolve_part
from kreg.running.data import make_dataset
from kreg.running.deep_stack import on_deep_stack, run_with_deep_stack

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

    from kreg.running.building import BuiltArchitecture
    from kreg.running.metrics_log import MetricTrace


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
        return ArchitectureFailure(self.architecture, Phase.TRAIN, self.trace.problem)

    def interruption(self, planned_steps: int, save: str | None = None) -> Interrupted | None:
        """What to raise when Ctrl-C stopped the run (``interrupted at step 7 of 20``), else None.

        Args:
            planned_steps: int. The steps the run was to take.
            save: str or None. The ``--save`` target, which an interrupted run does not write.
        """
        if not self.trace.interrupted:
            return None
        detail = f"at step {self.trace.steps} of {planned_steps}"
        if save is not None:
            detail += f"; {save} was not written"
        return Interrupted(signal.SIGINT, detail)

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
            "metrics": {
                name: {"first": json_float(trace.first[name]), "last": json_float(trace.last[name])}
                for name in trace.first
            },
            "stopped": trace.problem,
            "interrupted": trace.interrupted,
            "distribute": self.distribute,
            "replicas": self.replicas,
            "saved": self.saved,
            "logdir": self.logdir,
            "cluster": self.cluster,
        }


def json_float(value: float) -> float | str:
    """A float JSON can carry: finite values as is, others as ``"nan"``, ``"inf"``, ``"-inf"``."""
    return value if math.isfinite(value) else str(value)


def train_model(built: BuiltArchitecture, options: TrainOptions) -> TrainResult:
    """Smoke-train the ``"model"`` component of a built architecture.

    The options are taken as they are (:func:`kreg.workflows.training.check_options`
    vets the user's); ``distribute`` and ``seed`` are ignored here: build the
    model in the strategy's scope, after seeding, first.

    Args:
        built: BuiltArchitecture. From :func:`kreg.running.building.build`; its
            hyperparameters and data state go to the data adapter.
        options: TrainOptions. Steps, batch size, data, outputs.

    Returns:
        TrainResult. Check :meth:`TrainResult.failure` for a run stopped by a
        non-finite metric.

    Raises:
        KregUsageError: the architecture has no data adapter.
        ArchitectureFailure: the model is not compiled, or a phase (resolve,
            data, train, save) failed.
    """
    entry, model = built.entry, built.model
    require_trainable(entry)
    if not model.compiled:
        raise ArchitectureFailure(
            entry.name,
            Phase.BUILD,
            "the builder returned an uncompiled model; call model.compile(optimizer=...) in the builder",
        )
    step = resolve_part(entry, "train_step")
    batch_size = options.batch_size or entry.architecture.batch_size
    dataset = make_dataset(entry, built.hyperparameters, batch_size, options.source, built.data_state)
    writes = writes_outputs(options)
    if options.distribute is not None:
        from kreg.running.multiworker import shard_by_example

        dataset = shard_by_example(dataset)
    if options.jit_compile is not None:
        model.jit_compile = options.jit_compile
    trace = run_training(entry.name, model, step, dataset, options, write_scalars=writes)
    cluster = _settle_workers(model) if options.distribute == "multiworker" else None
    saved = None
    if options.save is not None and trace.problem is None and not trace.interrupted:
        saved = save_model(entry.name, model, options.save, is_chief=writes)
    return TrainResult(
        architecture=entry.name,
        hyperparameters=dict(built.hyperparameters),
        train_step=describe_reference(entry.architecture.train_step),
        batch_size=batch_size,
        epochs=options.epochs,
        trace=trace,
        distribute=options.distribute,
        saved=saved,
        logdir=options.logdir if writes else None,
        cluster=cluster,
    )


def writes_outputs(options: TrainOptions) -> bool:
    """False for a multi-worker process that is not the chief: it writes no file the user named."""
    cluster = read_tf_config() if options.distribute == "multiworker" else None
    return cluster is None or cluster.is_chief


def _settle_workers(model: keras.Model) -> dict[str, Any]:
    from kreg.running.multiworker import settle_workers

    return settle_workers(model)


def require_trainable(entry: Entry) -> None:
    """Raise unless the architecture has a data adapter to train on.

    Raises:
        KregUsageError: it has none.
    """
    if entry.architecture.data_adapter is None:
        raise KregUsageError(f"architecture {entry.name!r} has no data adapter, so it cannot be trained")


def run_training(
    name: str,
    model: keras.Model,
    step: Any,
    dataset: tf.data.Dataset,
    options: TrainOptions,
    write_scalars: bool = True,
) -> MetricTrace:
    """Run ``fit`` with the recorder (and the TensorBoard writer, if ``write_scalars``) and return the trace.

    The first Ctrl-C stops the run after the step under way (the trace's
    ``interrupted`` says so); a second one raises ``KeyboardInterrupt``.

    Raises:
        ArchitectureFailure: the train step or ``fit`` raised (phase ``train``),
            or no step ran (phase ``data``).
    """
    from kreg.running.causes import specific_cause
    from kreg.running.interruption import StopAtStepBoundary, stop_on_interrupt
    from kreg.running.metrics_log import MetricRecorder, ScalarWriter
    from kreg.running.multiworker import lost_worker
    from kreg.running.train_loop import fit_steps, installed_train_step, progress_verbosity

    recorder, stopper = MetricRecorder(), StopAtStepBoundary()
    writer = ScalarWriter(options.logdir) if options.logdir is not None and write_scalars else None
    callbacks = [recorder, *([writer] if writer is not None else []), *_progress(options), *options.callbacks, stopper]
    try:
        cause = lambda error: lost_worker(error) or specific_cause(error)  # noqa: E731
        with (
            stop_on_interrupt(stopper),
            in_phase(name, Phase.TRAIN, passes=(KregError,), cause=cause),
            installed_train_step(model, step, name),
        ):
            # fit on the deep stack; Ctrl-C is still handled here, in the main thread, by stop_on_interrupt
            run_with_deep_stack(
                fit_steps, model, dataset, options.steps, options.epochs, callbacks, progress_verbosity(options.quiet)
            )
    finally:
        if writer is not None:
            writer.close()
    recorder.trace.interrupted = stopper.requested
    if recorder.trace.steps == 0 and not stopper.requested:
        raise ArchitectureFailure(name, Phase.DATA, "the dataset yielded no batches")
    return recorder.trace


def _progress(options: TrainOptions) -> list[keras.callbacks.Callback]:
    if not options.progress_lines:
        return []
    from kreg.running.progress_lines import ProgressLines

    return [ProgressLines(options.steps * options.epochs)]


@on_deep_stack
def save_model(name: str, model: keras.Model, path: str, is_chief: bool = True) -> str | None:
    """Save the trained model as a ``.keras`` file, whole or not at all (Keras calls the plugin's ``get_config``).

    The file is written next to ``path`` and renamed over it once complete
    (:func:`kreg.files.replaced_atomically`), so a previous file survives any
    crash; it records the architecture it holds (:func:`kreg.model_archives.record_origin`).

    Args:
        is_chief: bool. False for a multi-worker process that is not the
            chief: it saves to a temporary folder that is then deleted
            (:func:`~kreg.cluster.output_for_this_worker`), and returns None.

    Raises:
        ArchitectureFailure: Keras could not save it (phase ``save``).
    """
    with in_phase(name, Phase.SAVE, passes=()), output_for_this_worker(path, is_chief) as target:
        model.save(target)
        record_origin(target, name, type(model).__name__)
    return path if is_chief else None
