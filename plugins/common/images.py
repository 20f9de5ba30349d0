"""Writing images and image grids, as the seeds' samplers and callbacks do."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kreg.files import replaced_atomically


def to_uint8(images: np.ndarray, value_range: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """Scale float images from ``value_range`` to uint8 0..255, clipping outliers."""
    low, high = value_range
    scaled = (np.asarray(images, dtype="float32") - low) / (high - low)
    return (np.clip(scaled, 0.0, 1.0) * 255.0).round().astype("uint8")


def save_image(image: np.ndarray, path: str | Path, value_range: tuple[float, float] = (0.0, 1.0)) -> Path:
    """Save one (H, W) or (H, W, C) float image as PNG (or any format PIL knows by extension).

    Returns:
        Path. Where it was written, whole or not at all; parent folders are created.
    """
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = to_uint8(image, value_range)
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    with replaced_atomically(path) as partial:  # a previous image survives a failed or killed write
        Image.fromarray(pixels).save(partial)
    return path


def image_grid(images: np.ndarray, columns: int, margin: int = 2) -> np.ndarray:
    """Tile N images of shape (H, W[, C]) into one image, ``columns`` per row.

    Returns:
        np.ndarray. The grid, same dtype as ``images``, background 0.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    count, height, width, channels = images.shape
    rows = -(-count // columns)
    grid = np.zeros(
        (rows * height + (rows - 1) * margin, columns * width + (columns - 1) * margin, channels), images.dtype
    )
    for index, image in enumerate(images):
        top, left = (index // columns) * (height + margin), (index % columns) * (width + margin)
        grid[top : top + height, left : left + width] = image
    return grid


def save_image_grid(
    images: np.ndarray, path: str | Path, columns: int, value_range: tuple[float, float] = (0.0, 1.0), margin: int = 2
) -> Path:
    """Tile images with :func:`image_grid` and save the result with :func:`save_image`."""
    return save_image(image_grid(images, columns, margin), path, value_range)
