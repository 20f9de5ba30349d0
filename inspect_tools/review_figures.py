"""The figures of a review page, as SVG ready to sit inside HTML.

The graph is kreg's own graph (:mod:`kreg.inspect_tools.graph`, nested models
expanded) rendered by Graphviz's ``dot``; the training curves are drawn by
matplotlib. Both come back without the XML prolog, doctype, comments and
metadata, so the page references nothing outside itself.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->|<metadata>.*?</metadata>", re.DOTALL)
_SVG_TAG = re.compile(r"<svg\b")
CURVE_COLOUR = "#3b6ea8"


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


def graph_svg(model: Any, title: str, expand_layers: bool = False) -> str:
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
    from kreg.inspect_tools.graph import GraphOptions, model_graph
    from kreg.inspect_tools.plotting import render_graph, require_plot_tools

    require_plot_tools("graph.svg")
    graph = model_graph(model, GraphOptions(expand_nested=True, expand_layers=expand_layers), title=title)
    return inline_svg(render_graph(graph, "svg").decode("utf-8"), "graph")


def metrics_chart_svg(curves: Mapping[str, Sequence[tuple[int, float]]]) -> str:
    """Plot each metric against the step, one panel per metric, as inline SVG.

    Drawn with matplotlib's object API (a ``Figure`` on the Agg canvas, never
    pyplot), so no GUI backend is chosen and no global state changes. Text is
    drawn as paths, so the chart needs no font on the reader's machine.
    Non-finite values are left out of a panel and counted in its title.

    Args:
        curves: Mapping[str, Sequence[tuple[int, float]]]. ``(step, value)``
            pairs per metric, steps counted from 1.

    Returns:
        str. An ``<svg class="chart">`` element.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = list(curves)
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "kreg-review", "font.size": 9}):
        figure = Figure(figsize=(7.5, 0.5 + 1.9 * max(len(names), 1)), layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots(max(len(names), 1), 1, sharex=True, squeeze=False)[:, 0]
        for ax, name in zip(axes, names):
            _plot_metric(ax, name, curves[name])
        axes[-1].set_xlabel("step")
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    return inline_svg(buffer.getvalue(), "chart")


def _plot_metric(ax: Any, name: str, points: Sequence[tuple[int, float]]) -> None:
    finite = [(step, value) for step, value in points if math.isfinite(value)]
    dropped = len(points) - len(finite)
    if finite:
        steps, values = zip(*finite)
        ax.plot(
            steps, values, color=CURVE_COLOUR, linewidth=1.6, marker="o" if len(finite) <= 40 else None, markersize=3
        )
    ax.set_title(
        name + (f"  ({dropped} non-finite value{'s' if dropped != 1 else ''} not drawn)" if dropped else ""), loc="left"
    )
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
