"""The pydot graph of a model: nodes, edges and clusters (not image bytes)."""

from __future__ import annotations

import re
import subprocess

import keras
import numpy as np
import pytest

from kreg.inspect_tools.graph import GraphOptions, model_graph

NAME = re.compile(r"(?:(input|output): )?<b>([^<]+)</b>")


def _name(node) -> str | None:
    """``hidden_layer`` for a layer, ``input:input_beta`` / ``output:x`` for model inputs and outputs."""
    match = NAME.search(node.get("label") or "")
    if match is None:
        return None
    kind, name = match.groups()
    return f"{kind}:{name}" if kind else name


def _nodes(graph) -> dict[str, str]:
    """Node id -> name, through every cluster."""
    found = {node.get_name(): _name(node) for node in graph.get_nodes() if _name(node)}
    for sub in graph.get_subgraphs():
        found.update(_nodes(sub))
    return found


def _edges(graph) -> set[tuple[str, str]]:
    names = _nodes(graph)
    return {(names[e.get_source()], names[e.get_destination()]) for e in graph.get_edges()}


def _clusters(graph) -> dict[str, set[str]]:
    """Cluster label -> names of the nodes directly inside it, through every level."""
    found = {}
    for sub in graph.get_subgraphs():
        label = sub.get("label").strip('"')
        found[label] = {_name(n) for n in sub.get_nodes() if _name(n)}
        found.update(_clusters(sub))
    return found


def test_functional_model_nodes_edges_and_named_inputs_and_outputs(toy):
    graph = model_graph(toy.threaded_model())

    assert sorted(_nodes(graph).values()) == sorted(
        [
            "input:input_beta",
            "input:input_factor",
            "hidden_layer",
            "batch_norm",
            "output_beta",
            "output_factor",
            "output_layer",
            "output:output_layer",
        ]
    )
    assert _edges(graph) == {
        ("input:input_beta", "hidden_layer"),
        ("hidden_layer", "batch_norm"),
        ("batch_norm", "output_beta"),
        ("input:input_factor", "output_factor"),
        ("output_beta", "output_layer"),
        ("output_factor", "output_layer"),
        ("output_layer", "output:output_layer"),
    }


def test_labels_show_shapes_and_threading(toy):
    graph = model_graph(toy.threaded_model())

    label = next(n.get("label") for n in graph.get_nodes() if _name(n) == "hidden_layer")
    assert "(None, 100, 20) &#8594; (None, 100, 8)" in label
    assert "applies kernel (20, 8) at each of 100 positions" in label


def test_rankdir_and_dpi_are_graph_attributes(toy):
    graph = model_graph(toy.nested_model(), GraphOptions(rankdir="LR", dpi=150))

    assert graph.get("rankdir") == "LR" and graph.get("dpi") == "150"


def test_nested_model_is_one_node_unless_expanded(toy):
    model = toy.nested_model()

    flat = model_graph(model)
    expanded = model_graph(model, GraphOptions(expand_nested=True))

    assert ("input:outer_inputs", "inner_model") in _edges(flat)
    assert _clusters(flat) == {}
    assert _clusters(expanded) == {"inner_model (Functional)": {"input:inner_inputs", "inner_dense"}}
    assert _edges(expanded) >= {
        ("input:outer_inputs", "input:inner_inputs"),
        ("input:inner_inputs", "inner_dense"),
        ("inner_dense", "outer_dense"),
    }


def test_seq2seq_transformer_expand_nested_where_keras_raises_index_error(toy):
    model = toy.seq2seq_transformer()
    with pytest.raises(IndexError):  # Keras 3.15's own expand_nested on the seeds' Transformer
        keras.utils.model_to_dot(model, expand_nested=True)

    graph = model_graph(model, GraphOptions(expand_nested=True))

    clusters = _clusters(graph)
    assert clusters["decoder (Functional)"] >= {
        "input:decoder_inputs",
        "input:decoder_state_inputs",
        "transformer_decoder",
        "logits",
    }
    ops = [n.get("label") for n in graph.get_nodes() if "(NotEqual op)" in (n.get("label") or "")]
    assert len(ops) == 1  # the padding mask Keras computes with keras.ops, drawn as an op, not a layer
    edges = _edges(graph)
    assert (
        "transformer_encoder",
        "input:decoder_state_inputs",
    ) in edges  # the encoder's states feed the decoder's second input
    assert ("input:decoder_inputs", "input:decoder_inputs") in edges  # the outer input into the decoder's own
    assert ("input:decoder_state_inputs", "transformer_decoder") in edges
    assert ("logits", "output:decoder") in edges


def test_expand_layers_opens_custom_layers_into_traced_calls(toy):
    graph = model_graph(toy.seq2seq_transformer(), GraphOptions(expand_layers=True))

    clusters = _clusters(graph)
    assert clusters["attention (MultiHeadAttention)"] == {"query", "key", "value", "attention_output"}
    assert clusters["transformer_encoder (TransformerEncoder)"] == {"layernorm_1", "dense_proj", "layernorm_2"}
    assert clusters["encoder_embedding (PositionalEmbedding)"] == {"token_embeddings", "position_embeddings"}
    assert "decoder" in _nodes(graph).values()  # models open with expand_nested, not expand_layers
    edges = _edges(graph)
    assert ("token_embeddings", "query") in edges  # out of one opened layer into another
    assert ("query", "attention_output") in edges
    assert ("attention_output", "layernorm_1") in edges  # through the residual add
    assert ("layernorm_1", "dense_proj") in edges
    assert ("layernorm_1", "layernorm_2") in edges  # the residual around the projection
    assert ("layernorm_2", "decoder") in edges


def test_expand_nested_and_layers_open_everything(toy):
    graph = model_graph(toy.seq2seq_transformer(), GraphOptions(expand_nested=True, expand_layers=True))

    clusters = _clusters(graph)
    assert clusters["dense_proj (Sequential)"] == {"proj_hidden", "proj_out"}
    assert clusters["attention_2 (MultiHeadAttention)"] == {"query", "key", "value", "attention_output"}
    assert clusters["transformer_decoder (TransformerDecoder)"] == {"layernorm_1", "layernorm_2", "layernorm_3"}
    edges = _edges(graph)
    assert ("layernorm_1", "proj_hidden") in edges
    assert ("proj_hidden", "proj_out") in edges
    assert ("layernorm_2", "input:decoder_state_inputs") in edges  # the encoder's states into the decoder


def test_custom_layer_without_expand_layers_is_one_node(toy):
    graph = model_graph(toy.custom_layer_model())

    assert _edges(graph) == {("input:features", "block"), ("block", "head"), ("head", "output:head")}


def test_custom_layer_expanded_connects_inner_dense_layers(toy):
    graph = model_graph(toy.custom_layer_model(), GraphOptions(expand_layers=True))

    assert _clusters(graph) == {"block (MLPBlock)": {"inner_a", "inner_b"}}
    assert _edges(graph) == {
        ("input:features", "inner_a"),
        ("inner_a", "inner_b"),
        ("inner_b", "head"),
        ("head", "output:head"),
    }


def test_shared_layer_is_one_node_with_both_inputs(toy):
    graph = model_graph(toy.shared_dense_model())

    assert list(_nodes(graph).values()).count("shared") == 1
    label = next(n.get("label") for n in graph.get_nodes() if _name(n) == "shared")
    assert "(None, 3) &#8594; (None, 4)" in label and "(None, 5, 3) &#8594; (None, 5, 4)" in label  # both calls
    assert "once per example" in label and "at each of 5 positions" in label
    assert {("input:left", "shared"), ("input:right", "shared"), ("shared", "flatten"), ("shared", "join")} <= _edges(
        graph
    )


def test_model_without_call_is_drawn_as_one_cluster_per_submodel(toy):
    graph = model_graph(toy.toy_vae())

    clusters = _clusters(graph)
    assert set(clusters) == {"encoder (Functional)", "decoder (Functional)"}
    assert {"input:encoder_inputs", "z_mean", "z_log_var", "output:z_mean", "output:z_log_var"} <= clusters[
        "encoder (Functional)"
    ]
    assert clusters["decoder (Functional)"] == {"input:latent_inputs", "decoder_out", "output:decoder_out"}


def test_subclassed_model_is_drawn_from_a_trace(toy):
    model = toy.TinyMLP()
    model(np.zeros((2, 4), "float32"))

    graph = model_graph(model)

    assert _edges(graph) == {("input:input", "hidden"), ("hidden", "head"), ("head", "output:output")}


def test_traced_layer_that_returns_its_input_unchanged_stays_in_the_chain():
    class WithDropout(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.a = keras.layers.Dense(3, name="a")
            self.drop = keras.layers.Dropout(0.5, name="drop")  # returns its input as is at inference
            self.b = keras.layers.Dense(1, name="b")

        def call(self, inputs):
            return self.b(self.drop(self.a(inputs)))

    model = WithDropout()
    model(np.zeros((1, 4), "float32"))

    assert _edges(model_graph(model)) == {
        ("input:input", "a"),
        ("a", "drop"),
        ("drop", "b"),
        ("b", "output:output"),
    }


def test_dict_outputs_are_named_by_their_keys():
    inputs = keras.Input((3,), name="x")
    outputs = {
        "score": keras.layers.Dense(1, name="head_a")(inputs),
        "logits": keras.layers.Dense(2, name="head_b")(inputs),
    }

    edges = _edges(model_graph(keras.Model(inputs, outputs)))

    assert {("head_a", "output:score"), ("head_b", "output:logits")} <= edges


def test_subclassed_model_returning_a_dict_names_outputs_by_key():
    class TwoHeads(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.a = keras.layers.Dense(1, name="a")
            self.b = keras.layers.Dense(2, name="b")

        def call(self, inputs):
            return {"loss": keras.ops.mean(self.a(inputs)), "logits": self.b(inputs)}

    model = TwoHeads()
    model(np.zeros((1, 3), "float32"))

    edges = _edges(model_graph(model))

    assert {("a", "output:loss"), ("b", "output:logits"), ("input:input", "a")} <= edges


def test_sequential_model(toy):
    model = keras.Sequential(
        [keras.Input((3,), name="x"), keras.layers.Dense(2, name="a"), keras.layers.Dense(1, name="b")]
    )

    assert _edges(model_graph(model)) == {("input:x", "a"), ("a", "b"), ("b", "output:b")}


def test_custom_layer_that_cannot_be_traced_is_drawn_closed_with_the_reason():
    class Fragile(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = keras.layers.Dense(2)
            self.broken = False

        def call(self, inputs):
            if self.broken:
                raise RuntimeError("only eager")
            return self.inner(inputs)

    inputs = keras.Input((3,), name="x")
    fragile = Fragile(name="fragile")
    model = keras.Model(inputs, fragile(inputs))
    fragile.broken = True  # fine while Keras built the model, fails when kreg traces it

    graph = model_graph(model, GraphOptions(expand_layers=True))

    label = next(n.get("label") for n in graph.get_nodes() if _name(n) == "fragile")
    assert "not opened: RuntimeError: only eager" in label
    assert _edges(graph) == {("input:x", "fragile"), ("fragile", "output:fragile")}


def test_dot_source_is_read_by_the_real_dot(toy):
    graph = model_graph(toy.seq2seq_transformer(), GraphOptions(expand_nested=True, expand_layers=True))

    plain = subprocess.run(["dot", "-Tplain"], input=graph.to_string(), capture_output=True, text=True, check=True)

    laid_out = [line.split()[1] for line in plain.stdout.splitlines() if line.startswith("node ")]
    assert sorted(laid_out) == sorted(_nodes(graph))


def _orphans(graph) -> set[str]:
    """Names of the nodes no edge points at, model inputs excepted."""
    names = _nodes(graph)
    reached = {e.get_destination() for e in graph.get_edges()}
    return {name for node, name in names.items() if node not in reached and not name.startswith("input:")}


@pytest.mark.parametrize("expand_layers", [False, True])
def test_lstm_seq2seq_keeps_the_state_and_output_edges_when_opened(toy, expand_layers):
    graph = model_graph(toy.char_seq2seq_lstm(), GraphOptions(expand_layers=expand_layers))

    edges = _edges(graph)
    assert not _orphans(graph)
    if not expand_layers:
        assert {("encoder", "decoder"), ("decoder", "decoder_dense"), ("input:decoder_inputs", "decoder")} <= edges
        return
    assert _clusters(graph)["encoder (LSTM)"] == {"lstm_cell"}
    assert _clusters(graph)["decoder (LSTM)"] == {"lstm_cell"}
    cells = sorted(node for node, name in _nodes(graph).items() if name == "lstm_cell")
    assert len(cells) == 2
    names = _nodes(graph)
    raw = {(e.get_source(), e.get_destination()) for e in graph.get_edges()}
    encoder_cell, decoder_cell = cells
    assert (encoder_cell, decoder_cell) in raw  # the encoder's states start the decoder
    assert ("input:encoder_inputs", "lstm_cell") in edges and ("input:decoder_inputs", "lstm_cell") in edges
    assert any(names[s] == "lstm_cell" and names[d] == "decoder_dense" and s == decoder_cell for s, d in raw)


@pytest.mark.parametrize(
    "builder",
    [
        "threaded_model",
        "seq2seq_transformer",
        "custom_layer_model",
        "char_seq2seq_lstm",
        "nested_model",
        "shared_dense_model",
        "attention_model",
        "tiny_unet",
        "toy_vae",
    ],
)
def test_every_node_but_the_inputs_has_an_incoming_edge(toy, builder):
    for options in (GraphOptions(), GraphOptions(expand_nested=True, expand_layers=True)):
        assert not _orphans(model_graph(getattr(toy, builder)(), options)), (builder, options)
