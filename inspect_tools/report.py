"""The inspection report of Keras models: :class:`~kreg.inspect_tools.report_types.Report`.

For each component: its class, parameter counts, one row per traced layer call
(path, class, input and output shapes, params, MACs), the threaded-Dense list,
and its compute and memory (:mod:`kreg.inspect_tools.compute_report`). A
``Model`` subclass without ``call()`` is reported through its sub-models: each
appears as a row, followed by the rows of its own layers under its name.
``Report.to_json()`` is the JSON of DESIGN.md; :mod:`kreg.rendering`
draws its tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from kreg.errors import KerasIncompatible
from kreg.inspect_tools.compute_report import (
    ComputeSummary,
    TracedModel,
    compute_report,
    memory_report,
    trace_for_report,
)
from kreg.inspect_tools.connections import call_inputs
from kreg.inspect_tools.counted_shapes import counted_calls, counted_shapes, shapes_if_different
from kreg.inspect_tools.dense import dense_entry, is_dense, with_counted_sizes
from kreg.inspect_tools.folding import repeated_blocks
from kreg.inspect_tools.input_shapes import ShapePlan
from kreg.inspect_tools.keras_types import KerasLayer, KerasModel, KerasVariable
from kreg.inspect_tools.layer_attributes import layer_attributes
from kreg.inspect_tools.params import count_params, is_container_model, submodels
from kreg.inspect_tools.receptive_field import field_json, receptive_fields
from kreg.inspect_tools.report_types import (
    ComponentReport,
    DenseEntry,
    JsonValue,
    LayerRow,
    Report,
    ShapeNest,
)
from kreg.inspect_tools.shapes import shape_of
from kreg.inspect_tools.shares import with_shares
from kreg.inspect_tools.tracing import Trace, short_error


def architecture_report(
    name: str,
    hyperparameters: Mapping[str, JsonValue],
    components: Mapping[str, KerasModel],
    shapes: ShapePlan | None = None,
    count: str = "macs",
) -> Report:
    """The ``kreg inspect`` report (``to_json()`` is the ``kreg inspect --json`` object).

    Args:
        name: str. The architecture's name.
        hyperparameters: Mapping[str, JsonValue]. The values it was built with.
        components: Mapping[str, keras.Model]. The components to report, by
            name; ``"model"`` (the trained one) first when present.
        shapes: ShapePlan or None. Where unknown input sizes come from; None
            counts them per position and leaves training memory out.
        count: str. ``"macs"``, or ``"all"`` for every operation's FLOPs too
            (:func:`~kreg.inspect_tools.compute_report.compute_report`).

    Returns:
        Report. For each component its class, params, layers,
        Dense calls, compute and memory.
    """
    shapes = shapes or ShapePlan()
    return Report(
        architecture=name,
        hyperparameters=dict(hyperparameters),
        components={
            key: component_report(model, shapes, trained=key == "model", count=count)
            for key, model in components.items()
        },
    )


def component_report(
    model: KerasModel, shapes: ShapePlan | None = None, trained: bool = False, count: str = "macs"
) -> ComponentReport:
    """The report of one model: class, params, layers, Dense calls, compute, memory.

    A subclassed model whose input shapes are unknown cannot be traced; it gets
    no layer rows nor Dense calls, and a ``note`` saying why.

    Args:
        model: keras.Model. The component.
        shapes: ShapePlan or None. Where unknown input sizes come from.
        trained: bool. True for the component that is trained (fed by the data
            adapter; its training memory is estimated).
        count: str. ``"macs"``, or ``"all"`` for every operation's FLOPs too.
    """
    shapes = shapes or ShapePlan()
    collected = _Collected(shapes)
    compute = collected.add(model, "", trained)
    batch = shapes.batch_size if trained else None
    params, counted = count_params(model), compute_report(compute, count)
    rows = with_shares(collected.layers, params.total, counted)
    return ComponentReport(
        model_class=type(model).__name__,
        params=params,
        layers=rows,
        dense=tuple(collected.dense),
        compute=counted,
        memory=memory_report(model, _weights(model), compute, batch),
        note="; ".join(dict.fromkeys(collected.notes)) if collected.notes else None,
        repeats=repeated_blocks(rows),
    )


def _weights(model: KerasModel) -> list[KerasVariable]:
    """The weights of a component; of a ``Model`` subclass without ``call()``, those of its sub-models."""
    if is_container_model(model):
        return [weight for sub in submodels(model) for weight in sub.weights]
    return list(model.weights)


class _Collected:
    """The rows, Dense entries and notes of one component, gathered model by model."""

    def __init__(self, shapes: ShapePlan):
        self.shapes = shapes
        self.layers: list[LayerRow] = []
        self.dense: list[DenseEntry] = []
        self.notes: list[str] = []

    def add(self, model: KerasModel, prefix: str, trained: bool) -> ComputeSummary:
        """Add the rows of ``model`` (paths under ``prefix``); return its own compute."""
        if is_container_model(model):
            return self._add_container(model, prefix)
        where = f"{prefix.rstrip('/')}: " if prefix else ""
        summary = ComputeSummary()
        traced: TracedModel | None
        try:
            traced = trace_for_report(model, self.shapes, trained)
        except KerasIncompatible:
            raise
        except Exception as error:  # noqa: BLE001 - plugin layers raise anything; the note records why there are no rows
            self.notes.append(f"{where}not traced: {short_error(error)}")
            traced = None
        else:
            self.layers.extend(layer_rows(traced.rows, prefix, traced))
            self.dense.extend(dense_rows(traced.rows, prefix, traced))
        summary.add(traced, prefix)
        return summary

    def _add_container(self, model: KerasModel, prefix: str) -> ComputeSummary:
        import keras

        summary = ComputeSummary()
        for sub in submodels(model):
            path = f"{prefix}{sub.name}"
            row = _row(path, sub)
            index = len(self.layers)
            self.layers.append(row)
            if isinstance(sub, keras.Model):
                sub_summary = self.add(sub, f"{path}/", trained=False)
                counted = sub_summary.macs if sub_summary.counted else None
                self.layers[index] = replace(
                    row,
                    mac_count=counted,
                    per_position=not sub_summary.complete,
                    backward_mac_count=sub_summary.backward_macs if sub_summary.backward_counted else None,
                )
                summary.merge(sub_summary)
        return summary


def layer_rows(trace: Trace, prefix: str = "", traced: TracedModel | None = None) -> list[LayerRow]:
    """One row per input of the traced model, then one per traced layer call.

    Args:
        trace: Trace. The trace of one model.
        prefix: str. Put before every path (``"encoder/"`` for a sub-model).
        traced: TracedModel or None. The model's compute, for each row's MACs.

    Returns:
        list[LayerRow]. Each with its MACs (per example, the call's inner
        calls included; None when not counted), per unknown position when
        input sizes are unknown.
    """
    macs = traced.row_macs() if traced is not None else {}
    backward = traced.row_backward_macs() if traced is not None else {}
    per_position = traced is not None and traced.per_position
    counted = counted_shapes(traced)
    rows = []
    for name, tensor in zip(trace.input_names, trace.root.inputs):
        shape = trace.shape(tensor)
        counted_input, counted_output = shapes_if_different(counted, name, shape, shape)
        rows.append(
            LayerRow(
                path=prefix + name,
                layer_class="InputLayer",
                input_shape=shape,
                output_shape=shape,
                params=0,
                mac_count=0 if macs else None,
                per_position=per_position,
                backward_mac_count=0 if backward else None,
                counted_input_shape=counted_input,
                counted_output_shape=counted_output,
            )
        )
    counts: dict[int, int] = {}
    fields = receptive_fields(trace)
    feeds = call_inputs(trace)
    for call in trace.inner:
        if id(call.layer) not in counts:
            counts[id(call.layer)] = count_params(call.layer).total
        counted_input, counted_output = shapes_if_different(counted, call.path, call.input_shape, call.output_shape)
        rows.append(
            LayerRow(
                path=prefix + call.path,
                layer_class=type(call.layer).__name__,
                input_shape=call.input_shape,
                output_shape=call.output_shape,
                params=counts[id(call.layer)],
                mac_count=macs.get(call.path),
                per_position=per_position,
                backward_mac_count=backward.get(call.path),
                receptive_field=field_json(fields.get(call.path)),
                attributes=layer_attributes(call.layer, trace.configs.get(id(call.layer))),
                inputs=tuple(prefix + path for path in feeds.get(call.index, ())),
                trainable=bool(call.layer.trainable),
                counted_input_shape=counted_input,
                counted_output_shape=counted_output,
            )
        )
    return rows


def dense_rows(trace: Trace, prefix: str = "", traced: TracedModel | None = None) -> list[DenseEntry]:
    """Every traced Dense and EinsumDense call, in call order, their paths under ``prefix``; with ``traced`` (the
    model's compute), each also at the sizes its compute was counted at where they differ from its own."""
    at_counted = counted_calls(traced)
    entries = [
        with_counted_sizes(dense_entry(call), at_counted.get(call.path)) for call in trace.inner if is_dense(call.layer)
    ]
    return [replace(entry, path=prefix + entry.path) for entry in entries]


def _row(path: str, layer: KerasLayer) -> LayerRow:
    """The row of a sub-model (or layer) a container holds; its MACs are filled in once it is counted."""
    return LayerRow(
        path=path,
        layer_class=type(layer).__name__,
        input_shape=_shape_of_attribute(layer, "input"),
        output_shape=_shape_of_attribute(layer, "output"),
        params=count_params(layer).total,
        attributes=layer_attributes(layer),
        trainable=bool(layer.trainable),
    )


def _shape_of_attribute(layer: KerasLayer, name: str) -> ShapeNest:
    """Shape of ``layer.input`` or ``layer.output``; None where Keras does not know it."""
    try:
        shape: ShapeNest = shape_of(getattr(layer, name))
    except (AttributeError, ValueError):
        return None
    return shape
