"""Repeated units in a ``layers`` table: the blocks a reviewer thinks in.

A unit is a run of consecutive calls under the same enclosing call, each with
all its inner calls; a repeat is the same unit two or more times back to back
(``N x [LayerNormalization, MultiHeadAttention, Add, ...]``). Units compare by
what the calls are (class, shapes, parameters, MACs, nesting), never by name,
so ``dense_3`` and ``dense_7`` in two blocks are the same unit.

Everything here works on :class:`~kreg.inspect_tools.alignment.CallFeatures`;
nothing imports Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from kreg.inspect_tools.alignment import CallFeatures, Key
from kreg.inspect_tools.periodicity import longest_repeats


@dataclass(frozen=True)
class Repeat:
    """One unit repeated back to back.

    Attributes:
        units: tuple[range, ...]. The rows of each repetition, in order.
        roots: tuple[tuple[int, ...], ...]. The unit's top-level rows, per repetition.
        classes: tuple[str, ...]. The classes of the unit's top-level calls.
        key: Key. What the unit is (equal keys are the same unit).
    """

    units: tuple[range, ...]
    roots: tuple[tuple[int, ...], ...]
    classes: tuple[str, ...]
    key: Key

    @property
    def count(self) -> int:
        """How many times the unit repeats."""
        return len(self.units)

    @property
    def rows(self) -> range:
        """Every row of the repeat."""
        return range(self.units[0].start, self.units[-1].stop)


def subtree_ends(features: Sequence[CallFeatures]) -> list[int]:
    """For each row, the index just past its last inner call (inner calls follow a call directly)."""
    ends = [index + 1 for index in range(len(features))]
    for index in range(len(features) - 1, -1, -1):
        parent = features[index].parent_index
        if parent is not None:
            ends[parent] = max(ends[parent], ends[index])
    return ends


def find_repeats(features: Sequence[CallFeatures]) -> list[Repeat]:
    """Every repeat in a table, outermost first.

    Under each enclosing call (and at the top level), the sibling calls are
    scanned left to right; at each position the repeat covering the most calls
    is taken (the shorter unit on a tie) and the scan continues after it
    (:func:`~kreg.inspect_tools.periodicity.longest_repeats`, in O(n log n)).
    """
    ends = subtree_ends(features)
    keys = [_subtree_key(features, index, ends[index]) for index in range(len(features))]
    repeats = []
    for siblings in _sibling_lists(features):
        repeats += _repeats_among(features, siblings, keys, ends)
    return sorted(repeats, key=lambda repeat: (features[repeat.units[0].start].depth, repeat.units[0].start))


def unit_key(features: Sequence[CallFeatures], rows: range) -> Key:
    """What the rows ``rows`` are, relative to the depth of the first: comparable across positions and sides."""
    base = features[rows.start].depth
    return tuple((*features[index].shape_key, features[index].depth - base) for index in rows)


def count_occurrences(features: Sequence[CallFeatures], key: Key, repeats: Sequence[Repeat]) -> int:
    """How many times a unit occurs back to back on a side: its repeat's count, 1 when it occurs alone, else 0."""
    counts = [repeat.count for repeat in repeats if repeat.key == key]
    if counts:
        return max(counts)
    size, first = len(key), cast(Key, key[0])[:-1]  # a unit's key is a tuple of its calls' keys
    return int(
        any(
            features[start].shape_key == first and unit_key(features, range(start, start + size)) == key
            for start in range(len(features) - size + 1)
        )
    )


def _subtree_key(features: Sequence[CallFeatures], index: int, end: int) -> Key:
    return unit_key(features, range(index, end))


def _sibling_lists(features: Sequence[CallFeatures]) -> list[list[int]]:
    lists: dict[int | None, list[int]] = {}
    for index, feature in enumerate(features):
        lists.setdefault(feature.parent_index, []).append(index)
    return list(lists.values())


def _repeats_among(
    features: Sequence[CallFeatures], siblings: list[int], keys: list[Key], ends: list[int]
) -> list[Repeat]:
    numbers: dict[Key, int] = {}
    sibling_keys = [numbers.setdefault(keys[index], len(numbers)) for index in siblings]
    repeats = []
    for position, period, count in longest_repeats(sibling_keys):
        starts = [siblings[position + k * period] for k in range(count)]
        roots = tuple(tuple(siblings[position + k * period : position + (k + 1) * period]) for k in range(count))
        units = tuple(range(start, ends[root[-1]]) for start, root in zip(starts, roots))
        classes = tuple(features[index].cls for index in roots[0])
        repeats.append(Repeat(units, roots, classes, unit_key(features, units[0])))
    return repeats
