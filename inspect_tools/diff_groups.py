"""Grouping a component's aligned layer calls into blocks added, removed or changed.

After :mod:`~kreg.inspect_tools.alignment` has paired the calls, consecutive
repetitions of a unit (:mod:`~kreg.inspect_tools.repeats`) that were all
removed, all added, or all kept with some change become one group, so the
diff reads "2 x [LayerNormalization, MultiHeadAttention, ...] removed: 30 layer
calls, -6,592 params" with the rows below it.

Parameters and MACs of a group add up the unit's top-level calls only: a
call's figures already include its inner calls (a MultiHeadAttention's
parameters are those of its query, key, value and output projections).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from kreg.inspect_tools.alignment import CallFeatures, Pair
from kreg.inspect_tools.repeats import Repeat, count_occurrences, find_repeats, unit_key
from kreg.inspect_tools.report_types import JsonObject, LayerRow

Figure = Callable[[LayerRow], "int | None"]
"""Reads one figure of a layer row (its params, its MACs)."""


@dataclass(frozen=True)
class Group:
    """Consecutive repetitions of one unit, all removed, all added or all changed.

    Attributes:
        id: int. Its number within the component (1, 2 ...), in diff order.
        status: str. ``"removed"``, ``"added"`` or ``"changed"``.
        count: int. How many repetitions the group holds.
        classes: tuple[str, ...]. The classes of the unit's top-level calls.
        calls: int. The layer calls in the group (inner calls included).
        params: int or None. Parameters gained (negative: lost); None when a count is missing.
        macs: int or None. MACs per example gained; None when the reports have no MACs.
        repeats: tuple. How many times the unit repeats back to back on the
            left and on the right (0 where it does not occur).
        first: str. The path of the group's first call.
        last: str. The path of its last call.
    """

    id: int
    status: str
    count: int
    classes: tuple[str, ...]
    calls: int
    params: int | None
    macs: int | None
    repeats: tuple[int, int]
    first: str
    last: str

    @property
    def unit(self) -> str:
        """The unit in words: its class when it is one call, else ``block of N calls``."""
        if len(self.classes) == 1:
            return self.classes[0]
        return f"block of {len(self.classes)} layers"

    @property
    def headline(self) -> str:
        """``2 x block of 9 layers removed``."""
        return f"{self.count} \u00d7 {self.unit} {self.status}"

    def to_json(self) -> JsonObject:
        """The group's entry in a component's ``groups`` list."""
        return {
            "id": self.id,
            "status": self.status,
            "count": self.count,
            "unit": list(self.classes),
            "calls": self.calls,
            "params": self.params,
            "macs": self.macs,
            "repeats": {"left": self.repeats[0], "right": self.repeats[1]},
            "first": self.first,
            "last": self.last,
        }


@dataclass
class _Side:
    rows: Sequence[LayerRow]
    features: Sequence[CallFeatures]
    repeats: list[Repeat]
    position: dict[int, int]  # row index -> index in the aligned pairs


def group_pairs(
    pairs: Sequence[Pair],
    statuses: Sequence[str],
    rows: tuple[Sequence[LayerRow], Sequence[LayerRow]],
    features: tuple[Sequence[CallFeatures], Sequence[CallFeatures]],
) -> tuple[list[Group], dict[int, int]]:
    """Find the groups of an alignment.

    Args:
        pairs: Sequence[Pair]. The alignment, from :func:`~kreg.inspect_tools.alignment.align_calls`.
        statuses: Sequence[str]. Each pair's ``"same"``, ``"changed"``, ``"removed"`` or ``"added"``.
        rows: tuple. The left and right ``layers`` rows.
        features: tuple. Their :class:`CallFeatures`.

    Returns:
        tuple. The groups in diff order, and the group id of each grouped pair (by pair index).
    """
    sides = [
        _Side(
            rows[k],
            features[k],
            find_repeats(features[k]),
            {row: index for index, pair in enumerate(pairs) if (row := pair[k]) is not None},
        )
        for k in (0, 1)
    ]
    found: list[tuple[int, Group, list[int]]] = []
    taken: set[int] = set()
    for side_index, side in enumerate(sides):
        for repeat in side.repeats:
            for run in _runs(repeat, side, side_index, statuses, taken):
                if len(run) == 1 and len(repeat.units[run[0]]) == 1:
                    continue  # one call on its own: its row says it all
                members = [side.position[row] for index in run for row in repeat.units[index]]
                taken.update(members)
                found.append((min(members), _group(run, repeat, sides, side_index, pairs, statuses), members))
    found.sort(key=lambda item: item[0])
    groups: list[Group] = []
    membership: dict[int, int] = {}
    for number, (_, group, members) in enumerate(found, start=1):
        groups.append(replace(group, id=number))
        membership.update(dict.fromkeys(members, number))
    return groups, membership


def _runs(repeat: Repeat, side: _Side, side_index: int, statuses: Sequence[str], taken: set[int]) -> list[list[int]]:
    """Consecutive units of a repeat (by index) with the same status (removed, added or changed), not yet in a group."""
    runs: list[list[int]] = []
    previous = None
    for index, unit in enumerate(repeat.units):
        members = [side.position[row] for row in unit]
        status = None if taken.intersection(members) else _unit_status([statuses[m] for m in members], side_index)
        if status is not None and status == previous:
            runs[-1].append(index)
        elif status is not None:
            runs.append([index])
        previous = status
    return runs


def _unit_status(statuses: list[str], side_index: int) -> str | None:
    if side_index == 0 and all(status == "removed" for status in statuses):
        return "removed"
    if side_index == 1 and all(status == "added" for status in statuses):
        return "added"
    if side_index == 0 and all(status in ("same", "changed") for status in statuses) and "changed" in statuses:
        return "changed"
    return None


def _group(
    indices: list[int],
    repeat: Repeat,
    sides: list[_Side],
    side_index: int,
    pairs: Sequence[Pair],
    statuses: Sequence[str],
) -> Group:
    side = sides[side_index]
    run = [repeat.units[index] for index in indices]
    status = statuses[side.position[run[0].start]]
    roots = [root for index in indices for root in repeat.roots[index]]
    other = sides[1 - side_index]
    if status == "changed":
        partners = [_right(pairs[side.position[row]]) for unit in run for row in unit]
        other_key = unit_key(other.features, range(min(partners), min(partners) + len(run[0])))
    else:
        other_key = repeat.key
    counts = (repeat.count, count_occurrences(other.features, other_key, other.repeats))
    return Group(
        id=0,
        status=status,
        count=len(run),
        classes=repeat.classes,
        calls=sum(len(unit) for unit in run),
        params=_delta(roots, sides, side_index, pairs, status, lambda row: row.params),
        macs=_delta(roots, sides, side_index, pairs, status, lambda row: row.macs),
        repeats=counts if side_index == 0 else (counts[1], counts[0]),
        first=side.rows[run[0].start].path,
        last=side.rows[run[-1].stop - 1].path,
    )


def _delta(
    roots: list[int], sides: list[_Side], side_index: int, pairs: Sequence[Pair], status: str, figure: Figure
) -> int | None:
    """What the group adds to a figure (negative when it takes away), from its top-level calls."""
    side = sides[side_index]
    values = _known([figure(side.rows[root]) for root in roots])
    if status == "changed":
        partners = _known([figure(sides[1].rows[_right(pairs[side.position[root]])]) for root in roots])
        if values is None or partners is None:
            return None
        return sum(partners) - sum(values)
    if values is None:
        return None
    return sum(values) if status == "added" else -sum(values)


def _known(values: list[int | None]) -> list[int] | None:
    """The values, or None when any is unknown."""
    known = [value for value in values if value is not None]
    return known if len(known) == len(values) else None


def _right(pair: Pair) -> int:
    """The right index of a pair known to have one (a changed call)."""
    assert pair[1] is not None, "a changed call has a partner on the right"
    return pair[1]
