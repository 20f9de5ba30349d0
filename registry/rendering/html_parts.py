"""Pieces of the review page's HTML: escaped text and tables.

Every piece of text from the architecture, its plugin or the report goes
through :func:`escape`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Sequence

Cell = object
"""What a table cell may hold: text, a number, None (shown empty); written with ``str()`` and escaped."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters HTML has no place for (tabs and line breaks are text); a layer may be named with ESC."""


def escape(value: Cell) -> str:
    """``value`` as text, escaped for HTML (None is empty); a control character is shown as ``\\x1b``."""
    text = "" if value is None else str(value)
    return html.escape(_CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text), quote=True)


def html_table(
    columns: Sequence[str],
    rows: Iterable[tuple[Sequence[Cell], str]],
    numeric_columns: Collection[int] = (),
    code_columns: Collection[int] = (),
) -> str:
    """An HTML table; every cell is escaped. ``rows`` pairs cells with a row class."""
    head = "".join(
        f"<th{class_attribute('num' if i in numeric_columns else '')}>{escape(c)}</th>" for i, c in enumerate(columns)
    )
    body = []
    for cells, row_class in rows:
        tds = "".join(
            f"<td{class_attribute(_cell_class(i, numeric_columns, code_columns))}>{escape(cell)}</td>"
            for i, cell in enumerate(cells)
        )
        body.append(f"<tr{class_attribute(row_class)}>{tds}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell_class(index: int, numeric_columns: Collection[int], code_columns: Collection[int]) -> str:
    return "num" if index in numeric_columns else "code" if index in code_columns else ""


def class_attribute(name: str) -> str:
    """`` class="name"``, or nothing for an empty name."""
    return f' class="{name}"' if name else ""
