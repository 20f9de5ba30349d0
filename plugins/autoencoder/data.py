"""Training data of the autoencoder: ``(x, x)`` batches of flattened images in [0, 1]."""

from __future__ import annotations

from typing import Any

from kreg.plugins.common.image_data import flat_image_pairs


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """``(x, x)`` batches of flattened grayscale images: the input is its own target.

    The denoising variant needs no different data: its noise layer corrupts the
    input inside the model, during training only.

    Args:
        hyperparameters: dict. ``input_dim``: pixels per image (the square of the side).
        batch_size: int. Images per batch.
        source: str or None. None for synthetic images; a folder of images (read
            as grayscale and resized) or an ``.npz`` file with an array ``x`` of
            shape (N, side, side), (N, side, side, 1) or (N, input_dim).

    Returns:
        tf.data.Dataset. Pairs of float32 batches of shape (batch, input_dim).
    """
    return flat_image_pairs(hyperparameters["input_dim"], batch_size, source)
