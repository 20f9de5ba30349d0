"""The "Diff" section of the review page (``kreg review NAME --against ...``).

It shows the same tables as ``kreg diff`` (:mod:`~kreg.rendering.diff_tables`):
the hyperparameters that differ, the totals per component, the repeated blocks
removed, added or changed, and every layer call that differs, shaded by
status. The Dense calls that differ are folded below. Every text is escaped.
"""

from __future__ import annotations

import json

from kreg.inspect_tools.diff import ArchitectureDiff, Side
from kreg.rendering.diff_tables import diff_tables
from kreg.rendering.html_parts import escape, html_table
from kreg.rendering.tables import Table

NUMERIC_COLUMNS = {"left params", "right params", "delta", "calls", "params", "MACs"}
STATUSES = {"removed", "added", "changed"}


def diff_section_body(diff: ArchitectureDiff) -> str:
    """The section's HTML: which sides, then the tables of ``kreg diff``."""
    parts = [
        '<p class="note">This page\'s architecture (left) against the right side. Layer calls are paired by their '
        "place in the graph (class, shapes, parameters, neighbours), never by the names Keras made up; repeated "
        "blocks removed, added or changed are grouped, and each layer call below carries its group's number.</p>",
        '<table class="fields">' + _side_row("left", diff.left) + _side_row("right", diff.right) + "</table>",
    ]
    if diff.identical:
        parts.append("<p>No differences in parameters, layers, shapes or Dense calls.</p>")
    parts += [_table_html(table) for table in diff_tables(diff)]
    return "".join(parts)


def _side_row(label: str, side: Side) -> str:
    values = " ".join(f"{key}={json.dumps(value)}" for key, value in side.hyperparameters.items())
    return f"<tr><th>{escape(label)}</th><td>{escape(side.label)} <code>{escape(values)}</code></td></tr>"


def _table_html(table: Table) -> str:
    status = table.headers.index("status") if "status" in table.headers else None
    rows = [(row, _row_class(row, status)) for row in table.rows]
    numeric = {index for index, column in enumerate(table.headers) if column in NUMERIC_COLUMNS}
    code = {index for index, column in enumerate(table.headers) if column == "path"}
    html = html_table(table.headers, rows, numeric_columns=numeric, code_columns=code)
    if table.title.endswith("Dense calls added, removed or changed"):
        return f"<details><summary>{escape(table.title)} ({len(table.rows):,})</summary>{html}</details>"
    return f"<h3>{escape(table.title)}</h3>{html}"


def _row_class(row: list[str], status: int | None) -> str:
    if status is None or row[status] not in STATUSES:
        return ""
    return row[status]
