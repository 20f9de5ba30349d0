"""A small LSTM text classifier for ``kreg bench``'s memory tests (no built-in architecture is recurrent).

keras.io's "Bidirectional LSTM on IMDB" shape, one-directional and smaller:
word ids (sequence of 100) -> Embedding 64 -> LSTM 64 (every step) -> LSTM 64
-> Dense 1 (sigmoid), trained with Adam on binary cross-entropy. Synthetic
data: the label is whether the sequence holds more even than odd word ids.
"""

from __future__ import annotations

from typing import Any

import kreg

WORDS, LENGTH, UNITS = 2000, 100, 64


def build_lstm_classifier(hyperparameters: dict[str, Any] | None = None) -> Any:
    """Embedding -> LSTM (sequences) -> LSTM -> Dense(1), compiled with Adam and binary cross-entropy."""
    import keras

    inputs = keras.Input((LENGTH,), dtype="int32", name="words")
    x = keras.layers.Embedding(WORDS, UNITS)(inputs)
    x = keras.layers.LSTM(UNITS, return_sequences=True)(x)
    x = keras.layers.LSTM(UNITS)(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name="lstm_classifier")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def word_sequences(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None) -> Any:
    """Batches of ``(words, label)``: random word ids, labelled by whether even ids outnumber odd ones."""
    import numpy as np
    import tensorflow as tf

    words = np.random.default_rng(0).integers(0, WORDS, (256, LENGTH)).astype("int32")
    labels = ((words % 2 == 0).sum(axis=1) > LENGTH // 2).astype("float32")[:, None]
    return tf.data.Dataset.from_tensor_slices((words, labels)).batch(batch_size)


LSTM_ARCHITECTURE = kreg.Architecture(
    name="lstm-classifier",
    summary="Embedding -> LSTM -> LSTM -> Dense: a small recurrent text classifier",
    builder=build_lstm_classifier,
    data_adapter=word_sequences,
    batch_size=32,
)
