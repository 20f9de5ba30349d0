"""The tables of ``kreg inspect``: for each component its parameters, compute and memory, layers and Dense calls.

A :class:`Table` is a title, column headers and rows of text cells; the
terminal (:mod:`kreg.rendering.text`), the docs' gallery and the review page's
diff section draw the same tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kreg.inspect_tools.dense import threading_phrase
from kreg.inspect_tools.report_types import ComponentReport, MemoryReport, Report
from kreg.inspect_tools.shapes import format_shape
from kreg.rendering.formatting import (
    counted_at,
    dense_macs_cell,
    human_bytes,
    human_count,
    macs_line,
    uncounted_line,
)


@dataclass(frozen=True)
class Table:
    """A table of the text report.

    Attributes:
        title: str. Shown above the table.
        columns: list[str]. Column headers.
        rows: list[list[str]]. Cells, one list per row.
    """

    title: str
    columns: list[str]
    rows: list[list[str]]


def text_tables(report: Report) -> Iterator[Table]:
    """The tables of the readable report, component by component.

    For each component: a parameter summary, its compute and memory, the
    layer table and, when it has any, the threaded-Dense table.
    """
    for name, component in report.components.items():
        yield summary_table(name, component)
        yield Table(f"{name}: compute and memory", ["quantity", "value"], compute_fields(component))
        yield layer_table(name, component)
        if component.dense:
            yield dense_table(name, component)


def summary_table(name: str, component: ComponentReport) -> Table:
    """Total, trainable and non-trainable parameters, and the note when the component could not be traced."""
    params = component.params
    rows = [
        ["total", f"{params.total:,}"],
        ["trainable", f"{params.trainable:,}"],
        ["non-trainable", f"{params.non_trainable:,}"],
    ]
    if component.note:
        rows.append(["note", component.note])
    return Table(f"{name} ({component.model_class})", ["parameters", "count"], rows)


def compute_fields(component: ComponentReport) -> list[list[str]]:
    """Rows of the compute-and-memory table of one component."""
    compute, memory = component.compute, component.memory
    rows = [["MACs per example", macs_line(compute)], ["input shapes", counted_at(compute)]]
    total = sum(compute.by_class.values())
    if total:
        parts = [f"{name} {human_count(macs)} ({100 * macs / total:.1f} %)" for name, macs in compute.by_class.items()]
        rows.append(["MACs by class", ", ".join(parts)])
    if compute.training_step_macs is not None and compute.backward_macs is not None:
        rows.append(["training step MACs", training_step_line(compute.training_step_macs, compute.backward_macs)])
    if compute.uncounted:
        rows.append(["not counted (not MACs)", uncounted_line(compute)])
    rows += memory_fields(memory)
    if compute.note:
        rows.append(["note", compute.note])
    if memory.training is not None:
        rows.append(training_field(memory))
    return rows


def training_step_line(training_step_macs: int, backward_macs: int) -> str:
    """``78.6 M per example (backward 52.2 M)``: forward and backward of one training step."""
    return f"{human_count(training_step_macs)} per example (backward {human_count(backward_macs)})"


def memory_fields(memory: MemoryReport) -> list[list[str]]:
    """Parameter bytes (by dtype) and activation bytes per example."""
    by_dtype = ", ".join(f"{dtype} {human_bytes(size)}" for dtype, size in memory.parameter_bytes_by_dtype.items())
    activations = memory.activation_bytes_per_example
    return [
        ["parameters", human_bytes(memory.parameter_bytes) + (f" ({by_dtype})" if by_dtype else "")],
        [
            "activations per example",
            "unknown (input sizes unknown)" if activations is None else human_bytes(activations),
        ],
    ]


def training_field(memory: MemoryReport) -> list[str]:
    """``training, batch 32``: the estimate's total and its parts (a component that has one)."""
    training = memory.training
    if training is None:
        return []
    parts = (
        f"parameters {human_bytes(training.parameters)} + gradients {human_bytes(training.gradients)} + "
        f"optimizer {human_bytes(training.optimizer_state)} + activations {human_bytes(training.activations)}"
    )
    return [f"training, batch {training.batch_size}", f"{human_bytes(training.total)} = {parts}"]


def layer_table(name: str, component: ComponentReport) -> Table:
    """One row per traced layer call: path, class, shapes, params, MACs (per position when sizes are unknown)."""
    per_position = component.compute.per_position
    rows = []
    for row in component.layers:
        macs = row.macs_per_position if per_position else row.macs
        cells = [row.path, row.layer_class, format_shape(row.input_shape), format_shape(row.output_shape)]
        rows.append([*cells, f"{row.params:,}", "-" if macs is None else f"{macs:,}"])
    return Table(
        f"{name}: layers (traced calls, also inside custom layers)",
        ["path", "class", "input", "output", "params", "MACs per position" if per_position else "MACs"],
        rows,
    )


def dense_table(name: str, component: ComponentReport) -> Table:
    """Every Dense call: shapes, params, MACs and what it threads over."""
    rows = [
        [
            entry.path,
            f"{format_shape(entry.input_shape)} -> {format_shape(entry.output_shape)}",
            f"{entry.params:,}",
            dense_macs_cell(entry, component),
            threading_phrase(entry),
        ]
        for entry in component.dense
    ]
    columns = ["path", "input -> output", "params", "MACs", "what it does (MACs per example)"]
    return Table(f"{name}: Dense layers and what they thread over", columns, rows)
