"""``kreg inspect --depth --sort --top --no-fold`` and the repeated blocks, on ResNet50 and the transformer."""

from __future__ import annotations

import json

import pytest

from kreg.inspect_tools.folding import block_label
from kreg.testing_plugin import run_kreg
from tests.support.text_tables import table_rows

LAYERS = "model: layers (traced calls, also inside custom layers)"
RESNET50_MACS = 3_857_973_248


@pytest.fixture(scope="module")
def resnet50_json():
    result = run_kreg("inspect", "resnet50", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["components"]["model"]


def test_depth_1_folds_resnet50s_16_bottlenecks_into_its_four_stages():
    result = run_kreg("inspect", "resnet50", "--depth", "1", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout, LAYERS)
    folded = [(row[0], row[1]) for row in rows if row[1].startswith("block x")]
    assert folded == [
        ("conv2_block1..3", "block x 3"),
        ("conv3_block1..4", "block x 4"),
        ("conv4_block1..6", "block x 6"),
        ("conv5_block1..3", "block x 3"),
    ]
    assert len(rows) == 13  # input, 6 stem rows, 4 stages, pooling, classifier
    macs = sum(int(row[5].replace(",", "")) for row in rows)
    assert macs == RESNET50_MACS  # the folded rows sum their blocks' MACs: nothing lost, nothing counted twice
    assert rows[-1][-1] == "1000, softmax"


def test_the_json_repeats_carry_the_stages_and_their_summed_figures(resnet50_json):
    repeats = resnet50_json["repeats"]
    assert [(block["label"], block["count"], block["found_by"]) for block in repeats] == [
        ("conv2_block1..3", 3, "names"),
        ("conv3_block1..4", 4, "names"),
        ("conv4_block1..6", 6, "names"),
        ("conv5_block1..3", 3, "names"),
    ]
    stage = repeats[0]
    assert stage["units"] == ["conv2_block1_1_conv", "conv2_block2_1_conv", "conv2_block3_1_conv"]
    assert (stage["first"], stage["last"]) == ("conv2_block1_1_conv", "conv2_block3_out")
    inside = [row for row in resnet50_json["layers"] if row["path"].startswith("conv2_block")]
    assert stage["params"] == sum(row["params"] for row in inside)
    assert stage["macs"] == sum(row["macs"] for row in inside)


def test_sort_and_top_list_the_costliest_calls_unfolded(resnet50_json):
    result = run_kreg("inspect", "resnet50", "--sort", "macs", "--top", "3", "--json")
    assert result.exit_code == 0, result.output
    model = json.loads(result.stdout)["components"]["model"]
    expected = sorted(resnet50_json["layers"], key=lambda row: row["macs"], reverse=True)[:3]
    assert [row["path"] for row in model["layers"]] == [row["path"] for row in expected]
    assert "repeats" not in model
    assert model["compute"] == resnet50_json["compute"]  # totals never change


# Slow: a second ResNet50 inspection; folding itself is covered by the --depth 1 tests.
@pytest.mark.slow
def test_no_fold_shows_every_row_and_no_repeats():
    result = run_kreg("inspect", "resnet50", "--no-fold", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout, LAYERS)
    assert len(rows) == 177 and not any(row[1].startswith("block x") for row in rows)
    result = run_kreg("inspect", "resnet50", "--no-fold", "--json")
    assert "repeats" not in json.loads(result.stdout)["components"]["model"]


def test_depth_keeps_a_custom_layers_row_and_drops_its_inner_calls():
    result = run_kreg("inspect", "transformer", "--depth", "1", "--json")
    assert result.exit_code == 0, result.output
    model = json.loads(result.stdout)["components"]["model"]
    paths = [row["path"] for row in model["layers"]]
    assert "transformer_encoder" in paths and "decoder" in paths
    assert not any("/" in path for path in paths)


def test_bad_view_options_get_one_line_and_exit_2():
    for args in (["--depth", "0"], ["--top", "0"], ["--sort", "flops"]):
        result = run_kreg("inspect", "mlp", *args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("conv2_block1_1_conv", "conv2_block1"),
        ("conv2_block1_add", "conv2_block1"),
        ("block_1_expand_BN", "block_1"),
        ("block2a_se_squeeze", "block2a"),
        ("conv1_conv", "conv1"),
        ("dense_3", None),
        ("predictions", None),
    ],
)
def test_block_labels_read_numbered_names(name, label):
    assert block_label(name) == label
