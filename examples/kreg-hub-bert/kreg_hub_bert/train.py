"""The train step: cross-entropy on the masked positions, logits from the tied token embedding."""

import keras
import tensorflow as tf
from keras import ops


def train_step(model, batch):
    """One optimisation step; returns ``{"loss": ...}`` (kreg runs it inside fit)."""
    inputs, targets, weights = batch
    with tf.GradientTape() as tape:
        sequence = model(inputs, training=True)["sequence_output"]
        logits = model.token_embedding(sequence, reverse=True)  # (batch, length, vocabulary)
        losses = keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
        loss = ops.sum(losses * weights) / ops.maximum(ops.sum(weights), 1.0)
    gradients = tape.gradient(loss, model.trainable_weights)
    model.optimizer.apply_gradients(zip(gradients, model.trainable_weights))
    return {"loss": loss}
