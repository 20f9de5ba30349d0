"""The style-transfer artefact: the current combination image as a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras

from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.common.images import save_image
from kreg.plugins.style_transfer.data import deprocess_image
from kreg.plugins.style_transfer.defaults import SAMPLE_OPTIONS


@defaults_from(SAMPLE_OPTIONS)
def sample(model: keras.Model, hyperparameters: dict[str, Any], output: str | Path | None, *, filename: str) -> dict:
    """Write the model's combination image, deprocessed to RGB, as a PNG.

    Args:
        model: StyleTransfer. Trained, or loaded from a ``.keras`` file; the
            image's size is read from it.
        hyperparameters: dict. Unused.
        output: str, Path or None. A file path ending in ``.png``, or a folder
            (created if needed) to write ``filename`` into; None is the working directory.
        filename: str. The file's name inside the folder.

    Returns:
        dict. ``files``: the PNG written; ``text``: one line describing it.
    """
    path = Path(output) if output is not None else Path.cwd()
    if path.suffix.lower() != ".png":
        path = path / filename
    height, width = model.image_height, model.image_width
    pixels = deprocess_image(keras.ops.convert_to_numpy(model.combination_image), height, width)
    save_image(pixels, path, value_range=(0, 255))
    return {"files": [str(path)], "text": [f"combination image {width}x{height}"]}
