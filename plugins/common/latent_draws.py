"""Images decoded from random latent points, as the GAN and VAE samplers draw them."""

from __future__ import annotations

import numpy as np


def decode_normal_draws(decoder, count: int, seed: int) -> np.ndarray:
    """Decode ``count`` seeded standard-normal latent vectors; the latent size is read off ``decoder``.

    Args:
        decoder: keras.Model. A generator or decoder taking (batch, latent_dim).
        count: int. Latent vectors to draw.
        seed: int. Seed of the draws (the same seed, the same images).

    Returns:
        np.ndarray. The decoder's outputs, one per draw.
    """
    latent_dim = decoder.inputs[0].shape[-1]
    z = np.random.default_rng(seed).standard_normal((count, latent_dim)).astype("float32")
    return np.asarray(decoder.predict(z, verbose=0))
