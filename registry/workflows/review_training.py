"""The smoke training of a review: kreg's own training run, with every step's
metrics kept for the curves.

The run is the pipeline's train stage (:func:`kreg.running.training.train_model`:
the adapter, the train step and Keras's ``fit`` exactly as ``kreg train`` runs
them); :class:`StepLog`, added after kreg's recorder, keeps each step's
values, which the recorder reduces to first and last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import keras


class StepLog(keras.callbacks.Callback):
    """Keep the value of every scalar metric after every training step.

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
                continue  # kreg's recorder reports it and stops the run
            self.curves.setdefault(name, []).append((self._step, number))


@dataclass
class TrainingCurves:
    """What the review's smoke training did.

    Attributes:
        summary: dict[str, Any]. The ``kreg train --json`` object of the run.
        curves: dict[str, list[tuple[int, float]]]. Every metric after every step.
        problem: str or None. Why the run stopped early (a non-finite metric).
    """

    summary: dict[str, Any]
    curves: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    problem: str | None = None

    @property
    def finite(self) -> bool:
        """True when every recorded value is finite and the run was not stopped."""
        return self.problem is None and all(math.isfinite(v) for points in self.curves.values() for _, v in points)
