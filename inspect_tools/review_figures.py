"""The graph of a review page, as SVG ready to sit inside HTML.

The graph is kreg's own graph (:mod:`kreg.inspect_tools.graph`, nested models
expanded) rendered by Graphviz's ``dot``; it comes back, as the training
curves of :mod:`kreg.rendering.charts` do, without the XML prolog, doctype,
comments and metadata (:func:`inline_svg`), so the page references nothing
outside itself.
"""

from __future__ import annotations

import re

from kreg.inspect_tools.keras_types import KerasModel
from kreg.inspect_tools.report_types import ComponentReport

_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->|<metadata>.*?</metadata>", re.DOTALL)
_SVG_TAG = re.compile(r"<svg\b")


def inline_svg(text: str, css_class: str) -> str:
    """Make an SVG document fit to paste into HTML.

    Drops the XML prolog, the doctype (which names the SVG 1.1 DTD by URL),
    comments and metadata, gives the root ``<svg>`` a class, and scopes
    matplotlib's catch-all ``*{...}`` style rule to that class so it cannot
    restyle the rest of the page.

    Args:
        text: str. An SVG document.
        css_class: str. Class for the root element.

    Returns:
        str. The ``<svg>...</svg>`` element.
    """
    svg = _PROLOG.sub("", text).strip()
    svg = _SVG_TAG.sub(f'<svg class="{css_class}"', svg, count=1)
    return svg.replace("*{", f".{css_class} *{{")


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
            (:mod:`kreg.inspect_tools.graph_folding`).

    Returns:
        tuple. The whole graph, and the folded one (None when nothing folds).

    Raises:
        KregError: pydot or Graphviz's ``dot`` is missing, or ``dot`` failed.
    """
    from kreg.inspect_tools.graph import GraphOptions, model_graph
    from kreg.inspect_tools.graph_folding import fold_block
    from kreg.inspect_tools.plotting import render_graph, require_plot_tools

    require_plot_tools("graph.svg")
    graph = model_graph(model, GraphOptions(expand_nested=True, expand_layers=expand_layers), title=title)
    whole = inline_svg(render_graph(graph, "svg").decode("utf-8"), "graph")
    if component is None or not component.repeats:
        return whole, None
    folded = [fold_block(graph, component.layers, block) for block in component.repeats]
    if not any(folded):
        return whole, None
    return whole, inline_svg(render_graph(graph, "svg").decode("utf-8"), "graph")
