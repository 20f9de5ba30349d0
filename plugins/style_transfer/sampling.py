"""The style-transfer artefact: the current combination image as a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras

from kreg.plugins.common.images import save_image
from kreg.plugins.style_transfer.data import deprocess_image


def sample(model: keras.Model, hyperparameters: dict[str, Any], output: str | Path, filename: str = "combination.png") -> dict:
    """Write the model's combination image, deprocessed to RGB, as a PNG.

    Args:
        model: StyleTransfer. Trained (or loaded from a ``.keras`` file).
        hyperparameters: dict. Unused: the image's size is the model's own.
        output: str or Path. A folder (created if needed), or a file path ending in ``.png``.
        filename: str. The file's name inside the folder.

    Returns:
        dict. ``files``: the PNG written; ``text``: one line describing it.
    """
    path = Path(output)
    if path.suffix.lower() != ".png":
        path = path / filename
    height, width = model.image_height, model.image_width
    pixels = deprocess_image(keras.ops.convert_to_numpy(model.combination_image), height, width)
    save_image(pixels, path, value_range=(0, 255))
    return {"files": [str(path)], "text": [f"combination image {width}x{height} -> {path}"]}
