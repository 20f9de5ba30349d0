"""The filter visualiser's artefacts: the optimised image, and optionally a grid of the first filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np

from kreg.plugins.common.images import save_image, save_image_grid
from kreg.plugins.filter_visualizer.data import deprocess_image, initial_image
from kreg.plugins.filter_visualizer.model import mean_filter_activation


def sample(model: keras.Model, hyperparameters: dict[str, Any], output: str | Path, grid: int = 0, columns: int = 8) -> dict:
    """Write the model's image as ``filter_<index>.png``; with ``grid`` > 0 also ``filters_grid.png``.

    The grid repeats the notebook's "first 64 filters" figure for the first
    ``grid`` filters of the same layer: each from a fresh noisy image,
    ``iterations`` ascent steps of ``step_size``.

    Args:
        model: FilterVisualizer. Trained (or loaded from a ``.keras`` file).
        hyperparameters: dict. ``iterations`` and ``step_size`` for the grid
            (defaults 30 and 10.0 when absent).
        output: str or Path. The folder to write into (created if needed).
        grid: int. Filters in the grid; 0 writes no grid.
        columns: int. Images per grid row.

    Returns:
        dict. ``files``: the PNGs written; ``text``: a line per file.

    Raises:
        ValueError: ``columns`` is not positive.
    """
    if columns < 1:
        raise ValueError(f"columns must be a positive integer, got {columns}")
    folder = Path(output)
    path = save_image(deprocess_image(keras.ops.convert_to_numpy(model.image)[0]), folder / f"filter_{model.filter_index}.png")
    files, text = [str(path)], [f"filter {model.filter_index} of {model.layer_name} -> {path}"]
    if grid > 0:
        channels = model.feature_extractor.output.shape[-1]
        count = min(grid, channels)
        iterations, step_size = hyperparameters.get("iterations", 30), hyperparameters.get("step_size", 10.0)
        step = make_ascent_step(model)
        images = [visualize_filter(model, index, iterations, step_size, step) for index in range(count)]
        grid_path = save_image_grid(np.stack([deprocess_image(image) for image in images]), folder / "filters_grid.png", columns=min(columns, count), margin=5)
        files.append(str(grid_path))
        text.append(f"filters 0-{count - 1} of {model.layer_name} -> {grid_path}")
    return {"files": files, "text": text}


def visualize_filter(model: keras.Model, filter_index: int, iterations: int, step_size: float, step=None) -> np.ndarray:
    """Run the notebook's ascent for one filter from a fresh noisy image; return the (size, size, 3) image.

    Args:
        model: FilterVisualizer. Its feature extractor is used, its image left alone.
        filter_index: int. The filter to maximise.
        iterations: int. Ascent steps.
        step_size: float. Step length on the L2-normalised gradient.
        step: callable or None. A step from :func:`make_ascent_step` to reuse
            (one trace for a whole grid); None makes one.
    """
    import tensorflow as tf

    step = step or make_ascent_step(model)
    image = tf.constant(initial_image(model.image_size, seed=filter_index))
    for _ in range(iterations):
        image = step(image, tf.constant(filter_index), tf.constant(step_size, "float32"))
    return image.numpy()[0]


def make_ascent_step(model: keras.Model):
    """The notebook's ``gradient_ascent_step`` as a ``tf.function`` of (image, filter_index, step_size)."""
    import tensorflow as tf

    @tf.function
    def step(image, filter_index, step_size):
        with tf.GradientTape() as tape:
            tape.watch(image)
            activation = mean_filter_activation(tf.gather(model.feature_extractor(image), filter_index, axis=-1))
        gradient = tape.gradient(activation, image)
        return image + step_size * tf.math.l2_normalize(gradient)

    return step
