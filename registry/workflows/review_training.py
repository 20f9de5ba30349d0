"""The smoke training of a review: kreg's own training run, with every step's
metrics kept for the curves.

The run is the pipeline's train stage (:func:`kreg.running.training.train_model`:
the adapter, the train step and Keras's ``fit`` exactly as ``kreg train`` runs
them); :class:`~kreg.running.metrics_log.StepLog`, a Keras callback added after
kreg's recorder, keeps each step's values, which the recorder reduces to first
and last. It lives in the running layer, where Keras is imported; the review
workflow takes it from here with :class:`TrainingCurves`, after
``require_keras()``, so importing this module loads Keras (importing
:mod:`kreg.workflows.review` does not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kreg.running.metrics_log import StepLog

__all__ = ["StepLog", "TrainingCurves"]


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
