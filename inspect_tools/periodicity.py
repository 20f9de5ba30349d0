"""Where a sequence of integers repeats itself back to back, in O(n log n).

A *run* is a maximal stretch ``[start, end)`` with a smallest period ``p``
(``s[k] == s[k + p]`` throughout) at least twice as long as ``p``: the
sequence ``a b a b a b c`` has the run ``(0, 6, 2)``. Every square ``u u``
starting at a position lies in a run whose period divides ``len(u)``, so the
longest repeat that starts at a position is read from the runs around it
(:func:`longest_repeats`).

The runs are found with Lyndon roots (Bannai et al., "The Runs Theorem",
2017): every run has, for one of the two orders of the alphabet, a period
long stretch that is the longest Lyndon word starting where it starts. For
each position ``i`` and both orders, the longest Lyndon word ``[i, j)`` is a
candidate period ``j - i``; it is a run when extending it both ways at that
period covers at least two periods. The longest Lyndon words come from the
order of the suffixes (the next smaller suffix to the right), the
extensions from the longest common prefix of two suffixes; both from a
suffix array built by prefix doubling. A unique smallest value is appended
first, so no suffix is a prefix of another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Run:
    """A maximal repetition: ``values[start:end]`` has period ``period`` and is at least two periods long."""

    start: int
    end: int
    period: int


def find_runs(values: Sequence[int]) -> list[Run]:
    """Every run of ``values``, by start then period."""
    n = len(values)
    if n < 2:
        return []
    ranks = np.unique(np.asarray(values, dtype=np.int64), return_inverse=True)[1].reshape(-1)
    ahead = _Extensions(np.append(ranks, -1))
    behind = _Extensions(np.append(ranks[::-1], -1))
    found: set[tuple[int, int, int]] = set()
    for order in (ranks, -ranks):
        suffix_rank = ahead.rank if order is ranks else _suffix_ranks(np.append(order, np.iinfo(np.int64).min))
        ends = _next_smaller(suffix_rank[:n], n)
        starts = np.arange(n)
        periods = ends - starts
        forward = ahead.common_prefix(starts, ends)
        # Going back from i - 1 and j - 1 is going forward on the reversed sequence (from n - i and n - j).
        backward = behind.common_prefix(n - starts, n - ends)
        run_starts = starts - backward
        run_ends = ends + forward
        is_run = run_ends - run_starts >= 2 * periods
        found.update(zip(run_starts[is_run].tolist(), run_ends[is_run].tolist(), periods[is_run].tolist()))
    return [Run(start, end, period) for start, end, period in sorted(found)]


def longest_repeats(values: Sequence[int]) -> list[tuple[int, int, int]]:
    """The repeats a left-to-right scan takes: ``(position, period, count)``, in order.

    At each position the repeat covering the most values is taken (the
    shorter period on a tie) and the scan continues after it; where none
    starts, the scan moves one value on. A repeat of period ``p`` starting
    at ``i`` inside a run ``(start, end, p)`` covers ``p * ((end - i) // p)``
    values; a period that is a multiple of the run's never covers more.
    """
    runs = sorted(find_runs(values), key=lambda run: run.start)
    taken: list[tuple[int, int, int]] = []
    active: list[Run] = []
    waiting = 0
    position = 0
    while position < len(values):
        while waiting < len(runs) and runs[waiting].start <= position:
            active.append(runs[waiting])
            waiting += 1
        active = [run for run in active if run.end - position >= 2 * run.period]
        if not active:
            position = runs[waiting].start if waiting < len(runs) else len(values)
            continue
        cover, period = max(((run.end - position) // run.period * run.period, -run.period) for run in active)
        taken.append((position, -period, cover // -period))
        position += cover
    return taken


class _Extensions:
    """Longest common prefixes of two suffixes of a sequence, for many pairs at once."""

    def __init__(self, values: np.ndarray) -> None:
        self.rank = _suffix_ranks(values)
        order = np.empty_like(self.rank)
        order[self.rank] = np.arange(len(values))
        self.table = _minimum_table(_adjacent_prefixes(values, order, self.rank))

    def common_prefix(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """How many values the suffixes at ``first`` and ``second`` share (positions must differ pairwise)."""
        low = np.minimum(self.rank[first], self.rank[second]) + 1
        high = np.maximum(self.rank[first], self.rank[second]) + 1
        level = np.log2(high - low).astype(np.int64)
        span = np.left_shift(1, level)
        shared: np.ndarray = np.minimum(self.table[level, low], self.table[level, high - span])
        return shared


def _suffix_ranks(values: np.ndarray) -> np.ndarray:
    """The place of each suffix in sorted order (the inverse suffix array), by prefix doubling."""
    n = len(values)
    rank = np.unique(values, return_inverse=True)[1].reshape(-1).astype(np.int64)
    width = 1
    while True:
        following = np.full(n, -1, dtype=np.int64)
        following[: n - width] = rank[width:]
        order = np.lexsort((following, rank))
        differs = np.empty(n, dtype=bool)
        differs[0] = False
        differs[1:] = (rank[order][1:] != rank[order][:-1]) | (following[order][1:] != following[order][:-1])
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.cumsum(differs)
        if rank.max() == n - 1:
            return rank
        width *= 2


def _adjacent_prefixes(values: np.ndarray, order: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """``common[r]``: the prefix shared by the suffixes ranked ``r - 1`` and ``r`` (Kasai et al., linear time)."""
    n = len(values)
    listed = values.tolist()
    following = order.tolist()
    common = [0] * n
    shared = 0
    for position, place in enumerate(rank.tolist()):
        if place == 0:
            shared = 0
            continue
        other = following[place - 1]
        while position + shared < n and other + shared < n and listed[position + shared] == listed[other + shared]:
            shared += 1
        common[place] = shared
        shared = max(shared - 1, 0)
    return np.array(common, dtype=np.int64)


def _minimum_table(values: np.ndarray) -> np.ndarray:
    """``table[k, i]``: the minimum of ``values[i : i + 2**k]`` (a sparse table; past the end counts as empty)."""
    levels = [values]
    width = 1
    while 2 * width <= len(values):
        previous = levels[-1]
        shifted = np.full_like(previous, np.iinfo(np.int64).max)
        shifted[: len(previous) - width] = previous[width:]
        levels.append(np.minimum(previous, shifted))
        width *= 2
    table = np.stack(levels)
    return np.concatenate([table, np.full((len(levels), 1), np.iinfo(np.int64).max)], axis=1)


def _next_smaller(ranks: np.ndarray, none: int) -> np.ndarray:
    """For each position, the first later position with a smaller rank (``none`` where there is none)."""
    listed = ranks.tolist()
    result = [none] * len(listed)
    stack: list[int] = []
    for position, rank in enumerate(listed):
        while stack and listed[stack[-1]] > rank:
            result[stack.pop()] = position
        stack.append(position)
    return np.array(result, dtype=np.int64)
