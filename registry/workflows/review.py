"""An architecture review: everything ``kreg review`` puts on its page.

:func:`make_review` runs the pipeline (:mod:`kreg.workflows.pipeline`) once:
the inspection report (the same data as ``kreg inspect --json``), the graph
as SVG and, when asked, a smoke training with its curves. :func:`write_review` renders
the page with :mod:`kreg.workflows.review_html` and writes it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure, KregError, KregUsageError, describe_exception
from kreg.files import write_atomically
from kreg.phases import Phase
from kreg.workflows.pipeline import PipelineOptions, Stage, run_pipeline

if TYPE_CHECKING:
    from kreg.inspect_tools.diff import ArchitectureDiff
    from kreg.running.building import BuiltArchitecture
    from kreg.workflows.review_training import TrainingCurves


@dataclass
class Review:
    """The content of a review page.

    Attributes:
        entry: Entry. The architecture and the plugin that registered it.
        hyperparameters: dict[str, Any]. The values it was built with.
        report: dict[str, Any]. The ``kreg inspect --json`` object.
        preset: str or None. The preset the hyperparameters started from.
        assignments: tuple[str, ...]. The ``--set`` values given.
        graph: str or None. The ``"model"`` component's graph as inline SVG.
        graph_problem: str or None. Why there is no graph.
        training: TrainingCurves or None. The smoke training, when one was asked for.
        training_error: ArchitectureFailure or None. Why the smoke training failed.
        comparison: ArchitectureDiff or None. The diff against another side (``--against``).
        created: str. When the review was made (UTC, ISO 8601).
    """

    entry: Entry
    hyperparameters: dict[str, Any]
    report: dict[str, Any]
    preset: str | None = None
    assignments: tuple[str, ...] = ()
    graph: str | None = None
    graph_problem: str | None = None
    training: TrainingCurves | None = None
    training_error: ArchitectureFailure | None = None
    comparison: ArchitectureDiff | None = None
    created: str = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))

    @property
    def name(self) -> str:
        """The architecture's name."""
        return self.entry.name

    def failure(self) -> ArchitectureFailure | None:
        """The training failure to report after the page is written, if any."""
        if self.training_error is not None:
            return self.training_error
        if self.training is not None and self.training.problem is not None:
            return ArchitectureFailure(self.name, Phase.TRAIN, self.training.problem)
        return None


def make_review(
    entry: Entry,
    hyperparameters: dict[str, Any],
    *,
    preset: str | None = None,
    assignments: tuple[str, ...] = (),
    train_steps: int | None = None,
    expand_layers: bool = False,
    seed: int | None = 0,
) -> Review:
    """Build an architecture and gather its review: the pipeline's build, report and training.

    A graph that cannot be drawn or a smoke training that fails does not stop
    the review: the page says why instead (check :meth:`Review.failure`).

    Args:
        entry: Entry. The architecture.
        hyperparameters: dict[str, Any]. Resolved values (defaults, preset, ``--set``).
        preset: str or None. The preset used, shown on the page.
        assignments: tuple[str, ...]. The ``--set`` values given, shown on the page.
        train_steps: int or None. Smoke-train the ``"model"`` component this
            many steps, with the architecture's batch size.
        expand_layers: bool. Open custom layers in the graph too.
        seed: int or None. Seed Python, NumPy and TensorFlow before building,
            as ``kreg train`` does, so the smoke-training curves repeat.

    Returns:
        Review.

    Raises:
        KregUsageError: the builder rejected a hyperparameter by name.
        ArchitectureFailure: the builder or the inspection failed.
    """
    from kreg.running.keras_runtime import require_keras

    require_keras()  # quietly, before review_training imports Keras
    from kreg.workflows.review_training import StepLog, TrainingCurves

    log = StepLog()
    options = PipelineOptions(
        seed=seed, train=train_steps is not None, steps=train_steps or 0, batch_size=None, callbacks=(log,)
    )
    result = run_pipeline(entry, options, hyperparameters)
    if result.failure is not None and result.stage is not Stage.TRAIN:
        cause = result.failure.cause
        raise cause if isinstance(cause, KregUsageError) else result.failure  # a builder rejecting a value: exit 2
    review = Review(entry, dict(result.hyperparameters), result.report, preset=preset, assignments=tuple(assignments))
    _add_graph(review, result.built, expand_layers)
    if result.training is not None:
        training = result.training
        review.training = TrainingCurves(summary=training.to_json(), curves=log.curves, problem=training.trace.problem)
    elif result.failure is not None:  # the page still shows the rest, and says what failed
        review.training_error = result.failure
    return review


def _add_graph(review: Review, built: BuiltArchitecture, expand_layers: bool) -> None:
    from kreg.running.inspecting import graph_svg

    try:
        review.graph = graph_svg(built, "model", f"{review.name} (model)", expand_layers=expand_layers)
    except KregError as error:  # the tables still stand; the page says why there is no graph
        review.graph_problem = describe_exception(error.cause if isinstance(error, ArchitectureFailure) else error)


def write_review(review: Review, path: str | Path) -> Path:
    """Render the review page and write it to ``path``, whole or not at all (folders are made).

    Check the destination before building (:func:`kreg.files.check_destination`).

    Returns:
        Path. The file written.

    Raises:
        KregError: the file cannot be written.
    """
    from kreg.workflows.review_html import render_page

    return write_atomically(path, render_page(review))
