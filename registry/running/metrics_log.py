"""Keras callbacks that record what a train step returned, step by step.

:class:`MetricRecorder` keeps the first and last value of every metric, times
the run and stops it at the first non-finite value; :class:`StepLog` keeps
every value, for a review's training curves; :class:`ScalarWriter` writes the
same per-step values as TensorBoard scalars. Both read the logs
Keras hands ``on_train_batch_end``: the dict the train step returned, already
converted to Python floats by Keras's ``CallbackList``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import keras


@dataclass
class MetricTrace:
    """The per-step record of one training run.

    Attributes:
        first: dict[str, float]. Each metric's value at the first step that returned it.
        last: dict[str, float]. Each metric's value at the last step that returned it.
        steps: int. Steps completed (over all epochs).
        first_step_seconds: float or None. From the start of training to the end of
            the first step (includes tracing the train function).
        seconds: float. From the end of the first step to the end of the last one.
        problem: str or None. Why the run stopped early (a non-finite or
            non-scalar metric), naming the metric and the step.
        problem_step: int or None. The step (1-based) that ``problem`` refers to.
        interrupted: bool. Ctrl-C stopped the run at a step boundary, after ``steps`` steps.
    """

    first: dict[str, float] = field(default_factory=dict)
    last: dict[str, float] = field(default_factory=dict)
    steps: int = 0
    first_step_seconds: float | None = None
    seconds: float = 0.0
    problem: str | None = None
    problem_step: int | None = None
    interrupted: bool = False

    @property
    def finite(self) -> bool:
        """True when every recorded value is finite and nothing stopped the run."""
        values = [*self.first.values(), *self.last.values()]
        return self.problem is None and all(math.isfinite(v) for v in values)

    @property
    def steps_per_second(self) -> float | None:
        """``(steps - 1) / seconds``: the speed after the first (compiling) step."""
        if self.steps < 2 or self.seconds <= 0:
            return None
        return (self.steps - 1) / self.seconds


class MetricRecorder(keras.callbacks.Callback):
    """Record each metric the train step returns, per step, and stop on a bad one.

    Put it first in the callback list: at the end of each epoch it writes the
    last step's values back into the epoch logs that the later callbacks
    (History, the progress bar, TensorBoard) receive. Keras would otherwise
    report, for a key that matches the model's own metrics (a custom train
    step returning ``"loss"`` from a model compiled without a loss), the
    model's loss tracker, which such a step never updates (it reads 0.0).
    """

    def __init__(self) -> None:
        super().__init__()
        self.trace = MetricTrace()
        self._started = 0.0
        self._first_done = 0.0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Start the clock."""
        self._started = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Record one step's values; stop training at a non-finite or non-scalar one."""
        now = time.perf_counter()
        trace = self.trace
        trace.steps += 1
        if trace.steps == 1:
            self._first_done = now
            trace.first_step_seconds = now - self._started
        trace.seconds = now - self._first_done
        for name, value in (logs or {}).items():
            if not _record(trace, name, value):
                self.model.stop_training = True
                return

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Make the epoch logs show what the train step returned at its last step."""
        if logs is not None:
            logs.update({name: value for name, value in self.trace.last.items() if name in logs})


def _record(trace: MetricTrace, name: str, value: Any) -> bool:
    """Store one value; return False (and set ``trace.problem``) when it is bad."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        shape = getattr(value, "shape", None)
        if isinstance(value, (str, bytes)) or getattr(getattr(value, "dtype", None), "kind", None) in ("S", "U", "O"):
            trace.problem = f"metric {name!r} is text, not a number, at step {trace.steps}"
        else:
            trace.problem = f"metric {name!r} is not a scalar (shape {shape}) at step {trace.steps}"
        trace.problem_step = trace.steps
        return False
    trace.first.setdefault(name, number)
    trace.last[name] = number
    if not math.isfinite(number):
        trace.problem = f"metric {name!r} is {number} at step {trace.steps}"
        trace.problem_step = trace.steps
        return False
    return True


class StepLog(keras.callbacks.Callback):
    """Keep the value of every scalar metric after every training step (``kreg review``'s curves).

    Add it after :class:`MetricRecorder`, which reports a value that is not a
    scalar and stops the run.

    Attributes:
        curves: dict[str, list[tuple[int, float]]]. ``(step, value)`` pairs per
            metric, steps counted from 1 over all epochs.
    """

    def __init__(self) -> None:
        super().__init__()
        self.curves: dict[str, list[tuple[int, float]]] = {}
        self._step = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Record this step's values (a value that is not a scalar is skipped)."""
        self._step += 1
        for name, value in (logs or {}).items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue  # MetricRecorder reports it and stops the run
            self.curves.setdefault(name, []).append((self._step, number))


class ScalarWriter(keras.callbacks.Callback):
    """Write every metric the train step returns as a TensorBoard scalar, per step.

    The events are written with ``tf.summary.write`` and the metadata of
    TensorBoard's scalar plugin (what ``tf.summary.scalar`` writes), so writing
    them does not need the ``tensorboard`` package; viewing them does.

    Args:
        logdir: str. Directory for the event files; they go to ``logdir/train``.
    """

    def __init__(self, logdir: str) -> None:
        super().__init__()
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2

        self._writer = tf.summary.create_file_writer(f"{logdir}/train")
        self._metadata = summary_pb2.SummaryMetadata(data_class=summary_pb2.DATA_CLASS_SCALAR)
        self._metadata.plugin_data.plugin_name = "scalars"
        self._step = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Write this step's scalars."""
        import tensorflow as tf

        self._step += 1
        with self._writer.as_default(step=self._step):
            for name, value in (logs or {}).items():
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    continue  # a non-scalar: MetricRecorder reports it
                tf.summary.write(name, tf.constant(number, tf.float32), metadata=self._metadata)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Flush the event file."""
        self._writer.flush()

    def close(self) -> None:
        """Close the event file (also when training raised)."""
        self._writer.close()
