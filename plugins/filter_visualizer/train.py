"""One gradient-ascent step on the image, as the notebook's ``gradient_ascent_step``."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from kreg.plugins.filter_visualizer.model import mean_filter_activation


def train_step(model: keras.Model, batch) -> dict:
    """Move the image one step up the L2-normalised gradient of the filter's mean activation.

    On the optimizer's first step the image is set to the batch's starting
    image. The step is ``image += step_size * g / ||g||`` as in the notebook,
    done by the model's ``SGD(step_size)`` on the negated normalised gradient.

    Args:
        model: FilterVisualizer. Compiled; its optimizer is used.
        batch: tensor (1, size, size, 3). The starting image (used on the first step only).

    Returns:
        dict. ``activation``: the filter's mean activation before this step (it rises).
    """
    start = batch[0] if isinstance(batch, (tuple, list)) else batch
    image = model.image
    image.assign(ops.where(model.optimizer.iterations == 0, start[:1], image))
    with tf.GradientTape() as tape:
        activation = mean_filter_activation(model(image))
    gradient = tape.gradient(activation, image)
    ascent = -gradient / ops.sqrt(ops.maximum(ops.sum(ops.square(gradient)), 1e-12))
    model.optimizer.apply_gradients([(ascent, image)])
    return {"activation": activation}
