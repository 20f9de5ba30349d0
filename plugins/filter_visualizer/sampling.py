"""The filter visualiser's artefacts: the optimised image, and optionally a grid of the first filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np

from kreg.errors import KregUsageError
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.common.images import save_image, save_image_grid
from kreg.plugins.filter_visualizer.data import deprocess_image, initial_image
from kreg.plugins.filter_visualizer.defaults import FILTER_VISUALIZER, SAMPLE_OPTIONS
from kreg.plugins.filter_visualizer.model import mean_filter_activation


@defaults_from(SAMPLE_OPTIONS)
def sample(
    model: keras.Model, hyperparameters: dict[str, Any], output: str | Path | None, *, grid: int, columns: int
) -> dict:
    """Write the model's image; with ``grid`` > 0 also a grid of the layer's first ``grid`` filters.

    The grid repeats the notebook's "first 64 filters" figure: each filter
    from a fresh noisy image, ``iterations`` ascent steps of ``step_size``.

    Args:
        model: FilterVisualizer. Trained, or loaded from a ``.keras`` file.
        hyperparameters: dict. ``iterations`` and ``step_size`` of the grid's
            ascents (30 and 10.0 when absent).
        output: str, Path or None. A ``.png`` file for the image (the grid goes
            beside it as ``<name>_grid.png``), or a folder (created if needed)
            for ``filter_<index>.png`` and ``filters_grid.png``; None is the working directory.
        grid: int. Filters in the grid; 0 writes no grid.
        columns: int. Images per grid row.

    Returns:
        dict. ``files``: the PNGs written; ``text``: a line per file.

    Raises:
        KregUsageError: ``grid`` is negative or ``columns`` is not positive.
    """
    if grid < 0 or columns < 1:
        raise KregUsageError(f"sample options: grid must be >= 0 and columns >= 1, got grid={grid}, columns={columns}")
    image_path, grid_path = output_paths(output, model.filter_index)
    save_image(deprocess_image(keras.ops.convert_to_numpy(model.image)[0]), image_path)
    files, text = [str(image_path)], [f"filter {model.filter_index} of {model.layer_name}"]
    if grid > 0:
        count = min(grid, model.feature_extractor.output.shape[-1])
        ascent = {**FILTER_VISUALIZER, **hyperparameters}
        iterations, step_size = ascent["iterations"], ascent["step_size"]
        step = make_ascent_step(model)
        images = [
            deprocess_image(visualize_filter(model, index, iterations, step_size, step)) for index in range(count)
        ]
        save_image_grid(np.stack(images), grid_path, columns=min(columns, count), margin=5)
        files.append(str(grid_path))
        text.append(f"filters 0-{count - 1} of {model.layer_name}")
    return {"files": files, "text": text}


def output_paths(output: str | Path | None, filter_index: int) -> tuple[Path, Path]:
    """Where the image and the grid go, given the sampler's ``output``."""
    path = Path(output) if output is not None else Path.cwd()
    if path.suffix.lower() == ".png":
        return path, path.with_name(f"{path.stem}_grid.png")
    return path / f"filter_{filter_index}.png", path / "filters_grid.png"


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
