"""Listing 12.23's gradient-descent step: it updates the combination image, never VGG19."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


def train_step(model: keras.Model, batch) -> dict:
    """One SGD step on the combination image.

    On the optimizer's first step the combination image is set to the content
    image, as the listing's ``tf.Variable(preprocess_image(base_image_path))``.
    The gradient is taken with respect to the combination image alone, the
    only trainable weight of the model.

    Args:
        model: StyleTransfer. Compiled; its optimizer (SGD with exponential decay) is used.
        batch: tuple. ``(content_image, style_image)``, each (1, height, width, 3), preprocessed.

    Returns:
        dict. ``loss`` and its weighted terms ``content_loss``, ``style_loss``,
        ``total_variation_loss`` (before this step's update).
    """
    content, style = batch[0], batch[1]
    image = model.combination_image
    image.assign(ops.where(model.optimizer.iterations == 0, content[:1], image))
    with tf.GradientTape() as tape:
        terms = model((content, style))
    gradients = tape.gradient(terms["loss"], [image])
    model.optimizer.apply_gradients(zip(gradients, [image]))
    return terms
