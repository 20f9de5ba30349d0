"""`kreg plot`'s folded blocks, --depth and --attributes, on small real models (no mocks).

A CNN whose three blocks are named in a series (``stage2_block1_conv`` ...,
as ResNet names its own) draws them as one "block x 3" node with their summed
params and MACs; a nested model below --depth is one node; --attributes puts
"3x3 same, 8" on a convolution's node.
"""

from __future__ import annotations

import pytest

import kreg
from kreg.inspect_tools.graph import GraphOptions, model_graph
from kreg.inspect_tools.graph_folding import FoldOptions, reshape_graph
from kreg.inspect_tools.graph_labels import label_name, node_path
from tests.support.small_models import shadowed_dense_model, stages_model


def _nested_model():
    import keras

    inner_in = keras.Input((6,), name="inner_in")
    inner = keras.Model(
        inner_in, keras.layers.Dense(5, name="inner_b")(keras.layers.Dense(5, name="inner_a")(inner_in))
    )
    inner.name = "inner"
    inputs = keras.Input((6,), name="features")
    return keras.Model(inputs, keras.layers.Dense(2, name="head")(inner(inputs)), name="outer")


@pytest.fixture(scope="module")
def stages():
    model = stages_model()
    return model, kreg.inspect(model).report.components["model"]


def _names(dot):
    names = [label_name(node.get("label")) for node in dot.get_node_list()]
    for cluster in dot.get_subgraph_list():
        names += _names(cluster)
    return [name for name in names if name]


def _edges(dot):
    by_id = {node.get_name(): label_name(node.get("label")) or node.get_name() for node in _all_nodes(dot)}
    return {(by_id[e.get_source()], by_id[e.get_destination()]) for e in dot.get_edge_list()}


def _all_nodes(dot):
    nodes = list(dot.get_node_list())
    for cluster in dot.get_subgraph_list():
        nodes += _all_nodes(cluster)
    return nodes


def test_a_series_of_blocks_is_one_node_with_its_summed_figures(stages):
    model, component = stages
    dot = reshape_graph(model_graph(model), component.layers, component.repeats, FoldOptions())
    assert sorted(_names(dot)) == ["head", "pool", "stage2_block1..3", "stem_conv"]
    assert {("stem_conv", "stage2_block1..3"), ("stage2_block1..3", "pool")} <= _edges(dot)
    block = next(node for node in dot.get_node_list() if label_name(node.get("label")) == "stage2_block1..3")
    label = block.get("label")
    assert "(block x 3)" in label and "1,752 params" in label  # 3 x (3*3*8*8 + 8)
    assert "442,368 MACs" in label  # 3 blocks x 16*16 positions x 3*3*8 inputs x 8 filters


def test_no_fold_and_attributes(stages):
    model, component = stages
    dot = reshape_graph(model_graph(model), component.layers, component.repeats, FoldOptions(False, None, True))
    assert len(_names(dot)) == 9 and "stage2_block2_relu" in _names(dot)
    stem = next(node for node in dot.get_node_list() if label_name(node.get("label")) == "stem_conv")
    assert "<i>3x3 same, 8</i>" in stem.get("label")


def test_attributes_go_to_the_node_of_their_own_path_where_two_layers_share_a_name():
    model = shadowed_dense_model()
    component = kreg.inspect(model).report.components["model"]
    dot = model_graph(model, GraphOptions(expand_nested=True))
    dot = reshape_graph(dot, component.layers, (), FoldOptions(fold=False, attributes=True))
    labels = {node_path(node): node.get("label") for node in _all_nodes(dot) if label_name(node.get("label"))}
    assert set(labels) == {"dense", "inner/dense"}
    assert "<i>8</i>" in labels["dense"] and "<i>3</i>" in labels["inner/dense"]  # units: 8 outside, 3 inside


def test_a_nested_model_below_the_depth_is_one_node():
    model = _nested_model()
    component = kreg.inspect(model).report.components["model"]
    opened = model_graph(model, GraphOptions(expand_nested=True))
    assert {"inner_a", "inner_b"} <= set(_names(opened)) and opened.get_subgraph_list()
    closed = reshape_graph(opened, component.layers, component.repeats or (), FoldOptions(depth=1))
    assert sorted(_names(closed)) == ["head", "inner"] and not closed.get_subgraph_list()
    assert ("inner", "head") in _edges(closed)
    assert any(source.startswith("n") and target == "inner" for source, target in _edges(closed))  # the input


def test_kreg_plot_folds_by_default_and_takes_no_fold_and_attributes(kreg_cli, tmp_path):
    saved = tmp_path / "stages.keras"
    stages_model().save(saved)
    folded, unfolded = tmp_path / "folded.dot", tmp_path / "unfolded.dot"
    assert kreg_cli("plot", str(saved), "--attributes", "-o", str(folded)).exit_code == 0
    assert kreg_cli("plot", str(saved), "--no-fold", "-o", str(unfolded)).exit_code == 0
    text = folded.read_text()
    assert "(block x 3)" in text and "stage2_block2_conv" not in text and "3x3 same, 8" in text
    assert "block x" not in unfolded.read_text() and "stage2_block2_conv" in unfolded.read_text()
    result = kreg_cli("plot", str(saved), "--depth", "0", "-o", str(folded))
    assert result.exit_code == 2 and "--depth" in result.output


def test_kreg_plot_depth_opens_what_lies_above_it(kreg_cli, tmp_path):
    saved = tmp_path / "outer.keras"
    _nested_model().save(saved)
    shallow, deep = tmp_path / "shallow.dot", tmp_path / "deep.dot"
    assert kreg_cli("plot", str(saved), "--depth", "1", "-o", str(shallow)).exit_code == 0
    assert kreg_cli("plot", str(saved), "--depth", "2", "-o", str(deep)).exit_code == 0
    assert "cluster" not in shallow.read_text() and "<b>inner</b>" in shallow.read_text()
    assert "inner (Functional)" in deep.read_text() and "<b>inner_a</b>" in deep.read_text()
