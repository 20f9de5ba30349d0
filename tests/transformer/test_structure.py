"""The Transformer family matches the seeds' listings layer for layer.

Parameter counts are checked against a transcription of the listings into
stock Keras layers (Embedding, MultiHeadAttention, Dense, LayerNormalization),
built one by one here, so a wrong size anywhere in the custom layers shows.
"""

from __future__ import annotations

import keras
import pytest
from keras import layers

from kreg.errors import HyperparameterError
from kreg.plugins.transformer.layers import PositionalEmbedding, TransformerDecoder, TransformerEncoder
from kreg.plugins.transformer.model import build_language_model, build_transformer

pytestmark = pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")


def stock_params(layer: keras.layers.Layer, *shapes: tuple) -> int:
    """Build a stock Keras layer on the given input shapes and count its weights."""
    layer.build(*shapes)
    return layer.count_params()


def listing_positional_embedding(sequence_length: int, vocab_size: int, embed_dim: int) -> int:
    """PositionalEmbedding: Embedding(vocab_size, embed_dim) + Embedding(sequence_length, embed_dim)."""
    return stock_params(layers.Embedding(vocab_size, embed_dim), (None, None)) + stock_params(
        layers.Embedding(sequence_length, embed_dim), (None,)
    )


def listing_block(embed_dim: int, latent_dim: int, num_heads: int, attentions: int, norms: int) -> int:
    """Attention(s) with key_dim=embed_dim, Dense(latent_dim, relu) -> Dense(embed_dim), LayerNorms."""
    x = (None, None, embed_dim)
    attention = sum(
        stock_params(layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim), x, x, x)
        for _ in range(attentions)
    )
    projection = stock_params(layers.Dense(latent_dim), x) + stock_params(
        layers.Dense(embed_dim), (None, None, latent_dim)
    )
    return attention + projection + sum(stock_params(layers.LayerNormalization(), x) for _ in range(norms))


def listing_counts(
    name: str, sequence_length: int, vocab_size: int, embed_dim: int, latent_dim: int, num_heads: int
) -> dict[str, int]:
    """Parameter counts of the seeds' models, component by component."""
    embedding = listing_positional_embedding(sequence_length, vocab_size, embed_dim)
    softmax = stock_params(layers.Dense(vocab_size), (None, None, embed_dim))
    decoder = embedding + listing_block(embed_dim, latent_dim, num_heads, attentions=2, norms=3) + softmax
    if name == "transformer-lm":
        return {"model": decoder}
    encoder = embedding + listing_block(embed_dim, latent_dim, num_heads, attentions=1, norms=2)
    return {"model": encoder + decoder, "encoder": encoder, "decoder": decoder}


def layer_classes(model: keras.Model) -> dict[str, str]:
    return {layer.name: type(layer).__name__ for layer in model.layers}


def test_seq2seq_components_and_layers(seq2seq_hp):
    components = build_transformer(**seq2seq_hp)
    assert list(components) == ["model", "encoder", "decoder"]
    model, encoder, decoder = components["model"], components["encoder"], components["decoder"]

    assert [t.name for t in model.inputs] == ["encoder_inputs", "decoder_inputs"]
    assert [t.name for t in encoder.inputs] == ["encoder_inputs"]
    assert [t.name for t in decoder.inputs] == ["decoder_inputs", "decoder_state_inputs"]
    assert all(t.dtype == "int64" for t in (*model.inputs, decoder.inputs[0]))

    assert layer_classes(encoder) == {
        "encoder_inputs": "InputLayer",
        "encoder_embedding": "PositionalEmbedding",
        "transformer_encoder": "TransformerEncoder",
    }
    assert layer_classes(decoder) == {
        "decoder_inputs": "InputLayer",
        "decoder_state_inputs": "InputLayer",
        "decoder_embedding": "PositionalEmbedding",
        "transformer_decoder": "TransformerDecoder",
        "dropout": "Dropout",
        "next_token": "Dense",
    }
    assert layer_classes(model) == {
        "encoder_inputs": "InputLayer",
        "decoder_inputs": "InputLayer",
        "encoder_embedding": "PositionalEmbedding",
        "transformer_encoder": "TransformerEncoder",
        "decoder": "Functional",
    }
    assert decoder.get_layer("dropout").rate == 0.5
    head = decoder.get_layer("next_token")
    assert head.units == seq2seq_hp["vocab_size"] and head.activation.__name__ == "softmax"

    embed_dim, vocab_size = seq2seq_hp["embed_dim"], seq2seq_hp["vocab_size"]
    assert tuple(encoder.outputs[0].shape) == (None, None, embed_dim)
    assert tuple(decoder.inputs[1].shape) == (None, None, embed_dim)
    assert tuple(model.outputs[0].shape) == (None, None, vocab_size)


def test_decoder_cross_attention_reads_decoder_state_inputs(seq2seq_hp):
    """The seed's point: decoder_state_inputs feed the TransformerDecoder's second argument."""
    decoder = build_transformer(**seq2seq_hp)["decoder"]
    node = decoder.get_layer("transformer_decoder")._inbound_nodes[0]
    sources = [tensor._keras_history.operation.name for tensor in node.arguments.args]
    assert sources == ["decoder_embedding", "decoder_state_inputs"]


def test_language_model_layers(lm_hp):
    model = build_language_model(**lm_hp)
    assert [t.name for t in model.inputs] == ["inputs"]
    assert layer_classes(model) == {
        "inputs": "InputLayer",
        "positional_embedding": "PositionalEmbedding",
        "transformer_decoder": "TransformerDecoder",
        "next_token": "Dense",
    }
    node = model.get_layer("transformer_decoder")._inbound_nodes[0]
    first, second = node.arguments.args
    assert first is second  # TransformerDecoder(...)(x, x)
    assert model.get_layer("transformer_decoder").causal_cross_attention is True
    assert tuple(model.outputs[0].shape) == (None, None, lm_hp["vocab_size"])


def test_custom_layers_hold_the_listed_sub_layers():
    """Sub-layers exist from __init__ (before any call), with the listing's sizes."""
    encoder = TransformerEncoder(16, 24, 4)
    assert isinstance(encoder.attention, layers.MultiHeadAttention)
    assert encoder.attention.num_heads == 4 and encoder.attention.key_dim == 16
    assert [(d.units, d.activation.__name__) for d in encoder.dense_proj.layers] == [(24, "relu"), (16, "linear")]
    assert isinstance(encoder.layernorm_1, layers.LayerNormalization) and isinstance(
        encoder.layernorm_2, layers.LayerNormalization
    )

    decoder = TransformerDecoder(16, 24, 4)
    for attention in (decoder.attention_1, decoder.attention_2):
        assert attention.num_heads == 4 and attention.key_dim == 16
    assert [(d.units, d.activation.__name__) for d in decoder.dense_proj.layers] == [(24, "relu"), (16, "linear")]
    assert all(
        isinstance(n, layers.LayerNormalization)
        for n in (decoder.layernorm_1, decoder.layernorm_2, decoder.layernorm_3)
    )

    embedding = PositionalEmbedding(7, 30, 16)
    assert (embedding.token_embeddings.input_dim, embedding.token_embeddings.output_dim) == (30, 16)
    assert (embedding.position_embeddings.input_dim, embedding.position_embeddings.output_dim) == (7, 16)


def test_calls_share_weights():
    """Calling a layer again reuses its weights: nothing is created in call()."""
    import numpy as np

    encoder = TransformerEncoder(8, 12, 2)
    x = np.random.default_rng(0).normal(size=(2, 5, 8)).astype("float32")
    first = encoder(x)
    weights = [w.path for w in encoder.weights]
    second = encoder(x)
    assert [w.path for w in encoder.weights] == weights
    np.testing.assert_allclose(first, second)


@pytest.mark.parametrize("name", ["transformer", "transformer-lm"])
def test_parameter_counts_match_the_listing_at_smoke_size(name, architectures):
    hp = {**architectures[name].hyperparameters, **architectures[name].presets["smoke"]}
    builder = build_transformer if name == "transformer" else build_language_model
    built = builder(**hp)
    components = built if isinstance(built, dict) else {"model": built}
    expected = listing_counts(name, **hp)
    assert {key: model.count_params() for key, model in components.items()} == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("transformer", {"model": 19_960_216, "encoder": 7_000_576, "decoder": 12_959_640}),
        ("transformer-lm", {"model": 9_825_176}),
    ],
)
def test_parameter_counts_at_the_seed_defaults(name, expected, architectures):
    """19,960,216 is what the keras-io example's summary() prints for the full Transformer."""
    hp = architectures[name].hyperparameters
    assert listing_counts(name, **hp) == expected
    builder = build_transformer if name == "transformer" else build_language_model
    built = builder(**hp)
    components = built if isinstance(built, dict) else {"model": built}
    assert {key: model.count_params() for key, model in components.items()} == expected


def test_defaults_are_the_seeds(architectures):
    assert architectures["transformer"].hyperparameters == {
        "sequence_length": 20,
        "vocab_size": 15000,
        "embed_dim": 256,
        "latent_dim": 2048,
        "num_heads": 8,
    }
    assert architectures["transformer-lm"].hyperparameters == {
        "sequence_length": 100,
        "vocab_size": 15000,
        "embed_dim": 256,
        "latent_dim": 2048,
        "num_heads": 2,
    }
    assert architectures["transformer"].components == ("model", "encoder", "decoder")


def test_compiled_as_the_seeds(seq2seq_hp, lm_hp):
    model = build_transformer(**seq2seq_hp)["model"]
    assert type(model.optimizer).__name__ == "RMSprop"
    assert model.loss == "sparse_categorical_crossentropy"
    assert "accuracy" in str(model._compile_config.config["metrics"])
    lm = build_language_model(**lm_hp)
    assert type(lm.optimizer).__name__ == "RMSprop" and lm.loss == "sparse_categorical_crossentropy"


@pytest.mark.parametrize(
    ("builder", "key", "value"),
    [
        (build_transformer, "embed_dim", 0),
        (build_transformer, "vocab_size", 4),
        (build_transformer, "sequence_length", 1),
        (build_language_model, "num_heads", -1),
        (build_language_model, "sequence_length", 1),
        (build_language_model, "latent_dim", 2.5),
    ],
)
def test_bad_hyperparameters_are_named(builder, key, value):
    with pytest.raises(HyperparameterError) as caught:
        builder(**{key: value})
    assert caught.value.key == key
