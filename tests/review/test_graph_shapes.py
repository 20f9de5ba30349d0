"""The review page's graph at the sizes compute was counted at (issue 22, item 3).

``kreg review transformer`` counts compute at the data adapter's sequence
length; the graph's nodes show that length (marked ``*``: the model leaves it
unknown), as the layer rows do, never the model's own ``(None, None)``.
"""

from __future__ import annotations

import re

import pytest

from kreg.testing_plugin import run_kreg


@pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")
def test_the_transformer_graph_shows_the_length_it_was_counted_at(tmp_path):
    path = tmp_path / "transformer.html"
    result = run_kreg("review", "transformer", "--preset", "smoke", "-o", str(path))
    assert result.exit_code == 0, result.output
    page = path.read_text(encoding="utf-8")
    graph = re.search(r'<section id="graph">.*?</section>', page, re.DOTALL).group(0)
    svgs = re.findall(r'<svg class="graph".*?</svg>', graph, re.DOTALL)
    assert svgs
    for svg in svgs:  # the whole graph and the folded one
        texts = [re.sub(r"<[^>]+>", "", text) for text in re.findall(r"<text\b.*?</text>", svg, re.DOTALL)]
        shapes = [text for text in texts if text.startswith(("(", "["))]
        assert shapes and not [text for text in shapes if "None, None" in text or "?" in text]
        assert "(None, 10*) \u2192 (None, 10*, 32)" in texts  # the embeddings, at the adapter's 10 tokens
        assert "(None, 10*, 200)" in texts  # the output
        assert "applies kernel (32, 200) at each of 10 positions" in texts
