"""``kreg diff`` on a keras.io-style Vision Transformer whose layers are all auto-named.

Hand counts used below (projection_dim 16, 2 heads of key_dim 16, MLP units [32, 16]):
one transformer block is 15 layer calls (LayerNormalization, MultiHeadAttention
and its query, key, value, softmax, dropout and attention_output calls, Add,
LayerNormalization, Dense, Dropout, Dense, Dropout, Add) and
2*16 + (3 * (16*2*16 + 2*16) + 2*16*16 + 16) + 2*16 + (16*32 + 32) + (32*16 + 16)
= 32 + 2160 + 32 + 544 + 528 = 3296 parameters.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import kreg
from kreg.cli import main
from kreg.cli.session import Session
from tests.review.vit_plugin import NAME, add_in_process

BLOCK_CALLS = 15
BLOCK_PARAMS = 3296
BLOCK_CLASSES = [
    "LayerNormalization",
    "MultiHeadAttention",
    "EinsumDense",
    "EinsumDense",
    "EinsumDense",
    "Softmax",
    "Dropout",
    "EinsumDense",
    "Add",
    "LayerNormalization",
    "Dense",
    "Dropout",
    "Dense",
    "Dropout",
    "Add",
]


@pytest.fixture(scope="module")
def vit_catalogue() -> kreg.Catalogue:
    return add_in_process(kreg.Catalogue())


@pytest.fixture(scope="module")
def vit_diff(vit_catalogue):
    """``kreg diff test-vit ARGS --json``, parsed."""

    def run(*args: str) -> dict:
        result = CliRunner().invoke(main, ["diff", NAME, *args, "--json"], obj=Session(_catalogue=vit_catalogue))
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


@pytest.fixture(scope="module")
def depth_diff(vit_diff):
    return vit_diff("--against", "--set", "transformer_layers=2")


def _statuses(component: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in component["layers"]:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def test_removing_two_blocks_reports_removals_only(depth_diff):
    model = depth_diff["components"]["model"]
    differing = [row for row in model["layers"] if row["status"] != "same"]
    assert {row["status"] for row in differing} == {"removed"}, [(r["status"], r["path"]) for r in differing]
    assert len(differing) == 2 * BLOCK_CALLS
    assert [row["left"]["class"] for row in differing] == BLOCK_CLASSES * 2
    assert model["params"]["delta"]["total"] == -2 * BLOCK_PARAMS
    assert all(row["status"] == "removed" for row in model["dense"] if row["status"] != "same")
    assert model["threading_changed"] == [] and model["shapes_changed"] == []


def test_the_head_is_the_same_layer_on_both_sides_whatever_keras_named_it(depth_diff):
    rows = depth_diff["components"]["model"]["layers"]
    head = [row for row in rows if row["status"] == "same"][-1]  # the logits Dense
    assert head["left"]["class"] == head["right"]["class"] == "Dense"
    assert head["left"]["output_shape"] == [None, 10]
    assert head["left"]["path"] != head["right"]["path"]  # dense_12 on the left, dense_8 on the right
