"""Comparing two inspection reports: two architectures, two configurations of one, or a saved model.

The input is two inspection reports (from
:func:`~kreg.inspect_tools.report.architecture_report`); the comparison is a
pure function of them, so ``kreg diff`` reports exactly what ``kreg
inspect`` shows. Components are paired by name. Layer calls are paired by
their place in the graph (:mod:`~kreg.inspect_tools.alignment`), never by the
names Keras made up, and Dense calls follow the layer calls they belong to.
Repeated blocks that were removed, added or changed are grouped
(:mod:`~kreg.inspect_tools.diff_groups`). The text tables are in
:mod:`kreg.rendering.diff_tables`; ``to_json()`` is ``kreg diff --json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from kreg.inspect_tools.alignment import Pair, align_features, call_features
from kreg.inspect_tools.diff_groups import Group, group_pairs
from kreg.inspect_tools.report_types import (
    ComponentReport,
    DenseEntry,
    JsonObject,
    JsonValue,
    LayerRow,
    ParamCounts,
    Report,
)

LAYER_FIELDS = ("class", "input_shape", "output_shape", "params", "macs")
"""Fields of a layer row that are compared, by their JSON names."""

DENSE_FIELDS = ("input_shape", "output_shape", "kernel_shape", "threaded_over", "params", "macs")
"""Fields of a Dense record that are compared."""

SHAPE_FIELDS = ("input_shape", "output_shape")

TOTALS: dict[str, dict[str, Callable[[ComponentReport], int | None]]] = {
    "compute": {"macs": lambda component: component.compute.macs},
    "memory": {
        "parameter_bytes": lambda component: component.memory.parameter_bytes,
        "activation_bytes_per_example": lambda component: component.memory.activation_bytes_per_example,
        "training_bytes": lambda component: component.memory.training_bytes,
    },
}
"""Per-component figures compared, by section and JSON name (``kreg inspect``'s compute and memory)."""

Row = TypeVar("Row", LayerRow, DenseEntry)
"""A layer row or a Dense record: what a :class:`RowChange` compares."""

_MISSING = object()


@dataclass(frozen=True)
class Side:
    """One side of a comparison.

    Attributes:
        architecture: str or None. The architecture's name (None for a saved model file).
        hyperparameters: Mapping[str, JsonValue]. The values it was built with (empty for a file).
        preset: str or None. The preset it started from.
        file: str or None. The ``.keras`` file it was loaded from.
    """

    architecture: str | None
    hyperparameters: Mapping[str, JsonValue]
    preset: str | None = None
    file: str | None = None

    @property
    def label(self) -> str:
        """``name``, ``name (preset smoke)`` or ``file model.keras``: how the reports name a side."""
        if self.file is not None:
            return f"file {self.file}"
        return f"{self.architecture}" + (f" (preset {self.preset})" if self.preset else "")

    def to_json(self) -> JsonObject:
        """``{"architecture", "preset", "hyperparameters", "file"}``."""
        return {
            "architecture": self.architecture,
            "preset": self.preset,
            "hyperparameters": dict(self.hyperparameters),
            "file": self.file,
        }


@dataclass(frozen=True)
class ValueChange:
    """A hyperparameter whose value differs (or that only one side has).

    Attributes:
        key: str. The hyperparameter.
        left: JsonValue. Its value on the left; absent when ``in_left`` is False.
        right: JsonValue. Its value on the right; absent when ``in_right`` is False.
        in_left: bool. The left architecture has this hyperparameter.
        in_right: bool. The right architecture has it.
    """

    key: str
    left: JsonValue = None
    right: JsonValue = None
    in_left: bool = True
    in_right: bool = True

    def to_json(self) -> JsonObject:
        """``{"key", "left", "right"}``, leaving out the side that lacks the key."""
        record: JsonObject = {"key": self.key}
        if self.in_left:
            record["left"] = self.left
        if self.in_right:
            record["right"] = self.right
        return record


@dataclass(frozen=True)
class RowChange(Generic[Row]):
    """A layer call or Dense call and how it compares with its partner.

    Attributes:
        path: str. Its path on the left (on the right when added).
        status: str. ``"same"``, ``"changed"``, ``"removed"`` (left only) or ``"added"`` (right only).
        fields: tuple[str, ...]. The JSON names of the fields that differ (empty unless changed).
        left: LayerRow or DenseEntry or None. The left row or Dense record.
        right: LayerRow or DenseEntry or None. The right one.
        group: int or None. The id of the group of repeated blocks it belongs to.
    """

    path: str
    status: str
    fields: tuple[str, ...]
    left: Row | None
    right: Row | None
    group: int | None = None

    @property
    def either(self) -> Row:
        """The left row, or the right one when the call was added."""
        row = self.left if self.left is not None else self.right
        assert row is not None, "a change has a row on at least one side"
        return row

    @property
    def right_path(self) -> str | None:
        """Its path on the right (None when removed)."""
        return None if self.right is None else self.right.path

    @property
    def shapes_changed(self) -> bool:
        """True when a changed row's input or output shape differs."""
        return any(name in self.fields for name in SHAPE_FIELDS)

    @property
    def threading_changed(self) -> bool:
        """True when a changed Dense call threads over different dimensions."""
        return "threaded_over" in self.fields

    def to_json(self) -> JsonObject:
        """``{"path", "status", "fields", "left", "right"}``, and ``group`` for a row in a group."""
        record: JsonObject = {
            "path": self.path,
            "status": self.status,
            "fields": list(self.fields),
            "left": None if self.left is None else self.left.to_json(),
            "right": None if self.right is None else self.right.to_json(),
        }
        if self.group is not None:
            record["group"] = self.group
        return record


@dataclass(frozen=True)
class FigureChange:
    """One figure of a component (its MACs, its parameter bytes ...) on both sides.

    Attributes:
        left: int or None. On the left; None where the left lacks it (not counted, or no such component).
        right: int or None. On the right.
    """

    left: int | None
    right: int | None

    @property
    def delta(self) -> int | None:
        """Right minus left; None unless both are known."""
        return None if self.left is None or self.right is None else self.right - self.left

    @property
    def known(self) -> bool:
        """True when either side has the figure."""
        return self.left is not None or self.right is not None

    def to_json(self) -> JsonObject:
        """``{"left", "right", "delta"}``."""
        return {"left": self.left, "right": self.right, "delta": self.delta}


@dataclass(frozen=True)
class ComponentDiff:
    """The comparison of one component (``model``, ``encoder``...).

    Attributes:
        name: str. The component's name.
        status: str. ``"added"``, ``"removed"``, ``"changed"`` or ``"unchanged"``.
        left_class: str or None. Its class on the left (None when added).
        right_class: str or None. Its class on the right (None when removed).
        left_params: ParamCounts or None. Its parameters on the left.
        right_params: ParamCounts or None. The same on the right.
        layers: list[RowChange[LayerRow]]. Every layer call of both sides, aligned, in order.
        dense: list[RowChange[DenseEntry]]. Every Dense call of both sides, in the same order.
        groups: list[Group]. Repeated blocks removed, added or changed.
        totals: dict[str, dict[str, FigureChange]]. By section and figure, as
            :data:`TOTALS` names them: ``totals["compute"]["macs"]``.
    """

    name: str
    status: str
    left_class: str | None
    right_class: str | None
    left_params: ParamCounts | None
    right_params: ParamCounts | None
    layers: list[RowChange[LayerRow]] = field(default_factory=list)
    dense: list[RowChange[DenseEntry]] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    totals: dict[str, dict[str, FigureChange]] = field(default_factory=dict)

    @property
    def params_delta(self) -> ParamCounts | None:
        """Right minus left for each count, or None when one side lacks the component."""
        if self.left_params is None or self.right_params is None:
            return None
        return self.right_params.minus(self.left_params)

    @property
    def differences(self) -> list[RowChange[LayerRow]]:
        """Layer calls added, removed or changed."""
        return [change for change in self.layers if change.status != "same"]

    @property
    def dense_differences(self) -> list[RowChange[DenseEntry]]:
        """Dense calls added, removed or changed."""
        return [change for change in self.dense if change.status != "same"]

    @property
    def shape_changes(self) -> list[RowChange[LayerRow]]:
        """Layer calls present on both sides whose shapes differ."""
        return [change for change in self.layers if change.status == "changed" and change.shapes_changed]

    @property
    def threading_changes(self) -> list[RowChange[DenseEntry]]:
        """Dense calls present on both sides that thread over different dimensions."""
        return [change for change in self.dense if change.status == "changed" and change.threading_changed]

    def to_json(self) -> JsonObject:
        """The component's entry in ``kreg diff --json``."""
        totals: JsonObject = {
            section: {key: figure.to_json() for key, figure in figures.items()}
            for section, figures in self.totals.items()
        }
        return {
            "status": self.status,
            "class": {"left": self.left_class, "right": self.right_class},
            "params": {
                "left": _params_json(self.left_params),
                "right": _params_json(self.right_params),
                "delta": _params_json(self.params_delta),
            },
            **totals,
            "groups": [group.to_json() for group in self.groups],
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

    def to_json(self) -> JsonObject:
        """The ``kreg diff --json`` object."""
        return {
            "left": self.left.to_json(),
            "right": self.right.to_json(),
            "identical": self.identical,
            "hyperparameters": [change.to_json() for change in self.hyperparameters],
            "components": {component.name: component.to_json() for component in self.components},
        }


def _params_json(params: ParamCounts | None) -> JsonValue:
    return None if params is None else params.to_json()


def diff_reports(
    left: Report,
    right: Report,
    presets: tuple[str | None, str | None] = (None, None),
    files: tuple[str | None, str | None] = (None, None),
) -> ArchitectureDiff:
    """Compare two inspection reports.

    Args:
        left: Report. The report compared.
        right: Report. The report it is compared against.
        presets: tuple. The preset each side started from, for the record.
        files: tuple. The ``.keras`` file each side was loaded from (None for
            a built architecture); hyperparameters are compared only when neither side is a file.

    Returns:
        ArchitectureDiff. Hyperparameters that differ, and per component its
        totals and every layer and Dense call, aligned and grouped.
    """
    sides = [
        Side(None if file else report.architecture, dict(report.hyperparameters), preset, file)
        for report, preset, file in zip((left, right), presets, files)
    ]
    names = list(dict.fromkeys([*left.components, *right.components]))
    components = [diff_component(name, left.components.get(name), right.components.get(name)) for name in names]
    values = [] if any(files) else diff_values(sides[0].hyperparameters, sides[1].hyperparameters)
    return ArchitectureDiff(sides[0], sides[1], values, components)


def diff_values(left: Mapping[str, JsonValue], right: Mapping[str, JsonValue]) -> list[ValueChange]:
    """The keys whose values differ, or that only one mapping has, in the left's order."""
    changes = []
    for key in dict.fromkeys([*left, *right]):
        old, new = left.get(key, _MISSING), right.get(key, _MISSING)
        if old is _MISSING:
            changes.append(ValueChange(key, right=right[key], in_left=False))
        elif new is _MISSING:
            changes.append(ValueChange(key, left=left[key], in_right=False))
        elif old != new:
            changes.append(ValueChange(key, left=left[key], right=right[key]))
    return changes


def diff_component(name: str, left: ComponentReport | None, right: ComponentReport | None) -> ComponentDiff:
    """Compare one component's report on both sides (None where a side lacks it)."""
    left_rows, right_rows = _rows(left), _rows(right)
    pairs, layers, groups = diff_rows(left_rows, right_rows)
    dense = diff_dense(layers, pairs, (left_rows, right_rows), (_dense(left), _dense(right)))
    if left is None or right is None:
        status = "added" if left is None else "removed"
    elif (
        any(change.status != "same" for change in layers)
        or any(change.status != "same" for change in dense)
        or left.params != right.params
        or left.model_class != right.model_class
    ):
        status = "changed"
    else:
        status = "unchanged"
    return ComponentDiff(
        name=name,
        status=status,
        left_class=left.model_class if left else None,
        right_class=right.model_class if right else None,
        left_params=left.params if left else None,
        right_params=right.params if right else None,
        layers=layers,
        dense=dense,
        groups=groups,
        totals=component_totals(left, right),
    )


def _rows(component: ComponentReport | None) -> list[LayerRow]:
    return list(component.layers) if component else []


def _dense(component: ComponentReport | None) -> list[DenseEntry]:
    return list(component.dense) if component else []


def diff_rows(
    left: Sequence[LayerRow], right: Sequence[LayerRow]
) -> tuple[list[Pair], list[RowChange[LayerRow]], list[Group]]:
    """Align two ``layers`` tables, compare the pairs and group repeated blocks.

    Args:
        left: Sequence[LayerRow]. The left component's layer rows.
        right: Sequence[LayerRow]. The right component's layer rows.

    Returns:
        tuple. The alignment (``(left index, right index)`` pairs), one
        :class:`RowChange` per pair in that order (``group`` set on grouped
        rows), and the groups.
    """
    features = (call_features(left), call_features(right))
    pairs = align_features(*features)
    changes = [compare(_at(left, i), _at(right, j), LAYER_FIELDS) for i, j in pairs]
    groups, membership = group_pairs(pairs, [change.status for change in changes], (left, right), features)
    grouped = [replace(change, group=membership.get(index)) for index, change in enumerate(changes)]
    return pairs, grouped, groups


def diff_dense(
    layers: Sequence[RowChange[LayerRow]],
    pairs: Sequence[Pair],
    rows: tuple[Sequence[LayerRow], Sequence[LayerRow]],
    dense: tuple[Sequence[DenseEntry], Sequence[DenseEntry]],
) -> list[RowChange[DenseEntry]]:
    """Compare the Dense records of two components, paired as their layer calls were.

    A Dense record belongs to the layer row with the same path (the n-th record
    of a path to the n-th row of it), and to that row's group; records are
    listed in the order of ``layers``, the layer calls compared for ``pairs``.
    """
    owners = [_dense_by_row(rows[k], dense[k]) for k in (0, 1)]
    changes = []
    for (i, j), layer in zip(pairs, layers):
        old = owners[0].get(i) if i is not None else None
        new = owners[1].get(j) if j is not None else None
        if old is not None or new is not None:
            change = compare(old, new, DENSE_FIELDS)
            changes.append(replace(change, group=layer.group))
    return changes


def _dense_by_row(rows: Sequence[LayerRow], dense: Sequence[DenseEntry]) -> dict[int, DenseEntry]:
    unused: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        unused.setdefault(row.path, []).append(index)
    owned = {}
    for record in dense:
        indices = unused.get(record.path)
        if indices:
            owned[indices.pop(0)] = record
    return owned


def compare(old: Row | None, new: Row | None, fields: Sequence[str]) -> RowChange[Row]:
    """One row (or Dense record) against its partner, field by field as ``kreg inspect --json`` writes them."""
    if new is None:
        if old is None:
            raise ValueError("compare needs a row on at least one side")
        return RowChange(old.path, "removed", (), old, None)
    if old is None:
        return RowChange(new.path, "added", (), None, new)
    before, after = old.to_json(), new.to_json()
    differing = tuple(name for name in fields if name in before and name in after and before[name] != after[name])
    return RowChange(old.path, "changed" if differing else "same", differing, old, new)


def _at(rows: Sequence[LayerRow], index: int | None) -> LayerRow | None:
    return None if index is None else rows[index]


def component_totals(left: ComponentReport | None, right: ComponentReport | None) -> dict[str, dict[str, FigureChange]]:
    """MACs and memory of a component on both sides (None where a side lacks the figure or the component)."""
    return {
        section: {
            key: FigureChange(None if left is None else figure(left), None if right is None else figure(right))
            for key, figure in figures.items()
        }
        for section, figures in TOTALS.items()
    }
