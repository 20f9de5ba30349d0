"""Vocabularies that travel with a saved model, and the text vectorizers built from them.

A data adapter fits ``TextVectorization`` on the corpus; the sampler needs the
same vocabulary to turn ids back into words, in another process, with nothing
but the ``.keras`` file. So the vocabulary is stored in the config of the
model's :class:`~kreg.plugins.transformer.layers.PositionalEmbedding` (the layer
whose rows it indexes), and it gets there through a :class:`SharedVocabulary`:
the builder hands one to the embedding, the adapter fills it, and the
embedding's ``get_config`` writes its contents when the model is saved. The
adapter and the builder never see each other (kreg calls them separately), so
the shared objects are kept per process, keyed by role and vocabulary size:
a model built in a process carries the vocabulary last adapted in that
process for its role and size. kreg trains one model per process.

Nothing here imports TensorFlow at module level except through
:func:`make_vectorizer`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from typing import Any

SOURCE_ROLE = "transformer/source"
TARGET_ROLE = "transformer/target"
LM_ROLE = "transformer-lm/text"
"""Vocabulary roles: which text a vocabulary indexes (see :func:`shared_vocabulary`)."""

PAD_TOKEN = ""
OOV_TOKEN = "[UNK]"
START_TOKEN = "[start]"
END_TOKEN = "[end]"

# The seed's Spanish standardization: strip punctuation and "¿", but keep the
# brackets of "[start]" and "[end]".
TARGET_STRIP_CHARS = (string.punctuation + "¿").replace("[", "").replace("]", "")


class SharedVocabulary:
    """A vocabulary slot shared by a freshly built model and the adapter that fits it.

    Args:
        tokens: Sequence[str] or None. The vocabulary in id order, as
            ``TextVectorization.get_vocabulary()`` returns it, or None when no
            adapter has run yet.
    """

    def __init__(self, tokens: Sequence[str] | None = None):
        self.tokens: tuple[str, ...] | None = None
        self.set(tokens)

    def set(self, tokens: Iterable[str] | None) -> None:
        """Replace the vocabulary (None empties the slot)."""
        self.tokens = None if tokens is None else tuple(str(token) for token in tokens)

    def __repr__(self) -> str:
        size = "empty" if self.tokens is None else f"{len(self.tokens)} tokens"
        return f"SharedVocabulary({size})"


_SLOTS: dict[tuple[str, int], SharedVocabulary] = {}


def shared_vocabulary(role: str, vocab_size: int) -> SharedVocabulary:
    """Return this process's vocabulary slot for a role (e.g. ``"transformer-lm/text"``).

    Args:
        role: str. Which text the vocabulary indexes: one name per architecture and side.
        vocab_size: int. The model's vocabulary size; models of another size
            get another slot.

    Returns:
        SharedVocabulary. The same object for the same role and size.
    """
    return _SLOTS.setdefault((role, vocab_size), SharedVocabulary())


def publish_vocabulary(role: str, vocab_size: int, tokens: Iterable[str] | None) -> None:
    """Store what an adapter fitted, for the models of this role and size to save.

    None clears the slot (synthetic data has no words).
    """
    shared_vocabulary(role, vocab_size).set(tokens)


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


def make_vectorizer(vocab_size: int, sequence_length: int | None, standardize: Any = "lower_and_strip_punctuation", vocabulary: Sequence[str] | None = None) -> Any:
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
