"""Rows show the shapes their MACs were counted at: the transformer's length 20, marked where the model leaves it."""

from __future__ import annotations

import json

import pytest

from kreg.inspect_tools.counted_shapes import mark_pinned
from kreg.testing_plugin import run_kreg
from tests.support.text_tables import table_rows


@pytest.fixture(scope="module")
def transformer_json():
    result = run_kreg("inspect", "transformer", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["components"]["model"]


def test_transformer_rows_carry_the_length_20_compute_was_counted_at(transformer_json):
    assert transformer_json["compute"]["input_shapes"]["encoder_inputs"] == [None, 20]
    query = next(row for row in transformer_json["layers"] if row["path"] == "transformer_encoder/attention/query")
    assert query["input_shape"] == [None, None, 256]  # the model's own shape stays as it was
    assert query["counted_input_shape"] == [None, 20, 256]
    assert query["counted_output_shape"] == [None, 20, 8, 256]
    counted = [row for row in transformer_json["layers"] if row["macs"]]
    assert counted and all(
        None not in row["counted_input_shape"][1:] for row in counted if "counted_input_shape" in row
    )


def test_transformer_text_shows_20_marked_and_never_an_unknown_beside_a_count():
    result = run_kreg("inspect", "transformer", "--component", "encoder", env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    title = next(line for line in result.stdout.splitlines() if line.startswith("encoder: layers"))
    assert "* a size the model leaves unknown" in title
    rows = {row[0]: row for row in table_rows(result.stdout, title)}
    assert rows["encoder_inputs"][2] == "(None, 20*)"
    assert rows["transformer_encoder"][3] == "(None, 20*, 256)"
    for row in rows.values():
        if row[5] not in ("0", "-"):
            assert "None, None" not in row[2] and "?" not in row[2], row


def test_a_model_with_every_size_known_has_no_counted_shapes():
    result = run_kreg("inspect", "mlp", "--json")
    rows = json.loads(result.stdout)["components"]["model"]["layers"]
    assert not any("counted_input_shape" in row for row in rows)


def test_mark_pinned_marks_the_sizes_the_model_leaves_unknown():
    assert mark_pinned([None, None, 256], [None, 20, 256]) == "(None, 20*, 256)"
    assert mark_pinned([[None, None], [None, 4]], [[None, 20], [None, 4]]) == "[(None, 20*), (None, 4)]"
    assert mark_pinned({"a": [None, None]}, {"a": [None, 7]}) == "{a: (None, 7*)}"
    assert mark_pinned([None, 3], [None, 3]) == "(None, 3)"
