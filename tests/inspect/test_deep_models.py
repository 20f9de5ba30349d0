"""Models deeper than Python's stack: kreg builds, counts and draws chains of thousands of layers.

Plain Keras ends a chain of about 1,000 layers in ``RecursionError`` (its
recursive graph walk); kreg runs Keras on a deep stack
(:mod:`kreg.running.deep_stack`).
"""

from __future__ import annotations

import json

import pytest

from kreg.testing_plugin import run_kreg
from tests.support.catalogues import DEEP_CHAIN_WIDTH, deep_chain_catalogue

DENSE_PARAMS = DEEP_CHAIN_WIDTH * DEEP_CHAIN_WIDTH + DEEP_CHAIN_WIDTH  # kernel 2x2 and bias 2: 6
DENSE_MACS = DEEP_CHAIN_WIDTH * DEEP_CHAIN_WIDTH  # per example: 4


def _inspected(depth: int) -> dict:
    result = run_kreg("inspect", "deep-chain", "--set", f"depth={depth}", "--json", catalogue=deep_chain_catalogue())
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["components"]["model"]


def _assert_hand_count(model: dict, depth: int) -> None:
    # The input layer has no weights and costs nothing: depth Dense layers of 2 units are all there is.
    assert model["params"] == {"total": depth * DENSE_PARAMS, "trainable": depth * DENSE_PARAMS, "non_trainable": 0}
    assert model["compute"]["macs"] == depth * DENSE_MACS
    assert model["compute"]["by_class"] == {"Dense": depth * DENSE_MACS}
    dense_rows = [row for row in model["layers"] if row["class"] == "Dense"]
    assert len(dense_rows) == depth
    assert {(row["params"], row["macs"]) for row in dense_rows} == {(DENSE_PARAMS, DENSE_MACS)}


# Slow: 13 s; tests/reliability/test_deep_stack.py covers the deep stack in the default run.
@pytest.mark.slow
def test_a_chain_of_1500_layers_is_inspected_where_keras_alone_ends_in_recursion_error():
    # Without the deep stack the build fails: "build failed: RecursionError: maximum recursion depth exceeded".
    _assert_hand_count(_inspected(1500), 1500)


@pytest.mark.slow
def test_a_chain_of_10000_layers_is_inspected_with_exact_params_and_macs_and_plotted(tmp_path):
    depth = 10_000
    _assert_hand_count(_inspected(depth), depth)
    dot = tmp_path / "deep.dot"
    args = ["plot", "deep-chain", "--set", f"depth={depth}", "--no-fold", "-o", str(dot)]  # every layer drawn
    result = run_kreg(*args, catalogue=deep_chain_catalogue())
    assert result.exit_code == 0, result.output
    text = dot.read_text()
    assert text.count("</b> (Dense)") == depth
    assert "<b>dense_9999</b>" in text
    assert text.count(" -> ") == depth + 1  # features -> dense -> ... -> dense_9999 -> the output


@pytest.mark.slow
def test_a_chain_of_1500_layers_is_reviewed(tmp_path):
    page = tmp_path / "deep.html"
    result = run_kreg("review", "deep-chain", "--set", "depth=1500", "-o", str(page), catalogue=deep_chain_catalogue())
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "<svg" in html and "dense_1499" in html
    assert "9,000" in html  # the parameters, counted by hand: 1,500 x 6


@pytest.mark.slow
def test_a_width_change_on_a_chain_of_2000_layers_is_diffed_as_2000_changed_calls_in_one_group():
    depth = 2_000
    result = run_kreg(
        "diff", "deep-chain", "--set", f"depth={depth}", "--against", "--set", f"depth={depth}", "--set", "width=3",
        "--json", catalogue=deep_chain_catalogue(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    model = json.loads(result.stdout)["components"]["model"]
    statuses = [layer["status"] for layer in model["layers"]]
    assert statuses == ["changed"] * (depth + 1)  # the input (its width) and every Dense call, none removed nor added
    group = model["groups"][0]
    assert (group["status"], group["count"], group["calls"], group["repeats"]) == (
        "changed", depth, depth, {"left": depth, "right": depth}
    )  # fmt: skip
    assert model["params"]["delta"]["total"] == depth * (3 * 3 + 3 - DENSE_PARAMS)


@pytest.mark.slow
def test_the_review_page_of_a_chain_of_10000_layers_stays_under_10_mb(tmp_path):
    # benchmarks/page_size.py measured this page at 9.26 MB (it was about 19.6 MB before its SVG was compacted).
    page = tmp_path / "deep.html"
    result = run_kreg("review", "deep-chain", "--set", "depth=10000", "-o", str(page), catalogue=deep_chain_catalogue())
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert len(html.encode()) < 10 * 10**6
    assert "dense_9999" in html and "60,000" in html  # the last layer drawn, the parameters counted: 10,000 x 6
    assert "(10,000 calls alike)" in html  # the Threaded Dense table, folded
