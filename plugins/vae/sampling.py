"""Samplers of the VAEs: the latent-grid figure of listing 12.29, and decoded random draws."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from kreg.errors import KregUsageError
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.common.images import save_image_grid
from kreg.plugins.common.latent_draws import decode_normal_draws
from kreg.plugins.common.sampler_files import output_file, require_positive_options
from kreg.plugins.vae.defaults import DECODED_SAMPLE_OPTIONS, LATENT_GRID_OPTIONS


@defaults_from(LATENT_GRID_OPTIONS)
def latent_grid(
    model, hyperparameters: dict[str, Any], output: str | Path | None, *, n: int, scale: float
) -> dict[str, list]:
    """Decode an ``n`` x ``n`` grid of latent points into one figure (listing 12.29).

    Points are spaced linearly over ``[-scale, scale]`` on the first two latent
    axes (z[0] left to right, z[1] bottom to top, as the listing draws them);
    any further latent axes are held at 0. The listing calls ``predict`` once per
    point; this decodes the whole grid in one batch, which gives the same figure.

    Args:
        model: VAE. The trained (or loaded) VAE; its ``decoder`` is used.
        hyperparameters: dict. Unused (the latent size is read off the decoder).
        output: str, Path or None. A ``.png`` path, or a folder (None: the working
            directory) to write ``vae_latent_grid.png`` in.
        n: int. Points per side (30 in the listing: 900 digits).
        scale: float. Half-width of the sampled square (1 in the listing).

    Returns:
        dict. ``files``: the PNG written; ``text``: a one-line description.
    """
    require_positive_options(n=n)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
        raise KregUsageError(f"sample option 'scale' must be a positive number, got {scale!r}")
    decoder = model.decoder
    latent_dim = decoder.inputs[0].shape[-1]
    grid_x = np.linspace(-scale, scale, n)
    grid_y = np.linspace(-scale, scale, n)[::-1]
    points = np.zeros((n * n, latent_dim), dtype="float32")
    points[:, 0] = np.tile(grid_x, n)
    if latent_dim > 1:
        points[:, 1] = np.repeat(grid_y, n)
    digits = np.asarray(decoder.predict(points, batch_size=256, verbose=0))
    path = save_image_grid(digits, output_file(output, "vae_latent_grid.png"), columns=n, margin=0)
    size = digits.shape[1]
    return {
        "files": [str(path)],
        "text": [f"{n}x{n} grid of {size}x{size} digits decoded from z in [-{scale}, {scale}]^2 -> {path}"],
    }


@defaults_from(DECODED_SAMPLE_OPTIONS)
def decoded_samples(
    model,
    hyperparameters: dict[str, Any],
    output: str | Path | None,
    *,
    num_img: int,
    columns: int,
    seed: int,
) -> dict[str, list]:
    """Decode standard-normal latent draws of the MLP VAE into a grid of images.

    Args:
        model: keras.Model. The trained (or loaded) functional VAE; its nested
            ``decoder`` model is used.
        hyperparameters: dict. Unused (sizes are read off the decoder).
        output: str, Path or None. A ``.png`` path, or a folder (None: the working
            directory) to write ``vae_mlp_samples.png`` in.
        num_img: int. Images to generate.
        columns: int. Images per row of the grid.
        seed: int. Seed of the latent draws.

    Returns:
        dict. ``files``: the PNG written; ``text``: a one-line description.
    """
    require_positive_options(num_img=num_img, columns=columns)
    decoder = model.get_layer("decoder")
    side = math.isqrt(decoder.outputs[0].shape[-1])
    images = decode_normal_draws(decoder, num_img, seed).reshape(num_img, side, side)
    path = save_image_grid(images, output_file(output, "vae_mlp_samples.png"), columns=columns)
    return {"files": [str(path)], "text": [f"{num_img} digits decoded from z ~ N(0, I) (seed {seed}) -> {path}"]}
