"""The inspection report: the JSON of DESIGN.md and the tables of the text report.

For each component: its class, parameter counts, one row per traced layer call
(path, class, input and output shapes, params, MACs), the threaded-Dense list,
and its compute and memory (:mod:`kreg.inspect_tools.compute_report`). A
``Model`` subclass without ``call()`` is reported through its sub-models: each
appears as a row, followed by the rows of its own layers under its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kreg.errors import KerasIncompatible
from kreg.inspect_tools.compute_report import (
    ComputeSummary,
    TracedModel,
    compute_fields,
    compute_json,
    dense_macs_cell,
    memory_json,
    trace_for_report,
)
from kreg.inspect_tools.dense import dense_entry, is_dense, threading_phrase
from kreg.inspect_tools.input_shapes import ShapePlan
from kreg.inspect_tools.params import count_params, is_container_model, submodels
from kreg.inspect_tools.shapes import format_shape, shape_of
from kreg.inspect_tools.tracing import Trace, short_error


def architecture_report(
    name: str, hyperparameters: Mapping[str, Any], components: Mapping[str, Any], shapes: ShapePlan | None = None
) -> dict[str, Any]:
    """The ``kreg inspect --json`` object.

    Args:
        name: str. The architecture's name.
        hyperparameters: Mapping[str, Any]. The values it was built with.
        components: Mapping[str, keras.Model]. The components to report, by
            name; ``"model"`` (the trained one) first when present.
        shapes: ShapePlan or None. Where unknown input sizes come from; None
            counts them per position and leaves training memory out.

    Returns:
        dict. ``architecture``, ``hyperparameters`` and ``components``: for each
        component its ``class``, ``params``, ``layers``, ``dense``, ``compute`` and ``memory``.
    """
    shapes = shapes or ShapePlan()
    return {
        "architecture": name,
        "hyperparameters": dict(hyperparameters),
        "components": {
            key: component_report(model, shapes, trained=key == "model") for key, model in components.items()
        },
    }


def component_report(model: Any, shapes: ShapePlan | None = None, trained: bool = False) -> dict[str, Any]:
    """The report of one model: ``class``, ``params``, ``layers``, ``dense``, ``compute``, ``memory``.

    A subclassed model whose input shapes are unknown cannot be traced; it gets
    empty ``layers`` and ``dense`` lists and a ``note`` saying why.

    Args:
        model: keras.Model. The component.
        shapes: ShapePlan or None. Where unknown input sizes come from.
        trained: bool. True for the component that is trained (fed by the data
            adapter; its training memory is estimated).
    """
    shapes = shapes or ShapePlan()
    record: dict[str, Any] = {"class": type(model).__name__, "params": count_params(model).to_json()}
    collected = _Collected(shapes)
    compute = collected.add(model, "", trained)
    record["layers"] = collected.layers
    record["dense"] = collected.dense
    record["compute"] = compute_json(compute)
    batch = shapes.batch_size if trained else None
    record["memory"] = memory_json(model, _weights(model), compute, batch)
    if collected.notes:
        record["note"] = "; ".join(dict.fromkeys(collected.notes))
    return record


def _weights(model: Any) -> list:
    """The weights of a component; of a ``Model`` subclass without ``call()``, those of its sub-models."""
    if is_container_model(model):
        return [weight for sub in submodels(model) for weight in sub.weights]
    return list(model.weights)


class _Collected:
    """The rows, Dense entries and notes of one component, gathered model by model."""

    def __init__(self, shapes: ShapePlan):
        self.shapes = shapes
        self.layers: list[dict[str, Any]] = []
        self.dense: list[dict[str, Any]] = []
        self.notes: list[str] = []

    def add(self, model: Any, prefix: str, trained: bool) -> ComputeSummary:
        """Add the rows of ``model`` (paths under ``prefix``); return its own compute."""
        if is_container_model(model):
            return self._add_container(model, prefix)
        where = f"{prefix.rstrip('/')}: " if prefix else ""
        summary = ComputeSummary()
        try:
            traced = trace_for_report(model, self.shapes, trained)
        except KerasIncompatible:
            raise
        except Exception as error:  # the counts still stand; the note says why there are no rows
            self.notes.append(f"{where}not traced: {short_error(error)}")
            traced = None
        else:
            self.layers.extend(layer_rows(traced.rows, prefix, traced))
            self.dense.extend(dense_rows(traced.rows, prefix))
        summary.add(traced, prefix)
        return summary

    def _add_container(self, model: Any, prefix: str) -> ComputeSummary:
        import keras

        summary = ComputeSummary()
        for sub in submodels(model):
            path = f"{prefix}{sub.name}"
            row = _row(path, sub, _shape_of_attribute(sub, "input"), _shape_of_attribute(sub, "output"))
            self.layers.append(row)
            if isinstance(sub, keras.Model):
                sub_summary = self.add(sub, f"{path}/", trained=False)
                counted = sub_summary.macs if sub_summary.counted else None
                row.update(_macs_fields(counted, per_position=not sub_summary.complete))
                summary.merge(sub_summary)
        return summary


def layer_rows(trace: Trace, prefix: str = "", traced: TracedModel | None = None) -> list[dict[str, Any]]:
    """One row per input of the traced model, then one per traced layer call.

    Args:
        trace: Trace. The trace of one model.
        prefix: str. Put before every path (``"encoder/"`` for a sub-model).
        traced: TracedModel or None. The model's compute, for each row's MACs.

    Returns:
        list[dict]. ``path``, ``class``, ``input_shape``, ``output_shape``,
        ``params``, ``macs`` (per example, the call's inner calls included;
        None when not counted) and, when input sizes are unknown,
        ``macs_per_position`` instead of ``macs``.
    """
    macs = traced.row_macs() if traced is not None else {}
    per_position = traced is not None and traced.compute is not None and not traced.resolved.complete
    rows = [
        {
            "path": prefix + name,
            "class": "InputLayer",
            "input_shape": trace.shape(tensor),
            "output_shape": trace.shape(tensor),
            "params": 0,
            **_macs_fields(0 if macs else None, per_position),
        }
        for name, tensor in zip(trace.input_names, trace.root.inputs)
    ]
    counts: dict[int, int] = {}
    for call in trace.inner:
        if id(call.layer) not in counts:
            counts[id(call.layer)] = count_params(call.layer).total
        rows.append(
            {
                "path": prefix + call.path,
                "class": type(call.layer).__name__,
                "input_shape": call.input_shape,
                "output_shape": call.output_shape,
                "params": counts[id(call.layer)],
                **_macs_fields(macs.get(call.path), per_position),
            }
        )
    return rows


def _macs_fields(macs: int | None, per_position: bool) -> dict[str, int | None]:
    """A row's ``macs``; at unknown input sizes ``macs`` is None and ``macs_per_position`` holds the count."""
    return {"macs": None, "macs_per_position": macs} if per_position else {"macs": macs}


def dense_rows(trace: Trace, prefix: str = "") -> list[dict[str, Any]]:
    """The ``dense`` list: every traced Dense and EinsumDense call, in call order."""
    entries = [dense_entry(call) for call in trace.inner if is_dense(call.layer)]
    for entry in entries:
        entry["path"] = prefix + entry["path"]
    return entries


def _row(path: str, layer: Any, input_shape: Any, output_shape: Any) -> dict[str, Any]:
    return {
        "path": path,
        "class": type(layer).__name__,
        "input_shape": input_shape,
        "output_shape": output_shape,
        "params": count_params(layer).total,
        "macs": None,
    }


def _shape_of_attribute(layer: Any, name: str) -> Any:
    """Shape of ``layer.input`` or ``layer.output``; None where Keras does not know it."""
    try:
        return shape_of(getattr(layer, name))
    except (AttributeError, ValueError):
        return None


@dataclass(frozen=True)
class Table:
    """A table of the text report.

    Attributes:
        title: str. Shown above the table.
        columns: list[str]. Column headers.
        rows: list[list]. Cells, one list per row.
    """

    title: str
    columns: list[str]
    rows: list[list[Any]]


def text_tables(report: Mapping[str, Any]) -> Iterable[Table]:
    """The tables of the readable report, component by component.

    For each component: a parameter summary, its compute and memory, the
    layer table and, when it has any, the threaded-Dense table.
    """
    for name, component in report["components"].items():
        yield _summary_table(name, component)
        yield Table(f"{name}: compute and memory", ["quantity", "value"], compute_fields(component))
        yield _layer_table(name, component)
        if component["dense"]:
            yield _dense_table(name, component)


def _summary_table(name: str, component: Mapping[str, Any]) -> Table:
    params = component["params"]
    rows = [
        ["total", f"{params['total']:,}"],
        ["trainable", f"{params['trainable']:,}"],
        ["non-trainable", f"{params['non_trainable']:,}"],
    ]
    if component.get("note"):
        rows.append(["note", component["note"]])
    return Table(f"{name} ({component['class']})", ["parameters", "count"], rows)


def _layer_table(name: str, component: Mapping[str, Any]) -> Table:
    per_position = component["compute"]["macs_per_position"] is not None
    key = "macs_per_position" if per_position else "macs"
    rows = [
        [
            row["path"],
            row["class"],
            format_shape(row["input_shape"]),
            format_shape(row["output_shape"]),
            f"{row['params']:,}",
            "-" if row.get(key) is None else f"{row[key]:,}",
        ]
        for row in component["layers"]
    ]
    return Table(
        f"{name}: layers (traced calls, also inside custom layers)",
        ["path", "class", "input", "output", "params", "MACs per position" if per_position else "MACs"],
        rows,
    )


def _dense_table(name: str, component: Mapping[str, Any]) -> Table:
    rows = [
        [
            entry["path"],
            f"{format_shape(entry['input_shape'])} -> {format_shape(entry['output_shape'])}",
            f"{entry['params']:,}",
            dense_macs_cell(entry, component),
            threading_phrase(entry),
        ]
        for entry in component["dense"]
    ]
    columns = ["path", "input -> output", "params", "MACs", "what it does (MACs per example)"]
    return Table(f"{name}: Dense layers and what they thread over", columns, rows)
