"""What the review page, the notebook card and the review's text read: a review's content.

:class:`kreg.workflows.review.Review` (what ``kreg.review`` returns) has these
attributes; the renderers name them here, as protocols, so that rendering
needs nothing from the workflows that gathered them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure
from kreg.inspect_tools.diff import ArchitectureDiff
from kreg.inspect_tools.report_types import JsonValue, Report


class TrainingRun(Protocol):
    """The smoke training of a review (:class:`kreg.workflows.review_training.TrainingCurves`)."""

    @property
    def summary(self) -> Mapping[str, Any]:
        """The ``kreg train --json`` object of the run (its values are whatever the metrics are)."""

    @property
    def curves(self) -> Mapping[str, Sequence[tuple[int, float]]]:
        """``(step, value)`` pairs per metric, steps counted from 1."""

    @property
    def problem(self) -> str | None:
        """Why the run stopped early (a non-finite metric)."""

    @property
    def finite(self) -> bool:
        """Every recorded value is finite and the run was not stopped."""


class ReviewContent(Protocol):
    """A review: the inspection report, the graph, the smoke training and the diff, with where they came from."""

    @property
    def name(self) -> str:
        """The architecture's name (a file's path, a model's name)."""

    @property
    def entry(self) -> Entry | None:
        """The architecture and its plugin; None for a saved file or a Keras model."""

    @property
    def hyperparameters(self) -> Mapping[str, JsonValue]:
        """The values it was built with."""

    @property
    def report(self) -> Report:
        """The inspection report."""

    @property
    def preset(self) -> str | None:
        """The preset the hyperparameters started from."""

    @property
    def assignments(self) -> Sequence[str]:
        """The ``--set`` values given."""

    @property
    def source(self) -> str | None:
        """What was reviewed when it is not an architecture (``saved model mlp.keras``)."""

    @property
    def graph(self) -> str | None:
        """The ``"model"`` component's graph as inline SVG."""

    @property
    def folded_graph(self) -> str | None:
        """The same graph with its repeated blocks folded into "block x N" nodes; None when none fold."""

    @property
    def graph_problem(self) -> str | None:
        """Why there is no graph."""

    @property
    def training(self) -> TrainingRun | None:
        """The smoke training, when one was asked for and ran."""

    @property
    def training_error(self) -> ArchitectureFailure | None:
        """Why the smoke training failed."""

    @property
    def comparison(self) -> ArchitectureDiff | None:
        """The diff against another side (``--against``)."""

    @property
    def bench(self) -> Sequence[Mapping[str, Any]]:
        """``kreg bench --json`` rows of this architecture (``kreg review --bench FILE``); empty without."""

    @property
    def created(self) -> str:
        """When the review was made (``2026-11-26 14:05 UTC``)."""
