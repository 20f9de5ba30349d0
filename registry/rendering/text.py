"""The text reports: what ``kreg inspect`` and ``kreg diff`` print, and ``str()`` of the Python API's reports.

Drawn with :mod:`kreg.terminal` onto the terminal or into a string, so
``print(kreg.inspect("mlp"))`` shows what ``kreg inspect mlp > file`` writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kreg.inspect_tools.diff import ArchitectureDiff
from kreg.inspect_tools.report_types import Report
from kreg.rendering.diff_tables import diff_tables
from kreg.rendering.review_content import ReviewContent
from kreg.rendering.tables import text_tables
from kreg.terminal import console, format_assignments, print_fields, print_table, text_console

if TYPE_CHECKING:
    from rich.console import Console

NO_DIFFERENCES = "no differences in parameters, layers, shapes or Dense calls"


def print_inspection(report: Report, out: Console | None = None) -> None:
    """Print an inspection report as ``kreg inspect`` does.

    Args:
        report: Report. The report.
        out: rich.console.Console or None. Where to print (default stdout).
    """
    hyperparameters = format_assignments(report.hyperparameters)
    print_fields([("architecture", report.architecture), ("hyperparameters", hyperparameters)], out=out)
    for table in text_tables(report):
        print_table(table.title, table.columns, table.rows, out=out)


def inspection_text(report: Report) -> str:
    """The text of :func:`print_inspection`, as a string."""
    out = text_console()
    print_inspection(report, out)
    return str(out.file.getvalue())


def print_diff(diff: ArchitectureDiff, out: Console | None = None) -> None:
    """Print a comparison as ``kreg diff`` does: both sides, the tables, and a line when nothing differs."""
    print_fields(
        [
            ("left", f"{diff.left.label} {format_assignments(diff.left.hyperparameters)}".strip()),
            ("right", f"{diff.right.label} {format_assignments(diff.right.hyperparameters)}".strip()),
        ],
        out=out,
    )
    print_diff_tables(diff, out)
    if diff.identical:
        (out or console()).print(NO_DIFFERENCES, highlight=False, markup=False, soft_wrap=True)


def print_diff_tables(diff: ArchitectureDiff, out: Console | None = None) -> None:
    """Print the tables of ``kreg diff``."""
    for table in diff_tables(diff):
        print_table(table.title, table.columns, table.rows, out=out)


def review_text(review: ReviewContent) -> str:
    """A review as text: the inspection report, then the smoke training and the diff when there are any."""
    out = text_console()
    if review.source is not None:
        print_fields([("reviewed", review.source)], out=out)
    print_inspection(review.report, out)
    if review.graph_problem:
        print_fields([("graph", f"not drawn: {review.graph_problem}")], out=out)
    if review.training is not None:
        _print_training(review, out)
    elif review.training_error is not None:
        print_fields([("smoke training", f"failed: {review.training_error}")], out=out)
    if review.comparison is not None:
        print_diff_tables(review.comparison, out)
    return str(out.file.getvalue())


def _print_training(review: ReviewContent, out: Console) -> None:
    training = review.training
    if training is None:
        return
    summary = training.summary
    fields = [("smoke training", f"{summary['steps']} steps at batch size {summary['batch_size']}")]
    if training.problem:
        fields.append(("stopped", training.problem))
    print_fields(fields, out=out)
    rows = [
        [name, metric_value(values["first"]), metric_value(values["last"])]
        for name, values in summary["metrics"].items()
    ]
    print_table("smoke training: metrics", ["metric", "first", "last"], rows, out=out)


def metric_value(value: object) -> str:
    """A metric's value: six significant digits for a float, else as it is."""
    return f"{value:.6g}" if isinstance(value, float) else str(value)
