"""Pairing the layer calls of two inspection reports by their place in the graph.

A component's ``layers`` rows come in call order, which is a topological order
of the graph, with each layer's inner calls right after it. Two such sequences
are aligned as a diff tool aligns two texts, but with a score instead of
equality: a pair of calls scores by what they share (class, input and output
shapes, parameters, MACs, nesting depth, the classes of the calls just before
and after it at the same level). Calls of different classes never pair, nor
do calls inside enclosing calls of different classes (those cannot pair), nor
two calls whose user-given names differ; the same
user-given name on both sides weighs more than everything else. Names Keras
made up (``dense_12``: the class in snake_case with an optional ``_N``) count
for nothing, since they depend on how many layers were created before.

The best alignment maximises the total score minus a penalty for each run of
unpaired calls (an affine gap penalty), so a removed block shows as one run of
removals. Among equally good alignments, calls pair as early as possible:
removing the last two of four identical blocks reports blocks 3 and 4 removed.

Everything here works on the report's layer rows; nothing imports Keras.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kreg.inspect_tools.report_types import LayerRow

Pair = tuple["int | None", "int | None"]
"""``(left index, right index)``; None on the side that lacks the call."""

Key = tuple[object, ...]
"""What a call (or a unit of calls) is, as a hashable tuple: equal keys are interchangeable."""

CALL_SUFFIX = re.compile(r"#\d+$")
"""The tracer's mark on a repeated call of a layer at the same path (``dense#2``)."""

# Scores are in half points, kept integral so that ties are exact.
CLASS_SCORE = 2
FEATURE_SCORES = {
    "input_shape": 2,
    "output_shape": 2,
    "params": 2,
    "macs": 1,
    "depth": 1,
    "before": 1,
    "after": 1,
}
SAME_NAME_SCORE = 8
GAP_OPEN = 4
"""Cost of each run of unpaired calls: pairing a stray call in the middle of a
replaced region must gain more than the two runs it would split."""

MAX_CELLS = 2_000_000
"""Above this many (left x right) pairs the alignment is split at exact matches first."""

_FORBIDDEN = -(10**9)


@dataclass(frozen=True)
class CallFeatures:
    """What the alignment knows about one layer call (one ``layers`` row).

    Attributes:
        cls: str. The layer's class.
        input_shape: str. Its input shape, as JSON.
        output_shape: str. Its output shape, as JSON.
        params: int. Its parameter count.
        macs: int or None. Its MACs per example (None when not counted).
        depth: int. Nesting depth (1 for a layer of the component itself).
        parent: str or None. Class of the enclosing call.
        before: str or None. Class of the previous call under the same parent.
        after: str or None. Class of the next call under the same parent.
        name: str or None. The name the user gave the layer; None when Keras made it up.
        parent_index: int or None. Row index of the enclosing call.
    """

    cls: str
    input_shape: str
    output_shape: str
    params: int
    macs: int | None
    depth: int
    parent: str | None
    before: str | None
    after: str | None
    name: str | None
    parent_index: int | None

    @property
    def key(self) -> Key:
        """Everything but the parent's row index: equal keys are interchangeable calls."""
        return (
            self.cls,
            self.input_shape,
            self.output_shape,
            self.params,
            self.macs,
            self.depth,
            self.parent,
            self.before,
            self.after,
            self.name,
        )

    @property
    def shape_key(self) -> Key:
        """What a call is, whatever it is called: class, shapes, parameters, MACs."""
        return (self.cls, self.input_shape, self.output_shape, self.params, self.macs)


def to_snake_case(name: str) -> str:
    """Keras's ``to_snake_case``: how it turns a class name into a layer name."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def is_auto_name(name: str, class_name: str) -> bool:
    """True when ``name`` is one Keras makes up for a ``class_name`` layer (``dense``, ``dense_12``)."""
    return re.fullmatch(re.escape(to_snake_case(class_name)) + r"(_\d+)?", name) is not None


def leaf_name(path: str) -> str:
    """The layer's own name: the last part of its path, without a repeated call's ``#n``."""
    return CALL_SUFFIX.sub("", path.rsplit("/", 1)[-1])


def call_features(rows: Sequence[LayerRow]) -> list[CallFeatures]:
    """The features of each row of a ``layers`` table, in order.

    The enclosing call of ``a/b`` is the latest row whose path is ``a``; rows
    under the same enclosing call are siblings, in call order.
    """
    latest: dict[str, int] = {}
    parents: list[int | None] = []
    for index, row in enumerate(rows):
        path = row.path
        parents.append(latest.get(path.rsplit("/", 1)[0]) if "/" in path else None)
        latest[path] = index
    siblings: dict[int | None, list[int]] = {}
    for index, parent in enumerate(parents):
        siblings.setdefault(parent, []).append(index)
    before: dict[int, int | None] = {}
    after: dict[int, int | None] = {}
    for group in siblings.values():
        for position, index in enumerate(group):
            before[index] = group[position - 1] if position else None
            after[index] = group[position + 1] if position + 1 < len(group) else None
    return [_features(rows, index, parents, before[index], after[index]) for index in range(len(rows))]


def _features(
    rows: Sequence[LayerRow], index: int, parents: list[int | None], before: int | None, after: int | None
) -> CallFeatures:
    row = rows[index]
    name = leaf_name(row.path)
    parent = parents[index]
    depth = 1
    while parent is not None:
        depth += 1
        parent = parents[parent]
    return CallFeatures(
        cls=row.layer_class,
        input_shape=json.dumps(row.input_shape),
        output_shape=json.dumps(row.output_shape),
        params=row.params,
        macs=row.macs,
        depth=depth,
        parent=_class_at(rows, parents[index]),
        before=_class_at(rows, before),
        after=_class_at(rows, after),
        name=None if is_auto_name(name, row.layer_class) else name,
        parent_index=parents[index],
    )


def _class_at(rows: Sequence[LayerRow], index: int | None) -> str | None:
    return None if index is None else rows[index].layer_class


def align_calls(left: Sequence[LayerRow], right: Sequence[LayerRow]) -> list[Pair]:
    """Pair the layer calls of two ``layers`` tables by their place in the graph.

    Args:
        left: Sequence[LayerRow]. The left component's rows.
        right: Sequence[LayerRow]. The right component's rows.

    Returns:
        list[Pair]. Every row of both sides exactly once, in an order that
        keeps each side's own order: ``(i, j)`` pairs left row ``i`` with
        right row ``j``; ``(i, None)`` is removed, ``(None, j)`` added.
    """
    return align_features(call_features(left), call_features(right))


def align_features(left: Sequence[CallFeatures], right: Sequence[CallFeatures]) -> list[Pair]:
    """:func:`align_calls` on features already computed.

    The common prefix pairs at once (what the alignment would do anyway: calls
    pair as early as possible); a common suffix does not, as pairing it first
    would move a removal earlier than the alignment puts it.
    """
    prefix = _common_prefix(left, right)
    return [(index, index) for index in range(prefix)] + _align_span(left, right, prefix, len(left), prefix, len(right))


def _common_prefix(left: Sequence[CallFeatures], right: Sequence[CallFeatures]) -> int:
    count = 0
    for old, new in zip(left, right):
        if old.key != new.key:
            break
        count += 1
    return count


def _align_span(
    left: Sequence[CallFeatures], right: Sequence[CallFeatures], i0: int, i1: int, j0: int, j1: int
) -> list[Pair]:
    """Align ``left[i0:i1]`` with ``right[j0:j1]`` (indices returned are absolute)."""
    if i0 == i1 or j0 == j1:
        return [(i, None) for i in range(i0, i1)] + [(None, j) for j in range(j0, j1)]
    if (i1 - i0) * (j1 - j0) <= MAX_CELLS:
        return [
            (None if i is None else i + i0, None if j is None else j + j0)
            for i, j in _align_scored(left[i0:i1], right[j0:j1])
        ]
    # Too many pairs to score at once: split at the longest run of identical calls.
    matcher = difflib.SequenceMatcher(None, [f.key for f in left[i0:i1]], [f.key for f in right[j0:j1]], autojunk=False)
    a, b, size = matcher.find_longest_match(0, i1 - i0, 0, j1 - j0)
    if size == 0:
        return [(i, None) for i in range(i0, i1)] + [(None, j) for j in range(j0, j1)]
    a, b = a + i0, b + j0
    before = _align_span(left, right, i0, a, j0, b)
    after = _align_span(left, right, a + size, i1, b + size, j1)
    return before + [(a + k, b + k) for k in range(size)] + after


def pair_scores(left: Sequence[CallFeatures], right: Sequence[CallFeatures]) -> np.ndarray:
    """The (len(left), len(right)) matrix of pair scores; pairs that may not pair get a large negative score."""
    vocabulary: dict[tuple[str, object], int] = {}

    def codes(side: Sequence[CallFeatures], feature: str, missing: int) -> np.ndarray:
        values = [getattr(f, feature) for f in side]
        return np.array(
            [
                missing
                if value is None and feature in ("macs", "name")
                else vocabulary.setdefault((feature, value), len(vocabulary))
                for value in values
            ],
            dtype=np.int64,
        )

    def equal(feature: str) -> np.ndarray:
        same: np.ndarray = codes(left, feature, -1)[:, None] == codes(right, feature, -2)[None, :]
        return same

    scores: np.ndarray = np.full((len(left), len(right)), CLASS_SCORE, dtype=np.int64)
    for feature, weight in FEATURE_SCORES.items():
        scores += weight * equal(feature)
    same_name = equal("name")
    scores += SAME_NAME_SCORE * same_name
    left_named = np.array([f.name is not None for f in left])[:, None]
    right_named = np.array([f.name is not None for f in right])[None, :]
    # Calls inside enclosing calls of different classes would pair across two calls that cannot pair.
    forbidden = ~equal("cls") | ~equal("parent") | (left_named & right_named & ~same_name)
    scores[forbidden] = _FORBIDDEN
    return scores


def _align_scored(left: Sequence[CallFeatures], right: Sequence[CallFeatures]) -> list[Pair]:
    """The best alignment under :func:`pair_scores` with an affine gap penalty.

    ``best[s][i, j]`` is the best score of aligning ``left[i:]`` with
    ``right[j:]`` when the previous step was a pair (s=0), a removal (s=1) or an
    addition (s=2): continuing a run costs nothing, opening one costs ``GAP_OPEN``.
    The walk from (0, 0) then prefers a pair, then a removal, then an addition.
    """
    scores = pair_scores(left, right)
    best = _suffix_scores(scores)
    pairs: list[Pair] = []
    i = j = state = 0
    n, m = scores.shape
    while i < n or j < m:
        target = best[state][i, j]
        if i < n and j < m and scores[i, j] > _FORBIDDEN // 2 and scores[i, j] + best[0][i + 1, j + 1] == target:
            pairs.append((i, j))
            i, j, state = i + 1, j + 1, 0
        elif i < n and best[1][i + 1, j] - (0 if state == 1 else GAP_OPEN) == target:
            pairs.append((i, None))
            i, state = i + 1, 1
        else:
            pairs.append((None, j))
            j, state = j + 1, 2
    return pairs


def _suffix_scores(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three tables of :func:`_align_scored`, filled from the bottom-right corner, one row at a time."""
    n, m = scores.shape
    low = _FORBIDDEN * 2
    after_pair = np.full((n + 1, m + 1), low, dtype=np.int64)
    after_removal = np.full((n + 1, m + 1), low, dtype=np.int64)
    after_addition = np.full((n + 1, m + 1), low, dtype=np.int64)
    # The last row (left exhausted): only additions remain.
    after_pair[n, m] = after_removal[n, m] = after_addition[n, m] = 0
    after_addition[n, :m] = 0
    after_pair[n, :m] = after_removal[n, :m] = -GAP_OPEN
    for i in range(n - 1, -1, -1):
        pair = np.where(scores[i] > _FORBIDDEN // 2, scores[i] + after_pair[i + 1, 1:], low)
        removal = after_removal[i + 1, :]  # continuing a run of removals
        # Column m (right exhausted): only removals remain.
        after_pair[i, m] = after_addition[i, m] = removal[m] - GAP_OPEN
        after_removal[i, m] = removal[m]
        # Along the row, an addition reads the cell to its right: a running maximum from the end.
        without_addition = np.maximum(pair, removal[:m] - GAP_OPEN)
        chained = np.maximum.accumulate(np.append(without_addition, removal[m] - GAP_OPEN)[::-1])[::-1]
        after_addition[i, :m] = chained[:m]
        next_addition = after_addition[i, 1:]
        after_pair[i, :m] = np.maximum(without_addition, next_addition - GAP_OPEN)
        after_removal[i, :m] = np.maximum(np.maximum(pair, removal[:m]), next_addition - GAP_OPEN)
    return after_pair, after_removal, after_addition
