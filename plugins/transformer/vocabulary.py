"""Vocabularies that travel with a saved model, and the text vectorizers built from them.

The architectures' data-state steps (``data.lm_data_state``,
``data.translation_data_state``) fit ``TextVectorization`` on the corpus and
return the vocabularies; kreg hands them to the builder, which stores each in
the config of the :class:`~kreg.plugins.transformer.layers.PositionalEmbedding`
whose rows it indexes, and to the data adapter, which encodes the corpus with
them. So the sampler finds the vocabulary in the ``.keras`` file, in any
process, and a model built without data carries none.

Nothing here imports TensorFlow at module level except through
:func:`make_vectorizer`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

LM_VOCABULARY = "vocabulary"
SOURCE_VOCABULARY = "source_vocabulary"
TARGET_VOCABULARY = "target_vocabulary"
"""Keys of the data state: the vocabulary of the language model's text, and
those of the translation's source (English) and target (Spanish) sentences."""

PAD_TOKEN = ""
OOV_TOKEN = "[UNK]"
START_TOKEN = "[start]"
END_TOKEN = "[end]"

# The seed's Spanish standardization: strip punctuation and "¿", but keep the
# brackets of "[start]" and "[end]".
TARGET_STRIP_CHARS = (string.punctuation + "¿").replace("[", "").replace("]", "")


def vocabulary_of(data_state: Mapping[str, Any] | None, key: str) -> list[str] | None:
    """The vocabulary ``key`` of a data state, or None (no state, or synthetic data).

    Args:
        data_state: Mapping or None. What the data-state step returned.
        key: str. :data:`LM_VOCABULARY`, :data:`SOURCE_VOCABULARY` or :data:`TARGET_VOCABULARY`.
    """
    tokens = (data_state or {}).get(key)
    return None if tokens is None else [str(token) for token in tokens]


def placeholder_vocabulary(vocab_size: int, specials: Sequence[str] = ()) -> list[str]:
    """A stand-in vocabulary for a model trained on synthetic ids (or not trained).

    Returns:
        list[str]. ``["", "[UNK]", *specials, "tok<i>", ...]``, ``vocab_size`` entries.
    """
    head = [PAD_TOKEN, OOV_TOKEN, *specials][:vocab_size]
    return head + [f"tok{index}" for index in range(len(head), vocab_size)]


def target_standardization(text: Any) -> Any:
    """Lower-case and strip punctuation except brackets (the seed's ``custom_standardization``)."""
    import tensorflow as tf

    lowercase = tf.strings.lower(text, encoding="utf-8")
    return tf.strings.regex_replace(lowercase, f"[{re.escape(TARGET_STRIP_CHARS)}]", "")


def make_vectorizer(
    vocab_size: int,
    sequence_length: int | None,
    standardize: Any = "lower_and_strip_punctuation",
    vocabulary: Sequence[str] | None = None,
) -> Any:
    """Build the seeds' ``TextVectorization`` (integer ids, padded or cut to a length).

    Args:
        vocab_size: int. ``max_tokens``.
        sequence_length: int or None. ``output_sequence_length``; None keeps each
            batch's longest length.
        standardize: str or callable. ``TextVectorization``'s standardization.
        vocabulary: Sequence[str] or None. A vocabulary to start from (as
            ``get_vocabulary()`` returned it); None leaves the layer to ``adapt``.

    Returns:
        keras.layers.TextVectorization.
    """
    import keras

    return keras.layers.TextVectorization(
        max_tokens=vocab_size,
        output_mode="int",
        output_sequence_length=sequence_length,
        standardize=standardize,
        vocabulary=None if vocabulary is None else list(vocabulary),
    )
