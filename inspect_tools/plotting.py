"""A graph as a file's content: png, svg or pdf with Graphviz's ``dot``, or the DOT source.

The graph itself comes from :mod:`kreg.inspect_tools.graph`; this module only
checks the tools and renders. Writing the file (whole or not at all) is
:func:`kreg.workflows.inspecting.write_graph`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from kreg.errors import KregError, KregUsageError

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".dot": "dot"}
"""File extensions kreg plots to, and Graphviz's name for each format."""

PYDOT_HINT = "plotting needs pydot: pip install pydot (it comes with pip install 'kreg[cpu]')"
DOT_HINT = (
    "plotting to {suffix} needs Graphviz's `dot` program, which is not on PATH: install graphviz "
    "(apt-get install graphviz, brew install graphviz or conda install graphviz), "
    "or write the DOT source with -o FILE.dot"
)


def output_format(path: str | Path) -> str:
    """The format of an output file, from its extension.

    Raises:
        KregUsageError: the extension is not .png, .svg, .pdf or .dot.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise KregUsageError(
            f"cannot plot to {str(path)!r}: unknown extension {suffix or '(none)'!r}; use one of {known}"
        )
    return FORMATS[suffix]


def require_plot_tools(path: str | Path) -> None:
    """Check that pydot (always) and ``dot`` (unless writing DOT source) are installed.

    Raises:
        KregUsageError: unknown extension.
        KregError: pydot or ``dot`` is missing; the message says how to install it.
    """
    fmt = output_format(path)
    try:
        import pydot  # noqa: F401
    except ImportError:
        raise KregError(PYDOT_HINT) from None
    if fmt != "dot" and shutil.which("dot") is None:
        raise KregError(DOT_HINT.format(suffix=Path(path).suffix.lower()))


def graph_file(graph: Any, path: str | Path) -> bytes:
    """The content of a file holding a pydot graph, in the format ``path``'s extension names.

    Args:
        graph: pydot.Dot. The graph, e.g. from :func:`~kreg.inspect_tools.graph.model_graph`.
        path: str or Path. ``.png``, ``.svg``, ``.pdf`` or ``.dot``.

    Returns:
        bytes. The DOT source (UTF-8), or what ``dot`` drew.

    Raises:
        KregUsageError: unknown extension.
        KregError: a tool is missing, or ``dot`` failed.
    """
    require_plot_tools(path)
    fmt = output_format(path)
    if fmt == "dot":
        return str(graph.to_string()).encode("utf-8")
    return render_graph(graph, fmt)


def render_graph(graph: Any, fmt: str) -> bytes:
    """Render a pydot graph with Graphviz's ``dot`` to png, svg or pdf bytes.

    SVG is always drawn at 72 dpi: Graphviz scales an SVG's drawing by dpi/72
    but not its viewBox, so browsers crop an SVG drawn at any other dpi.

    Raises:
        KregError: ``dot`` failed (its message, on one line).
    """
    dpi = graph.get("dpi")
    if fmt == "svg" and dpi is not None:
        graph.set("dpi", "72")
    try:
        drawn: bytes = graph.create(prog="dot", format=fmt)
        return drawn
    except Exception as error:  # pydot raises bare AssertionError/OSError with dot's stderr
        raise KregError(f"Graphviz's dot failed to draw the graph: {' '.join(str(error).split())[:500]}") from error
    finally:
        if dpi is not None:
            graph.set("dpi", dpi)
