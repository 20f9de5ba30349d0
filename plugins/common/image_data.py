"""Image datasets shared by the image families: synthetic blobs, a folder of images,
or an ``.npz`` file with an array ``x``.

A folder is read as listing 12.31 reads CelebA (``image_dataset_from_directory``
with ``label_mode=None`` and ``smart_resize=True``, which Keras 3 calls
``crop_to_aspect_ratio=True``: crop to the aspect ratio, then resize) and
rescaled to [0, 1] as in listing 12.32.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

SYNTHETIC_BATCHES = 16
"""Synthetic datasets hold this many batches of the requested batch size."""


def flat_image_pairs(dim: int, batch_size: int, source: str | Path | None = None):
    """``(x, x)`` batches of flattened grayscale images in [0, 1], for autoencoders fit on (x, x).

    Args:
        dim: int. Pixels per image, the square of the image side.
        batch_size: int. Images per batch.
        source: str, Path or None. As for :func:`image_dataset`.

    Returns:
        tf.data.Dataset. Pairs of float32 batches of shape (batch, dim).
    """
    side = math.isqrt(dim)
    return image_dataset(source, (side, side), 1, batch_size).map(lambda x: _flatten_pair(x, dim))


def _flatten_pair(images, dim: int):
    import tensorflow as tf

    flat = tf.reshape(images, (-1, dim))
    return flat, flat


def image_dataset(source: str | Path | None, size: tuple[int, int], channels: int, batch_size: int, seed: int = 0):
    """Batches of images in [0, 1]: synthetic, from a folder, or from an ``.npz`` file.

    Args:
        source: str, Path or None. None for :func:`synthetic_images`; a folder of
            image files (searched recursively; any size, smart-resized); or an
            ``.npz`` file with an array ``x``.
        size: tuple[int, int]. ``(height, width)`` of the images.
        channels: int. 1 (grayscale) or 3 (RGB).
        batch_size: int. Images per batch.
        seed: int. Seed of the shuffling (and of synthetic images).

    Returns:
        tf.data.Dataset. float32 batches of shape (batch, height, width, channels).

    Raises:
        ValueError: the path is neither a folder nor an ``.npz`` file, the folder
            holds no images, or the array has the wrong shape; the message says
            what was expected.
    """
    import tensorflow as tf

    if source is None:
        images = synthetic_images(SYNTHETIC_BATCHES * batch_size, size, channels, seed=seed)
        return tf.data.Dataset.from_tensor_slices(images).shuffle(len(images), seed=seed).batch(batch_size)
    path = Path(source)
    if path.is_dir():
        return _folder_dataset(path, size, channels, batch_size, seed)
    if path.suffix == ".npz" and path.is_file():
        images = load_npz_images(path, size, channels)
        return tf.data.Dataset.from_tensor_slices(images).shuffle(len(images), seed=seed).batch(batch_size)
    raise ValueError(f"{source}: expected a folder of images or an .npz file with an array 'x'")


def _folder_dataset(path: Path, size: tuple[int, int], channels: int, batch_size: int, seed: int):
    import keras

    dataset = keras.utils.image_dataset_from_directory(
        str(path),
        label_mode=None,
        color_mode="grayscale" if channels == 1 else "rgb",
        image_size=size,
        batch_size=batch_size,
        crop_to_aspect_ratio=True,  # Keras 3's name for the listing's smart_resize=True
        seed=seed,
        verbose=False,
    )
    return dataset.map(lambda x: x / 255.0)


def load_npz_images(path: str | Path, size: tuple[int, int], channels: int) -> np.ndarray:
    """Load the array ``x`` of an ``.npz`` file as float32 images in [0, 1].

    ``x`` may be (N, H, W), (N, H, W, C) or flattened (N, H*W*C); integer
    arrays (and float arrays with values above 1) are taken as 0..255 pixels.

    Raises:
        ValueError: ``x`` is missing, or its shape does not fit ``size`` and ``channels``.
    """
    height, width = size
    with np.load(path) as data:
        if "x" not in data.files:
            raise ValueError(f"{path}: no array 'x' (found {sorted(data.files)})")
        x = data["x"]
    accepted = {(height, width, channels), (height * width * channels,)}
    if channels == 1:
        accepted.add((height, width))
    if x.ndim < 2 or x.shape[1:] not in accepted:
        shapes = " or ".join(f"(N, {', '.join(map(str, shape))})" for shape in sorted(accepted, key=len, reverse=True))
        raise ValueError(f"{path}: array 'x' has shape {x.shape}; expected {shapes}")
    images = x.reshape((len(x), height, width, channels))
    images = images.astype("float32")
    if np.issubdtype(x.dtype, np.integer) or images.max(initial=0.0) > 1.0:
        images /= 255.0
    return np.clip(images, 0.0, 1.0)


def synthetic_images(count: int, size: tuple[int, int], channels: int = 1, seed: int = 0, blobs: int = 3) -> np.ndarray:
    """Make images of a few soft coloured blobs: structure to learn, no download.

    Args:
        count: int. Number of images.
        size: tuple[int, int]. ``(height, width)``.
        channels: int. 1 or 3.
        seed: int. Seed of the random generator.
        blobs: int. Gaussian blobs per image.

    Returns:
        np.ndarray. float32, shape (count, height, width, channels), values in [0, 1].
    """
    height, width = size
    rng = np.random.default_rng(seed)
    rows = np.arange(height, dtype="float32")[None, None, :, None]
    cols = np.arange(width, dtype="float32")[None, None, None, :]
    centre_rows = rng.uniform(0.2, 0.8, (count, blobs, 1, 1)).astype("float32") * height
    centre_cols = rng.uniform(0.2, 0.8, (count, blobs, 1, 1)).astype("float32") * width
    widths = rng.uniform(0.06, 0.15, (count, blobs, 1, 1)).astype("float32") * min(height, width)
    bumps = np.exp(-((rows - centre_rows) ** 2 + (cols - centre_cols) ** 2) / (2.0 * widths**2))
    colours = rng.uniform(0.4, 1.0, (count, blobs, channels)).astype("float32")
    images = np.einsum("nbhw,nbc->nhwc", bumps, colours)
    return np.clip(images, 0.0, 1.0).astype("float32")
