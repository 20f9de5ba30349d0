"""Training data for the Transformer family: synthetic ids, sentence pairs, or a text corpus.

``make_translation_dataset`` reads a TSV of ``English<TAB>Spanish`` lines as the
keras.io English-to-Spanish example does (targets wrapped in ``[start] ... [end]``,
then ``format_dataset``'s teacher forcing); ``make_lm_dataset`` reads a directory
of ``.txt`` files as Deep Learning with Python's listings 12.3-12.5 do. The vocabularies are
fitted first, by the data-state steps ``translation_data_state`` and
``lm_data_state``: kreg hands what they return to the builder (the model saves
the vocabularies) and to the adapters (which encode the text with them).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import numpy as np

from kreg.plugins.transformer.vocabulary import (
    END_TOKEN,
    LM_VOCABULARY,
    SOURCE_VOCABULARY,
    START_TOKEN,
    TARGET_VOCABULARY,
    make_vectorizer,
    target_standardization,
    vocabulary_of,
)

SYNTHETIC_EXAMPLES = 512
SYNTHETIC_START_ID = 2  # the ids of [start] and [end] in the placeholder vocabulary
SYNTHETIC_END_ID = 3


def translation_data_state(hyperparameters: dict[str, Any], source: str | None) -> dict[str, Any]:
    """The data-state step of ``transformer``: fit the English and Spanish vocabularies.

    Args:
        hyperparameters: dict. Needs ``sequence_length`` and ``vocab_size``.
        source: str or None. The TSV the adapter will read; None (synthetic
            ids) has no words to learn.

    Returns:
        dict. ``{"source_vocabulary": [...], "target_vocabulary": [...]}`` in id
        order (``get_vocabulary()``), or ``{}`` for synthetic data.
    """
    if source is None:
        return {}
    english, spanish = _source_and_target_texts(read_pairs(source))
    eng_vectorization, spa_vectorization = _translation_vectorizers(hyperparameters)
    eng_vectorization.adapt(english)
    spa_vectorization.adapt(spanish)
    return {
        SOURCE_VOCABULARY: eng_vectorization.get_vocabulary(),
        TARGET_VOCABULARY: spa_vectorization.get_vocabulary(),
    }


def make_translation_dataset(
    hyperparameters: dict[str, Any],
    batch_size: int,
    source: str | None = None,
    data_state: dict[str, Any] | None = None,
):
    """Return batches of ``({"encoder_inputs", "decoder_inputs"}, targets)`` for ``transformer``.

    Args:
        hyperparameters: dict. Needs ``sequence_length`` and ``vocab_size``.
        batch_size: int. Pairs per batch.
        source: str or None. None for synthetic pairs (the target is the
            source reversed, between the ids of ``[start]`` and ``[end]``);
            otherwise a UTF-8 text file with one ``English<TAB>Spanish`` pair a
            line (further tab-separated columns are ignored, as in the Anki files).
        data_state: dict or None. What :func:`translation_data_state` learned
            from ``source``; None fits the vocabularies here.

    Returns:
        tf.data.Dataset. int64 ids: encoder inputs (batch, sequence_length),
        decoder inputs and targets (batch, sequence_length).
    """
    import tensorflow as tf

    sequence_length, vocab_size = hyperparameters["sequence_length"], hyperparameters["vocab_size"]
    if source is None:
        source_ids, target_ids = synthetic_translation_ids(sequence_length, vocab_size)
        dataset = tf.data.Dataset.from_tensor_slices((source_ids, target_ids))
        dataset = dataset.shuffle(len(source_ids), seed=0).batch(batch_size)
        return dataset.map(teacher_forcing)

    pairs = read_pairs(source)
    if data_state is None:
        data_state = translation_data_state(hyperparameters, source)
    eng_texts, spa_texts = _source_and_target_texts(pairs)
    eng_vectorization, spa_vectorization = _translation_vectorizers(
        hyperparameters, vocabulary_of(data_state, SOURCE_VOCABULARY), vocabulary_of(data_state, TARGET_VOCABULARY)
    )

    def format_dataset(eng: Any, spa: Any) -> tuple[dict[str, Any], Any]:
        return teacher_forcing(eng_vectorization(eng), spa_vectorization(spa))

    dataset = tf.data.Dataset.from_tensor_slices((eng_texts, spa_texts))
    dataset = dataset.shuffle(len(pairs), seed=0).batch(batch_size)
    return dataset.map(format_dataset).prefetch(16)


def _source_and_target_texts(pairs: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """English sentences, and Spanish ones wrapped in ``[start] ... [end]``."""
    return [english for english, _ in pairs], [f"{START_TOKEN} {spanish} {END_TOKEN}" for _, spanish in pairs]


def _translation_vectorizers(
    hyperparameters: dict[str, Any], source: list[str] | None = None, target: list[str] | None = None
) -> tuple[Any, Any]:
    """The seed's two TextVectorization layers (the target one token longer), with vocabularies when given."""
    sequence_length, vocab_size = hyperparameters["sequence_length"], hyperparameters["vocab_size"]
    english = make_vectorizer(vocab_size, sequence_length, vocabulary=source)
    spanish = make_vectorizer(vocab_size, sequence_length + 1, standardize=target_standardization, vocabulary=target)
    return english, spanish


def teacher_forcing(eng: Any, spa: Any) -> tuple[dict[str, Any], Any]:
    """The seed's ``format_dataset`` on ids: the decoder reads ``spa[:, :-1]`` and predicts ``spa[:, 1:]``.

    Args:
        eng: tensor (batch, sequence_length). Source ids.
        spa: tensor (batch, sequence_length + 1). Target ids, ``[start]`` first.

    Returns:
        tuple. ``({"encoder_inputs": eng, "decoder_inputs": spa[:, :-1]}, spa[:, 1:])``.
    """
    return {"encoder_inputs": eng, "decoder_inputs": spa[:, :-1]}, spa[:, 1:]


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Read ``English<TAB>Spanish`` lines, skipping blank ones.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a line has no tab, or the file has no pairs; the message
            names the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (expected a TSV of English<TAB>Spanish lines)")
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) < 2:
            raise ValueError(f"{path}:{number}: expected 'English<TAB>Spanish', found no tab")
        pairs.append((columns[0], columns[1]))
    if not pairs:
        raise ValueError(f"{path}: no sentence pairs found")
    return pairs


def synthetic_translation_ids(
    sequence_length: int, vocab_size: int, examples: int = SYNTHETIC_EXAMPLES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Make pairs a Transformer can learn: the target is the source reversed.

    Returns:
        tuple[np.ndarray, np.ndarray]. Source ids (examples, sequence_length)
        and target ids (examples, sequence_length + 1) ``[start] ... [end]``,
        zero-padded, int64.
    """
    rng = np.random.default_rng(seed)
    sources = np.zeros((examples, sequence_length), dtype="int64")
    targets = np.zeros((examples, sequence_length + 1), dtype="int64")
    lengths = rng.integers(1, sequence_length, size=examples, endpoint=True)
    lengths = np.minimum(lengths, sequence_length - 1)  # room for [start] and [end]
    for row, length in enumerate(lengths):
        words = rng.integers(SYNTHETIC_END_ID + 1, vocab_size, size=length)
        sources[row, :length] = words
        targets[row, 0] = SYNTHETIC_START_ID
        targets[row, 1 : length + 1] = words[::-1]
        targets[row, length + 1] = SYNTHETIC_END_ID
    return sources, targets


def lm_data_state(hyperparameters: dict[str, Any], source: str | None) -> dict[str, Any]:
    """The data-state step of ``transformer-lm``: fit the vocabulary of the corpus (listing 12.4).

    Args:
        hyperparameters: dict. Needs ``sequence_length`` and ``vocab_size``.
        source: str or None. The directory of ``.txt`` files the adapter will
            read; None (synthetic ids) has no words to learn.

    Returns:
        dict. ``{"vocabulary": [...]}`` in id order, or ``{}`` for synthetic data.
    """
    if source is None:
        return {}
    text_vectorization = make_vectorizer(hyperparameters["vocab_size"], hyperparameters["sequence_length"])
    text_vectorization.adapt(text_files_dataset(source, 256))
    return {LM_VOCABULARY: text_vectorization.get_vocabulary()}


def make_lm_dataset(
    hyperparameters: dict[str, Any],
    batch_size: int,
    source: str | None = None,
    data_state: dict[str, Any] | None = None,
):
    """Return batches of ``(inputs, targets)`` for ``transformer-lm``, targets one token ahead.

    Args:
        hyperparameters: dict. Needs ``sequence_length`` and ``vocab_size``.
        batch_size: int. Texts per batch.
        source: str or None. None for synthetic sequences (arithmetic
            progressions of ids, so the next id is predictable); otherwise a
            directory of ``.txt`` files, one text each (subdirectories are
            read too), loaded as listings 12.3-12.5 do: ``<br />`` stripped,
            vectorized to ``sequence_length`` ids, then offset by one.
        data_state: dict or None. What :func:`lm_data_state` learned from
            ``source``; None fits the vocabulary here.

    Returns:
        tuple of int64 tensors (batch, sequence_length - 1): inputs and targets.
    """
    import tensorflow as tf

    sequence_length, vocab_size = hyperparameters["sequence_length"], hyperparameters["vocab_size"]
    if source is None:
        ids = synthetic_lm_ids(sequence_length, vocab_size)
        dataset = tf.data.Dataset.from_tensor_slices(ids).shuffle(len(ids), seed=0).batch(batch_size)
        return dataset.map(offset_by_one)

    dataset = text_files_dataset(source, batch_size)
    if data_state is None:
        data_state = lm_data_state(hyperparameters, source)
    text_vectorization = make_vectorizer(
        vocab_size, sequence_length, vocabulary=vocabulary_of(data_state, LM_VOCABULARY)
    )

    def prepare_lm_dataset(text_batch: Any) -> tuple[Any, Any]:
        return offset_by_one(text_vectorization(text_batch))

    return dataset.map(prepare_lm_dataset, num_parallel_calls=4).prefetch(4)


def text_files_dataset(directory: str | Path, batch_size: int):
    """Listing 12.3: one text per ``.txt`` file, batched, with ``<br />`` replaced by a space.

    Raises:
        FileNotFoundError: ``directory`` is not a directory.
        ValueError: it holds no ``.txt`` file.
    """
    import keras
    import tensorflow as tf

    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory (expected a folder of .txt files)")
    if not any(directory.rglob("*.txt")):
        raise ValueError(f"{directory}: no .txt files found")
    # Keras prints "Found N files." on stdout, where `--json` output goes.
    with contextlib.redirect_stdout(sys.stderr):
        dataset = keras.utils.text_dataset_from_directory(
            directory=str(directory), label_mode=None, batch_size=batch_size, seed=0
        )
    return dataset.map(lambda x: tf.strings.regex_replace(x, "<br />", " "))


def offset_by_one(vectorized_sequences: Any) -> tuple[Any, Any]:
    """Listing 12.5's ``prepare_lm_dataset`` on ids: inputs drop the last token, targets the first."""
    x = vectorized_sequences[:, :-1]
    y = vectorized_sequences[:, 1:]
    return x, y


def synthetic_lm_ids(
    sequence_length: int, vocab_size: int, examples: int = SYNTHETIC_EXAMPLES, seed: int = 0
) -> np.ndarray:
    """Make zero-padded sequences of ids counting up by a per-sequence step (mod the vocabulary).

    Returns:
        np.ndarray. int64 ids (examples, sequence_length); ids 0 (padding) and
        1 ([UNK]) never appear inside a sequence.
    """
    rng = np.random.default_rng(seed)
    words = vocab_size - 2
    ids = np.zeros((examples, sequence_length), dtype="int64")
    lengths = rng.integers(2, sequence_length, size=examples, endpoint=True)
    starts = rng.integers(0, words, size=examples)
    steps = rng.integers(1, 4, size=examples, endpoint=True)
    for row, (length, start, step) in enumerate(zip(lengths, starts, steps)):
        ids[row, :length] = 2 + (start + step * np.arange(length)) % words
    return ids
