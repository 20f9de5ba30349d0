"""A review: everything ``kreg review`` puts on its page, and what ``kreg.review`` returns.

:func:`make_review` runs the pipeline (:mod:`kreg.workflows.pipeline`) once
for an architecture: the inspection report (the same data as ``kreg inspect
--json``), the graph as SVG and, when asked, a smoke training with its curves.
:func:`review_subject` reviews any subject (:mod:`kreg.workflows.subjects`):
an architecture through :func:`make_review`, a saved file or a Keras model by
inspecting and drawing it (there is nothing to train it on). :func:`write_review`
renders the page with :mod:`kreg.rendering.review_page` and writes it.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Catalogue, Entry
from kreg.errors import ArchitectureFailure, KregError, KregUsageError, describe_exception
from kreg.files import write_atomically
from kreg.phases import Phase
from kreg.workflows.pipeline import PipelineOptions, Stage, run_pipeline

if TYPE_CHECKING:
    from kreg.inspect_tools.diff import ArchitectureDiff
    from kreg.inspect_tools.report_types import Report
    from kreg.workflows.review_training import TrainingCurves
    from kreg.workflows.subjects import Subject


@dataclass
class Review:
    """The content of a review page; ``kreg.review`` returns one.

    In a notebook it shows itself as the review card (:meth:`_repr_html_`),
    ``print()`` gives the text report, :meth:`to_json` the data and
    :meth:`save` writes the page.

    Attributes:
        entry: Entry or None. The architecture and the plugin that registered
            it (None for a saved file or a Keras model).
        hyperparameters: dict[str, Any]. The values it was built with.
        report: Report. The inspection report (``to_json()`` is ``kreg inspect --json``'s object).
        preset: str or None. The preset the hyperparameters started from.
        assignments: tuple[str, ...]. The ``--set`` values given.
        source: str or None. What was reviewed when it is not an architecture
            (``saved model mlp.keras``, ``Keras model name (Functional)``).
        graph: str or None. The ``"model"`` component's graph as inline SVG.
        folded_graph: str or None. The same with its repeated blocks folded (None when none fold).
        graph_problem: str or None. Why there is no graph.
        training: TrainingCurves or None. The smoke training, when one was asked for.
        training_error: ArchitectureFailure or None. Why the smoke training failed.
        comparison: ArchitectureDiff or None. The diff against another side (``--against``).
        bench: list[dict]. ``kreg bench --json`` rows of this architecture
            (``--bench FILE``), shown beside the estimates.
        created: str. When the review was made, to the minute in UTC (``2026-11-26 14:05 UTC``).
    """

    entry: Entry | None
    hyperparameters: dict[str, Any]
    report: Report
    preset: str | None = None
    assignments: tuple[str, ...] = ()
    source: str | None = None
    graph: str | None = None
    folded_graph: str | None = None
    graph_problem: str | None = None
    training: TrainingCurves | None = None
    training_error: ArchitectureFailure | None = None
    comparison: ArchitectureDiff | None = None
    bench: list[dict[str, Any]] = field(default_factory=list)
    created: str = field(
        default_factory=lambda: datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    )

    @property
    def name(self) -> str:
        """The architecture's name (a file's path, a model's name)."""
        return self.entry.name if self.entry is not None else self.report.architecture

    def failure(self) -> ArchitectureFailure | None:
        """The training failure to report after the page is written, if any."""
        if self.training_error is not None:
            return self.training_error
        if self.training is not None and self.training.problem is not None:
            return ArchitectureFailure(self.name, Phase.TRAIN, self.training.problem)
        return None

    def to_json(self) -> dict[str, Any]:
        """The review's data: ``inspection`` (``kreg inspect --json``'s object), ``training``, ``diff``.

        A copy, as ``InspectionReport.to_json()`` is: changing it changes nothing here.

        Returns:
            dict. ``name``, ``source``, ``preset``, ``inspection``, ``graph``
            (drawn or not, and why not), ``training`` (``kreg train --json``'s
            object, or None), ``training_error`` and ``diff`` (``kreg diff
            --json``'s object, or None).
        """
        return copy.deepcopy(
            {
                "name": self.name,
                "source": self.source,
                "preset": self.preset,
                "inspection": self.report.to_json(),
                "graph": {"drawn": self.graph is not None, "problem": self.graph_problem},
                "training": None
                if self.training is None
                else {**self.training.summary, "problem": self.training.problem},
                "training_error": None if self.training_error is None else str(self.training_error),
                "diff": None if self.comparison is None else self.comparison.to_json(),
            }
        )

    def html(self) -> str:
        """The whole review page (what :meth:`save` writes): inline CSS and SVG, no script."""
        from kreg.rendering.review_page import render_page

        return render_page(self)

    def save(self, path: str | Path) -> Path:
        """Write the review page to ``path`` (folders are made); return the path.

        Raises:
            KregError: the file cannot be written.
        """
        return write_review(self, path)

    def _repr_html_(self) -> str:
        """The review card a notebook shows: the page's sections in a styled block, no script."""
        from kreg.rendering.review_page import render_card

        return render_card(self)

    def __str__(self) -> str:
        """The text report: ``kreg inspect``'s tables, then the smoke training and the diff, if any."""
        from kreg.rendering.text import review_text

        return review_text(self)


@dataclass(frozen=True)
class ReviewOptions:
    """How a review is made, whatever is reviewed.

    Attributes:
        train_steps: int or None. Smoke-train the ``"model"`` component of an
            architecture this many steps, with its batch size (None: no training).
        expand_layers: bool. Open custom layers in the graph too.
        seed: int or None. Seed Python, NumPy and TensorFlow before building an
            architecture, as ``kreg train`` does, so the smoke-training curves repeat.
        input_shapes: Mapping or sequence or None. Sizes after the batch axis for
            compute (``--input-shape``), as :func:`kreg.workflows.inspecting.inspect_subject`
            takes them; None takes unknown sizes from the data adapter.
        batch_size: int or None. Estimate training memory at this batch size; None
            uses an architecture's (the smoke training keeps its own; a file or a model has none).
    """

    train_steps: int | None = None
    expand_layers: bool = False
    seed: int | None = 0
    input_shapes: Any = None
    batch_size: int | None = None


def make_review(
    entry: Entry,
    hyperparameters: dict[str, Any],
    options: ReviewOptions,
    *,
    preset: str | None = None,
    assignments: tuple[str, ...] = (),
) -> Review:
    """Build an architecture and gather its review: the pipeline's build, report and training.

    A graph that cannot be drawn or a smoke training that fails does not stop
    the review: the page says why instead (check :meth:`Review.failure`).

    Args:
        entry: Entry. The architecture.
        hyperparameters: dict[str, Any]. Resolved values (defaults, preset, ``--set``).
        options: ReviewOptions. Training, graph, seed and sizes.
        preset: str or None. The preset used, shown on the page.
        assignments: tuple[str, ...]. The ``--set`` values given, shown on the page.

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
    pipeline_options = PipelineOptions(
        seed=options.seed,
        train=options.train_steps is not None,
        steps=options.train_steps or 0,
        batch_size=None,
        callbacks=(log,),
        input_shapes=options.input_shapes,
        memory_batch_size=options.batch_size,
    )
    result = run_pipeline(entry, pipeline_options, hyperparameters)
    if result.failure is not None and result.stage is not Stage.TRAIN:
        cause = result.failure.cause
        raise cause if isinstance(cause, KregUsageError) else result.failure  # a builder rejecting a value: exit 2
    assert result.report is not None and result.built is not None, "the pipeline reports unless it fails before"
    review = Review(entry, dict(result.hyperparameters), result.report, preset=preset, assignments=tuple(assignments))
    add_graph(review, result.built.name, result.built.model, options.expand_layers)
    if result.training is not None:
        training = result.training
        review.training = TrainingCurves(summary=training.to_json(), curves=log.curves, problem=training.trace.problem)
    elif result.failure is not None:  # the page still shows the rest, and says what failed
        review.training_error = result.failure
    return review


def review_subject(subject: Subject, catalogue: Catalogue, options: ReviewOptions) -> Review:
    """Review any subject: an architecture as :func:`make_review` does; a file or a Keras model inspected and drawn.

    Args:
        subject: Subject. From :func:`kreg.workflows.subjects.resolve_subject`.
        catalogue: Catalogue. Where a file's custom layers are looked for.
        options: ReviewOptions. Training (architectures only), graph, seed and sizes.

    Raises:
        KregUsageError: ``train_steps`` for a file or a model, or an
            architecture without a data adapter; a builder rejecting a value;
            a bad input shape.
        ArchitectureFailure: building or inspecting failed.
        KregError: the file could not be loaded.
    """
    if options.train_steps is not None:
        require_trainable_subject(subject)
    if subject.entry is not None:
        return make_review(
            subject.entry, subject.hyperparameters, options, preset=subject.preset, assignments=subject.assignments
        )
    from kreg.workflows.inspecting import inspect_subject
    from kreg.workflows.subjects import open_subject

    opened = open_subject(subject, catalogue)
    report = inspect_subject(subject, catalogue, None, options.input_shapes, options.batch_size, opened=opened)
    review = Review(None, {}, report, source=subject.describe())
    add_graph(review, subject.name, opened.components["model"], options.expand_layers)
    return review


def require_trainable_subject(subject: Subject) -> None:
    """Fail unless a smoke training can run: an architecture with a data adapter.

    Raises:
        KregUsageError: a saved file or a Keras model (no data adapter), or an architecture without one.
    """
    if subject.entry is None:
        raise KregUsageError(
            f"{subject.describe()} has no data adapter to smoke-train on; review its architecture to train"
        )
    if subject.entry.architecture.data_adapter is None:
        raise KregUsageError(f"architecture {subject.name!r} has no data adapter, so --train-steps cannot train it")


def add_graph(review: Review, name: str, model: Any, expand_layers: bool) -> None:
    """Draw the model's graph onto ``review`` (whole and folded), or say in ``graph_problem`` why it is not drawn."""
    from kreg.running.inspecting import graph_svg

    try:
        review.graph, review.folded_graph = graph_svg(
            name, model, f"{review.name} (model)", expand_layers=expand_layers, component=review.report.model
        )
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
    from kreg.rendering.review_page import render_page

    return write_atomically(path, render_page(review))
