"""A train step that takes per-example weights from the data, as the seed's custom ``train_step``."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from kreg.plugins.weighted_classifier.losses import weighted_sparse_crossentropy


def train_step(model: keras.Model, batch) -> dict:
    """One step on ``(x, y, sample_weight)``: the custom loss gets the weights.

    Args:
        model: keras.Model. The classifier, compiled; its optimizer is used.
        batch: tuple. ``(x, y, sample_weight)``, or ``(x, y)`` for unweighted data.

    Returns:
        dict. ``loss`` (weighted), ``accuracy`` (this batch's) and
        ``minority_recall`` (the share of this batch's last-class examples
        predicted as such; 0 when the batch has none).
    """
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(batch)
    with tf.GradientTape() as tape:
        probabilities = model(x, training=True)
        loss = weighted_sparse_crossentropy(y, probabilities, sample_weight=sample_weight)
    gradients = tape.gradient(loss, model.trainable_weights)
    model.optimizer.apply_gradients(zip(gradients, model.trainable_weights))
    return {"loss": loss, **classification_metrics(y, probabilities)}


def classification_metrics(y, probabilities) -> dict:
    """Batch accuracy and recall of the last (rare) class, as scalar tensors."""
    predicted = ops.argmax(probabilities, axis=-1)
    labels = ops.cast(ops.reshape(y, ops.shape(predicted)), predicted.dtype)
    correct = ops.cast(ops.equal(predicted, labels), "float32")
    minority = ops.cast(ops.equal(labels, ops.shape(probabilities)[-1] - 1), "float32")
    recall = ops.sum(correct * minority) / ops.maximum(ops.sum(minority), 1.0)
    return {"accuracy": ops.mean(correct), "minority_recall": recall}
