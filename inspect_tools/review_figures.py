"""The graph of a review page, as SVG ready to sit inside HTML.

The graph is kreg's own graph (:mod:`kreg.inspect_tools.graph`, nested models
expanded) rendered by Graphviz's ``dot``; it comes back, as the training
curves of :mod:`kreg.rendering.charts` do, without the XML prolog, doctype,
comments and metadata (:func:`inline_svg`), so the page references nothing
outside itself.
"""

from __future__ import annotations

import re
from collections import Counter

from kreg.inspect_tools.keras_types import KerasModel
from kreg.inspect_tools.report_types import ComponentReport

_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->|<metadata>.*?</metadata>", re.DOTALL)
_SVG_TAG = re.compile(r"<svg\b")
_BETWEEN_TAGS = re.compile(r">\s+<")
_FILLED_THEN_FRAMED = re.compile(
    r'<polygon fill="([^"]+)" stroke="transparent" points="([^"]+)"/>'
    r'<polygon fill="none" stroke="([^"]+)" points="\2"/>'
)
_CLOSED_POLYGON = re.compile(r'(<polygon\b[^>]*?points="(-?[0-9.]+,-?[0-9.]+) [^"]*?) \2"')
_ELEMENT_NAMING = re.compile(
    r'(<g) id="(?:node|edge)[0-9]+"( class="(?:node|edge)(?: [^"]*)?">)(?:<title>[^<]*</title>)?'
)
"""The ids and titles Graphviz gives each node and edge (``node3``, ``n1->n2``): internal names, shown only as
tooltips; the graph view finds a node by its classes (``node path:inner/dense``) and its bold name."""
_INITIAL_VALUES = re.compile(r' (?:text-anchor="start"|fill="black")(?=[ />])')
"""Attributes that only repeat SVG's initial value (no element of Graphviz's output sets another one above them)."""
_BLACK_STROKE = re.compile(r'(<(?:polygon|path)\b[^>]*?) stroke="black"')
STROKE_STYLE = "<style>svg.graph polygon:not([stroke]),svg.graph path:not([stroke]){stroke:black}</style>"
"""Black lines for the shapes :func:`compact_svg` took ``stroke="black"`` from (every other keeps its own stroke)."""
_TEXT_FONT = re.compile(r'<text\b[^>]*?\sfont-family="([^"]*)"[^>]*?\sfont-size="([^"]*)"')
GRAPH_CLASS = "graph"
"""The class of a graph drawn by Graphviz: :func:`inline_svg` also compacts it (:func:`compact_svg`)."""


def inline_svg(text: str, css_class: str) -> str:
    """Make an SVG document fit to paste into HTML.

    Drops the XML prolog, the doctype (which names the SVG 1.1 DTD by URL),
    comments and metadata, gives the root ``<svg>`` a class, and scopes
    matplotlib's catch-all ``*{...}`` style rule to that class so it cannot
    restyle the rest of the page. A Graphviz graph (class ``"graph"``) is
    also compacted (:func:`compact_svg`).

    Args:
        text: str. An SVG document.
        css_class: str. Class for the root element.

    Returns:
        str. The ``<svg>...</svg>`` element.
    """
    svg = _PROLOG.sub("", text).strip()
    svg = _SVG_TAG.sub(f'<svg class="{css_class}"', svg, count=1)
    svg = svg.replace("*{", f".{css_class} *{{")
    return compact_svg(svg) if css_class == GRAPH_CLASS else svg


def compact_svg(svg: str) -> str:
    """Graphviz's SVG with what every node repeats said once: the same drawing in about half the bytes.

    A 10,000-layer model's graph is most of its review page. The line breaks
    between elements go; a cell's background and its frame, two polygons of
    the same points, become one; the ids and titles Graphviz names each node
    and edge with (``node3``, ``n1->n2``, seen only as tooltips) go; a polygon's last point, the same as its first
    (a polygon closes itself), goes; ``text-anchor="start"`` and
    ``fill="black"`` go (SVG's initial values, which no element above them
    changes); the black of every line is said once, in a style rule for the
    shapes without a stroke of their own; the font family and size most labels share move to the root
    ``<svg>``, whence the texts inherit them (a text in another keeps its own).
    """
    svg = _INITIAL_VALUES.sub("", _BETWEEN_TAGS.sub("><", svg))
    svg = _ELEMENT_NAMING.sub(r"\1\2", svg)
    svg = _FILLED_THEN_FRAMED.sub(r'<polygon fill="\1" stroke="\3" points="\2"/>', svg)
    svg = _CLOSED_POLYGON.sub(r'\1"', svg)
    svg = _with_stroke_style(_BLACK_STROKE.sub(r"\1", svg))
    fonts = Counter(_TEXT_FONT.findall(svg))
    if not fonts:
        return svg
    family, size = fonts.most_common(1)[0][0]
    svg = svg.replace(f' font-family="{family}" font-size="{size}"', "")  # Graphviz's order, when nothing is between
    svg = re.sub(rf'(<text\b[^>]*?) font-family="{re.escape(family)}"', r"\1", svg)
    svg = re.sub(rf'(<text\b[^>]*?) font-size="{re.escape(size)}"', r"\1", svg)
    end = svg.find(">", svg.find("<svg"))  # after the root's own attributes: its class stays first
    return f'{svg[:end]} font-family="{family}" font-size="{size}"{svg[end:]}'


def _with_stroke_style(svg: str) -> str:
    """``svg`` with :data:`STROKE_STYLE` as the first child of its root element."""
    end = svg.find(">", svg.find("<svg")) + 1
    return svg[:end] + STROKE_STYLE + svg[end:] if end else svg


def graph_svg(model: KerasModel, title: str, expand_layers: bool = False) -> str:
    """Draw a model's graph with nested models expanded and return it as inline SVG.

    Args:
        model: keras.Model. The component to draw.
        title: str. Shown at the top of the graph.
        expand_layers: bool. Also open custom layers into their traced inner layers.

    Returns:
        str. An ``<svg class="graph">`` element.

    Raises:
        KregError: pydot or Graphviz's ``dot`` is missing, or ``dot`` failed.
    """
    return graph_svgs(model, title, expand_layers)[0]


def graph_svgs(
    model: KerasModel, title: str, expand_layers: bool = False, component: ComponentReport | None = None
) -> tuple[str, str | None]:
    """A model's graph as inline SVG, every layer drawn, and again with its repeated blocks folded.

    Args:
        model: keras.Model. The component to draw.
        title: str. Shown at the top of the graph.
        expand_layers: bool. Also open custom layers into their traced inner layers.
        component: ComponentReport or None. The component's report, whose ``repeats`` say what to fold
            (:mod:`kreg.inspect_tools.graph_folding`) and whose rows' counted shapes the nodes show, pinned
            sizes marked ``*`` (the layer table's mark).

    Returns:
        tuple. The whole graph, and the folded one (None when nothing folds).

    Raises:
        KregError: pydot or Graphviz's ``dot`` is missing, or ``dot`` failed.
    """
    from kreg.inspect_tools.graph import GraphOptions, model_graph
    from kreg.inspect_tools.graph_folding import counted_by_path, fold_block
    from kreg.inspect_tools.plotting import render_graph, require_plot_tools

    require_plot_tools("graph.svg")
    options = GraphOptions(expand_nested=True, expand_layers=expand_layers)
    counted = counted_by_path(component.layers) if component is not None else None
    graph = model_graph(model, options, title=title, counted=counted)
    whole = inline_svg(render_graph(graph, "svg").decode("utf-8"), "graph")
    if component is None or not component.repeats:
        return whole, None
    folded = [fold_block(graph, component.layers, block) for block in component.repeats]
    if not any(folded):
        return whole, None
    return whole, inline_svg(render_graph(graph, "svg").decode("utf-8"), "graph")
