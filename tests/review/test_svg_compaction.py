"""The review page's graph SVG, compacted: fewer bytes, the same drawing (issue 26: a 10,000-layer page under 10 MB)."""

from __future__ import annotations

import re
import shutil
import xml.dom.minidom

import pytest

from kreg.inspect_tools.graph_labels import io_label, layer_label
from kreg.inspect_tools.review_figures import STROKE_STYLE, compact_svg, inline_svg

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def _chain_svg(depth: int) -> str:
    """Graphviz's SVG of a chain drawn as kreg draws one: an input, ``depth`` Dense nodes, an output."""
    import pydot

    from kreg.inspect_tools.plotting import render_graph

    dot = pydot.Dot(graph_type="digraph")
    dot.set_node_defaults(shape="plaintext", fontname="Helvetica", fontsize="11", margin="0")
    dot.set_graph_defaults(fontname="Helvetica", fontsize="12")
    dot.set("label", "chain (model)")
    labels = [io_label("input", "features", [None, 2])]
    labels += [
        layer_label(f"dense_{k}", "Dense", [([None, 2], [None, 2])], ["applies kernel (2, 2)"]) for k in range(depth)
    ]
    labels.append(io_label("output", f"dense_{depth - 1}", [None, 2]))
    for index, label in enumerate(labels):
        dot.add_node(pydot.Node(f"n{index}", label=label))
        if index:
            dot.add_edge(pydot.Edge(f"n{index - 1}", f"n{index}"))
    return render_graph(dot, "svg").decode("utf-8")


def _drawn(svg: str) -> list[tuple[str, ...]]:
    """What is drawn, in order: each shape's points or path and fill, each text and its weight."""
    document = xml.dom.minidom.parseString(svg)
    drawn = []
    for element in document.getElementsByTagName("*"):
        if element.tagName in ("polygon", "path"):
            points = element.getAttribute("points").split() or [element.getAttribute("d")]
            closed = points[:-1] if len(points) > 2 and points[0] == points[-1] else points
            drawn.append((element.tagName, " ".join(closed), element.getAttribute("fill") or "black"))
        elif element.tagName == "text":
            drawn.append(("text", element.firstChild.data if element.firstChild else "", element.getAttribute("x")))
    return drawn


def test_a_chains_graph_loses_over_40_percent_of_its_bytes_and_draws_the_same_shapes_and_texts():
    document = _chain_svg(20)
    plain = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", "", document, flags=re.S)
    compact = inline_svg(document, "graph")
    assert len(compact) < 0.6 * len(plain)
    # The background and frame of a cell are one polygon now: drop the background-only polygons before comparing.
    before = [shape for shape in _drawn(plain) if shape[0] == "text" or shape[2] != "none"]
    after = [shape for shape in _drawn(compact) if shape[0] == "text" or shape[2] != "none"]
    assert after == before
    assert compact.count('class="node"') == plain.count('class="node"') == 22
    assert compact.count(">dense_") == 21 and 'font-weight="bold">dense_7<' in compact  # what the graph view reads
    assert 'stroke="black"' not in compact and STROKE_STYLE in compact
    assert compact.startswith('<svg class="graph"')  # what the page's tests and scripts look for
    assert 'xlink" font-family="Helvetica,sans-Serif" font-size="11.00"><style>' in compact


def test_only_graphviz_graphs_are_compacted():
    document = '<svg width="10pt"><text text-anchor="start" font-family="A" font-size="9">x</text>\n</svg>'
    assert inline_svg(document, "chart") == document.replace("<svg", '<svg class="chart"', 1)
    assert (
        compact_svg('<svg class="graph"><g/></svg>')
        == '<svg class="graph"><style>' + STROKE_STYLE[7:-8] + "</style><g/></svg>"
    )


def test_the_threaded_dense_table_folds_runs_of_alike_calls_only_past_a_thousand():
    from kreg.inspect_tools.report_types import DenseEntry
    from kreg.rendering.review_page import DENSE_RUNS_ABOVE, dense_runs

    def entry(index: int, width: int = 2, macs: int | None = 4) -> DenseEntry:
        return DenseEntry(f"dense_{index}", [None, width], [None, width], [width, width], [], 6, macs)

    alike = [entry(k) for k in range(DENSE_RUNS_ABOVE)]
    assert [count for _, _, count in dense_runs(alike)] == [1] * DENSE_RUNS_ABOVE  # at the threshold: every call
    calls = [*alike, entry(1000, width=3), entry(1001, width=3), entry(1002, macs=None), entry(1003, macs=None)]
    runs = [(first.path, last, count) for first, last, count in dense_runs(calls)]
    assert runs == [
        ("dense_0", "dense_999", 1000),
        ("dense_1000", "dense_1001", 2),
        ("dense_1002", "dense_1002", 1),  # unknown MACs: never folded
        ("dense_1003", "dense_1003", 1),
    ]
