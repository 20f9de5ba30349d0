"""What ``kreg.inspect`` and ``kreg.plot`` return: a report and a graph that show themselves.

Each holds the same data as the command line (``kreg inspect --json``'s
object, ``kreg plot``'s graph) and shows it three ways: ``print()`` gives the
text the command prints, :meth:`to_json` the data, and a notebook displays the
card (``_repr_html_``, the review page's pieces) or the graph (``_repr_svg_``).
``kreg.review`` returns a :class:`kreg.workflows.review.Review`, which does the same.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kreg.inspect_tools.report_types import ComponentReport, JsonObject, ParamCounts, Report
from kreg.workflows.subjects import Subject

INSPECTION_SECTIONS = ("summary", "hyperparameters", "components", "layers", "dense")
"""The sections of the review page an inspection's card shows (no training; the graph of a model given in Python)."""


class InspectionReport:
    """The inspection of a model: parameters, compute, memory, layer calls, Dense threading.

    ``kreg.inspect`` returns one. ``print(report)`` shows ``kreg inspect``'s
    text, :meth:`to_json` is ``kreg inspect --json``'s object, and a notebook
    shows the review card of it.

    Attributes:
        report: Report. The typed report (its ``components``, each
            with ``params``, ``layers``, ``dense``, ``compute`` and ``memory``).
        subject: Subject. What was inspected (architecture, file or model).
    """

    def __init__(self, report: Report, subject: Subject):
        self.report = report
        self.subject = subject

    @property
    def name(self) -> str:
        """The architecture's name, the file's path or the model's name."""
        return self.report.architecture

    @property
    def components(self) -> Mapping[str, ComponentReport]:
        """The report of each component, by name (``"model"`` first): ``components["model"].compute.macs``."""
        return self.report.components

    @property
    def params(self) -> ParamCounts:
        """The ``"model"`` component's parameters: ``params.total``, ``params.trainable``, ``params.non_trainable``."""
        return self.report.model.params

    @property
    def macs(self) -> int | None:
        """The ``"model"`` component's multiply-accumulates per example (None when a size is unknown)."""
        return self.report.model.compute.macs

    def to_json(self) -> JsonObject:
        """The report as ``kreg inspect --json`` prints it (a copy: changing it changes nothing here).

        Returns:
            dict. ``architecture``, ``hyperparameters`` and ``components``;
            per component ``class``, ``params``, ``layers``, ``dense``,
            ``compute`` and ``memory`` (see the docs page "What kreg counts").
        """
        return copy.deepcopy(self.report.to_json())

    def __str__(self) -> str:
        """The text ``kreg inspect`` prints (tables as wide as piped output, ``COLUMNS`` overrides it)."""
        from kreg.rendering.text import inspection_text

        return inspection_text(self.report)

    def __repr__(self) -> str:
        from kreg.rendering.formatting import headline_macs

        compute = self.report.model.compute
        counted = compute.macs is not None or compute.macs_per_position is not None
        macs = " ".join(headline_macs(compute)) if counted else "MACs not counted"
        return f"<kreg InspectionReport {self.name}: {self.params.total:,} parameters, {macs}>"

    def _repr_html_(self) -> str:
        """The review card of this inspection: summary, hyperparameters, components, layers, Dense calls.

        A model given in Python (``kreg.inspect(model)``) is drawn too: its graph, explorable as on the page.
        """
        from kreg.rendering.review_page import render_card
        from kreg.workflows.review import Review, add_graph

        subject = self.subject
        review = Review(
            subject.entry,
            dict(self.report.hyperparameters),
            self.report,
            preset=subject.preset,
            assignments=subject.assignments,
            source=None if subject.entry is not None else subject.describe(),
        )
        if subject.model is None:
            return render_card(review, INSPECTION_SECTIONS)
        add_graph(review, subject.name, subject.model, expand_layers=False)
        return render_card(review, (*INSPECTION_SECTIONS, "graph"))


class ModelGraph:
    """The graph of one component, as ``kreg plot`` draws it.

    ``kreg.plot`` returns one. A notebook shows it as SVG; :meth:`save`
    writes a png, svg, pdf or dot file; ``str()`` is its Graphviz source.

    Attributes:
        name: str. The architecture's name, the file's path or the model's name.
        component: str. The component drawn.
        dot: pydot.Dot. The graph itself.
    """

    def __init__(self, dot: Any, name: str, component: str):
        self.dot = dot
        self.name = name
        self.component = component

    def to_dot(self) -> str:
        """The graph's Graphviz source."""
        return self.dot.to_string()

    def to_svg(self) -> str:
        """The graph drawn by Graphviz's ``dot`` as an SVG document.

        Raises:
            KregError: pydot or Graphviz's ``dot`` is missing, or ``dot`` failed.
        """
        from kreg.inspect_tools.plotting import render_graph, require_plot_tools

        require_plot_tools("graph.svg")
        return render_graph(self.dot, "svg").decode("utf-8")

    def save(self, path: str | Path) -> Path:
        """Write the graph to ``path``, whole or not at all: ``.png``, ``.svg``, ``.pdf`` or ``.dot``.

        Missing folders are made.

        Raises:
            KregUsageError: another extension.
            KregError: a tool is missing, ``dot`` failed, or the file cannot be written.
        """
        from kreg.workflows.inspecting import write_graph

        return write_graph(self.dot, path)

    def __str__(self) -> str:
        """The graph's Graphviz source (as :meth:`to_dot`)."""
        return self.to_dot()

    def __repr__(self) -> str:
        return f"<kreg ModelGraph {self.name} ({self.component})>"

    def _repr_svg_(self) -> str | None:
        """The SVG a notebook shows; None (the text form instead) when Graphviz's ``dot`` is missing."""
        from kreg.errors import KregError

        try:
            return self.to_svg()
        except KregError:
            return None
