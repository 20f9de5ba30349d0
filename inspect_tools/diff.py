"""Comparing two inspection reports: two architectures, or two configurations of one.

The input is two ``kreg inspect --json`` objects (from
:func:`~kreg.inspect_tools.report.architecture_report`); the comparison is made
on that data, so ``kreg diff`` reports exactly what ``kreg inspect`` shows.
Components are paired by name, layer calls and Dense calls by path (the
second call of a shared layer is paired with the other side's second call).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kreg.inspect_tools.report import Table
from kreg.inspect_tools.shapes import format_shape

LAYER_FIELDS = ("class", "input_shape", "output_shape", "params")
"""Fields of a layer row that are compared."""

DENSE_FIELDS = ("input_shape", "output_shape", "kernel_shape", "threaded_over", "params", "macs")
"""Fields of a Dense record that are compared."""

SHAPE_FIELDS = ("input_shape", "output_shape")

_MISSING = object()


@dataclass(frozen=True)
class Side:
    """One side of a comparison.

    Attributes:
        architecture: str. The architecture's name.
        hyperparameters: dict[str, Any]. The values it was built with.
        preset: str or None. The preset it started from.
    """

    architecture: str
    hyperparameters: dict[str, Any]
    preset: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"architecture", "preset", "hyperparameters"}``."""
        return {"architecture": self.architecture, "preset": self.preset, "hyperparameters": dict(self.hyperparameters)}


@dataclass(frozen=True)
class ValueChange:
    """A hyperparameter whose value differs (or that only one side has).

    Attributes:
        key: str. The hyperparameter.
        left: Any. Its value on the left; absent when ``in_left`` is False.
        right: Any. Its value on the right; absent when ``in_right`` is False.
        in_left: bool. The left architecture has this hyperparameter.
        in_right: bool. The right architecture has it.
    """

    key: str
    left: Any = None
    right: Any = None
    in_left: bool = True
    in_right: bool = True

    def to_json(self) -> dict[str, Any]:
        """``{"key", "left", "right"}``, leaving out the side that lacks the key."""
        record: dict[str, Any] = {"key": self.key}
        if self.in_left:
            record["left"] = self.left
        if self.in_right:
            record["right"] = self.right
        return record


@dataclass(frozen=True)
class RowChange:
    """A layer call or Dense call that was added, removed or changed.

    Attributes:
        path: str. Its path (``encoder/dense``); the n-th call of a shared
            layer gets `` [call n]`` after it.
        status: str. ``"added"`` (right only), ``"removed"`` (left only) or ``"changed"``.
        fields: tuple[str, ...]. The fields that differ (empty unless changed).
        left: dict or None. The left row or Dense record.
        right: dict or None. The right one.
    """

    path: str
    status: str
    fields: tuple[str, ...]
    left: dict[str, Any] | None
    right: dict[str, Any] | None

    @property
    def shapes_changed(self) -> bool:
        """True when a changed row's input or output shape differs."""
        return any(name in self.fields for name in SHAPE_FIELDS)

    @property
    def threading_changed(self) -> bool:
        """True when a changed Dense call threads over different dimensions."""
        return "threaded_over" in self.fields

    def to_json(self) -> dict[str, Any]:
        """``{"path", "status", "fields", "left", "right"}``."""
        return {
            "path": self.path,
            "status": self.status,
            "fields": list(self.fields),
            "left": self.left,
            "right": self.right,
        }


@dataclass(frozen=True)
class ComponentDiff:
    """The comparison of one component (``model``, ``encoder``...).

    Attributes:
        name: str. The component's name.
        status: str. ``"added"``, ``"removed"``, ``"changed"`` or ``"unchanged"``.
        left_class: str or None. Its class on the left (None when added).
        right_class: str or None. Its class on the right (None when removed).
        left_params: dict or None. ``{"total", "trainable", "non_trainable"}`` on the left.
        right_params: dict or None. The same on the right.
        layers: list[RowChange]. Layer calls that differ, in the order of the
            left's table, then those only the right has.
        dense: list[RowChange]. Dense calls that differ, in the same order.
    """

    name: str
    status: str
    left_class: str | None
    right_class: str | None
    left_params: dict[str, int] | None
    right_params: dict[str, int] | None
    layers: list[RowChange] = field(default_factory=list)
    dense: list[RowChange] = field(default_factory=list)

    @property
    def params_delta(self) -> dict[str, int] | None:
        """Right minus left for each count, or None when one side lacks the component."""
        if self.left_params is None or self.right_params is None:
            return None
        return {key: self.right_params[key] - self.left_params[key] for key in self.left_params}

    @property
    def param_changes(self) -> list[RowChange]:
        """Layer calls added, removed, or whose class or parameter count differs."""
        return [change for change in self.layers if change.status != "changed" or {"class", "params"} & set(change.fields)]

    @property
    def shape_changes(self) -> list[RowChange]:
        """Layer calls present on both sides whose shapes differ."""
        return [change for change in self.layers if change.status == "changed" and change.shapes_changed]

    @property
    def threading_changes(self) -> list[RowChange]:
        """Dense calls present on both sides that thread over different dimensions."""
        return [change for change in self.dense if change.status == "changed" and change.threading_changed]

    def to_json(self) -> dict[str, Any]:
        """The component's entry in ``kreg diff --json``."""
        return {
            "status": self.status,
            "class": {"left": self.left_class, "right": self.right_class},
            "params": {"left": self.left_params, "right": self.right_params, "delta": self.params_delta},
            "layers": [change.to_json() for change in self.layers],
            "shapes_changed": [change.path for change in self.shape_changes],
            "dense": [change.to_json() for change in self.dense],
            "threading_changed": [change.path for change in self.threading_changes],
        }


@dataclass(frozen=True)
class ArchitectureDiff:
    """The comparison of two inspection reports.

    Attributes:
        left: Side. What is compared.
        right: Side. What it is compared against.
        hyperparameters: list[ValueChange]. Hyperparameters that differ.
        components: list[ComponentDiff]. Every component of either side.
    """

    left: Side
    right: Side
    hyperparameters: list[ValueChange]
    components: list[ComponentDiff]

    @property
    def identical(self) -> bool:
        """True when no component differs in counts, layers or Dense calls."""
        return all(component.status == "unchanged" for component in self.components)

    def to_json(self) -> dict[str, Any]:
        """The ``kreg diff --json`` object."""
        return {
            "left": self.left.to_json(),
            "right": self.right.to_json(),
            "identical": self.identical,
            "hyperparameters": [change.to_json() for change in self.hyperparameters],
            "components": {component.name: component.to_json() for component in self.components},
        }


def diff_reports(left: Mapping[str, Any], right: Mapping[str, Any], presets: tuple[str | None, str | None] = (None, None)) -> ArchitectureDiff:
    """Compare two ``kreg inspect --json`` objects.

    Args:
        left: Mapping. The report compared (``architecture``, ``hyperparameters``, ``components``).
        right: Mapping. The report it is compared against.
        presets: tuple. The preset each side started from, for the record.

    Returns:
        ArchitectureDiff. Hyperparameters that differ, and per component its
        parameter counts and the layer and Dense calls that were added,
        removed or changed.
    """
    left_side = Side(left["architecture"], dict(left["hyperparameters"]), presets[0])
    right_side = Side(right["architecture"], dict(right["hyperparameters"]), presets[1])
    names = list(dict.fromkeys([*left["components"], *right["components"]]))
    components = [diff_component(name, left["components"].get(name), right["components"].get(name)) for name in names]
    return ArchitectureDiff(left_side, right_side, diff_values(left_side.hyperparameters, right_side.hyperparameters), components)


def diff_values(left: Mapping[str, Any], right: Mapping[str, Any]) -> list[ValueChange]:
    """The keys whose values differ, or that only one mapping has, in the left's order."""
    changes = []
    for key in dict.fromkeys([*left, *right]):
        old, new = left.get(key, _MISSING), right.get(key, _MISSING)
        if old is _MISSING:
            changes.append(ValueChange(key, right=new, in_left=False))
        elif new is _MISSING:
            changes.append(ValueChange(key, left=old, in_right=False))
        elif old != new:
            changes.append(ValueChange(key, left=old, right=new))
    return changes


def diff_component(name: str, left: Mapping[str, Any] | None, right: Mapping[str, Any] | None) -> ComponentDiff:
    """Compare one component's report on both sides (None where a side lacks it)."""
    layers = diff_rows(_rows(left, "layers"), _rows(right, "layers"), LAYER_FIELDS)
    dense = diff_rows(_rows(left, "dense"), _rows(right, "dense"), DENSE_FIELDS)
    if left is None or right is None:
        status = "added" if left is None else "removed"
    elif layers or dense or left["params"] != right["params"] or left["class"] != right["class"]:
        status = "changed"
    else:
        status = "unchanged"
    return ComponentDiff(
        name=name,
        status=status,
        left_class=left["class"] if left else None,
        right_class=right["class"] if right else None,
        left_params=dict(left["params"]) if left else None,
        right_params=dict(right["params"]) if right else None,
        layers=layers,
        dense=dense,
    )


def _rows(component: Mapping[str, Any] | None, key: str) -> list[dict[str, Any]]:
    return list(component[key]) if component else []


def diff_rows(left: Sequence[Mapping[str, Any]], right: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> list[RowChange]:
    """Pair rows by path and list those added, removed or with differing ``fields``.

    Args:
        left: Sequence[Mapping]. Rows with a ``path`` (layer rows or Dense records).
        right: Sequence[Mapping]. The other side's rows.
        fields: Sequence[str]. The fields compared.

    Returns:
        list[RowChange]. Changed and removed rows in the left's order, then
        added rows in the right's order.
    """
    left_keyed, right_keyed = _keyed(left), _keyed(right)
    changes = []
    for path, old in left_keyed.items():
        new = right_keyed.get(path)
        if new is None:
            changes.append(RowChange(path, "removed", (), dict(old), None))
            continue
        differing = tuple(name for name in fields if old.get(name) != new.get(name))
        if differing:
            changes.append(RowChange(path, "changed", differing, dict(old), dict(new)))
    changes += [RowChange(path, "added", (), None, dict(new)) for path, new in right_keyed.items() if path not in left_keyed]
    return changes


def _keyed(rows: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Rows by path; a path seen again (a shared layer's next call) becomes ``path [call n]``."""
    keyed: dict[str, Mapping[str, Any]] = {}
    seen: dict[str, int] = {}
    for row in rows:
        count = seen[row["path"]] = seen.get(row["path"], 0) + 1
        keyed[row["path"] if count == 1 else f"{row['path']} [call {count}]"] = row
    return keyed


# The text report -----------------------------------------------------------------


def diff_tables(diff: ArchitectureDiff) -> list[Table]:
    """The tables ``kreg diff`` prints: hyperparameters, parameters per component,
    then per component the layers whose parameters changed (or that were added
    or removed), the shapes that changed and the Dense calls that changed."""
    tables = []
    if diff.hyperparameters:
        tables.append(_hyperparameter_table(diff.hyperparameters))
    tables.append(_component_table(diff.components))
    for component in diff.components:
        if component.param_changes:
            tables.append(_layer_table(component))
        if component.shape_changes:
            tables.append(_shape_table(component))
        if component.dense:
            tables.append(_dense_table(component))
    return tables


def side_label(side: Side) -> str:
    """``name`` or ``name (preset smoke)``, as the text report names a side."""
    return side.architecture + (f" (preset {side.preset})" if side.preset else "")


def _hyperparameter_table(changes: list[ValueChange]) -> Table:
    rows = [[change.key, _value(change.left, change.in_left), _value(change.right, change.in_right)] for change in changes]
    return Table("hyperparameters that differ", ["key", "left", "right"], rows)


def _component_table(components: list[ComponentDiff]) -> Table:
    rows = []
    for component in components:
        left, right, delta = component.left_params, component.right_params, component.params_delta
        rows.append(
            [
                component.name,
                component.status,
                _count(left, "total"),
                _count(right, "total"),
                _signed(delta["total"]) if delta and delta["total"] else "",
                _pair(component.status, _count(left, "trainable"), _count(right, "trainable")),
                _pair(component.status, _count(left, "non_trainable"), _count(right, "non_trainable")),
            ]
        )
    columns = ["component", "status", "left params", "right params", "delta", "trainable", "non-trainable"]
    return Table("parameters per component", columns, rows)


def _layer_table(component: ComponentDiff) -> Table:
    rows = []
    for change in component.param_changes:
        old, new = change.left or {}, change.right or {}
        delta = (new.get("params") or 0) - (old.get("params") or 0)
        rows.append(
            [
                change.path,
                change.status,
                _pair(change.status, old.get("class", ""), new.get("class", "")),
                _pair(change.status, _params(old), _params(new)),
                _signed(delta) if delta else "",
            ]
        )
    return Table(f"{component.name}: parameters per layer", ["path", "status", "class", "params", "delta"], rows)


def _shape_table(component: ComponentDiff) -> Table:
    rows = [
        [
            change.path,
            _pair(change.status, format_shape(change.left["input_shape"]), format_shape(change.right["input_shape"])),
            _pair(change.status, format_shape(change.left["output_shape"]), format_shape(change.right["output_shape"])),
        ]
        for change in component.shape_changes
    ]
    return Table(f"{component.name}: shapes that changed", ["path", "input", "output"], rows)


def _dense_table(component: ComponentDiff) -> Table:
    rows = []
    for change in component.dense:
        old, new = change.left or {}, change.right or {}
        status = change.status
        threading = ("changed" if change.threading_changed else "same") if status == "changed" else status
        rows.append(
            [
                change.path,
                threading,
                _pair(status, _threaded(old), _threaded(new)),
                _pair(status, _shape(old, "kernel_shape"), _shape(new, "kernel_shape")),
                _pair(status, _macs(old), _macs(new)),
                _pair(status, _params(old), _params(new)),
            ]
        )
    columns = ["path", "threading", "threaded over", "kernel", "MACs", "params"]
    return Table(f"{component.name}: Dense calls added, removed or changed", columns, rows)


def _pair(status: str, old: str, new: str) -> str:
    """The right's value for an added row, the left's for a removed one, else ``old -> new`` (one value when equal)."""
    if status == "added":
        return new
    if status == "removed" or old == new:
        return old
    return f"{old} -> {new}"


def _value(value: Any, present: bool) -> str:
    return json.dumps(value) if present else "(none)"


def _count(params: Mapping[str, int] | None, key: str) -> str:
    return f"{params[key]:,}" if params else ""


def _params(row: Mapping[str, Any]) -> str:
    return f"{row['params']:,}" if "params" in row else ""


def _macs(row: Mapping[str, Any]) -> str:
    if not row:
        return ""
    return "?" if row["macs"] is None else f"{row['macs']:,}"


def _shape(row: Mapping[str, Any], key: str) -> str:
    return format_shape(row[key]) if row else ""


def _threaded(row: Mapping[str, Any]) -> str:
    if not row:
        return ""
    threaded = row["threaded_over"]
    if threaded is None:
        return "?"
    return "[" + ", ".join("?" if size is None else str(size) for size in threaded) + "]" if threaded else "nothing"


def _signed(number: int) -> str:
    return f"{number:+,}"
