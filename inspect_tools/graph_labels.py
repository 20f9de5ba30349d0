"""HTML-like Graphviz labels for the nodes of a model graph.

A layer shows its name, class and shapes; a Dense or EinsumDense also says what
it threads over; a model input or output shows its name, so a reader can tell
which input goes where.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

from kreg.inspect_tools.counted_shapes import mark_pinned
from kreg.inspect_tools.shapes import format_shape

ARROW = "&#8594;"
LAYER_COLOUR = "#dbe6f4"
INPUT_COLOUR = "#d5ecd4"
OUTPUT_COLOUR = "#f6dfc8"
CUSTOM_COLOUR = "#eadcf2"
OPERATION_COLOUR = "#eeeeee"
BLOCK_COLOUR = "#f3e6b3"
"""The name row of a folded block ("block x N")."""


class CountedShape(NamedTuple):
    """A shape drawn at the size compute was counted at: ``(None, 20*)``, the ``*`` on each size ``own`` leaves unknown.

    Attributes:
        own: ShapeNest. The model's own shape (``(None, None)``).
        counted: ShapeNest. The shape at the counted sizes (the report row's ``counted_*_shape``).
    """

    own: Any
    counted: Any


def shape_text(shape: Any) -> str:
    """A node's shape as text: a :class:`CountedShape` marked as the layer rows mark it, any other as it is."""
    if isinstance(shape, CountedShape):
        return mark_pinned(shape.own, shape.counted)
    return format_shape(shape)


def layer_label(
    name: str, class_name: str, shapes: list[tuple[Any, Any]], notes: Sequence[str] = (), colour: str | None = None
) -> str:
    """The label of a layer: ``name (Class)`` over ``in -> out`` per distinct call, then notes.

    Args:
        name: str. The layer's name.
        class_name: str. Its class.
        shapes: list[tuple]. ``(input_shape, output_shape)`` of each distinct
            call (a shared layer has several); a shape is ``None`` when unknown, a
            :class:`CountedShape` where compute was counted at concrete sizes.
        notes: list[str]. Lines in italics, e.g. ``applies kernel (20, 8) at each of 100 positions``.
        colour: str or None. Background of the name row (custom layers get their own).

    Returns:
        str. An HTML-like label (``<...>``) for pydot.
    """
    rows = [_cell(f"<b>{_text(name)}</b> ({_text(class_name)})", colour or LAYER_COLOUR)]
    rows += [_cell(f"{_text(shape_text(i))} {ARROW} {_text(shape_text(o))}") for i, o in shapes]
    rows += [_cell(f"<i>{_text(note)}</i>") for note in notes]
    return _table(rows)


def block_node_label(label: str, count: int, shapes: tuple[Any, Any], figures: str) -> str:
    """The label of a folded block: ``conv2_block1..3 (block x 3)`` over its input and output shapes and figures.

    Args:
        label: str. The block's label (``conv2_block1..3``).
        count: int. How many blocks it folds.
        shapes: tuple. The input shape of its first call and the output shape of its last.
        figures: str. Its summed params and MACs, as text.
    """
    return layer_label(label, f"block x {count}", [shapes], [figures], BLOCK_COLOUR)


PATH_CLASS = "path:"
"""How a node's SVG class names the layer path (or folded block) it stands for: ``class="node path:inner/dense"``."""


def path_class(path: str) -> str:
    """The Graphviz ``class`` of the node drawn for the call at ``path``: ``path:`` and the path, percent-encoded
    but for ``/`` (one class token, whatever the layer's name holds). The review page's graph reads it back to
    find the node's row by its whole path: two layers may share a name (``dense`` and ``inner/dense``)."""
    return PATH_CLASS + quote(path, safe="/")


def node_path(node: Any) -> str | None:
    """The path a pydot node stands for (its :func:`path_class`); None for a node drawn without one."""
    text = str(node.get("class") or "").strip('"')
    token = next((part for part in text.split() if part.startswith(PATH_CLASS)), None)
    return None if token is None else unquote(token.removeprefix(PATH_CLASS))


_NAME = re.compile(r"<td[^>]*><b>(.*?)</b> \(")


def label_name(label: str | None) -> str | None:
    """The layer (or block) name a node's label shows in bold before its class; None for inputs and outputs."""
    match = _NAME.search(label or "")
    return None if match is None else html.unescape(match.group(1))


def with_line(label: str, text: str) -> str:
    """A node's label with one more line (in italics) at its foot, e.g. its attributes."""
    return label.removesuffix("</table>>") + _cell(f"<i>{_text(text)}</i>") + "</table>>"


def io_label(kind: str, name: str, shape: Any) -> str:
    """The label of a model input or output: ``input: input_beta`` over its shape.

    Args:
        kind: str. ``"input"`` or ``"output"``.
        name: str. The input's or output's name.
        shape: Any. Its shape (a :class:`CountedShape` where compute was counted at concrete sizes).
    """
    colour = INPUT_COLOUR if kind == "input" else OUTPUT_COLOUR
    return _table([_cell(f"{kind}: <b>{_text(name)}</b>", colour), _cell(_text(shape_text(shape)))])


def cluster_label(name: str, class_name: str) -> str:
    """The label of a cluster (a nested model, an opened custom layer, a component), for a quoted dot string.

    Control characters are shown as escapes (:func:`visible`); backslashes and
    double quotes are escaped for Graphviz.
    """
    text = visible(f"{name} ({class_name})")
    return text.replace("\\", "\\\\").replace('"', '\\"')


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with every control character (ESC, BEL, tab, newline ...) shown as an escape: ``\\x1b``.

    Graphviz refuses control characters in labels (``kreg plot`` failed on
    a layer named with ESC), and a page or terminal would act on them.
    """
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))


def _text(value: str) -> str:
    return html.escape(visible(value), quote=False)


def _cell(content: str, colour: str | None = None) -> str:
    background = f' bgcolor="{colour}"' if colour else ""
    return f"<tr><td{background}>{content}</td></tr>"


def _table(rows: list[str]) -> str:
    return '<<table border="0" cellborder="1" cellspacing="0" cellpadding="4">' + "".join(rows) + "</table>>"
