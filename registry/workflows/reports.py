"""What ``kreg.inspect`` and ``kreg.plot`` return: a report and a graph that show themselves.

Each holds the same data as the command line (``kreg inspect --json``'s
object, ``kreg plot``'s graph) and shows it three ways: ``print()`` gives the
text the command prints, :meth:`to_json` the data, and a notebook displays the
card (``_repr_html_``, the review page's pieces) or the graph (``_repr_svg_``).
``kreg.review`` returns a :class:`kreg.workflows.review.Review`, which does the same.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from kreg.workflows.subjects import Subject

INSPECTION_SECTIONS = ("summary", "hyperparameters", "components", "layers", "dense")
"""The sections of the review page an inspection's card shows (no graph, no training)."""


class InspectionReport:
    """The inspection of a model: parameters, compute, memory, layer calls, Dense threading.

    ``kreg.inspect`` returns one. ``print(report)`` shows ``kreg inspect``'s
    text, :meth:`to_json` is ``kreg inspect --json``'s object, and a notebook
    shows the review card of it.

    Attributes:
        subject: Subject. What was inspected (architecture, file or model).
    """

    def __init__(self, data: dict[str, Any], subject: Subject):
        self._data = data
        self.subject = subject

    @property
    def name(self) -> str:
        """The architecture's name, the file's path or the model's name."""
        return self._data["architecture"]

    @property
    def components(self) -> dict[str, dict[str, Any]]:
        """The report of each component, by name (``"model"`` first)."""
        return self._data["components"]

    @property
    def params(self) -> dict[str, int]:
        """The ``"model"`` component's ``total``, ``trainable`` and ``non_trainable`` parameters."""
        return dict(self._model["params"])

    @property
    def macs(self) -> int | None:
        """The ``"model"`` component's multiply-accumulates per example (None when a size is unknown)."""
        return self._model["compute"]["macs"]

    @property
    def _model(self) -> dict[str, Any]:
        return self.components.get("model") or next(iter(self.components.values()))

    def to_json(self) -> dict[str, Any]:
        """The report as ``kreg inspect --json`` prints it (a copy: changing it changes nothing here).

        Returns:
            dict. ``architecture``, ``hyperparameters`` and ``components``;
            per component ``class``, ``params``, ``layers``, ``dense``,
            ``compute`` and ``memory`` (see the docs page "What kreg counts").
        """
        return copy.deepcopy(self._data)

    def __str__(self) -> str:
        """The text ``kreg inspect`` prints (tables as wide as piped output, ``COLUMNS`` overrides it)."""
        from kreg.workflows.report_text import inspection_text

        return inspection_text(self._data)

    def __repr__(self) -> str:
        from kreg.inspect_tools.compute_report import headline_macs

        compute = self._model["compute"]
        macs = (
            "MACs not counted"
            if compute["macs"] is None and compute["macs_per_position"] is None
            else " ".join(headline_macs(compute))
        )
        return f"<kreg InspectionReport {self.name}: {self.params['total']:,} parameters, {macs}>"

    def _repr_html_(self) -> str:
        """The review card of this inspection: summary, hyperparameters, components, layers, Dense calls."""
        from kreg.workflows.review import Review
        from kreg.workflows.review_html import render_card

        subject = self.subject
        review = Review(
            subject.entry,
            dict(self._data["hyperparameters"]),
            self._data,
            preset=subject.preset,
            assignments=subject.assignments,
            source=None if subject.entry is not None else subject.describe(),
        )
        return render_card(review, INSPECTION_SECTIONS)


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
        """Write the graph to ``path``, whole or not at all: ``.png``, ``.svg``, ``.pdf`` or ``.dot`` (folders are made).

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
