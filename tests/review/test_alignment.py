"""The matching, grouping and totals of ``kreg diff`` on hand-made report rows (no Keras)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from kreg.inspect_tools import alignment
from kreg.inspect_tools.alignment import align_calls, call_features, is_auto_name
from kreg.inspect_tools.diff import diff_reports, diff_rows
from kreg.inspect_tools.repeats import find_repeats
from kreg.rendering.diff_tables import diff_tables
from tests.support.layer_rows import model_rows, row
from tests.support.reports import report


@pytest.mark.parametrize(
    "name, cls, auto",
    [
        ("dense", "Dense", True),
        ("dense_12", "Dense", True),
        ("multi_head_attention_3", "MultiHeadAttention", True),
        ("conv2d_1", "Conv2D", True),
        ("einsum_dense", "EinsumDense", True),
        ("functional_2", "Functional", True),
        ("query", "EinsumDense", False),
        ("dense_proj", "Dense", False),
        ("encoder", "Dense", False),
        ("dense_a", "Dense", False),
    ],
)
def test_names_keras_makes_up_are_recognised(name, cls, auto):
    assert is_auto_name(name, cls) is auto


def test_features_know_the_enclosing_call_and_the_neighbours():
    rows = [
        row("mha", "MultiHeadAttention"),
        row("mha/query", "EinsumDense"),
        row("mha/key", "EinsumDense"),
        row("add", "Add"),
    ]
    features = call_features(rows)
    assert [f.depth for f in features] == [1, 2, 2, 1]
    assert [f.parent for f in features] == [None, "MultiHeadAttention", "MultiHeadAttention", None]
    assert (features[0].before, features[0].after) == (None, "Add")
    assert (features[1].before, features[1].after) == (None, "EinsumDense")
    assert [f.name for f in features] == [
        "mha",
        "query",
        "key",
        None,
    ]  # Keras would say multi_head_attention: "mha" is user-given


def test_removing_the_last_two_of_four_identical_blocks_removes_blocks_3_and_4():
    # Auto names on both sides: the right's head Dense is dense_2's successor by creation order; no name matches.
    left, right = model_rows([0, 1, 2, 3]), model_rows([0, 1])
    pairs = align_calls(left, right)
    removed = [i for i, j in pairs if j is None]
    assert removed == list(range(1 + 2 * 4, 1 + 4 * 4))
    assert not [j for i, j in pairs if i is None]
    assert (len(left) - 1, len(right) - 1) in pairs  # the heads pair


def test_user_names_anchor_which_block_was_removed():
    left = model_rows([0, 1, 2, 3], named=True)
    right = model_rows([0, 1, 3], named=True)  # block 2 taken out of the middle
    pairs = align_calls(left, right)
    assert [left[i].path for i, j in pairs if j is None] == ["block2_up", "block2_drop", "block2_down", "block2_add"]
    assert all(left[i].path == right[j].path for i, j in pairs if i is not None and j is not None)


def test_a_wider_model_pairs_every_call_as_changed():
    pairs, changes, groups = diff_rows(model_rows([0, 1, 2]), model_rows([0, 1, 2], width=16))
    assert all(i is not None and j is not None for i, j in pairs)
    assert {change.status for change in changes} == {"changed"}
    assert [(g.status, g.count, g.calls, g.repeats) for g in groups] == [("changed", 3, 12, (3, 3))]
    # Top-level calls only: 3 blocks of (2*16*16 + 32) + (2*16*16 + 16) minus (2*8*8 + 16) + (2*8*8 + 8).
    assert groups[0].params == 3 * ((544 + 528) - (144 + 136))


def test_calls_of_different_classes_never_pair():
    left = [row("input_layer", "InputLayer"), row("conv", "Conv2D"), row("out", "Dense")]
    right = [row("input_layer", "InputLayer"), row("pool", "MaxPooling2D"), row("out", "Dense")]
    pairs, changes, _ = diff_rows(left, right)
    assert pairs == [(0, 0), (1, None), (None, 1), (2, 2)]
    assert [c.status for c in changes] == ["same", "removed", "added", "same"]


def test_a_stray_match_does_not_split_a_replaced_region():
    # Two unrelated middles that share one Dropout of another shape: pairing it would cut both runs in two.
    left = (
        [row("input_layer", "InputLayer")]
        + [row(f"conv_{k}", "Conv2D") for k in range(3)]
        + [row("dropout", "Dropout", (None, 4))]
        + [row(f"conv_{k + 3}", "Conv2D") for k in range(3)]
    )
    right = (
        [row("input_layer", "InputLayer")]
        + [row(f"lstm_{k}", "LSTM") for k in range(3)]
        + [row("dropout", "Dropout", (None, 9))]
        + [row(f"lstm_{k + 3}", "LSTM") for k in range(3)]
    )
    pairs = align_calls(left, right)
    assert [p for p in pairs if p[0] is not None and p[1] is not None] == [(0, 0)]


def test_repeats_are_whole_calls_with_their_inner_calls():
    rows = [row("input_layer", "InputLayer")]
    for index in range(3):
        suffix = f"_{index}" if index else ""
        rows += [
            row(f"mha{suffix}", "MultiHeadAttention"),
            row(f"mha{suffix}/query", "EinsumDense"),
            row(f"mha{suffix}/value", "EinsumDense"),
            row(f"add{suffix}", "Add"),
        ]
    repeat, *inner = find_repeats(call_features(rows))  # outermost first; inner: query and value alike
    assert all(r.units[0].start > repeat.units[0].start for r in inner)
    assert repeat.count == 3 and repeat.classes == ("MultiHeadAttention", "Add")
    assert [list(unit) for unit in repeat.units] == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]


def test_one_block_added_is_a_group_when_the_unit_repeats_elsewhere():
    _pairs, changes, groups = diff_rows(model_rows([0, 1]), model_rows([0, 1, 2]))
    assert [c.status for c in changes].count("added") == 4
    (group,) = groups
    assert (group.status, group.count, group.calls, group.repeats) == ("added", 1, 4, (2, 3))
    assert group.params == (2 * 64 + 16) + (2 * 64 + 8) and group.macs == 2 * 128
    assert [c.group for c in changes if c.status == "added"] == [1, 1, 1, 1]


def test_group_figures_count_top_level_calls_once():
    # A parent call's params and MACs already include its inner calls'.
    def layer(index):
        suffix = f"_{index}" if index else ""
        return [
            row(f"mha{suffix}", "MultiHeadAttention", params=100, macs=1000),
            row(f"mha{suffix}/query", "EinsumDense", params=40, macs=400),
            row(f"mha{suffix}/value", "EinsumDense", params=60, macs=600),
        ]

    left = [row("input_layer", "InputLayer"), *layer(0), *layer(1), *layer(2)]
    right = [row("input_layer", "InputLayer"), *layer(0)]
    _, _, (group,) = diff_rows(left, right)
    assert (group.status, group.count, group.params, group.macs) == ("removed", 2, -200, -2000)


def _random_rows(rng, count):
    """Calls of three classes, some inside others, with user-given and Keras-made names and two shapes."""
    rows = []
    for index in range(count):
        cls = rng.choice(["Dense", "Dropout", "Add"])
        name = rng.choice([f"{cls.lower()}_{index}", f"layer{rng.randint(0, 3)}"])
        inside = [r.path for r in rows[-3:] if "/" not in r.path]
        path = f"{rng.choice(inside)}/{name}" if inside and rng.random() < 0.3 else name
        rows.append(row(path, cls, (None, rng.choice([4, 8])), params=rng.choice([0, 10]), macs=rng.choice([None, 5])))
    return rows


def test_band_by_band_the_alignment_is_the_one_of_the_whole_tables(monkeypatch):
    rng = random.Random(7)
    cases = [(_random_rows(rng, rng.randint(0, 30)), _random_rows(rng, rng.randint(0, 30))) for _ in range(150)]
    whole = [align_calls(left, right) for left, right in cases]
    for height in (1, 2, 7):
        monkeypatch.setattr(alignment, "band_height", lambda rows, columns, height=height: height)
        assert [align_calls(left, right) for left, right in cases] == whole


def test_bands_hold_a_bounded_number_of_cells():
    assert alignment.band_height(1_000, 1_000) >= 1_000  # a million cells: one band
    assert alignment.band_height(2_000, 20_000) == alignment.BAND_CELLS // 20_001
    assert alignment.band_height(10**8, 10_000) == 10_000  # never fewer rows than the kept rows between bands


# Totals from the compute issue's fields, present or not --------------------------------


def test_macs_and_memory_totals_have_deltas_when_both_reports_carry_them():
    left = report(model_rows([0, 1, 2]), 1000, macs=5000, memory=(4000, 640, 20000))
    right = report(model_rows([0, 1]), 700, macs=3000, memory=(2800, 512, 14000))
    diff = diff_reports(left, right)
    model = diff.to_json()["components"]["model"]
    assert model["compute"] == {"macs": {"left": 5000, "right": 3000, "delta": -2000}}
    assert model["memory"]["training_bytes"] == {"left": 20000, "right": 14000, "delta": -6000}
    tables = {table.title: table for table in diff_tables(diff)}
    totals = tables["compute and memory per component"]
    assert totals.rows[0] == ["model", "MACs per example", "5,000", "3,000", "-2,000"]
    assert len(totals.rows) == 4
    blocks = tables["model: repeated blocks"]
    assert "MACs" in blocks.columns
    assert blocks.rows[0][blocks.columns.index("MACs")] == "-256"  # one block: 128 + 128 MACs
    detail = tables["model: layer calls that differ"]
    assert detail.rows[0][:3] == ["1", "removed", "dense_2"]


def test_figures_not_counted_are_not_invented():
    def without_macs(rows):
        return [replace(r, mac_count=None) for r in rows]

    diff = diff_reports(report(without_macs(model_rows([0, 1, 2])), 10), report(without_macs(model_rows([0, 1])), 5))
    model = diff.to_json()["components"]["model"]
    assert model["compute"] == {"macs": {"left": None, "right": None, "delta": None}}
    unknown = {"left": None, "right": None, "delta": None}
    assert model["memory"]["activation_bytes_per_example"] == model["memory"]["training_bytes"] == unknown
    (totals,) = [t for t in diff_tables(diff) if t.title == "compute and memory per component"]
    assert [row[1] for row in totals.rows] == ["parameter bytes"]  # the one figure both sides have
    assert model["groups"][0]["macs"] is None
    assert "MACs" not in next(t for t in diff_tables(diff) if t.title == "model: repeated blocks").columns


def test_a_changed_row_says_what_changed_including_macs():
    left = report([row("d", "Dense", (None, 4), (None, 8), params=40, macs=32)], 40)
    right = report([row("d", "Dense", (None, 4), (None, 16), params=80, macs=64)], 80)
    (table,) = [t for t in diff_tables(diff_reports(left, right)) if t.title == "model: layer calls that differ"]
    assert table.rows == [
        ["", "changed", "d", "Dense", "output (None, 8) -> (None, 16); params 40 -> 80; MACs 32 -> 64", "+40"]
    ]
