"""The text reports: what ``kreg inspect`` prints, and ``str()`` of the Python API's reports.

Drawn with :mod:`kreg.terminal` onto the terminal or into a string, so
``print(kreg.inspect("mlp"))`` shows what ``kreg inspect mlp > file`` writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kreg.terminal import format_assignments, print_fields, print_table, text_console

if TYPE_CHECKING:
    from kreg.workflows.review import Review


def print_inspection(report: Mapping[str, Any], out: Any = None) -> None:
    """Print an inspection report (``kreg inspect --json``'s object) as ``kreg inspect`` does.

    Args:
        report: Mapping. The report.
        out: rich.console.Console or None. Where to print (default stdout).
    """
    from kreg.inspect_tools.report import text_tables

    print_fields(
        [("architecture", report["architecture"]), ("hyperparameters", format_assignments(report["hyperparameters"]))],
        out=out,
    )
    for table in text_tables(report):
        print_table(table.title, table.columns, table.rows, out=out)


def inspection_text(report: Mapping[str, Any]) -> str:
    """The text of :func:`print_inspection`, as a string."""
    out = text_console()
    print_inspection(report, out)
    return out.file.getvalue()


def review_text(review: Review) -> str:
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
        from kreg.inspect_tools.diff_tables import diff_tables

        for table in diff_tables(review.comparison):
            print_table(table.title, table.columns, table.rows, out=out)
    return out.file.getvalue()


def _print_training(review: Review, out: Any) -> None:
    summary = review.training.summary
    fields = [("smoke training", f"{summary['steps']} steps at batch size {summary['batch_size']}")]
    if review.training.problem:
        fields.append(("stopped", review.training.problem))
    print_fields(fields, out=out)
    rows = [[name, _number(values["first"]), _number(values["last"])] for name, values in summary["metrics"].items()]
    print_table("smoke training: metrics", ["metric", "first", "last"], rows, out=out)


def _number(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)
