"""The content and style images (listings 12.16-12.17): a folder of two images, or synthetic ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
VGG19_MEAN_BGR = (103.939, 116.779, 123.68)


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Return a dataset repeating one ``(content_image, style_image)`` pair ``iterations`` times.

    Args:
        hyperparameters: dict. Needs ``image_height``, ``image_width`` and ``iterations``.
        batch_size: int. Must be 1: style transfer optimises one image.
        source: str or None. None for two synthetic images; otherwise a folder
            holding one image whose name starts with ``content`` and one whose
            name starts with ``style`` (e.g. ``content.jpg``, ``style_starry_night.png``).

    Returns:
        tf.data.Dataset. Elements ``(content, style)``, each float32
        (1, image_height, image_width, 3), VGG19-preprocessed (BGR, mean-centred).

    Raises:
        ValueError: ``batch_size`` is not 1, or the folder lacks a content or style image.
    """
    import tensorflow as tf

    if batch_size != 1:
        raise ValueError(f"style transfer optimises one combination image; batch_size must be 1, got {batch_size}")
    height, width = hyperparameters["image_height"], hyperparameters["image_width"]
    if source is None:
        content, style = (preprocess(image) for image in synthetic_images(height, width))
    else:
        content_path, style_path = find_images(source)
        content, style = preprocess_image(content_path, height, width), preprocess_image(style_path, height, width)
    return tf.data.Dataset.from_tensors((content, style)).repeat(hyperparameters["iterations"])


def find_images(folder: str | Path) -> tuple[Path, Path]:
    """Return the content and style image files of ``folder``.

    Raises:
        ValueError: the folder is missing, or has no (or several) ``content*`` or ``style*`` images.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder; give a folder holding content.<ext> and style.<ext> images")
    images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    found = []
    for role in ("content", "style"):
        matches = [p for p in images if p.stem.lower().startswith(role)]
        if len(matches) != 1:
            names = ", ".join(p.name for p in images) or "no images"
            raise ValueError(f"{folder}: expected one image named {role}*.<ext> (found {names})")
        found.append(matches[0])
    return found[0], found[1]


def preprocess_image(path: str | Path, height: int, width: int) -> np.ndarray:
    """Load an image resized to (height, width) and preprocess it for VGG19 (listing 12.17)."""
    import keras

    image = keras.utils.img_to_array(keras.utils.load_img(path, target_size=(height, width)))
    return preprocess(image)


def preprocess(image: np.ndarray) -> np.ndarray:
    """(height, width, 3) RGB in 0..255 -> (1, height, width, 3) VGG19 input (BGR, mean-centred)."""
    import keras

    # preprocess_input works in place on float arrays: hand it a copy.
    return keras.applications.vgg19.preprocess_input(np.array(image, dtype="float32")[None])


def deprocess_image(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Undo the VGG19 preprocessing: a (height, width, 3) uint8 RGB image (listing 12.17)."""
    image = np.array(image, dtype="float32").reshape((height, width, 3))
    image += np.asarray(VGG19_MEAN_BGR, "float32")
    image = image[:, :, ::-1]
    return np.clip(image, 0, 255).astype("uint8")


def synthetic_images(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Two RGB images in 0..255: a "city" (sky gradient, buildings) and a "painting" (coloured swirls).

    Returns:
        tuple[np.ndarray, np.ndarray]. ``content`` and ``style``, float32 (height, width, 3).
    """
    rows, columns = np.mgrid[0:height, 0:width].astype("float32")
    rows, columns = rows / max(height - 1, 1), columns / max(width - 1, 1)
    content = np.stack([120 + 80 * rows, 160 + 60 * rows, 230 - 30 * rows], axis=-1)
    rng = np.random.default_rng(0)
    for building in range(6):
        left, top = (building + 0.2 * rng.random()) / 6, 0.3 + 0.5 * rng.random()
        block = (columns >= left) & (columns <= left + 0.12) & (rows >= top)
        content[block] = rng.uniform(30, 120, 3)
    angle = np.arctan2(rows - 0.5, columns - 0.5)
    radius = np.hypot(rows - 0.5, columns - 0.5)
    swirl = np.sin(12 * radius * 2 * np.pi + 3 * angle)
    style = np.stack(
        [128 + 100 * swirl, 128 + 90 * np.cos(8 * np.pi * columns + swirl), 200 - 120 * (swirl > 0)], axis=-1
    )
    return content.astype("float32"), np.clip(style, 0, 255).astype("float32")
