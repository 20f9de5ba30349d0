"""Inspecting and drawing built models: Keras runs the plugin's layers here.

Tracing (:mod:`kreg.inspect_tools.tracing`) calls every layer of a model once,
the plugin's custom layers included, so a crash in them is the architecture's
``inspect`` (or ``plot``) failure, reported like any other phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kreg.errors import KregError
from kreg.phases import Phase
from kreg.running.building import BuiltArchitecture
from kreg.running.calls import in_phase


def inspect_built(built: BuiltArchitecture, components: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``kreg inspect --json`` report of a built architecture.

    Args:
        built: BuiltArchitecture. From :func:`kreg.running.building.build`.
        components: Mapping[str, keras.Model] or None. The components to report;
            None means all of them.

    Raises:
        KerasIncompatible: tracing no longer works with this Keras.
        ArchitectureFailure: the inspection raised (phase ``inspect``).
    """
    return inspect_models(built.name, built.hyperparameters, built.components if components is None else components)


def inspect_models(name: str, hyperparameters: Mapping[str, Any], components: Mapping[str, Any]) -> dict[str, Any]:
    """The ``kreg inspect --json`` report of models, built or loaded from a file.

    Args:
        name: str. The architecture's name (or the file's), for the report and failures.
        hyperparameters: Mapping[str, Any]. What they were built with (empty for a file).
        components: Mapping[str, keras.Model]. The models to report, by component.

    Raises:
        KerasIncompatible: tracing no longer works with this Keras.
        ArchitectureFailure: the inspection raised (phase ``inspect``).
    """
    from kreg.inspect_tools.report import architecture_report

    with in_phase(name, Phase.INSPECT, passes=(KregError,)):
        return architecture_report(name, hyperparameters, components)


def count_built_params(built: BuiltArchitecture) -> dict[str, dict[str, int]]:
    """Per component, ``total``, ``trainable`` and ``non_trainable`` parameters (no tracing).

    Raises:
        ArchitectureFailure: counting raised (phase ``inspect``).
    """
    from kreg.inspect_tools.params import count_params

    with in_phase(built.name, Phase.INSPECT):
        return {name: count_params(model).to_json() for name, model in built.components.items()}


def draw_graph(built: BuiltArchitecture, component: str, options: Any, title: str) -> Any:
    """The pydot graph of one component (:func:`kreg.inspect_tools.graph.model_graph`).

    Args:
        built: BuiltArchitecture. The architecture.
        component: str. One of its components.
        options: GraphOptions. Nesting, direction, resolution.
        title: str. The graph's label.

    Raises:
        ArchitectureFailure: drawing raised (phase ``plot``).
    """
    from kreg.inspect_tools.graph import model_graph

    with in_phase(built.name, Phase.PLOT, passes=(KregError,)):
        return model_graph(built.components[component], options, title=title)


def graph_svg(built: BuiltArchitecture, component: str, title: str, expand_layers: bool = False) -> str:
    """One component's graph, nested models expanded, as inline SVG (the review page's figure).

    Raises:
        KregError: pydot or Graphviz's ``dot`` is missing, or ``dot`` failed.
        ArchitectureFailure: drawing raised (phase ``plot``).
    """
    from kreg.inspect_tools.review_figures import graph_svg as render_svg

    with in_phase(built.name, Phase.PLOT, passes=(KregError,)):
        return render_svg(built.components[component], title, expand_layers=expand_layers)
