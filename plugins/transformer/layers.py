"""The Transformer's custom layers: PositionalEmbedding, TransformerEncoder, TransformerDecoder.

Ported to Keras 3 from the keras.io English-to-Spanish example and from
Deep Learning with Python's chapter 11 blocks, which its chapter 12 reuses:
the same sub-layers with the same sizes (``key_dim=embed_dim``), created in
``__init__`` so that every call shares their weights, an explicit ``build`` so
a saved model reloads its weights, ``get_config`` for ``.keras`` files, and
masks computed with ``keras.ops``.

Masks. ``PositionalEmbedding`` marks id 0 (padding) as masked; Keras carries
that mask to the next layers. The encoder masks padded keys in self-attention.
The decoder receives one mask per input (Keras 3 fills ``inputs_mask`` and
``encoder_outputs_mask`` from the two tensors' masks): self-attention is causal
and skips padded target positions; cross-attention skips padded *source*
positions. The seeds' decoder instead masked the cross-attention with the
target's padding and the causal mask, which restricts target position i to
source positions <= i and needs equal lengths (keras-io issue 1964, PR 1046).
That is exactly right for the language model, whose decoder attends to its own
sequence (``TransformerDecoder(...)(x, x)``) and must not see the future, so it
is kept behind ``causal_cross_attention=True``, which the language model sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import layers, ops

from kreg.plugins.common.configs import attribute_config

PACKAGE = "kreg.transformer"


@keras.saving.register_keras_serializable(package=PACKAGE)
class PositionalEmbedding(layers.Layer):
    """Token embedding plus learned position embedding; id 0 is padding and masked.

    Args:
        sequence_length: int. Number of positions with an embedding (the longest input).
        vocab_size: int. Number of token ids.
        embed_dim: int. Size of each embedding.
        vocabulary: Sequence[str] or None. The words the token ids stand for,
            in id order (what the data-state step learned from the corpus),
            saved in the config so a sampler can decode the model's output in
            another process; None for a model built without text.
    """

    def __init__(
        self,
        sequence_length: int,
        vocab_size: int,
        embed_dim: int,
        vocabulary: Sequence[str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim, name="token_embeddings")
        self.position_embeddings = layers.Embedding(
            input_dim=sequence_length, output_dim=embed_dim, name="position_embeddings"
        )
        self.sequence_length = sequence_length
        self.vocab_size = vocab_size
        self.embed_dim = embed_dim
        if vocabulary is not None and len(vocabulary) > vocab_size:
            raise ValueError(f"{self.name}: vocabulary has {len(vocabulary)} tokens but vocab_size is {vocab_size}")
        # A tuple: Keras would track a list attribute as a structure of its own.
        self._vocabulary = None if vocabulary is None else tuple(str(token) for token in vocabulary)

    @property
    def vocabulary(self) -> list[str] | None:
        """The words of the token ids, in id order, or None when unknown."""
        return None if self._vocabulary is None else list(self._vocabulary)

    def build(self, input_shape: tuple) -> None:
        """Create both embedding tables."""
        self.token_embeddings.build(input_shape)
        self.position_embeddings.build((self.sequence_length,))

    def call(self, inputs: Any) -> Any:
        """Embed ids of shape (batch, length) to (batch, length, embed_dim)."""
        length = ops.shape(inputs)[-1]
        positions = ops.arange(0, length, 1)
        embedded_tokens = self.token_embeddings(inputs)
        embedded_positions = self.position_embeddings(positions)
        return embedded_tokens + embedded_positions

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Mask padding: True where the id is not 0."""
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """(batch, length) -> (batch, length, embed_dim)."""
        return (*input_shape, self.embed_dim)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, the vocabulary included."""
        return attribute_config(
            super().get_config(), self, ("sequence_length", "vocab_size", "embed_dim", "vocabulary")
        )


@keras.saving.register_keras_serializable(package=PACKAGE)
class TransformerEncoder(layers.Layer):
    """Self-attention and a two-layer projection, each with a residual and LayerNorm.

    Args:
        embed_dim: int. Size of the input and output vectors (and ``key_dim``).
        dense_dim: int. Units of the projection's hidden ReLU layer.
        num_heads: int. Attention heads.
    """

    def __init__(self, embed_dim: int, dense_dim: int, num_heads: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.dense_dim = dense_dim
        self.num_heads = num_heads
        self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim, name="attention")
        self.dense_proj = feed_forward(dense_dim, embed_dim)
        self.layernorm_1 = layers.LayerNormalization(name="layernorm_1")
        self.layernorm_2 = layers.LayerNormalization(name="layernorm_2")
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        """Build every sub-layer for inputs of shape (batch, length, embed_dim)."""
        self.attention.build(input_shape, input_shape, input_shape)
        self.layernorm_1.build(input_shape)
        self.dense_proj.build(input_shape)
        self.layernorm_2.build(input_shape)

    def call(self, inputs: Any, mask: Any = None) -> Any:
        """Encode (batch, length, embed_dim); ``mask`` (batch, length) marks real tokens."""
        padding_mask = _key_mask(mask)
        attention_output = self.attention(query=inputs, value=inputs, key=inputs, attention_mask=padding_mask)
        proj_input = self.layernorm_1(inputs + attention_output)
        proj_output = self.dense_proj(proj_input)
        return self.layernorm_2(proj_input + proj_output)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output has the input's shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments."""
        return attribute_config(super().get_config(), self, ("embed_dim", "dense_dim", "num_heads"))


@keras.saving.register_keras_serializable(package=PACKAGE)
class TransformerDecoder(layers.Layer):
    """Causal self-attention, cross-attention on the encoder states, then a projection.

    Call it as ``decoder(inputs, encoder_outputs)``, as the seeds do.

    Args:
        embed_dim: int. Size of the input, encoder-state and output vectors (and ``key_dim``).
        latent_dim: int. Units of the projection's hidden ReLU layer.
        num_heads: int. Attention heads (both attentions).
        causal_cross_attention: bool. Also apply the causal mask to the
            cross-attention, as the seeds' decoder does. Needed when the
            decoder attends to its own sequence (the language model's
            ``(x, x)``); wrong for translation, where every target position may
            look at the whole source.
    """

    def __init__(
        self, embed_dim: int, latent_dim: int, num_heads: int, causal_cross_attention: bool = False, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.latent_dim = latent_dim
        self.num_heads = num_heads
        self.causal_cross_attention = causal_cross_attention
        self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim, name="attention_1")
        self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim, name="attention_2")
        self.dense_proj = feed_forward(latent_dim, embed_dim)
        self.layernorm_1 = layers.LayerNormalization(name="layernorm_1")
        self.layernorm_2 = layers.LayerNormalization(name="layernorm_2")
        self.layernorm_3 = layers.LayerNormalization(name="layernorm_3")
        self.supports_masking = True

    def build(self, inputs_shape: tuple, encoder_outputs_shape: tuple) -> None:
        """Build every sub-layer for target (batch, T, embed_dim) and source (batch, S, embed_dim) states."""
        self.attention_1.build(inputs_shape, inputs_shape, inputs_shape)
        self.layernorm_1.build(inputs_shape)
        self.attention_2.build(inputs_shape, encoder_outputs_shape, encoder_outputs_shape)
        self.layernorm_2.build(inputs_shape)
        self.dense_proj.build(inputs_shape)
        self.layernorm_3.build(inputs_shape)

    def call(self, inputs: Any, encoder_outputs: Any, inputs_mask: Any = None, encoder_outputs_mask: Any = None) -> Any:
        """Decode target states (batch, T, embed_dim) against source states (batch, S, embed_dim).

        Keras fills ``inputs_mask`` (batch, T) and ``encoder_outputs_mask``
        (batch, S) from the masks the two tensors carry.
        """
        causal_mask = causal_attention_mask(inputs)
        self_mask = _combine(causal_mask, _key_mask(inputs_mask))
        cross_mask = _key_mask(encoder_outputs_mask)
        if self.causal_cross_attention:
            cross_mask = _combine(causal_mask, cross_mask)

        attention_output_1 = self.attention_1(query=inputs, value=inputs, key=inputs, attention_mask=self_mask)
        out_1 = self.layernorm_1(inputs + attention_output_1)

        attention_output_2 = self.attention_2(
            query=out_1, value=encoder_outputs, key=encoder_outputs, attention_mask=cross_mask
        )
        out_2 = self.layernorm_2(out_1 + attention_output_2)

        proj_output = self.dense_proj(out_2)
        return self.layernorm_3(out_2 + proj_output)

    def compute_output_shape(self, inputs_shape: tuple, encoder_outputs_shape: tuple) -> tuple:
        """The output has the target input's shape."""
        return tuple(inputs_shape)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments."""
        return attribute_config(
            super().get_config(), self, ("embed_dim", "latent_dim", "num_heads", "causal_cross_attention")
        )


def feed_forward(hidden_units: int, embed_dim: int) -> keras.Sequential:
    """The blocks' position-wise projection ``dense_proj``: Dense(hidden_units, relu), then Dense(embed_dim)."""
    return keras.Sequential(
        [layers.Dense(hidden_units, activation="relu", name="dense_1"), layers.Dense(embed_dim, name="dense_2")],
        name="dense_proj",
    )


def causal_attention_mask(inputs: Any) -> Any:
    """Return a (batch, T, T) boolean mask letting position i attend to positions <= i."""
    shape = ops.shape(inputs)
    batch_size, length = shape[0], shape[1]
    i = ops.arange(length)[:, None]
    j = ops.arange(length)
    mask = ops.greater_equal(i, j)
    return ops.broadcast_to(mask[None, :, :], (batch_size, length, length))


def _key_mask(mask: Any) -> Any:
    """(batch, S) padding mask -> (batch, 1, S) attention mask over keys, or None."""
    if mask is None:
        return None
    return ops.cast(mask, "bool")[:, None, :]


def _combine(first: Any, second: Any) -> Any:
    """Logical AND of two broadcastable attention masks, either of which may be None."""
    if first is None:
        return second
    if second is None:
        return first
    return ops.logical_and(first, second)
