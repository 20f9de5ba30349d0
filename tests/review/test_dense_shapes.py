"""The Dense table at the sizes compute was counted at (issue 22, item 3: "never '?' beside a count").

The transformer leaves its sequence length unknown and is counted at the data
adapter's 20 tokens: ``kreg inspect``'s Dense table, ``--json``'s ``dense``
records and the review page (its Dense and layers tables, its node panel) show
that length (marked ``*`` in the tables, as the layer rows mark it), not the
model's own ``(None, None, 256)``.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from kreg.testing_plugin import run_kreg
from tests.support.text_tables import table_rows

QUERY = "transformer_encoder/attention/query"


def test_kreg_inspect_dense_table_shows_the_counted_length():
    result = run_kreg("inspect", "transformer", "--component", "encoder", env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    title = "encoder: Dense layers and what they thread over; shapes as counted, * a size the model leaves unknown"
    rows = {row[0]: row for row in table_rows(result.stdout, title)}
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


def _cells(page: str, section: str) -> list[str]:
    """The texts of the table cells of one section of the page."""
    found = re.search(rf'<section id="{section}">.*?</section>', page, re.DOTALL).group(0)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td\b.*?</td>", found, re.DOTALL)]


@pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")
def test_the_review_page_shows_the_length_20_it_was_counted_at(tmp_path):
    path = tmp_path / "transformer.html"
    result = run_kreg("review", "transformer", "-o", str(path))
    assert result.exit_code == 0, result.output
    page = path.read_text(encoding="utf-8")
    dense = _cells(page, "dense")
    assert "(None, 20*, 256) \u2192 (None, 20*, 8, 256)" in dense
    assert "applies kernel (256, 15000) at each of 20 positions" in dense  # next_token
    assert not [cell for cell in dense if "None, None" in cell or "?" in cell]
    layers = _cells(page, "layers")
    assert "(None, 20*, 15000)" in layers and not [cell for cell in layers if "None, None" in cell]
    rows = json.loads(re.search(r'class="graph-rows">(.*?)</script>', page, re.DOTALL).group(1))
    assert rows["decoder/next_token"]["output"] == "(None, 20*, 15000)"  # the node panel's shapes
