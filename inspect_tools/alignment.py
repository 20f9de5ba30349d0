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

The alignment is this best one at any size, found in time proportional to
``len(left) * len(right)`` and memory proportional to
``sqrt(len(left)) * len(right)``: the score tables are filled once keeping
one row in k, then refilled a band of k rows at a time as the walk crosses
it (:class:`_Bands`). The other ways to bound memory were weighed against
that. Hirschberg's divide and conquer needs as little memory, but where
several alignments score the same (identical blocks: the usual case) the
split it picks need not lie on the walk's preferred alignment, so which
block is reported removed would change with the model's size. Banding
around the diagonal, or splitting first at anchors (runs of identical calls,
user-given names), loses pairs whenever the answer leaves the band or no
anchor exists: a width change alters every call, so nothing is identical,
and Keras names most calls itself. Scores are computed per *kind* of call
(calls equal in every scored feature), so repeated blocks cost a gather, and
each table row is a few vectorised numpy operations: about 0.5 s for 5,000
calls a side.

Everything here works on the report's layer rows; nothing imports Keras.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

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

BAND_CELLS = 2_000_000
"""How many cells of each score table the alignment holds at once (see :class:`_Checkpoints`)."""

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
    depths: list[int] = []  # an enclosing call comes before its inner calls: its depth is known
    for index, row in enumerate(rows):
        path = row.path
        parent = latest.get(path.rsplit("/", 1)[0]) if "/" in path else None
        parents.append(parent)
        depths.append(1 if parent is None else depths[parent] + 1)
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
    return [
        _features(rows, index, parents[index], depths[index], before[index], after[index]) for index in range(len(rows))
    ]


def _features(
    rows: Sequence[LayerRow], index: int, parent: int | None, depth: int, before: int | None, after: int | None
) -> CallFeatures:
    row = rows[index]
    name = leaf_name(row.path)
    return CallFeatures(
        cls=row.layer_class,
        input_shape=json.dumps(row.input_shape),
        output_shape=json.dumps(row.output_shape),
        params=row.params,
        macs=row.macs,
        depth=depth,
        parent=_class_at(rows, parent),
        before=_class_at(rows, before),
        after=_class_at(rows, after),
        name=None if is_auto_name(name, row.layer_class) else name,
        parent_index=parent,
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
    rest = _align_scored(left[prefix:], right[prefix:])
    return [(index, index) for index in range(prefix)] + [
        (None if i is None else i + prefix, None if j is None else j + prefix) for i, j in rest
    ]


def _common_prefix(left: Sequence[CallFeatures], right: Sequence[CallFeatures]) -> int:
    count = 0
    for old, new in zip(left, right):
        if old.key != new.key:
            break
        count += 1
    return count


KIND_FEATURES = ("cls", "parent", "name", *FEATURE_SCORES)
"""Everything a pair's score reads: calls equal in all of them score alike against any call."""


class PairScorer:
    """The pair scores of two sides, a band of left calls at a time (the whole matrix may not fit in memory).

    Calls that agree on every scored feature are one *kind*; a band's scores
    are those of its kinds against the right side's kinds, spread to its
    calls. A model of repeated blocks has a handful of kinds, so most of the
    work is one gather.
    """

    def __init__(self, left: Sequence[CallFeatures], right: Sequence[CallFeatures]) -> None:
        kinds: dict[Key, int] = {}
        self._left = np.array([kinds.setdefault(_kind(f), len(kinds)) for f in left], dtype=np.int64)
        right_kinds: dict[Key, int] = {}
        self._right = np.array([right_kinds.setdefault(_kind(f), len(right_kinds)) for f in right], dtype=np.int64)
        vocabulary: dict[tuple[str, Any], int] = {}
        self._left_codes = _feature_codes(list(kinds), vocabulary, missing=-1)
        self._right_codes = _feature_codes(list(right_kinds), vocabulary, missing=-2)
        self.shape = (len(left), len(right))

    def band(self, start: int, stop: int) -> BandScores:
        """The scores of ``left[start:stop]`` against every right call; pairs that may not pair score ``_FORBIDDEN``."""
        band_kinds, spread = np.unique(self._left[start:stop], return_inverse=True)
        return BandScores(np.asarray(self._kind_scores(band_kinds)[:, self._right]), np.asarray(spread.reshape(-1)))

    def _kind_scores(self, left_kinds: np.ndarray) -> np.ndarray:
        def equal(feature: str) -> np.ndarray:
            same: np.ndarray = self._left_codes[feature][left_kinds][:, None] == self._right_codes[feature][None, :]
            return same

        scores = np.full((len(left_kinds), len(self._right_codes["cls"])), CLASS_SCORE, dtype=np.int64)
        for feature, weight in FEATURE_SCORES.items():
            scores += weight * equal(feature)
        same_name = equal("name")
        scores += SAME_NAME_SCORE * same_name
        named = (self._left_codes["name"][left_kinds] >= 0)[:, None] & (self._right_codes["name"] >= 0)[None, :]
        # Calls inside enclosing calls of different classes would pair across two calls that cannot pair.
        forbidden = ~equal("cls") | ~equal("parent") | (named & ~same_name)
        scores[forbidden] = _FORBIDDEN
        return scores


@dataclass(frozen=True)
class BandScores:
    """The pair scores of a band of left calls: one row per kind of call in the band, and each call's kind.

    Attributes:
        by_kind: np.ndarray. (kinds, len(right)) scores.
        kinds: np.ndarray. The row of ``by_kind`` for each call of the band.
    """

    by_kind: np.ndarray
    kinds: np.ndarray

    def __len__(self) -> int:
        return len(self.kinds)

    def __getitem__(self, row: int) -> np.ndarray:
        """The scores of the band's call ``row`` against every right call."""
        scores: np.ndarray = self.by_kind[self.kinds[row]]
        return scores


def _kind(features: CallFeatures) -> Key:
    return tuple(getattr(features, name) for name in KIND_FEATURES)


def _feature_codes(kinds: list[Key], vocabulary: dict[tuple[str, Any], int], missing: int) -> dict[str, np.ndarray]:
    """Each feature of each kind as an integer, the same on both sides for the same value; a missing MACs count
    or name gets ``missing`` (different on the two sides, so two missing values never count as equal)."""
    codes = {}
    for position, feature in enumerate(KIND_FEATURES):
        values = [kind[position] for kind in kinds]
        codes[feature] = np.array(
            [
                missing
                if value is None and feature in ("macs", "name")
                else vocabulary.setdefault((feature, value), len(vocabulary))
                for value in values
            ],
            dtype=np.int64,
        )
    return codes


def pair_scores(left: Sequence[CallFeatures], right: Sequence[CallFeatures]) -> np.ndarray:
    """The (len(left), len(right)) matrix of pair scores; pairs that may not pair get a large negative score."""
    scores = PairScorer(left, right).band(0, len(left))
    matrix: np.ndarray = scores.by_kind[scores.kinds]
    return matrix


def _align_scored(left: Sequence[CallFeatures], right: Sequence[CallFeatures]) -> list[Pair]:
    """The best alignment under :func:`pair_scores` with an affine gap penalty.

    ``best[i, s, j]`` is the best score of aligning ``left[i:]`` with
    ``right[j:]`` when the previous step was a pair (s=0), a removal (s=1) or an
    addition (s=2): continuing a run costs nothing, opening one costs ``GAP_OPEN``.
    The walk from (0, 0) then prefers a pair, then a removal, then an addition.
    It reads the tables a band of rows at a time (:class:`_Bands`).
    """
    n, m = len(left), len(right)
    if n == 0 or m == 0:
        return [(i, None) for i in range(n)] + [(None, j) for j in range(m)]
    pairs: list[Pair] = []
    i = j = state = 0
    for start, scores, best in _Bands(PairScorer(left, right)):
        while i < start + len(scores):
            row = i - start
            target = best[row, state, j]
            score = scores[row][j] if j < m else _FORBIDDEN
            if score > _FORBIDDEN // 2 and score + best[row + 1, 0, j + 1] == target:
                pairs.append((i, j))
                i, j, state = i + 1, j + 1, 0
            elif best[row + 1, 1, j] - (0 if state == 1 else GAP_OPEN) == target:
                pairs.append((i, None))
                i, state = i + 1, 1
            else:
                pairs.append((None, j))
                j, state = j + 1, 2
    return pairs + [(None, column) for column in range(j, m)]


class _Bands:
    """The tables of :func:`_align_scored`, band by band from the top, in memory that grows like ``sqrt(n) * m``.

    The tables are filled from the bottom row up. A first pass keeps only the
    row below each band of ``height`` rows; iterating then refills each band
    from the row kept below it, so the whole costs two fills and holds one
    band plus the kept rows (:func:`band_height`). A problem that fits in
    one band is filled once.
    """

    def __init__(self, scorer: PairScorer) -> None:
        self.scorer = scorer
        n, m = scorer.shape
        self.height = band_height(n, m)
        self.starts = range(0, n, self.height)
        self.below: dict[int, np.ndarray] = {}  # band start -> the table row just below the band
        self.tables = np.empty((min(self.height, n) + 1, 3, m + 1), dtype=np.int64)  # one band, reused
        row, spare = _bottom_row(m), np.empty((3, m + 1), dtype=np.int64)
        for start in reversed(self.starts):
            self.below[start] = row.copy()
            scores = scorer.band(start, self._stop(start))
            if start == 0:
                _fill(scores, row, self.tables)
            else:
                for call in range(len(scores) - 1, -1, -1):
                    row, spare = _row_above(scores[call], row, spare), row

    def _stop(self, start: int) -> int:
        return min(start + self.height, self.scorer.shape[0])

    def __iter__(self) -> Iterator[tuple[int, BandScores, np.ndarray]]:
        """``(first row, scores of its calls, tables (rows + 1, 3, m + 1))`` for each band, top down."""
        for start in self.starts:
            scores = self.scorer.band(start, self._stop(start))
            if start > 0:
                _fill(scores, self.below[start], self.tables)
            yield start, scores, self.tables[: len(scores) + 1]


def band_height(rows: int, columns: int) -> int:
    """How many rows of the tables :func:`_align_scored` holds at once for ``rows`` left and ``columns`` right calls.

    As many as fit in ``BAND_CELLS`` cells, and at least the square root of
    ``rows``, so that the rows kept between bands never outnumber a band.
    """
    return max(BAND_CELLS // (columns + 1), math.isqrt(rows), 1)


def _fill(scores: BandScores, below: np.ndarray, tables: np.ndarray) -> None:
    """Fill ``tables[: len(scores) + 1]``: the rows for ``scores``' calls above the row ``below``."""
    tables[len(scores)] = below
    for row in range(len(scores) - 1, -1, -1):
        _row_above(scores[row], tables[row + 1], tables[row])


def _bottom_row(m: int) -> np.ndarray:
    """The tables' last row (left exhausted): only additions remain."""
    row = np.zeros((3, m + 1), dtype=np.int64)
    row[0, :m] = row[1, :m] = -GAP_OPEN
    return row


def _row_above(scores: np.ndarray, below: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Fill ``row`` (pair, removal, addition tables at call i) from ``below`` (at i + 1) and call i's scores.

    A forbidden pair scores so low that it never wins a maximum: every cell
    also has a removal to choose, so the tables hold only reachable scores.
    """
    m = len(scores)
    pair = scores + below[0, 1:]
    removal = below[1]  # continuing a run of removals
    opened = removal - GAP_OPEN
    without_addition = np.maximum(pair, opened[:m])
    # Along the row, an addition reads the cell to its right: a running maximum from the end.
    additions = row[2]
    additions[:m] = without_addition
    additions[m] = opened[m]  # column m (right exhausted): only removals remain
    np.maximum.accumulate(additions[::-1], out=additions[::-1])
    next_addition = additions[1:] - GAP_OPEN
    np.maximum(without_addition, next_addition, out=row[0, :m])
    np.maximum(np.maximum(pair, removal[:m]), next_addition, out=row[1, :m])
    row[0, m] = opened[m]
    row[1, m] = removal[m]
    return row
