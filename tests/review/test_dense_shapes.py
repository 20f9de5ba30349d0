"""The Dense table at the sizes compute was counted at (issue 22, item 3: "never '?' beside a count").

The transformer leaves its sequence length unknown and is counted at the data
adapter's 20 tokens: ``kreg inspect``'s Dense table, ``--json``'s ``dense``
records and the review page's Dense section show that length (marked ``*`` in
the tables, as the layer rows mark it), not the model's own ``(None, None, 256)``.
"""

from __future__ import annotations

import json
import re

import pytest

from kreg.testing_plugin import run_kreg
from tests.support.text_tables import table_rows

QUERY = "transformer_encoder/attention/query"


def test_kreg_inspect_dense_table_shows_the_counted_length():
    result = run_kreg("inspect", "transformer", "--component", "encoder", env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    rows = {row[0]: row for row in table_rows(result.stdout, "encoder: Dense layers and what they thread over")}
    assert rows[QUERY][1] == "(None, 20*, 256) -> (None, 20*, 8, 256)"
    assert rows[QUERY][4] == "applies kernel (256, 8, 256) at each of 20 positions"
    assert len(rows) == 6
    for row in rows.values():
        assert "None, None" not in row[1] and "?" not in " ".join(row), row


def test_kreg_inspect_json_adds_the_counted_shapes_and_keeps_the_models_own():
    result = run_kreg("inspect", "transformer", "--component", "encoder", "--json")
    assert result.exit_code == 0, result.output
    dense = json.loads(result.stdout)["components"]["encoder"]["dense"]
    query = next(entry for entry in dense if entry["path"] == QUERY)
    assert list(query) == [
        "path",
        "input_shape",
        "output_shape",
        "kernel_shape",
        "threaded_over",
        "params",
        "macs",
        "counted_input_shape",
        "counted_output_shape",
        "counted_threaded_over",
    ]
    assert (query["input_shape"], query["threaded_over"], query["macs"]) == ([None, None, 256], [None], None)
    assert query["counted_input_shape"] == [None, 20, 256]
    assert query["counted_output_shape"] == [None, 20, 8, 256]
    assert query["counted_threaded_over"] == [20]


def test_a_model_with_every_size_known_has_no_counted_dense_shapes():
    result = run_kreg("inspect", "risk-factor-autoencoder", "--json")
    dense = json.loads(result.stdout)["components"]["model"]["dense"]
    assert dense and not any("counted_input_shape" in entry for entry in dense)


@pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")
def test_the_review_pages_dense_section_shows_the_counted_length(tmp_path):
    path = tmp_path / "transformer.html"
    result = run_kreg("review", "transformer", "-o", str(path))
    assert result.exit_code == 0, result.output
    section = re.search(r'<section id="dense">.*?</section>', path.read_text(encoding="utf-8"), re.DOTALL).group(0)
    cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td\b.*?</td>", section, re.DOTALL)]
    assert "(None, 20*, 256) \u2192 (None, 20*, 8, 256)" in cells
    assert "applies kernel (256, 8, 256) at each of 20 positions" in cells
    assert not [cell for cell in cells if "None, None" in cell or "?" in cell]
