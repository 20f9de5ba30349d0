"""Tables laid out and drawn as rich draws them, at a few microseconds a row.

:func:`kreg.terminal.print_table` draws with rich's ``Table`` (heavy head,
cells padded one space each side, no lines between rows), but rich measures
and renders every cell as a renderable: about 0.35 ms a row, over a second
for a five-thousand-architecture ``kreg list``. This module computes the same
column widths with rich's own rules (each column's narrowest and widest
measure, the widest wrappable columns shrunk first, then all evenly, a
column never narrower than its longest unbreakable word) and wraps each cell
the way rich's ``Text`` wraps (words move to the next line, a word longer
than the line folds, left cells padded, right cells stripped then padded).
``tests/foundation/test_render.py`` draws the same tables both ways and
compares every character.

It handles text whose characters are each one cell wide (:func:`is_simple`);
a table with any other cell (wide or combining characters, line separators)
is left to rich, whose grapheme rules this module does not repeat. Drawing
a table of ASCII text imports no part of rich (its box and style codes are
:class:`HeavyHead` and :data:`STYLE_CODES`): ``kreg list`` does not pay for
importing it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")
_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")  # beyond ASCII, what str.splitlines() breaks at
PADDING = 1
"""Spaces each side of a cell's text (rich's ``Table(padding=(0, 1))``)."""


@dataclass(frozen=True)
class LaidColumn:
    """What the layout needs of a column.

    Attributes:
        header: str. Its title (one cell of the header row).
        wrap: bool. Cells may wrap at spaces; False keeps each on one line.
        numeric: bool. Right-justified.
        min_width: int. The narrowest the text may be (rich's ``min_width``).
        extent: tuple[int, int] or None. Its :func:`text_extent`, when the caller
            measured it already (a table laid out several times measures once).
    """

    header: str
    wrap: bool
    numeric: bool
    min_width: int
    extent: tuple[int, int] | None = None


def is_simple(text: str) -> bool:
    """True when every character of ``text`` takes one terminal cell and none breaks the line."""
    if text.isascii():
        return text.isprintable()  # no control characters (tab and newline included): one cell each
    from rich.cells import get_character_cell_size

    return _LINE_BREAKS.search(text) is None and all(get_character_cell_size(char) == 1 for char in text)


def column_widths(columns: Sequence[LaidColumn], rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """The width of each column, padding included, in a table at most ``width`` wide (rich's rules).

    Args:
        columns: Sequence[LaidColumn]. The columns.
        rows: Sequence[Sequence[str]]. The body's cells (simple text).
        width: int. The console's width; borders take ``len(columns) + 1``.
    """
    available = width - (len(columns) + 1)
    extents = [
        column.extent or text_extent([column.header, *(row[index] for row in rows)])
        for index, column in enumerate(columns)
    ]
    widths = [_column_extent(extent, column, available)[1] or 1 for extent, column in zip(extents, columns)]
    if sum(widths) > available:
        widths = _collapse(widths, [column.wrap for column in columns], available)
        if sum(widths) > available:
            widths = _ratio_reduce(sum(widths) - available, [1] * len(widths), widths, widths)
        widths = [_column_extent(extent, column, own)[1] for extent, column, own in zip(extents, columns, widths)]
    return widths


def text_extent(cells: Sequence[str]) -> tuple[int, int]:
    """The longest word and the longest text of a column's cells (header included), unpadded.

    A cell of spaces only is one word as long as the cell (rich measures it so). The words are
    split once from all the cells joined, which takes a few milliseconds for 20,000 cells.
    """
    longest_text = max(map(len, cells), default=0)
    longest_word = max(map(len, " ".join(cells).split()), default=0)
    if longest_word < longest_text and any(map(str.isspace, cells)):
        longest_word = max(longest_word, *(len(text) for text in cells if text.isspace()))
    return longest_word, longest_text


def _column_extent(extent: tuple[int, int], column: LaidColumn, available: int) -> tuple[int, int]:
    """rich's ``Table._measure_column``: the narrowest and widest a column may be, padding included."""
    if available < 1:
        return 0, 0
    padding = 2 * PADDING
    if available - padding < 1:
        narrowest = widest = available
    else:
        narrowest, widest = _normalised(*extent)
        narrowest, widest = min(narrowest, available), min(widest, available)
        if widest < 1:
            narrowest = widest = 0
        narrowest, widest = min(narrowest + padding, available), min(widest + padding, available)
    narrowest, widest = _normalised(narrowest, widest)
    narrowest, widest = min(narrowest, available), min(widest, available)
    if widest < 1:
        narrowest = widest = 0
    floor = max(0, column.min_width + padding)
    return max(narrowest, floor), max(widest, floor)


def _normalised(narrowest: int, widest: int) -> tuple[int, int]:
    narrowest = min(max(0, narrowest), widest)
    return max(0, narrowest), max(0, max(narrowest, widest))


def _collapse(widths: list[int], wrappable: list[bool], available: int) -> list[int]:
    """rich's ``Table._collapse_widths``: shrink the widest wrappable columns, level by level."""
    total = sum(widths)
    excess = total - available
    if not any(wrappable):
        return widths
    while total and excess > 0:
        widest = max(width for width, wraps in zip(widths, wrappable) if wraps)
        second = max(width if wraps and width != widest else 0 for width, wraps in zip(widths, wrappable))
        ratios = [1 if width == widest and wraps else 0 for width, wraps in zip(widths, wrappable)]
        if not any(ratios) or not widest - second:
            break
        widths = _ratio_reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        total = sum(widths)
        excess = total - available
    return widths


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """rich's ``ratio_reduce``: take ``total`` off ``values`` in proportion to ``ratios``, each at most its maximum."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def cell_lines(text: str, width: int, column: LaidColumn) -> list[str]:
    """A cell's text as lines of exactly ``width`` characters, padding included (rich's ``Text.wrap``)."""
    inner = width - 2 * PADDING
    lines = [line for _, line in _divide(text, inner)] if column.wrap and len(text) > inner else [text]
    pad = " " * PADDING
    if column.numeric:
        return [f"{pad}{line.rstrip()[:inner]:>{inner}}{pad}" for line in lines]
    return [f"{pad}{line[:inner]:<{inner}}{pad}" for line in lines]


def _divide(text: str, width: int) -> list[tuple[int, str]]:
    """rich's ``divide_line`` then ``rstrip_end``: the text cut into lines of at most ``width`` characters.

    Returns:
        list[tuple[int, str]]. Each line with the offset in ``text`` where it starts.
    """
    breaks = _single_spaced_breaks(text, width)
    if breaks is None:
        breaks = _breaks(text, width)
    bounds = [0, *breaks, len(text)]
    return [(begin, _strip_end(text[begin:end], width)) for begin, end in pairwise(bounds)]


def _single_spaced_breaks(text: str, width: int) -> list[int] | None:
    """:func:`_breaks` for the usual cell, words of printable ASCII one space apart, without a regular expression.

    None for any other text, or a word longer than a line (folded by :func:`_breaks`).
    """
    if not (text.isascii() and text.isprintable()) or "  " in text or text[:1] == " " or text[-1:] == " ":
        return None
    breaks = []
    offset = start = 0
    for length in map(len, text.split(" ")):
        if width - offset >= length:
            offset += length + 1
        elif length > width:
            return None
        else:  # a word that does not fit starts the next line (never the first word: it would fit alone)
            breaks.append(start)
            offset = length + 1
        start += length + 1
    return breaks


def _breaks(text: str, width: int) -> list[int]:
    """Where rich's ``divide_line`` starts each line after the first: a word that does not fit moves down."""
    breaks = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # fold a word longer than a line
            pieces = [word[index : index + width] for index in range(0, len(word), width)]
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = len(pieces[-1])
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _strip_end(line: str, width: int) -> str:
    """Drop trailing whitespace that goes past ``width`` (rich's ``Text.rstrip_end``)."""
    if len(line) <= width:
        return line
    trailing = _TRAILING_SPACE.search(line)
    if trailing is None:
        return line
    return line[: len(line) - min(len(trailing.group()), len(line) - width)]


def row_lines(
    cells: Sequence[str], columns: Sequence[LaidColumn], widths: Sequence[int], *, bottom: bool
) -> list[list[str]]:
    """Each cell's lines, all of the row's height: blank lines below the text (above it with ``bottom``)."""
    rendered = [cell_lines(text, width, column) for text, width, column in zip(cells, widths, columns)]
    height = max(len(lines) for lines in rendered)
    if height == 1:
        return rendered
    shaped = []
    for lines, width in zip(rendered, widths):
        blank = [" " * width] * (height - len(lines))
        shaped.append(blank + lines if bottom else lines + blank)
    return shaped


def block_lines(headers: Sequence[str], row: Sequence[str], width: int) -> list[tuple[str, int, int, str]]:
    """A row as rich prints it as a block (:func:`kreg.terminal._print_blocks`), for a console ``width`` wide.

    The first cell wrapped to the width (in bold), then ``header: value``
    for every other cell that is not empty, indented by two, wrapped to the
    rest of the width and padded to it (the ``header:`` dim).

    Returns:
        list[tuple[str, int, int, str]]. Each line, and the part of it styled: ``(line, start, end, style)``.
    """
    lines = [(line[:width], 0, len(line[:width]), "bold") for _, line in _divide(row[0], width)]
    inner = width - 2
    for header, cell in zip(headers[1:], row[1:]):
        if not cell:
            continue
        text = f"{header}: {cell}"
        label = len(header) + 1
        for start, line in _divide(text, inner):
            line = line[:inner]
            lines.append((f"  {line:<{inner}}", 2, 2 + max(0, min(len(line), label - start)), "dim"))
    return lines


MIN_BLOCK_WIDTH = 4
"""Narrower consoles leave blocks to rich (whose padding then behaves differently)."""


def draw_table(
    out: Any, columns: Sequence[LaidColumn], rows: Sequence[Sequence[str]], width: int | None = None
) -> None:
    """Print the table on the rich console ``out`` as rich's ``Table(header_style="bold")`` would.

    The header goes through rich, which makes it bold on a terminal; the
    body, plain text, is written to the console's file in one piece.
    ``width`` lays the columns out for a narrower table than the console.
    """
    widths = column_widths(columns, rows, width or out.width)
    frame = _frame(out)
    header: list[tuple[str, list[tuple[int, int, str]]]] = [(frame.get_top(widths), [])]
    for line in zip(*row_lines([column.header for column in columns], columns, widths, bottom=True)):
        text, bold = frame.head_left, []
        for index, cell in enumerate(line):
            bold.append((len(text), len(text) + len(cell), "bold"))
            text += cell + (frame.head_vertical if index < len(line) - 1 else frame.head_right)
        header.append((text, bold))
    header.append((frame.get_row(widths, "head", edge=True), []))
    draw_lines(out, header)
    # rich crops each line at the console's width: its widths can overshoot the width by a column or two.
    crop = out.width if sum(widths) + len(widths) + 1 > out.width else None
    inner = [width - 2 * PADDING for width in widths]
    numeric = [column.numeric for column in columns]
    edges = [
        (frame.mid_left, frame.mid_vertical, frame.mid_right),
        (frame.foot_left, frame.foot_vertical, frame.foot_right),
    ]
    # A row of one line each cell (the usual one) is one str.format: what cell_lines does, inline.
    one_line = [_row_format(*edge, inner, numeric) for edge in edges] if min(inner, default=1) > 0 else None
    last, strip = len(rows) - 1, any(numeric)
    body = []
    for index, row in enumerate(rows):
        if one_line is not None and all(map(operator.le, map(len, row), inner)):
            texts = [text.rstrip() if flush else text for text, flush in zip(row, numeric)] if strip else row
            body.append(one_line[index == last].format(*texts)[:crop])
            continue
        left, vertical, right = edges[index == last]
        body.extend(
            f"{left}{vertical.join(line)}{right}"[:crop] for line in zip(*row_lines(row, columns, widths, bottom=False))
        )
    body.append(frame.get_bottom(widths)[:crop])
    out.file.write("\n".join(body) + "\n")


def _row_format(left: str, vertical: str, right: str, inner: Sequence[int], numeric: Sequence[bool]) -> str:
    """A ``str.format`` template for a row whose cells each fit on one line (padded, left or right justified)."""
    pad = " " * PADDING
    cells = [f"{pad}{{:{'>' if flush else '<'}{room}}}{pad}" for room, flush in zip(inner, numeric)]
    return left + vertical.join(cells) + right


def draw_blocks(out: Any, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print each row as a block (:func:`block_lines`) on the rich console ``out``."""
    draw_lines(
        out,
        [
            (line, [(start, end, style)])
            for row in rows
            for line, start, end, style in block_lines(headers, row, out.width)
        ],
    )


def draw_lines(out: Any, lines: list[tuple[str, list[tuple[int, int, str]]]]) -> None:
    """Write lines cut at the console's width; styled only where the console shows styles (a terminal)."""
    width = out.width
    if out.legacy_windows:  # styles through the Windows console API: leave them to rich
        from rich.text import Text

        text = Text()
        for line, spans in lines:
            offset = len(text)
            text.append(line[:width] + "\n")
            for start, end, style in spans:
                text.stylize(style, offset + start, offset + min(end, width))
        out.print(text, end="", soft_wrap=True)
        return
    codes = {} if out.color_system is None else STYLE_CODES
    written = []
    for line, spans in lines:
        line = line[:width]
        for start, end, style in sorted(spans, reverse=True):
            end = min(end, width)
            if codes and end > start:
                before, after = codes[style]
                line = f"{line[:start]}{before}{line[start:end]}{after}{line[end:]}"
        written.append(line + "\n")
    out.file.write("".join(written))


class HeavyHead:
    """rich's ``box.HEAVY_HEAD`` as text: a heavy frame around the header, light lines around the body.

    What ``draw_table`` needs of rich's ``Box``, so that a table is drawn without importing rich
    (``tests/foundation/test_render.py`` checks each line against rich's box).
    """

    top_left, top, top_divider, top_right = "┏━┳┓"
    head_left, head_vertical, head_right = "┃┃┃"
    head_row_left, head_row_horizontal, head_row_cross, head_row_right = "┡━╇┩"
    mid_left, mid_vertical, mid_right = "│││"
    foot_left, foot_vertical, foot_right = "│││"
    bottom_left, bottom, bottom_divider, bottom_right = "└─┴┘"

    def get_top(self, widths: Sequence[int]) -> str:
        """The line above the header."""
        return self.top_left + self.top_divider.join(self.top * width for width in widths) + self.top_right

    def get_row(self, widths: Sequence[int], level: str = "head", *, edge: bool = True) -> str:
        """The line under the header (rich's ``get_row(widths, "head", edge=True)``, the only one drawn here)."""
        inner = self.head_row_cross.join(self.head_row_horizontal * width for width in widths)
        return self.head_row_left + inner + self.head_row_right

    def get_bottom(self, widths: Sequence[int]) -> str:
        """The line under the last row."""
        return self.bottom_left + self.bottom_divider.join(self.bottom * width for width in widths) + self.bottom_right


def _frame(out: Any) -> Any:
    """The box to draw with: :class:`HeavyHead`, or rich's substitute where rich draws another one.

    rich swaps the box on a legacy Windows console and for a stream whose encoding is not UTF
    (ASCII lines): those consoles are rich's own, and rich is imported for them.
    """
    if not out.legacy_windows and out.encoding.startswith("utf"):
        return HeavyHead()
    from rich import box

    return box.HEAVY_HEAD.substitute(out.options, safe=out.safe_box)


STYLE_CODES = {"bold": ("\x1b[1m", "\x1b[0m"), "dim": ("\x1b[2m", "\x1b[0m")}
"""The escape sequences rich writes before and after text in each style, on every colour system."""
