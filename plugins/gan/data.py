"""Training images of the GANs: synthetic, a folder of images, or an ``.npz`` with ``x``."""

from __future__ import annotations

from typing import Any

from kreg.plugins.common.image_data import image_dataset


def make_dcgan_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """64x64 RGB images in [0, 1], as listings 12.31-12.32 prepare CelebA.

    Args:
        hyperparameters: dict. Unused; the listing's stack fixes the image size.
        batch_size: int. Images per batch (32 in listing 12.31).
        source: str or None. None for synthetic images; a folder of images,
            read with ``image_dataset_from_directory(label_mode=None,
            image_size=(64, 64))``, crop-to-aspect-ratio resized (the listing's
            ``smart_resize``) and divided by 255; or an ``.npz`` file with ``x``
            of shape (N, 64, 64, 3).

    Returns:
        tf.data.Dataset. float32 batches of shape (batch, 64, 64, 3).
    """
    return image_dataset(source, (64, 64), 3, batch_size)


def make_wgan_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """28x28 grayscale images scaled to [-1, 1], as the WGAN-GP example prepares Fashion-MNIST.

    Args:
        hyperparameters: dict. Unused; the example's stack fixes the image size.
        batch_size: int. Images per batch (512 in the example).
        source: str or None. None for synthetic images; a folder of images (read
            as grayscale, resized to 28x28) or an ``.npz`` file with ``x`` of
            shape (N, 28, 28), (N, 28, 28, 1) or (N, 784).

    Returns:
        tf.data.Dataset. float32 batches of shape (batch, 28, 28, 1) in [-1, 1].
    """
    return image_dataset(source, (28, 28), 1, batch_size).map(lambda x: x * 2.0 - 1.0)
