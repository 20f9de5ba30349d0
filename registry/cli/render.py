"""Tables and key-value blocks for the terminal, drawn with rich."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, err: bool = False) -> None:
    """Print a table.

    Args:
        title: str or None. Shown above the table.
        columns: Sequence[str]. Column headers.
        rows: Iterable[Sequence[Any]]. One sequence of cells per row (str() is applied).
        err: bool. Print on stderr.
    """
    from rich.markup import escape
    from rich.table import Table

    out = console(err=err)
    if title:
        # Printed above the table rather than as its title, which rich wraps to the table's width.
        out.print(escape(title), style="bold")
    table = Table(header_style="bold", show_lines=False)
    for index, column in enumerate(columns):
        # The first column holds names people copy into the next command: never wrap it.
        table.add_column(column, overflow="fold", no_wrap=index == 0)
    for row in rows:
        # Cells are data, not markup: "list[int]" must not be read as a style tag.
        table.add_row(*("" if cell is None else escape(str(cell)) for cell in row))
    out.print(table)


def print_fields(fields: Iterable[tuple[str, Any]]) -> None:
    """Print ``label: value`` lines with aligned labels, skipping empty values."""
    from rich.markup import escape

    shown = [(label, value) for label, value in fields if value not in (None, "", [], (), {})]
    width = max((len(label) for label, _ in shown), default=0)
    out = console()
    for label, value in shown:
        out.print(f"[bold]{label + ':':<{width + 1}}[/bold] {escape(str(value))}", highlight=False)


def console(err: bool = False) -> Any:
    """Return a rich Console writing to stdout (or stderr)."""
    import os
    import sys

    from rich.console import Console

    stream = sys.stderr if err else sys.stdout
    # Piped output (grep, files) gets wide lines instead of rich's 80 columns,
    # so a row stays on one line; COLUMNS still wins when set.
    width = None if stream.isatty() or "COLUMNS" in os.environ else 200
    return Console(file=stream, width=width, highlight=False)
