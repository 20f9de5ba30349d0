"""The custom train step: hide some sensors, reconstruct them from the others."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


def masked_reconstruction_step(model: keras.Model, batch: dict) -> dict:
    """One optimisation step of masked reconstruction.

    The hidden sensors' readings are zeroed in the input, and the loss is the
    mean squared error on those sensors only, so the model must infer them
    from the visible ones. kreg runs this inside ``fit`` under ``tf.function``:
    only TensorFlow and ``keras.ops`` operations, no Python branching on values.

    Args:
        model: keras.Model. The autoencoder, compiled; its optimizer is used.
        batch: dict. ``readings`` ``(batch, n_sensors, window)`` and ``mask``
            ``(batch, n_sensors)``, 1 for a hidden sensor.

    Returns:
        dict. ``loss`` (error on hidden sensors), ``visible_mse`` (error on the
        visible ones) and ``hidden_fraction`` (share of sensors hidden).
    """
    readings = batch["readings"]
    hidden = ops.expand_dims(batch["mask"], -1)
    with tf.GradientTape() as tape:
        reconstruction = model(readings * (1.0 - hidden), training=True)
        loss = masked_mse(readings, reconstruction, hidden)
    gradients = tape.gradient(loss, model.trainable_weights)
    model.optimizer.apply_gradients(zip(gradients, model.trainable_weights))
    return {
        "loss": loss,
        "visible_mse": masked_mse(readings, reconstruction, 1.0 - hidden),
        "hidden_fraction": ops.mean(batch["mask"]),
    }


def masked_mse(target, prediction, weights):
    """Mean squared error over the positions where ``weights`` is 1 (broadcast over the window)."""
    weights = ops.broadcast_to(weights, ops.shape(target))
    squared = ops.square(target - prediction) * weights
    return ops.sum(squared) / ops.maximum(ops.sum(weights), 1.0)
