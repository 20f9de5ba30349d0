"""Sampler of the GANs: a grid of generated images, as the GANMonitor callbacks save them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.common.images import save_image_grid
from kreg.plugins.common.latent_draws import decode_normal_draws
from kreg.plugins.common.sampler_files import output_file, require_positive_options
from kreg.plugins.gan.defaults import GRID_SAMPLE_OPTIONS


@defaults_from(GRID_SAMPLE_OPTIONS)
def generated_grid(
    model,
    hyperparameters: dict[str, Any],
    output: str | Path | None,
    *,
    num_img: int,
    columns: int,
    seed: int,
) -> dict[str, list]:
    """Generate ``num_img`` images from standard-normal latent vectors and save them as one grid.

    Listing 12.37's GANMonitor saves ``num_img`` separate PNGs at each epoch's
    end; this writes the same images tiled into one PNG. The value range comes
    from the generator's last activation: sigmoid gives [0, 1] (DCGAN), tanh
    gives [-1, 1] (WGAN-GP).

    Args:
        model: GAN or WGAN. The trained (or loaded) model; its ``generator`` is used.
        hyperparameters: dict. Unused (the latent size is read off the generator).
        output: str, Path or None. A ``.png`` path, or a folder (None: the working
            directory) to write ``<model name>_samples.png`` in.
        num_img: int. Images to generate (10 in listing 12.38).
        columns: int. Images per row of the grid.
        seed: int. Seed of the latent draws.

    Returns:
        dict. ``files``: the PNG written; ``text``: a one-line description.
    """
    require_positive_options(num_img=num_img, columns=columns)
    generator = model.generator
    images = decode_normal_draws(generator, num_img, seed)
    value_range = (-1.0, 1.0) if _ends_in_tanh(generator) else (0.0, 1.0)
    path = save_image_grid(
        images, output_file(output, f"{model.name}_samples.png"), columns=columns, value_range=value_range
    )
    height, width = images.shape[1:3]
    return {"files": [str(path)], "text": [f"{num_img} generated {height}x{width} images (seed {seed}) -> {path}"]}


def _ends_in_tanh(generator) -> bool:
    for layer in reversed(generator.layers):
        activation = getattr(layer, "activation", None)
        if activation is not None:
            return getattr(activation, "__name__", "") == "tanh"
    return False
