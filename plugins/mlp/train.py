"""The guide's custom training loop body, as a kreg train step."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


def train_step(model: keras.Model, batch) -> dict:
    """One step of the guide's loop: cross-entropy plus ``sum(model.losses)``, then the optimizer.

    The forward pass is ``model(x, training=True)``, so the dropout variant
    drops and the sparse variant adds its ActivityRegularization loss, which
    the step adds to the cross-entropy as the guide does. The model's
    SparseCategoricalAccuracy (``model.accuracy_metric``) accumulates over
    the epoch; ``model.reset_metrics()`` resets it, as ``fit`` does at each
    epoch's start.

    Args:
        model: MLPClassifier. Compiled; its optimizer (SGD for the sparse variant,
            as in the guide, Adam otherwise) applies the gradients.
        batch: tuple. ``(x, y)``: float features (batch, input_dim), int labels (batch,).

    Returns:
        dict. ``loss`` (total, scalar), ``regularization_loss`` (the layer
        losses' sum) and ``accuracy`` (running accuracy this epoch).
    """
    x, y = batch[0], batch[1]
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = ops.mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        regularization = sum(model.losses, ops.zeros(()))
        loss = loss + regularization
    gradients = tape.gradient(loss, model.trainable_weights)
    model.optimizer.apply_gradients(zip(gradients, model.trainable_weights))
    model.accuracy_metric.update_state(y, logits)
    return {"loss": loss, "regularization_loss": regularization, "accuracy": model.accuracy_metric.result()}
