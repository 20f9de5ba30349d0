"""Inspecting and drawing built models: Keras runs the plugin's layers here.

Tracing (:mod:`kreg.inspect_tools.tracing`) calls every layer of a model once,
the plugin's custom layers included, so a crash in them is the architecture's
``inspect`` (or ``plot``) failure, reported like any other phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kreg.errors import KregError
from kreg.phases import Phase
from kreg.running.building import BuiltArchitecture
from kreg.running.calls import in_phase

if TYPE_CHECKING:
    from kreg.inspect_tools.input_shapes import ShapePlan
    from kreg.inspect_tools.report_types import Report


def inspect_built(
    built: BuiltArchitecture,
    components: Mapping[str, Any] | None = None,
    input_shapes: Mapping[str, list[int]] | None = None,
    batch_size: int | None = None,
) -> Report:
    """The ``kreg inspect`` report of a built architecture.

    Unknown input sizes are taken from ``input_shapes``, else from the
    architecture's data adapter (see :mod:`kreg.inspect_tools.input_shapes`).

    Args:
        built: BuiltArchitecture. From :func:`kreg.running.building.build`.
        components: Mapping[str, keras.Model] or None. The components to report;
            None means all of them.
        input_shapes: Mapping[str, list[int]] or None. ``--input-shape`` values:
            sizes after the batch axis by input name, already checked.
        batch_size: int or None. Estimate training memory at this batch size;
            None uses the architecture's.

    Raises:
        KerasIncompatible: tracing no longer works with this Keras.
        ArchitectureFailure: the inspection raised (phase ``inspect``), or the
            data adapter did (phase ``data``).
    """
    plan = shape_plan(built, input_shapes, batch_size)
    return inspect_models(
        built.name, built.hyperparameters, built.components if components is None else components, plan
    )


def shape_plan(
    built: BuiltArchitecture, input_shapes: Mapping[str, list[int]] | None = None, batch_size: int | None = None
) -> ShapePlan:
    """Where the unknown input sizes of a built architecture come from: options, then its data adapter.

    The training-memory estimate is made at ``batch_size``, else at the architecture's.
    """
    from kreg.inspect_tools.compute_report import trace_for_report
    from kreg.inspect_tools.input_shapes import ShapePlan
    from kreg.running.adapter_shapes import adapter_input_shapes

    architecture = built.entry.architecture

    def adapter() -> Any:
        return adapter_input_shapes(built.entry, built.hyperparameters, architecture.batch_size, built.data_state)

    batch_size = architecture.batch_size if batch_size is None else batch_size
    plan = ShapePlan(input_shapes, adapter if architecture.data_adapter is not None else None, batch_size)
    plan.trace_trained = lambda: trace_for_report(built.model, plan, trained=True)
    return plan


def inspect_models(
    name: str, hyperparameters: Mapping[str, Any], components: Mapping[str, Any], shapes: ShapePlan | None = None
) -> Report:
    """The ``kreg inspect`` report of models, built or loaded from a file.

    Args:
        name: str. The architecture's name (or the file's), for the report and failures.
        hyperparameters: Mapping[str, Any]. What they were built with (empty for a file).
        components: Mapping[str, keras.Model]. The models to report, by component.
        shapes: ShapePlan or None. Where unknown input sizes come from; None
            counts them per position.

    Raises:
        KerasIncompatible: tracing no longer works with this Keras.
        ArchitectureFailure: the inspection raised (phase ``inspect``).
    """
    from kreg.inspect_tools.report import architecture_report

    with in_phase(name, Phase.INSPECT, passes=(KregError,)):
        return architecture_report(name, hyperparameters, components, shapes)


def count_built_params(built: BuiltArchitecture) -> dict[str, dict[str, int]]:
    """Per component, ``total``, ``trainable`` and ``non_trainable`` parameters (no tracing).

    Raises:
        ArchitectureFailure: counting raised (phase ``inspect``).
    """
    from kreg.inspect_tools.params import count_params

    with in_phase(built.name, Phase.INSPECT):
        return {name: count_params(model).to_json() for name, model in built.components.items()}


def draw_graph(name: str, model: Any, options: Any, title: str) -> Any:
    """The pydot graph of one model (:func:`kreg.inspect_tools.graph.model_graph`).

    Args:
        name: str. The architecture (or file, or model) it belongs to, for failures.
        model: keras.Model. A component, built or loaded.
        options: GraphOptions. Nesting, direction, resolution.
        title: str. The graph's label.

    Raises:
        ArchitectureFailure: drawing raised (phase ``plot``).
    """
    from kreg.inspect_tools.graph import model_graph

    with in_phase(name, Phase.PLOT, passes=(KregError,)):
        return model_graph(model, options, title=title)


def graph_svg(name: str, model: Any, title: str, expand_layers: bool = False) -> str:
    """One model's graph, nested models expanded, as inline SVG (the review page's figure).

    Args:
        name: str. The architecture (or file, or model) it belongs to, for failures.
        model: keras.Model. A component, built or loaded.
        title: str. The graph's label.
        expand_layers: bool. Also open custom layers into their traced inner layers.

    Raises:
        KregError: pydot or Graphviz's ``dot`` is missing, or ``dot`` failed.
        ArchitectureFailure: drawing raised (phase ``plot``).
    """
    from kreg.inspect_tools.review_figures import graph_svg as render_svg

    with in_phase(name, Phase.PLOT, passes=(KregError,)):
        return render_svg(model, title, expand_layers=expand_layers)
