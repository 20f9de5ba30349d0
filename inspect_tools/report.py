"""The inspection report: the JSON of DESIGN.md and the tables of the text report.

For each component: its class, parameter counts, one row per traced layer call
(path, class, input and output shapes, params) and the threaded-Dense list. A
``Model`` subclass without ``call()`` is reported through its sub-models: each
appears as a row, followed by the rows of its own layers under its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kreg.errors import KerasIncompatible
from kreg.inspect_tools.dense import dense_entry, is_dense, threading_phrase
from kreg.inspect_tools.params import count_params, is_container_model, submodels
from kreg.inspect_tools.shapes import format_shape, shape_of
from kreg.inspect_tools.tracing import Trace, short_error, trace_model


def architecture_report(name: str, hyperparameters: Mapping[str, Any], components: Mapping[str, Any]) -> dict[str, Any]:
    """The ``kreg inspect --json`` object.

    Args:
        name: str. The architecture's name.
        hyperparameters: Mapping[str, Any]. The values it was built with.
        components: Mapping[str, keras.Model]. The components to report, by name.

    Returns:
        dict. ``architecture``, ``hyperparameters`` and ``components``: for each
        component its ``class``, ``params``, ``layers`` and ``dense``.
    """
    return {
        "architecture": name,
        "hyperparameters": dict(hyperparameters),
        "components": {key: component_report(model) for key, model in components.items()},
    }


def component_report(model: Any) -> dict[str, Any]:
    """The report of one model: ``class``, ``params``, ``layers``, ``dense``.

    A subclassed model whose input shapes are unknown cannot be traced; it gets
    empty ``layers`` and ``dense`` lists and a ``note`` saying why.
    """
    record: dict[str, Any] = {"class": type(model).__name__, "params": count_params(model).to_json()}
    layers: list[dict[str, Any]] = []
    dense: list[dict[str, Any]] = []
    notes = _collect(model, "", layers, dense)
    record["layers"] = layers
    record["dense"] = dense
    if notes:
        record["note"] = "; ".join(notes)
    return record


def _collect(model: Any, prefix: str, layers: list, dense: list) -> list[str]:
    """Append the rows of ``model`` (paths under ``prefix``) and return notes on what was not traced."""
    if is_container_model(model):
        return _collect_container(model, prefix, layers, dense)
    try:
        trace = trace_model(model)
    except KerasIncompatible:
        raise
    except Exception as error:  # the counts still stand; the note says why there are no rows
        where = f"{prefix.rstrip('/')}: " if prefix else ""
        return [f"{where}not traced: {short_error(error)}"]
    layers.extend(layer_rows(trace, prefix))
    dense.extend(dense_rows(trace, prefix))
    return []


def _collect_container(model: Any, prefix: str, layers: list, dense: list) -> list[str]:
    import keras

    notes: list[str] = []
    for sub in submodels(model):
        path = f"{prefix}{sub.name}"
        layers.append(_row(path, sub, _shape_of_attribute(sub, "input"), _shape_of_attribute(sub, "output")))
        if isinstance(sub, keras.Model):
            notes.extend(_collect(sub, f"{path}/", layers, dense))
    return notes


def layer_rows(trace: Trace, prefix: str = "") -> list[dict[str, Any]]:
    """One row per input of the traced model, then one per traced layer call.

    Args:
        trace: Trace. The trace of one model.
        prefix: str. Put before every path (``"encoder/"`` for a sub-model).

    Returns:
        list[dict]. ``path``, ``class``, ``input_shape``, ``output_shape``, ``params``.
    """
    rows = [
        {
            "path": prefix + name,
            "class": "InputLayer",
            "input_shape": shape_of(tensor),
            "output_shape": shape_of(tensor),
            "params": 0,
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
            }
        )
    return rows


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

    For each component: a parameter summary, the layer table and, when it
    has any, the threaded-Dense table.
    """
    for name, component in report["components"].items():
        yield _summary_table(name, component)
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
    rows = [
        [
            row["path"],
            row["class"],
            format_shape(row["input_shape"]),
            format_shape(row["output_shape"]),
            f"{row['params']:,}",
        ]
        for row in component["layers"]
    ]
    return Table(
        f"{name}: layers (traced calls, also inside custom layers)",
        ["path", "class", "input", "output", "params"],
        rows,
    )


def _dense_table(name: str, component: Mapping[str, Any]) -> Table:
    rows = [
        [
            entry["path"],
            f"{format_shape(entry['input_shape'])} -> {format_shape(entry['output_shape'])}",
            f"{entry['params']:,}",
            "?" if entry["macs"] is None else f"{entry['macs']:,}",
            threading_phrase(entry),
        ]
        for entry in component["dense"]
    ]
    columns = ["path", "input -> output", "params", "MACs", "what it does (MACs per example)"]
    return Table(f"{name}: Dense layers and what they thread over", columns, rows)
