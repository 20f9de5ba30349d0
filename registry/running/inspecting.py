"""Inspecting and drawing built models: Keras runs the plugin's layers here.

Tracing (:mod:`kreg.inspect_tools.tracing`) calls every layer of a model once,
the plugin's custom layers included, so a crash in them is the architecture's
``inspect`` (or ``plot``) failure, reported like any other phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kreg.errors import ArchitectureFailure, KregError, KregUsageError, describe_exception
from kreg.phases import Phase
from kreg.running.building import BuiltArchitecture
from kreg.running.calls import in_phase
from kreg.running.collection import existing_objects_frozen
from kreg.running.deep_stack import on_deep_stack

if TYPE_CHECKING:
    from kreg.inspect_tools.input_shapes import ShapePlan
    from kreg.inspect_tools.report_types import Report


@on_deep_stack
def inspect_built(
    built: BuiltArchitecture,
    components: Mapping[str, Any] | None = None,
    input_shapes: Mapping[str, Any] | Any = None,
    batch_size: int | None = None,
    count: str = "macs",
) -> Report:
    """The ``kreg inspect`` report of a built architecture.

    Unknown input sizes are taken from ``input_shapes``, else from the
    architecture's data adapter, decided once before any model is reported
    (:func:`shape_plan`). A failing data adapter does not fail the inspection:
    the compute of each model it would have given sizes to is counted per
    unknown position, and its note says what failed (``data failed: ...``).

    Args:
        built: BuiltArchitecture. From :func:`kreg.running.building.build`.
        components: Mapping[str, keras.Model] or None. The components to report;
            None means all of them.
        input_shapes: Mapping or sequence or None. Sizes after the batch axis
            by input name (``--input-shape`` values), or one shape for models
            with one input; checked against the components' inputs here.
        batch_size: int or None. Estimate training memory at this batch size;
            None uses the architecture's.
        count: str. ``"macs"``, or ``"all"`` for every operation's FLOPs too (``--count all``).

    Raises:
        KregUsageError: ``input_shapes`` names no input or contradicts the model.
        KerasIncompatible: tracing no longer works with this Keras.
        ArchitectureFailure: the inspection raised (phase ``inspect``).
    """
    components = built.components if components is None else components
    plan = shape_plan(built.name, components, input_shapes, batch_size, built)
    return _report(built.name, built.hyperparameters, components, plan, count)


@on_deep_stack
def inspect_models(
    name: str,
    hyperparameters: Mapping[str, Any],
    components: Mapping[str, Any],
    input_shapes: Mapping[str, Any] | Any = None,
    batch_size: int | None = None,
    count: str = "macs",
) -> Report:
    """The ``kreg inspect`` report of models loaded from a file or given as they are.

    Args:
        name: str. The file's or the model's name, for the report and failures.
        hyperparameters: Mapping[str, Any]. What they were built with (empty for a file).
        components: Mapping[str, keras.Model]. The models to report, by component.
        input_shapes: Mapping or sequence or None. As :func:`inspect_built`
            takes them; the only source of sizes the models leave unknown.
        batch_size: int or None. Estimate training memory of ``"model"`` at this batch size.
        count: str. ``"macs"``, or ``"all"`` for every operation's FLOPs too (``--count all``).

    Raises:
        KregUsageError: ``input_shapes`` names no input or contradicts the model.
        KerasIncompatible: tracing no longer works with this Keras.
        ArchitectureFailure: the inspection raised (phase ``inspect``).
    """
    plan = shape_plan(name, components, input_shapes, batch_size)
    return _report(name, hyperparameters, components, plan, count)


@on_deep_stack
def shape_plan(
    name: str,
    components: Mapping[str, Any],
    input_shapes: Mapping[str, Any] | Any = None,
    batch_size: int | None = None,
    built: BuiltArchitecture | None = None,
) -> ShapePlan:
    """The one frozen :class:`~kreg.inspect_tools.input_shapes.ShapePlan` of an inspection.

    1. ``input_shapes`` checked against the inputs of ``components``.
    2. Only while a size is still unknown, and only for a built architecture:
       the data adapter's batch shapes, read in phase ``data``; and, when a
       component other than the trained ``model`` is among the unknown, the
       shapes ``model`` calls its sub-models with, from one trace in phase
       ``inspect``. Either failing is kept in the plan as the note its models
       get, not raised.

    Training memory is estimated at ``batch_size``, else at the architecture's
    (None for a file or a model).

    Raises:
        KregUsageError: a bad input shape.
        KerasIncompatible: tracing no longer works with this Keras.
        ArchitectureFailure: reading the components' inputs raised (phase ``inspect``).
    """
    from kreg.inspect_tools.building import build_unbuilt
    from kreg.inspect_tools.input_shapes import ShapePlan, component_input_shapes, counted_models

    if batch_size is None and built is not None:
        batch_size = built.entry.architecture.batch_size
    with in_phase(name, Phase.INSPECT, passes=(KregError,)):
        build_unbuilt(components, input_shapes)  # a Sequential without Input, a subclassed model never called
        plan = ShapePlan(component_input_shapes(input_shapes, components), batch_size=batch_size)
        unknown = plan.incomplete(counted_models(components))
    if built is None or not unknown:
        return plan
    if built.entry.architecture.data_adapter is not None:
        plan = _with_adapter_shapes(plan, built)
    if any(not trained for _, trained in unknown):
        plan = _with_trained_calls(plan, built)
    return plan


def _with_adapter_shapes(plan: ShapePlan, built: BuiltArchitecture) -> ShapePlan:
    """``plan`` with the adapter's batch shapes; a failing adapter (or data-state step) gives the note instead."""
    from kreg.inspect_tools.input_shapes import BatchShapes
    from kreg.running.adapter_shapes import adapter_input_shapes

    architecture = built.entry.architecture
    try:
        shapes = adapter_input_shapes(built.entry, built.hyperparameters, architecture.batch_size, built.data_state)
    except (ArchitectureFailure, KregUsageError) as error:  # sizes are then counted per position; the note says why
        return replace(plan, adapter_note=f"input sizes not taken from the data adapter: {_failure_cause(error)}")
    return replace(plan, adapter=BatchShapes.of(shapes))


def _with_trained_calls(plan: ShapePlan, built: BuiltArchitecture) -> ShapePlan:
    """``plan`` with the shapes ``model`` calls its sub-models with; a failing trace gives the note instead."""
    from kreg.inspect_tools.input_shapes import with_trained_calls
    from kreg.inspect_tools.params import is_container_model

    if is_container_model(built.model):  # nothing calls its sub-models: they are reported at their own shapes
        return plan
    try:
        with in_phase(built.name, Phase.INSPECT, passes=(KregError,)):
            return with_trained_calls(plan, built.model)
    except ArchitectureFailure as failure:  # the component's own sizes or the adapter's are left; the note says why
        note = f"input sizes not taken from the calls inside {built.model.name!r}: {_failure_cause(failure)}"
        return replace(plan, calls_note=note)


def _failure_cause(error: KregError) -> str:
    """``data failed: OSError: no data here``: the phase and the cause, without the architecture's name."""
    if isinstance(error, ArchitectureFailure):
        return f"{error.phase} failed: {describe_exception(error.cause)}"
    return describe_exception(error)


def _report(
    name: str, hyperparameters: Mapping[str, Any], components: Mapping[str, Any], plan: ShapePlan, count: str = "macs"
) -> Report:
    """The report of ``components`` at the sizes ``plan`` decided (phase ``inspect``)."""
    from kreg.inspect_tools.report import architecture_report

    with in_phase(name, Phase.INSPECT, passes=(KregError,)), existing_objects_frozen():
        return architecture_report(name, hyperparameters, components, plan, count)


@on_deep_stack
def count_built_params(built: BuiltArchitecture) -> dict[str, dict[str, int]]:
    """Per component, ``total``, ``trainable`` and ``non_trainable`` parameters (no tracing).

    Raises:
        ArchitectureFailure: counting raised (phase ``inspect``).
    """
    from kreg.inspect_tools.params import count_params

    with in_phase(built.name, Phase.INSPECT):
        return {name: count_params(model).to_json() for name, model in built.components.items()}


@on_deep_stack
def draw_graph(name: str, model: Any, options: Any, title: str, counted: Any = None) -> Any:
    """The pydot graph of one model (:func:`kreg.inspect_tools.graph.model_graph`).

    Args:
        name: str. The architecture (or file, or model) it belongs to, for failures.
        model: keras.Model. A component, built or loaded.
        options: GraphOptions. Nesting, direction, resolution.
        title: str. The graph's label.
        counted: Mapping or None. Counted shapes by layer path, for the nodes to show them.

    Raises:
        ArchitectureFailure: drawing raised (phase ``plot``).
    """
    from kreg.inspect_tools.graph import model_graph

    with in_phase(name, Phase.PLOT, passes=(KregError,)):
        return model_graph(model, options, title=title, counted=counted)


@on_deep_stack
def graph_svg(
    name: str, model: Any, title: str, expand_layers: bool = False, component: Any = None
) -> tuple[str, str | None]:
    """One model's graph, nested models expanded, as inline SVG (the review page's figure), and folded.

    Args:
        name: str. The architecture (or file, or model) it belongs to, for failures.
        model: keras.Model. A component, built or loaded.
        title: str. The graph's label.
        expand_layers: bool. Also open custom layers into their traced inner layers.
        component: ComponentReport or None. Its report: its repeated blocks are folded in a second drawing.

    Returns:
        tuple. The whole graph's SVG, and the folded graph's (None when nothing folds).

    Raises:
        KregError: pydot or Graphviz's ``dot`` is missing, or ``dot`` failed.
        ArchitectureFailure: drawing raised (phase ``plot``).
    """
    from kreg.inspect_tools.review_figures import graph_svgs

    with in_phase(name, Phase.PLOT, passes=(KregError,)):
        return graph_svgs(model, title, expand_layers=expand_layers, component=component)
