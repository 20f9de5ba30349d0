"""Builders of the seq2seq Transformer and the Transformer language model, as the seeds list them."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

import keras
from keras import layers

from kreg.errors import HyperparameterError
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.transformer.defaults import LANGUAGE_MODEL, TRANSLATION
from kreg.plugins.transformer.layers import PositionalEmbedding, TransformerDecoder, TransformerEncoder
from kreg.plugins.transformer.vocabulary import LM_VOCABULARY, SOURCE_VOCABULARY, TARGET_VOCABULARY, vocabulary_of
from kreg.validation import require_positive_int

DECODER_MASK_WARNING = r"Layer 'decoder' \(of type Functional\) was passed an input with a mask attached"
"""Keras's warning each time the transformer calls its decoder model on the encoder states.

It says the decoder "destroys" the states' mask. The decoder model does receive
that mask and its TransformerDecoder uses it (the tests check that padded source
tokens change nothing); only the decoder's output carries no mask, so the loss
counts padded target positions, as in the keras.io example, which Keras 3 warns
about alike. The plugin ignores it where it calls the decoder itself (building,
greedy decoding), inside those calls only: importing a plugin must not change
the process's warning filters. Training and loading a saved transformer are
Keras calls kreg makes, so Keras shows the warning there, once per process.
"""


@contextmanager
def decoder_mask_warning_ignored() -> Iterator[None]:
    """Ignore :data:`DECODER_MASK_WARNING` inside the block only (the process's filters are left as they were)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=DECODER_MASK_WARNING)
        yield


@defaults_from(TRANSLATION)
def build_transformer(
    *,
    sequence_length: int,
    vocab_size: int,
    embed_dim: int,
    latent_dim: int,
    num_heads: int,
    data_state: Mapping[str, Any] | None = None,
) -> dict[str, keras.Model]:
    """Build the English-to-Spanish Transformer: encoder, decoder and the two joined.

    Layer for layer the keras.io example: ``encoder_inputs`` -> PositionalEmbedding
    -> TransformerEncoder is the encoder; ``[decoder_inputs, decoder_state_inputs]``
    -> PositionalEmbedding -> TransformerDecoder(x, decoder_state_inputs) ->
    Dropout(0.5) -> Dense softmax is the decoder; ``transformer`` feeds the
    encoder's states to the decoder.

    Args:
        sequence_length: int. Tokens per sentence (positions with an embedding).
        vocab_size: int. Vocabulary size of each language.
        embed_dim: int. Embedding size (also the attention ``key_dim``).
        latent_dim: int. Hidden units of the feed-forward projections.
        num_heads: int. Attention heads.
        data_state: Mapping or None. What ``data.translation_data_state``
            learned: the source and target vocabularies, saved in the two
            embeddings (None or empty: synthetic ids, no words).

    Returns:
        dict[str, keras.Model]. ``"model"`` (the transformer, compiled with
        rmsprop, sparse categorical cross-entropy and accuracy), ``"encoder"``
        and ``"decoder"``.

    Raises:
        HyperparameterError: a size is not a positive integer, sequence_length < 2
            or vocab_size < 5.
    """
    sizes = TokenSizes(sequence_length, vocab_size, embed_dim)
    _require_sizes(sizes, latent_dim, num_heads, TRANSLATION_MINIMUMS)

    encoder_inputs, x = _embedded_tokens(
        "encoder_inputs", sizes, vocabulary_of(data_state, SOURCE_VOCABULARY), "encoder_embedding"
    )
    encoder_outputs = TransformerEncoder(embed_dim, latent_dim, num_heads, name="transformer_encoder")(x)
    encoder = keras.Model(encoder_inputs, encoder_outputs, name="encoder")

    decoder_inputs, x = _embedded_tokens(
        "decoder_inputs", sizes, vocabulary_of(data_state, TARGET_VOCABULARY), "decoder_embedding"
    )
    encoded_seq_inputs = keras.Input(shape=(None, embed_dim), name="decoder_state_inputs")
    x = TransformerDecoder(embed_dim, latent_dim, num_heads, name="transformer_decoder")(x, encoded_seq_inputs)
    x = layers.Dropout(0.5, name="dropout")(x)
    decoder_outputs = layers.Dense(vocab_size, activation="softmax", name="next_token")(x)
    decoder = keras.Model([decoder_inputs, encoded_seq_inputs], decoder_outputs, name="decoder")

    with decoder_mask_warning_ignored():
        decoder_outputs = decoder([decoder_inputs, encoder_outputs])
    transformer = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs, name="transformer")
    transformer.compile("rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return {"model": transformer, "encoder": encoder, "decoder": decoder}


@defaults_from(LANGUAGE_MODEL)
def build_language_model(
    *,
    sequence_length: int,
    vocab_size: int,
    embed_dim: int,
    latent_dim: int,
    num_heads: int,
    data_state: Mapping[str, Any] | None = None,
) -> keras.Model:
    """Build the Transformer language model of Deep Learning with Python's listing 12.6.

    ``inputs`` -> PositionalEmbedding -> TransformerDecoder(x, x) -> Dense softmax
    over the vocabulary at every position. The decoder's cross-attention on its
    own sequence is causal, as in the seed (see ``layers``).

    Args:
        sequence_length: int. Tokens per vectorized text; the model reads
            ``sequence_length - 1`` and predicts each next token.
        vocab_size: int. Vocabulary size.
        embed_dim: int. Embedding size (also the attention ``key_dim``).
        latent_dim: int. Hidden units of the feed-forward projection.
        num_heads: int. Attention heads.
        data_state: Mapping or None. What ``data.lm_data_state`` learned: the
            vocabulary, saved in the embedding (None or empty: synthetic ids).

    Returns:
        keras.Model. Compiled with rmsprop and sparse categorical cross-entropy.

    Raises:
        HyperparameterError: a size is not a positive integer, sequence_length < 2
            or vocab_size < 3.
    """
    sizes = TokenSizes(sequence_length, vocab_size, embed_dim)
    _require_sizes(sizes, latent_dim, num_heads, LANGUAGE_MODEL_MINIMUMS)

    inputs, x = _embedded_tokens("inputs", sizes, vocabulary_of(data_state, LM_VOCABULARY), "positional_embedding")
    x = TransformerDecoder(embed_dim, latent_dim, num_heads, causal_cross_attention=True, name="transformer_decoder")(
        x, x
    )
    outputs = layers.Dense(vocab_size, activation="softmax", name="next_token")(x)
    model = keras.Model(inputs, outputs, name="transformer_lm")
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop")
    return model


class TokenSizes(NamedTuple):
    """The sizes a PositionalEmbedding is made with, shared by both builders."""

    sequence_length: int
    vocab_size: int
    embed_dim: int


class Minimums(NamedTuple):
    """What a builder needs beyond positive sizes: ``sequence_length >= 2``, ``vocab_size >= vocab``, and why."""

    sequence_why: str
    vocab: int
    vocab_why: str


TRANSLATION_MINIMUMS = Minimums(
    sequence_why="a target needs room for [start] and [end]",
    vocab=5,
    vocab_why="padding, [UNK], [start] and [end] take four ids, and one word more",
)
LANGUAGE_MODEL_MINIMUMS = Minimums(
    sequence_why="the model reads all but the last token of each sequence",
    vocab=3,
    vocab_why="padding and [UNK] take two ids",
)


def _require_sizes(sizes: TokenSizes, latent_dim: int, num_heads: int, minimums: Minimums) -> None:
    """Every size a positive int (in the builders' order), then the ``minimums``."""
    require_positive_int(**sizes._asdict(), latent_dim=latent_dim, num_heads=num_heads)
    _require_at_least("sequence_length", sizes.sequence_length, 2, minimums.sequence_why)
    _require_at_least("vocab_size", sizes.vocab_size, minimums.vocab, minimums.vocab_why)


def _embedded_tokens(
    input_name: str, sizes: TokenSizes, vocabulary: list[str] | None, embedding_name: str
) -> tuple[keras.KerasTensor, keras.KerasTensor]:
    """An int64 token input named ``input_name`` and its PositionalEmbedding (``embedding_name``)."""
    inputs = keras.Input(shape=(None,), dtype="int64", name=input_name)
    embedding = PositionalEmbedding(*sizes, vocabulary=vocabulary, name=embedding_name)
    return inputs, embedding(inputs)


def _require_at_least(name: str, value: int, minimum: int, why: str) -> None:
    if value < minimum:
        raise HyperparameterError(name, f"must be at least {minimum} ({why}), got {value!r}")
