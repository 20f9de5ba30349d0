"""The tables ``kreg diff`` prints, from an :class:`~kreg.inspect_tools.diff.ArchitectureDiff`.

The order follows how a reviewer reads a change: the hyperparameters that
differ, the totals of each component, the repeated blocks removed, added or
changed, then every layer call and Dense call that differs (the detail under
the blocks, each row with its group's number).
"""

from __future__ import annotations

import json

from kreg.inspect_tools.counted_shapes import PINNED_MARK, mark_pinned, pinned_size
from kreg.inspect_tools.diff import ArchitectureDiff, ComponentDiff, RowChange, ValueChange
from kreg.inspect_tools.diff_groups import Group
from kreg.inspect_tools.report_types import DenseEntry, JsonValue, LayerRow, ParamCounts, ShapeNest
from kreg.inspect_tools.shapes import format_shape
from kreg.rendering.formatting import number, signed_or_blank
from kreg.rendering.tables import Table

FIGURE_NAMES = {
    "macs": "MACs per example",
    "parameter_bytes": "parameter bytes",
    "activation_bytes_per_example": "activation bytes per example",
    "training_bytes": "training bytes",
}


def diff_tables(diff: ArchitectureDiff) -> list[Table]:
    """Every table of the text report, in reading order (tables with no rows are left out)."""
    tables = []
    if diff.hyperparameters:
        tables.append(hyperparameter_table(diff.hyperparameters))
    tables.append(component_table(diff.components))
    totals = totals_table(diff.components)
    if totals.rows:
        tables.append(totals)
    for component in diff.components:
        if component.groups:
            tables.append(group_table(component))
        if component.differences:
            tables.append(layer_table(component))
        if component.dense_differences:
            tables.append(dense_table(component))
    return tables


def hyperparameter_table(changes: list[ValueChange]) -> Table:
    """Keys whose values differ: key, left, right (``(none)`` where a side lacks the key)."""
    rows = [
        [change.key, _value(change.left, change.in_left), _value(change.right, change.in_right)] for change in changes
    ]
    return Table("hyperparameters that differ", ["key", "left", "right"], rows)


def component_table(components: list[ComponentDiff]) -> Table:
    """Parameter counts per component, with the delta."""
    rows = []
    for component in components:
        left, right, delta = _counts(component.left_params), _counts(component.right_params), component.params_delta
        rows.append(
            [
                component.name,
                component.status,
                left[0],
                right[0],
                signed_or_blank(delta.total if delta else None),
                pair(component.status, left[1], right[1]),
                pair(component.status, left[2], right[2]),
            ]
        )
    columns = ["component", "status", "left params", "right params", "delta", "trainable", "non-trainable"]
    return Table("parameters per component", columns, rows)


def totals_table(components: list[ComponentDiff]) -> Table:
    """MACs and memory per component where the reports carry them."""
    rows = []
    for component in components:
        for figures in component.totals.values():
            for key, figure in figures.items():
                if not figure.known:
                    continue
                cells = [component.name, FIGURE_NAMES.get(key, key), number(figure.left), number(figure.right)]
                rows.append([*cells, signed_or_blank(figure.delta)])
    return Table("compute and memory per component", ["component", "figure", "left", "right", "delta"], rows)


def group_table(component: ComponentDiff) -> Table:
    """The repeated blocks removed, added or changed in one component."""
    with_macs = any(group.macs is not None for group in component.groups)
    rows = []
    for group in component.groups:
        figures = [f"{group.calls:,}", signed_or_blank(group.params)] + (
            [signed_or_blank(group.macs)] if with_macs else []
        )
        rows.append(
            [str(group.id), group_phrase(group), *figures, f"{group.first} .. {group.last}", ", ".join(group.classes)]
        )
    columns = [
        "group",
        "what",
        "calls",
        "params",
        *(["MACs"] if with_macs else []),
        "calls from .. to",
        "unit (top-level layers)",
    ]
    return Table(f"{component.name}: repeated blocks", columns, rows)


def group_phrase(group: Group) -> str:
    """``2 x block of 9 layers removed (repeated 4 -> 2 times)``."""
    left, right = group.repeats
    return f"{group.headline} (repeated {left} \u2192 {right} times)"


def layer_table(component: ComponentDiff) -> Table:
    """Every layer call added, removed or changed, with what changed."""
    rows = [
        [
            _group(change),
            change.status,
            row_path(change),
            change.either.layer_class,
            what_changed(change),
            signed_or_blank(_params_delta(change)),
        ]
        for change in component.differences
    ]
    return Table(
        f"{component.name}: layer calls that differ",
        ["group", "status", "path", "class", "what changed", "params"],
        rows,
    )


def dense_table(component: ComponentDiff) -> Table:
    """Every Dense call added, removed or changed: threading, kernel, MACs and parameters.

    Sizes and MACs are those compute was counted at, as in ``kreg inspect``'s
    Dense table: a size the model leaves unknown shows the counted size
    marked ``*``, and a Dense call with no MACs of its own at unknown sizes
    shows its layer row's count.
    """
    rows = []
    left_rows = {change.left.path: change.left for change in component.layers if change.left is not None}
    right_rows = {change.right.path: change.right for change in component.layers if change.right is not None}
    for change in component.dense_differences:
        old, new = change.left, change.right
        status = change.status
        threading = ("changed" if change.threading_changed else "same") if status == "changed" else status
        rows.append(
            [
                _group(change),
                row_path(change),
                threading,
                pair(status, _threaded(old), _threaded(new)),
                pair(status, _kernel(old), _kernel(new)),
                pair(status, _macs(old, left_rows), _macs(new, right_rows)),
                pair(status, _params(old), _params(new)),
            ]
        )
    columns = ["group", "path", "threading", "threaded over", "kernel", "MACs", "params"]
    pinned = any(
        entry is not None and entry.counted for change in component.dense for entry in (change.left, change.right)
    )
    title = f"{component.name}: Dense calls added, removed or changed"
    return Table(
        title + (f"; sizes as counted, {PINNED_MARK} a size the model leaves unknown" if pinned else ""), columns, rows
    )


def row_path(change: RowChange[LayerRow] | RowChange[DenseEntry]) -> str:
    """The path, or ``left -> right`` when the two sides call the layer differently."""
    right = change.right_path
    if change.left is None or right is None or right == change.path:
        return change.path
    return f"{change.path} \u2192 {right}"


def what_changed(change: RowChange[LayerRow]) -> str:
    """``input (None, 100, 20) -> (None, 50, 20); params 303 -> 153`` for a changed row, else empty."""
    old, new = change.left, change.right
    if change.status != "changed" or old is None or new is None:
        return ""
    parts = []
    if "input_shape" in change.fields:
        parts.append(
            f"input {_counted(old.input_shape, old.counted_input_shape)} -> "
            f"{_counted(new.input_shape, new.counted_input_shape)}"
        )
    if "output_shape" in change.fields:
        parts.append(
            f"output {_counted(old.output_shape, old.counted_output_shape)} -> "
            f"{_counted(new.output_shape, new.counted_output_shape)}"
        )
    if "params" in change.fields:
        parts.append(f"params {number(old.params)} -> {number(new.params)}")
    if "macs" in change.fields:
        parts.append(f"MACs {number(old.macs)} -> {number(new.macs)}")
    return "; ".join(parts)


def pair(status: str, old: str, new: str) -> str:
    """The right's value for an added row, the left's for a removed one, else ``old -> new`` (one value when equal)."""
    if status == "added":
        return new
    if status == "removed" or old == new:
        return old
    return f"{old} -> {new}"


def _group(change: RowChange[LayerRow] | RowChange[DenseEntry]) -> str:
    return "" if change.group is None else str(change.group)


def _params_delta(change: RowChange[LayerRow]) -> int | None:
    old, new = change.left, change.right
    if new is None:
        return None if old is None else -old.params
    if old is None:
        return new.params
    return new.params - old.params


def _value(value: JsonValue, present: bool) -> str:
    return json.dumps(value) if present else "(none)"


def _counts(params: ParamCounts | None) -> tuple[str, str, str]:
    """Total, trainable and non-trainable, as text; empty where a side lacks the component."""
    if params is None:
        return "", "", ""
    return f"{params.total:,}", f"{params.trainable:,}", f"{params.non_trainable:,}"


def _params(entry: DenseEntry | None) -> str:
    return "" if entry is None else f"{entry.params:,}"


def _macs(entry: DenseEntry | None, rows: dict[str, LayerRow]) -> str:
    """The Dense call's MACs; where it has none at unknown sizes, its layer row's at the counted ones."""
    if entry is None:
        return ""
    row = rows.get(entry.path)
    if entry.macs is None and row is not None and row.macs is not None:
        return number(row.macs)
    return number(entry.macs)


def _kernel(entry: DenseEntry | None) -> str:
    return "" if entry is None else format_shape(entry.kernel_shape)


def _threaded(entry: DenseEntry | None) -> str:
    if entry is None:
        return ""
    own, counted = entry.threaded_over, entry.at_counted_sizes().threaded_over
    if counted is None:
        return "?"
    if not counted:
        return "nothing"
    sizes = [
        "?" if theirs is None else pinned_size(mine, theirs)
        for mine, theirs in zip(own or [None] * len(counted), counted)
    ]
    return "[" + ", ".join(sizes) + "]"


def _counted(own: ShapeNest, counted: ShapeNest) -> str:
    """A row's shape as counted (sizes the model leaves unknown marked), else its own."""
    return format_shape(own) if counted is None else mark_pinned(own, counted)
