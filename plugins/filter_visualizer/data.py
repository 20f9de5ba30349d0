"""The starting image of the ascent: the notebook's noisy gray image, or an image file."""

from __future__ import annotations

from typing import Any

import numpy as np

PREPROCESS = {"resnet50v2": "resnet_v2", "vgg16": "vgg16", "vgg19": "vgg19"}
"""The ``keras.applications`` module whose ``preprocess_input`` suits each backbone."""


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Return a dataset repeating the starting image ``iterations`` times (one per ascent step).

    Args:
        hyperparameters: dict. Needs ``image_size``, ``iterations`` and ``backbone``.
        batch_size: int. Must be 1: one image is optimised.
        source: str or None. None for the notebook's start, uniform noise in
            [-0.125, 0.125]; otherwise an image file, resized and preprocessed
            for the backbone.

    Returns:
        tf.data.Dataset. Elements float32 (1, image_size, image_size, 3).

    Raises:
        ValueError: ``batch_size`` is not 1.
    """
    import tensorflow as tf

    if batch_size != 1:
        raise ValueError(f"filter visualisation optimises one image; batch_size must be 1, got {batch_size}")
    size = hyperparameters["image_size"]
    image = initial_image(size) if source is None else load_image(source, size, hyperparameters["backbone"])
    return tf.data.Dataset.from_tensors(image).repeat(hyperparameters["iterations"])


def initial_image(size: int, seed: int = 0) -> np.ndarray:
    """The notebook's start: "a gray image with some random noise", (uniform - 0.5) * 0.25."""
    rng = np.random.default_rng(seed)
    return ((rng.random((1, size, size, 3)) - 0.5) * 0.25).astype("float32")


def load_image(path: str, size: int, backbone: str) -> np.ndarray:
    """Load an image file resized to (size, size), preprocessed for ``backbone``: (1, size, size, 3)."""
    import importlib

    import keras

    pixels = keras.utils.img_to_array(keras.utils.load_img(path, target_size=(size, size)))
    module = importlib.import_module(f"keras.applications.{PREPROCESS.get(backbone, 'resnet_v2')}")
    return module.preprocess_input(np.array(pixels, dtype="float32")[None])


def deprocess_image(image: np.ndarray, crop: int | None = None) -> np.ndarray:
    """The notebook's display transform: centre, std 0.15, centre-crop, shift to 0.5, clip to [0, 1].

    Args:
        image: array (size, size, 3). The optimised image.
        crop: int or None. Pixels cut from each side; None for the notebook's
            25 at 180 pixels, scaled down for smaller images (``min(25, size // 7)``).

    Returns:
        np.ndarray. float32 in [0, 1].
    """
    image = np.array(image, dtype="float32")
    image -= image.mean()
    image /= image.std() + 1e-5
    image *= 0.15
    crop = min(25, image.shape[0] // 7) if crop is None else crop
    if crop:
        image = image[crop:-crop, crop:-crop, :]
    return np.clip(image + 0.5, 0.0, 1.0)
