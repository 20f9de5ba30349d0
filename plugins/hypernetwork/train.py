"""The guide's hypernetwork train step."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


def train_step(model: keras.Model, batch) -> dict:
    """Generate the outer network's weights from the batch, classify with them, train the inner network.

    As in the guide: the inner network maps the batch to coefficients, which
    are cut into the outer kernels and biases; the outer network runs with
    them; gradients of the loss go to the inner network's weights only (the
    outer network has none).

    Args:
        model: keras.Model. The ``"model"`` component (layers ``inner`` and
            ``outer``), compiled; its optimizer is used.
        batch: tuple. ``(x, y)``: features (batch, input_dim), int labels (batch,).

    Returns:
        dict. ``loss`` (sparse cross-entropy on logits) and ``accuracy`` (this batch's).
    """
    x, y = batch[0], batch[1]
    inner, outer = model.get_layer("inner"), model.get_layer("outer")
    with tf.GradientTape() as tape:
        coefficients = inner(x, training=True)
        logits = outer([x, coefficients], training=True)
        loss = ops.mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
    gradients = tape.gradient(loss, inner.trainable_weights)
    model.optimizer.apply_gradients(zip(gradients, inner.trainable_weights))
    accuracy = ops.mean(ops.cast(ops.equal(ops.argmax(logits, axis=-1), ops.cast(y, "int64")), "float32"))
    return {"loss": loss, "accuracy": accuracy}
