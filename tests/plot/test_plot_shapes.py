"""Graph nodes at the sizes compute was counted at (issue 22, item 3), on small real models (no mocks).

A model that leaves its sequence length unknown is drawn with ``(None, None)``
shapes; where its compute was counted at concrete sizes (``--input-shape``, a
data adapter) each node shows the shapes at those sizes, each size the model
leaves unknown marked ``*`` as the layer rows mark it. Rows are matched to
nodes by their whole path: an inner model's ``dense`` is not the outer one's.
"""

from __future__ import annotations

import re

import pytest

import kreg
from kreg.inspect_tools.graph import GraphOptions, model_graph
from kreg.inspect_tools.graph_folding import counted_by_path
from kreg.inspect_tools.graph_labels import label_name


def _sequence_model():
    """Tokens of unknown length through an inner model and an outer layer both auto-named ``dense``."""
    import keras

    inner_in = keras.Input((None, 4), name="inner_in")
    inner = keras.Model(inner_in, keras.layers.Dense(5, name="dense")(inner_in), name="inner")
    tokens = keras.Input((None,), name="tokens")
    x = keras.layers.Embedding(30, 4, name="embed")(tokens)
    x = keras.layers.Dense(3, name="dense")(inner(x))
    return keras.Model(tokens, x, name="outer")


def _labels(dot):
    found = {}
    for node in dot.get_node_list():
        label = node.get("label") or ""
        found[label_name(label) or label] = label
    for cluster in dot.get_subgraph_list():
        found |= {f"{cluster.get('label')}/{name}": label for name, label in _labels(cluster).items()}
    return found


@pytest.fixture(scope="module")
def sequence():
    model = _sequence_model()
    return model, kreg.inspect(model, input_shapes={"tokens": [7]}).report.components["model"]


def test_nodes_show_the_counted_length_marked_where_the_model_leaves_it_unknown(sequence):
    model, component = sequence
    dot = model_graph(model, GraphOptions(expand_nested=True), counted=counted_by_path(component.layers))
    labels = _labels(dot)
    text = "".join(labels.values())
    assert "None, None" not in text and "(None, 7*)" in text
    assert "(None, 7*) &#8594; (None, 7*, 4)" in labels["embed"]
    # matched by path: the inner model's dense makes 5 features, the outer one 3
    inner_dense = next(label for name, label in labels.items() if name.endswith('inner (Functional)"/dense'))
    assert "(None, 7*, 4) &#8594; (None, 7*, 5)" in inner_dense
    assert "(None, 7*, 5) &#8594; (None, 7*, 3)" in labels["dense"]
    assert "applies kernel (5, 3) at each of 7 positions" in labels["dense"]
    outputs = [label for label in labels.values() if "output: " in label]
    assert len(outputs) == 1 and "(None, 7*, 3)" in outputs[0]


def test_the_notebook_card_draws_its_graph_at_the_counted_length():
    card = kreg.inspect(_sequence_model(), input_shapes={"tokens": [7]})._repr_html_()
    graph = re.search(r'<svg class="graph".*?</svg>', card, re.DOTALL).group(0)
    assert "(None, 7*, 5) \u2192 (None, 7*, 3)" in re.sub(r"<[^>]+>", "", graph) and "None, None" not in graph
    layers = re.search(r"<summary>Layers</summary>.*?</section>", card, re.DOTALL).group(0)
    assert '<td class="code">(None, 7*, 3)</td>' in layers and "None, None" not in layers  # as its graph


def test_without_counted_sizes_the_nodes_keep_the_models_own_shapes(sequence):
    model, _ = sequence
    text = "".join(_labels(model_graph(model)).values())
    assert "(None, None, 3)" in text and "*" not in text


def test_a_model_of_known_sizes_draws_the_same_with_its_report():
    import keras

    inputs = keras.Input((6,), name="features")
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(inputs))
    component = kreg.inspect(model).report.components["model"]
    assert counted_by_path(component.layers) == {}
    plain = model_graph(model).to_string()
    assert model_graph(model, counted=counted_by_path(component.layers)).to_string() == plain


@pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")
def test_kreg_plot_draws_the_transformer_at_the_input_shape_given(kreg_cli, tmp_path):
    path = tmp_path / "transformer.dot"
    args = ("plot", "transformer", "--preset", "smoke", "--input-shape", "encoder_inputs=7", "-o", str(path))
    result = kreg_cli(*args)
    assert result.exit_code == 0, result.output
    dot = path.read_text(encoding="utf-8")
    assert "<b>encoder_inputs</b></td></tr><tr><td>(None, 7*)</td>" in dot
    assert (
        "<b>transformer_encoder</b> (TransformerEncoder)</td></tr><tr><td>(None, 7*, 32) &#8594; (None, 7*, 32)" in dot
    )
    assert "None, None" not in dot  # the decoder's inputs at the data adapter's 10 tokens
    assert "(None, 10*, 200)" in dot


def test_kreg_plot_takes_a_malformed_input_shape_as_a_usage_error(kreg_cli, tmp_path):
    result = kreg_cli("plot", "transformer", "--input-shape", "encoder_inputs=x", "-o", str(tmp_path / "t.dot"))
    assert result.exit_code == 2 and "Traceback" not in result.output
