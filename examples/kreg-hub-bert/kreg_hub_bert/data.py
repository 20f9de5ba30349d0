"""Masked-token batches: synthetic counting sequences, or token ids from an .npz file."""

import numpy as np

PAD, MASK = 0, 1
"""Reserved token ids; real tokens start at 2."""


def make_dataset(hyperparameters, batch_size, source=None):
    """Batches of ``(inputs, targets, weights)`` for the masked-token train step.

    ``inputs`` is the backbone's dict with some tokens replaced by MASK;
    ``targets`` are the original tokens and ``weights`` 1.0 where a token was masked.
    """
    import tensorflow as tf

    vocabulary, length = hyperparameters["vocabulary_size"], hyperparameters["sequence_length"]
    tokens = counting_sequences(512, length, vocabulary) if source is None else load_tokens(source, length, vocabulary)
    rng = np.random.default_rng(0)
    masked = rng.random(tokens.shape) < hyperparameters["mask_rate"]
    inputs = {
        "token_ids": np.where(masked, MASK, tokens).astype("int32"),
        "segment_ids": np.zeros_like(tokens, dtype="int32"),
        "padding_mask": (tokens != PAD).astype("int32"),
    }
    dataset = tf.data.Dataset.from_tensor_slices((inputs, tokens.astype("int32"), masked.astype("float32")))
    return dataset.shuffle(len(tokens), seed=0).batch(batch_size)


def counting_sequences(count, length, vocabulary, seed=0):
    """Sequences that count up from a random start (wrapping past the vocabulary): learnable structure."""
    starts = np.random.default_rng(seed).integers(2, vocabulary, (count, 1))
    return (starts - 2 + np.arange(length)) % (vocabulary - 2) + 2


def load_tokens(path, length, vocabulary):
    """Token ids (N, sequence_length) from the array ``token_ids`` of an .npz file."""
    with np.load(path) as arrays:
        if "token_ids" not in arrays.files:
            raise ValueError(f"{path}: no array 'token_ids' (found {sorted(arrays.files)})")
        tokens = arrays["token_ids"]
    if tokens.ndim != 2 or tokens.shape[1] != length or tokens.min() < 0 or tokens.max() >= vocabulary:
        raise ValueError(
            f"{path}: 'token_ids' must be (N, {length}) ids in [0, {vocabulary}), got shape {tokens.shape}"
        )
    return tokens
