"""The tables of ``kreg inspect``: for each component its parameters, compute and memory, layers and Dense calls.

A :class:`Table` is a title, column headers and rows of text cells; the
terminal (:mod:`kreg.rendering.text`), the docs' gallery and the review page's
diff section draw the same tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kreg.inspect_tools.counted_shapes import PINNED_MARK, mark_pinned
from kreg.inspect_tools.dense import threading_phrase
from kreg.inspect_tools.layer_attributes import compact_attributes
from kreg.inspect_tools.report_types import (
    ComponentReport,
    DenseEntry,
    LayerRow,
    MemoryReport,
    RepeatedBlock,
    Report,
)
from kreg.inspect_tools.shapes import format_shape
from kreg.rendering.formatting import (
    activation_line,
    counted_at,
    dense_macs_cell,
    flops_line,
    human_bytes,
    human_count,
    macs_line,
    receptive_field_cell,
    uncounted_line,
)
from kreg.terminal import Column


@dataclass(frozen=True)
class Table:
    """A table of the text report.

    Attributes:
        title: str. Shown above the table.
        columns: list[str | Column]. Column headers (a Column for one the terminal may drop).
        rows: list[list[str]]. Cells, one list per row.
    """

    title: str
    columns: Sequence[str | Column]
    rows: list[list[str]]

    @property
    def headers(self) -> list[str]:
        """The column headers as text."""
        return [column.header if isinstance(column, Column) else column for column in self.columns]


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
    if compute.count == "all":
        rows.append(["FLOPs per example", flops_line(compute)])
    if compute.activation_count:
        rows.append(["activation count", activation_line(compute.activation_count)])
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
    """One row per traced layer call: path, class, shapes, params, MACs (per position when sizes are unknown).

    Repeated blocks (``component.repeats``) are one row each, ``block x N``
    with their summed params and MACs. A model with convolutions has a
    receptive-field column (``212 /32``: size and effective stride). The
    attributes column (``3x3/2 valid, 64``) is the first dropped when the
    table does not fit the width, the receptive field the next.
    """
    per_position = component.compute.per_position
    fields = _has_receptive_fields(component)
    blocks = {block.first: block for block in component.repeats or ()}
    paths = [row.path for row in component.layers]
    rows = []
    index = 0
    while index < len(component.layers):
        row = component.layers[index]
        block = blocks.get(row.path)
        if block is not None:
            end = paths.index(block.last, index)
            folded = _folded_row(block, row, component.layers[end])
            field = [receptive_field_cell(component.layers[end].receptive_field)] if fields else []
            rows.append([*folded[:-1], *field, folded[-1]])
            index = end + 1
            continue
        macs = row.macs_per_position if per_position else row.macs
        cells = [row.path, row.layer_class, *shown_shapes(row), f"{row.params:,}", _count(macs)]
        field = [receptive_field_cell(row.receptive_field)] if fields else []
        rows.append([*cells, *field, compact_attributes(row.attributes)])
        index += 1
    macs_header = "MACs per position" if per_position else "MACs"
    pinned = any(row.counted_input_shape is not None for row in component.layers)
    return Table(
        f"{name}: layers (traced calls, also inside custom layers)"
        + (f"; shapes as counted, {PINNED_MARK} a size the model leaves unknown" if pinned else ""),
        [
            "path",
            "class",
            "input",
            "output",
            "params",
            macs_header,
            *([Column("RF /stride", optional=True)] if fields else []),
            Column("attributes", optional=True),
        ],
        rows,
    )


def _has_receptive_fields(component: ComponentReport) -> bool:
    """A model with convolutions or pooling: some row has a receptive field."""
    return any(row.receptive_field is not None for row in component.layers)


def shown_shapes(row: LayerRow) -> tuple[str, str]:
    """The input and output shapes a row's MACs were counted at, sizes the model leaves unknown marked ``*``."""
    if row.counted_input_shape is None and row.counted_output_shape is None:
        return format_shape(row.input_shape), format_shape(row.output_shape)
    return (
        mark_pinned(row.input_shape, row.counted_input_shape),
        mark_pinned(row.output_shape, row.counted_output_shape),
    )


def dense_shapes(entry: DenseEntry) -> tuple[str, str]:
    """A Dense call's input and output shapes as :func:`shown_shapes` shows a row's: at the counted sizes, marked."""
    if not entry.counted:
        return format_shape(entry.input_shape), format_shape(entry.output_shape)
    return (
        mark_pinned(entry.input_shape, entry.counted_input_shape),
        mark_pinned(entry.output_shape, entry.counted_output_shape),
    )


def _folded_row(block: RepeatedBlock, first: LayerRow, last: LayerRow) -> list[str]:
    """The row of a repeated block: ``conv2_block1..3 | block x 3 | ...`` with its summed figures."""
    cells = [block.label, f"block x {block.count}", shown_shapes(first)[0], shown_shapes(last)[1]]
    return [*cells, f"{block.params:,}", _count(block.mac_count), ""]


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def dense_table(name: str, component: ComponentReport) -> Table:
    """Every Dense call: shapes (at the sizes compute was counted at, as the layer rows), params, MACs and what it
    threads over."""
    rows = [
        [
            entry.path,
            " -> ".join(dense_shapes(entry)),
            f"{entry.params:,}",
            dense_macs_cell(entry, component),
            threading_phrase(entry.at_counted_sizes()),
        ]
        for entry in component.dense
    ]
    columns = ["path", "input -> output", "params", "MACs", "what it does (MACs per example)"]
    pinned = any(entry.counted for entry in component.dense)
    title = f"{name}: Dense layers and what they thread over"
    return Table(
        title + (f"; shapes as counted, {PINNED_MARK} a size the model leaves unknown" if pinned else ""), columns, rows
    )
