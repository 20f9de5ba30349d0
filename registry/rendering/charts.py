"""The training curves of a review page, drawn by matplotlib as inline SVG."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from kreg.inspect_tools.review_figures import inline_svg

CURVE_COLOUR = "#3b6ea8"


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
    """One panel (``ax``: a matplotlib ``Axes``; matplotlib is imported only when a chart is drawn)."""
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
