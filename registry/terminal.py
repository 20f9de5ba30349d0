"""Tables and key-value blocks for the terminal, drawn with rich.

The ``kreg`` command prints with them, and the report objects of the Python
API (``str(kreg.inspect(...))``) draw the same text into a string with
:func:`text_console`.
Every cell and value passes through :func:`printable`, so text that comes from
plugins (summaries, causes, layer names) can never move the cursor or clear
the screen. Tables fit the console's width without splitting words: columns
marked optional are dropped first, and a table that still does not fit is
printed as one block per row.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PIPED_WIDTH = 200
"""Width of tables written to a pipe or file (grep sees one row per line); COLUMNS overrides it."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CELL_BREAKS = re.compile(r"[\t\n]")
# rich's own borders and padding: one space each side of a cell, one bar between cells and at each edge.
_CELL_PADDING = 3


@dataclass(frozen=True)
class Column:
    """A table column.

    Attributes:
        header: str. The column's title.
        wrap: bool. Long cells wrap at spaces; False keeps each cell on one
            line (names people copy into the next command, numbers).
        optional: bool. Dropped first when the table does not fit the width.
        numeric: bool. Right-aligned.
    """

    header: str
    wrap: bool = True
    optional: bool = False
    numeric: bool = False


def printable(text: Any, *, one_line: bool = False) -> str:
    """``str(text)`` with control characters shown as escapes (``\\x1b``), so they cannot act.

    Args:
        text: Any. Usually text that came from a plugin or from an exception.
        one_line: bool. Also turn tabs and newlines into spaces (table cells).

    Returns:
        str. Safe to write to a terminal.
    """
    value = str(text)
    if value.isascii() and value.isprintable():  # the usual case: nothing to replace
        return value
    if one_line:
        value = _CELL_BREAKS.sub(" ", value)
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", value)


def format_count(value: int | None) -> str:
    """A count with thousands separators (``26,752``); ``-`` when unknown."""
    return "-" if value is None else f"{value:,}"


def format_rate(value: float | None) -> str:
    """A speed with one decimal (``1.0``); ``-`` when unknown."""
    return "-" if value is None else f"{value:,.1f}"


def format_assignments(values: Mapping[str, Any]) -> str:
    """Hyperparameters as ``key=value`` pairs, each value as JSON (``units=32 name="mlp"``)."""
    return " ".join(f"{key}={json.dumps(value)}" for key, value in values.items())


def format_metric(value: Any) -> str:
    """A metric value with four significant digits (``0.6939``); other values as text."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def print_table(
    title: str | None,
    columns: Sequence[str | Column],
    rows: Iterable[Sequence[Any]],
    *,
    err: bool = False,
    out: Any = None,
) -> None:
    """Print a table that fits the console without splitting words.

    Args:
        title: str or None. Shown above the table.
        columns: Sequence[str | Column]. A plain string is a column whose cells
            wrap, except the first (names: never wrapped).
        rows: Iterable[Sequence[Any]]. One sequence of cells per row (``None`` is empty).
        err: bool. Print on stderr.
        out: rich.console.Console or None. Print there instead (e.g. :func:`text_console`).
    """
    out = out or plain_console(err=err) or console(err=err)
    specs = [_column(spec, index) for index, spec in enumerate(columns)]
    cells = [_printable_cells(row) for row in rows]
    if title:
        # Printed above the table rather than as its title, which rich wraps to the table's width.
        _print_title(out, printable(title, one_line=True))
    by_column = [[row[i] for row in cells] for i in range(len(specs))]
    minimum = [_min_width(spec, values) for spec, values in zip(specs, by_column)]
    extents = [_simple_extent(spec.header, values) for spec, values in zip(specs, by_column)]
    keep = _fitting_columns(specs, minimum, out.width, cells, extents)
    if keep is None:
        _print_blocks(out, specs, cells, simple=None not in extents)
        return
    shown, kept = [specs[i] for i in keep], [[row[i] for i in keep] for row in cells]
    if all(extents[i] is not None for i in keep):
        _draw_table(out, shown, kept, [minimum[i] for i in keep], [extents[i] for i in keep])
    else:
        _print_rich_table(_rich(out), shown, kept, [minimum[i] for i in keep])


def _printable_cells(row: Sequence[Any]) -> list[str]:
    """A row's cells as :func:`printable` one-line text (``None`` empty); a row of plain ASCII is checked at once.

    Only cells of type ``str`` itself are taken as they are: a subclass (a ``str`` enum) is shown as ``str()`` shows it.
    """
    if set(map(type, row)) <= {str}:
        joined = "".join(row)
        if joined.isascii() and joined.isprintable():
            return list(row)
    return ["" if cell is None else printable(cell, one_line=True) for cell in row]


def _simple_extent(header: str, values: list[str]) -> tuple[int, int] | None:
    """A column's :func:`kreg.table_layout.text_extent`, or None when rich must draw its text (wide characters)."""
    from kreg.table_layout import is_simple, text_extent

    texts = [header, *values]
    return text_extent(texts) if is_simple("".join(texts)) else None


def _print_title(out: Any, title: str) -> None:
    """The title in bold on its own line; drawn without rich when it is one line of one-cell characters."""
    from kreg.table_layout import draw_lines, is_simple

    # ':' is left to rich, which reads ":name:" as an emoji code even in escaped text.
    if isinstance(out, PlainConsole) and ":" not in title and is_simple(title) and len(title) <= out.width:
        draw_lines(out, [(title, [(0, len(title), "bold")])])
        return
    from rich.markup import escape

    _rich(out).print(escape(title), style="bold")


def _column(spec: str | Column, index: int) -> Column:
    if isinstance(spec, Column):
        return spec
    return Column(spec, wrap=index != 0)


def _fitting_columns(
    specs: list[Column],
    minimum: list[int],
    width: int,
    cells: list[list[str]] | None = None,
    extents: list[tuple[int, int] | None] | None = None,
) -> list[int] | None:
    """Indices of the columns to show so that no word is split, or None when even the required ones do not fit.

    ``minimum`` is each column's narrowest text (:func:`_min_width`). With ``cells`` (simple text), an
    optional column is also dropped where rich's layout would draw the table wider than ``width``: it
    shrinks the widest columns first, then gives each column its minimum back, which can overflow (the
    console then cuts the table's right edge off). ``extents`` are the columns' :func:`_simple_extent`,
    measured once by the caller.
    """
    shown = list(range(len(specs)))
    optional = [i for i in reversed(shown) if specs[i].optional]
    while sum(minimum[i] + _CELL_PADDING for i in shown) + 1 > width or (
        optional and cells is not None and _laid_width(specs, minimum, cells, shown, width, extents) > width
    ):
        if not optional:
            return None
        shown.remove(optional.pop(0))
    return shown


def _laid_width(
    specs: list[Column],
    minimum: list[int],
    cells: list[list[str]],
    shown: list[int],
    width: int,
    extents: list[tuple[int, int] | None] | None = None,
) -> int:
    """How wide the table of the ``shown`` columns is drawn at best (borders included); 0 when not simple text."""
    if extents is None:
        extents = [_simple_extent(spec.header, [row[i] for row in cells]) for i, spec in enumerate(specs)]
    if any(extents[i] is None for i in shown):
        return 0
    known = [extents[i] for i in shown]  # with every extent known, the layout reads no cell
    return _layout([specs[i] for i in shown], [minimum[i] for i in shown], [], width, known)[1]


def _layout(
    specs: list[Column],
    minimum: list[int],
    rows: list[list[str]],
    width: int,
    extents: list[tuple[int, int] | None] | None = None,
) -> tuple[int, int]:
    """``(target, drawn)``: the width to lay the table out for, and how wide it is then drawn.

    rich's layout gives each column its minimum back after shrinking them, which can overshoot the console
    (rich then crops the right edge): the table is laid out for a narrower width until it fits.
    """
    from kreg.table_layout import LaidColumn, column_widths

    known = extents or [None] * len(specs)
    columns = [
        LaidColumn(s.header, s.wrap, s.numeric, least, extent) for s, least, extent in zip(specs, minimum, known)
    ]
    target = width
    drawn = sum(column_widths(columns, rows, target)) + len(columns) + 1
    for _ in range(8):
        if drawn <= width or target - (drawn - width) < 1:
            break
        target -= drawn - width
        drawn = sum(column_widths(columns, rows, target)) + len(columns) + 1
    return target, drawn


def _min_width(spec: Column, values: list[str]) -> int:
    """The narrowest a column's text may be: its longest cell, or its longest word when it wraps."""
    texts = [spec.header, *values]
    joined = " ".join(texts)
    if joined.isascii():  # one cell a character: measured in one pass
        return max(map(len, texts)) if not spec.wrap else max(map(len, joined.split()), default=0) or 1
    if not spec.wrap:
        return max(map(_cell_length, texts))
    longest = 0
    for text in texts:
        words = text.split()
        if words:
            longest = max(longest, max(map(len if text.isascii() else _cell_length, words)))
    return longest or 1


def _cell_length(text: str) -> int:
    """Terminal cells ``text`` takes (rich's ``cell_len``; one per character in ASCII)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _print_rich_table(out: Any, specs: list[Column], rows: list[list[str]], minimum: list[int]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(header_style="bold", show_lines=False)
    for index, spec in enumerate(specs):
        table.add_column(
            spec.header,
            no_wrap=not spec.wrap,
            overflow="fold",
            justify="right" if spec.numeric else "left",
            min_width=minimum[index],
        )
    for row in rows:
        # Cells are data, not markup: "list[int]" must not be read as a style tag.
        table.add_row(*(escape(cell) for cell in row))
    out.print(table, width=_layout(specs, minimum, rows, out.width)[0])


def _all_simple(specs: list[Column], rows: list[list[str]]) -> bool:
    from kreg.table_layout import is_simple

    # One check on everything joined: both of its conditions hold character by character.
    return is_simple("".join(spec.header for spec in specs) + "".join("".join(row) for row in rows))


def _draw_table(
    out: Any,
    specs: list[Column],
    rows: list[list[str]],
    minimum: list[int],
    extents: list[tuple[int, int] | None] | None = None,
) -> None:
    """The table :func:`_print_rich_table` draws, drawn by :mod:`kreg.table_layout` (cells of one-cell characters)."""
    from kreg.table_layout import LaidColumn, draw_table

    known = extents or [None] * len(specs)
    columns = [LaidColumn(s.header, s.wrap, s.numeric, width, e) for s, width, e in zip(specs, minimum, known)]
    draw_table(out, columns, rows, _layout(specs, minimum, rows, out.width, extents)[0])


def _print_blocks(out: Any, specs: list[Column], rows: list[list[str]], *, simple: bool | None = None) -> None:
    """One block per row: the first cell in bold, the others as ``header: value`` lines, wrapped."""
    from kreg.table_layout import MIN_BLOCK_WIDTH, draw_blocks

    if simple is None:
        simple = _all_simple(specs, rows)
    if out.width >= MIN_BLOCK_WIDTH and simple:
        draw_blocks(out, [spec.header for spec in specs], rows)
    else:
        _print_rich_blocks(_rich(out), specs, rows)


def _print_rich_blocks(out: Any, specs: list[Column], rows: list[list[str]]) -> None:
    from rich.markup import escape
    from rich.padding import Padding

    for row in rows:
        out.print(escape(row[0]), style="bold", overflow="fold")
        for spec, cell in zip(specs[1:], row[1:]):
            if cell:
                out.print(Padding(f"[dim]{escape(spec.header)}:[/dim] {escape(cell)}", (0, 0, 0, 2)), overflow="fold")


def print_fields(fields: Iterable[tuple[str, Any]], out: Any = None) -> None:
    """Print ``label: value`` lines with aligned labels, skipping empty values (on ``out``, default stdout)."""
    from rich.markup import escape

    shown = [(label, value) for label, value in fields if value not in (None, "", [], (), {})]
    width = max((len(label) for label, _ in shown), default=0)
    out = out or console()
    for label, value in shown:
        out.print(f"[bold]{label + ':':<{width + 1}}[/bold] {escape(printable(value))}", highlight=False)


def console(err: bool = False) -> Any:
    """Return a rich Console writing to stdout (or stderr)."""
    from rich.console import Console

    stream = sys.stderr if err else sys.stdout
    # Piped output (grep, files) gets wide lines instead of rich's 80 columns,
    # so a row stays on one line; COLUMNS still wins when set.
    width = None if _is_terminal(stream) or "COLUMNS" in os.environ else PIPED_WIDTH
    return Console(file=stream, width=width, highlight=False)


@dataclass(frozen=True)
class PlainConsole:
    """What :mod:`kreg.table_layout` needs of a rich Console, decided as rich decides, without importing rich.

    Made by :func:`plain_console` for the tables ``kreg`` prints (importing
    rich's console takes about 25 ms, a sixth of ``kreg list``); a table rich
    must draw (wide characters) is handed to :func:`console` for the same stream.

    Attributes:
        file: TextIO. Where the table goes.
        width: int. The console's width, as rich's ``Console.width`` would be.
        color_system: str or None. ``"standard"`` when rich would write styles (a terminal), else None.
        err: bool. The stream is stderr.
    """

    file: Any
    width: int
    color_system: str | None
    err: bool = False
    legacy_windows = False
    encoding = "utf-8"


def plain_console(err: bool = False, environ: Mapping[str, str] = os.environ) -> PlainConsole | None:
    """The :class:`PlainConsole` of :func:`console` (stdout, or stderr), or None where only rich can tell.

    Where rich's console behaves in ways not repeated here (a Windows console,
    Jupyter or IDLE, an encoding that is not UTF, a width of 0) the answer is
    None and the caller uses :func:`console`. ``tests/foundation/test_render.py``
    compares the width and the styling with rich's over the environment
    variables rich reads.
    """
    stream = sys.stderr if err else sys.stdout
    encoding = (getattr(stream, "encoding", "utf-8") or "utf-8").lower()
    if sys.platform == "win32" or not encoding.startswith("utf") or _rich_special_environment(stream):
        return None
    terminal = _rich_is_terminal(stream, environ)
    dumb = terminal and environ.get("TERM", "").lower() in ("dumb", "unknown")
    width = _rich_width(stream, environ, dumb)
    if width < 1:
        return None
    return PlainConsole(stream, width, "standard" if terminal and not dumb else None, err)


def _rich_special_environment(stream: Any) -> bool:
    """Jupyter (``get_ipython`` defined) or IDLE, where rich's console decides otherwise."""
    import builtins

    stdin_module = getattr(sys.stdin, "__module__", "") or ""
    return hasattr(builtins, "get_ipython") or stdin_module.startswith("idlelib") or stream is None


def _rich_is_terminal(stream: Any, environ: Mapping[str, str]) -> bool:
    """rich's ``Console.is_terminal``: TTY_COMPATIBLE, then FORCE_COLOR, then ``isatty()``."""
    compatible = environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force_color = environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    return _is_terminal(stream)


def _rich_width(stream: Any, environ: Mapping[str, str], dumb: bool) -> int:
    """rich's ``Console.width`` for the console :func:`console` makes."""
    columns, lines = environ.get("COLUMNS"), environ.get("LINES")
    given = None if _is_terminal(stream) or "COLUMNS" in environ else PIPED_WIDTH
    if given is None and columns is not None and columns.isdigit():
        given = int(columns)
    if given is not None and (not dumb or (lines is not None and lines.isdigit())):
        return given
    if dumb:
        return 80
    measured = None
    for descriptor in (0, 1, 2):
        try:
            measured = os.get_terminal_size(descriptor).columns
            break
        except (AttributeError, ValueError, OSError):  # not a terminal
            continue
    return measured or 80


def _rich(out: Any) -> Any:
    """``out`` as a rich Console: a :class:`PlainConsole` becomes :func:`console` for its stream."""
    return console(err=out.err) if isinstance(out, PlainConsole) else out


def text_console() -> Any:
    """A rich Console drawing into a string (``console.file.getvalue()``), as wide as piped output.

    What it draws is what ``kreg ... > file`` writes: no colours, tables
    :data:`PIPED_WIDTH` wide (``COLUMNS`` overrides it).
    """
    import io

    from rich.console import Console

    width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else PIPED_WIDTH
    return Console(file=io.StringIO(), width=width, highlight=False, color_system=None, force_terminal=False)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no stream, or a closed one
        return False
