"""``kreg diff`` and its repeated-block finder on thousands of calls, from hand-made rows (no Keras)."""

from __future__ import annotations

import random
import time

import pytest

from kreg.inspect_tools.alignment import call_features
from kreg.inspect_tools.diff import diff_rows
from kreg.inspect_tools.periodicity import find_runs, longest_repeats
from kreg.inspect_tools.repeats import find_repeats
from tests.support.layer_rows import model_rows, row


def _statuses(changes):
    statuses = [change.status for change in changes]
    return {status: statuses.count(status) for status in set(statuses)}


@pytest.mark.parametrize("blocks", [500, 1_250])
def test_a_width_change_pairs_every_call_at_any_size(blocks):
    # 2,002 and 5,002 calls a side: every call changed, the blocks in one group.
    left, right = model_rows(range(blocks)), model_rows(range(blocks), width=16)
    pairs, changes, groups = diff_rows(left, right)
    assert pairs == [(index, index) for index in range(len(left))]
    assert _statuses(changes) == {"changed": len(left)}
    assert [(g.status, g.count, g.calls, g.repeats) for g in groups] == [
        ("changed", blocks, 4 * blocks, (blocks, blocks))
    ]


def test_a_wider_and_shallower_model_pairs_the_first_blocks_and_removes_the_last():
    left, right = model_rows(range(1_000)), model_rows(range(950), width=16)
    pairs, changes, groups = diff_rows(left, right)
    assert _statuses(changes) == {"changed": 1 + 950 * 4 + 1, "removed": 50 * 4}
    assert [i for i, j in pairs if j is None] == list(range(1 + 950 * 4, 1 + 1_000 * 4))
    assert [(g.status, g.count, g.first) for g in groups] == [("changed", 950, "dense"), ("removed", 50, "dense_950")]


def test_user_names_place_a_removal_in_the_middle_of_a_deep_model():
    left = model_rows(range(1_000), named=True)
    right = model_rows([*range(400), *range(410, 1_000)], named=True)
    _pairs, changes, groups = diff_rows(left, right)
    assert _statuses(changes) == {"same": len(right), "removed": 40}
    assert [(g.status, g.count, g.first, g.last) for g in groups] == [("removed", 10, "block400_up", "block409_add")]


# The repeated-block finder ----------------------------------------------------------------


def _longest_repeat_at(keys, position):
    """The finder before it read runs: every period at ``position`` (quadratic; the reference)."""
    best = None
    for period in range(1, (len(keys) - position) // 2 + 1):
        if keys[position] != keys[position + period]:
            continue
        unit = keys[position : position + period]
        count = 1
        while keys[position + count * period : position + (count + 1) * period] == unit:
            count += 1
        if count >= 2 and (best is None or count * period > best[0] * best[1]):
            best = (period, count)
    return best


def _scan(keys):
    taken, position = [], 0
    while position < len(keys):
        found = _longest_repeat_at(keys, position)
        if found is None:
            position += 1
            continue
        taken.append((position, *found))
        position += found[0] * found[1]
    return taken


def _has_period(values, period):
    return all(values[k] == values[k + period] for k in range(len(values) - period))


def _runs_by_definition(keys):
    """Every maximal stretch with smallest period p and length >= 2p, by trying every period."""
    runs = set()
    for period in range(1, len(keys) // 2 + 1):
        start = 0
        while start + period < len(keys):
            if keys[start] != keys[start + period]:
                start += 1
                continue
            end = start
            while end + period < len(keys) and keys[end] == keys[end + period]:
                end += 1
            stretch = keys[start : end + period]
            if len(stretch) >= 2 * period and not any(_has_period(stretch, q) for q in range(1, period)):
                runs.add((start, end + period, period))
            start = end + 1
    return sorted(runs)


def _sequences(seed, count):
    rng = random.Random(seed)
    for _ in range(count):
        alphabet = rng.randint(1, 4)
        values = [rng.randrange(alphabet) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.4:  # a planted repeat
            unit = [rng.randrange(alphabet + 1) for _ in range(rng.randint(1, 5))]
            cut = rng.randint(0, len(values))
            values = values[:cut] + unit * rng.randint(2, 6) + values[cut:]
        yield values


def test_runs_are_every_maximal_repetition():
    for values in _sequences(1, 600):
        assert [(run.start, run.end, run.period) for run in find_runs(values)] == _runs_by_definition(values), values


def test_the_scan_takes_the_repeats_the_quadratic_scan_took():
    for values in _sequences(2, 1_500):
        assert longest_repeats(values) == _scan(values), values
    fibonacci, previous = [0, 1], [0]  # Fibonacci words are dense in runs
    while len(fibonacci) < 1_500:
        fibonacci, previous = fibonacci + previous, fibonacci
    assert longest_repeats(fibonacci[:1_500]) == _scan(fibonacci[:1_500])


def _eight_thousand_rows():
    rng = random.Random(3)
    return {
        "blocks": model_rows(range(2_000)),
        "distinct calls": [row(f"dense_{k}", "Dense", (None, k + 1)) for k in range(8_000)],
        "three kinds at random": [row(f"dense_{k}", "Dense", (None, rng.randint(1, 3))) for k in range(8_000)],
    }


@pytest.mark.parametrize("kind", ["blocks", "distinct calls", "three kinds at random"])
def test_the_repeated_block_finder_takes_well_under_half_a_second_on_8000_rows(kind):
    # The quadratic finder took 0.4 s, 1.2 s and 18 s on these; this one about 0.03 s.
    features = call_features(_eight_thousand_rows()[kind])
    seconds = []
    for _ in range(3):
        start = time.process_time()
        repeats = find_repeats(features)
        seconds.append(time.process_time() - start)
    assert min(seconds) < 0.5
    if kind == "blocks":
        assert [(r.count, r.classes) for r in repeats] == [(2_000, ("Dense", "Dropout", "Dense", "Add"))]
    covered = [index for repeat in repeats for index in repeat.rows]
    assert len(covered) == len(set(covered))  # repeats at one level never overlap
