"""Image data of the VAEs: synthetic, a folder of images, or an ``.npz``.

Both adapters read through :mod:`kreg.plugins.common.image_data`, shared with
the autoencoder and the GANs.
"""

from __future__ import annotations

from typing import Any

from kreg.plugins.common.image_data import flat_image_pairs, image_dataset


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Batches of 28x28x1 images in [0, 1] for the convolutional VAE (no targets).

    Args:
        hyperparameters: dict. Unused; the listing's stack fixes the image size.
        batch_size: int. Images per batch.
        source: str or None. None for synthetic images; a folder of images
            (read as grayscale, resized to 28x28) or an ``.npz`` file with an
            array ``x`` of shape (N, 28, 28), (N, 28, 28, 1) or (N, 784).

    Returns:
        tf.data.Dataset. float32 batches of shape (batch, 28, 28, 1).
    """
    return image_dataset(source, (28, 28), 1, batch_size)


def make_flat_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """``(x, x)`` batches of flattened images in [0, 1] for the MLP VAE (fit on (x, x)).

    Args:
        hyperparameters: dict. ``original_dim``: pixels per image, the square
            of the image side.
        batch_size: int. Images per batch.
        source: str or None. As for :func:`make_dataset`, at the size ``original_dim`` implies.

    Returns:
        tf.data.Dataset. Pairs of float32 batches of shape (batch, original_dim).
    """
    return flat_image_pairs(hyperparameters["original_dim"], batch_size, source)
