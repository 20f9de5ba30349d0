"""Sampler of the autoencoder: inputs and their reconstructions, side by side."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from kreg.plugins.autoencoder.defaults import RECONSTRUCTION_OPTIONS
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.common.image_data import synthetic_images
from kreg.plugins.common.images import save_image_grid
from kreg.plugins.common.sampler_files import output_file, require_positive_options


@defaults_from(RECONSTRUCTION_OPTIONS)
def reconstructions(
    model, hyperparameters: dict[str, Any], output: str | Path | None, *, num_img: int, seed: int
) -> dict[str, list]:
    """Reconstruct synthetic images and save a grid: inputs above, reconstructions below.

    For the denoising autoencoder (a model with an ``input_noise`` layer) a
    middle row shows the inputs with that layer's Gaussian noise added, and the
    reconstructions are of the noisy inputs, which is what a denoiser is for.
    The noise level is read off the model, so a loaded model needs no ``--set``.

    Args:
        model: keras.Model. The trained (or loaded) autoencoder.
        hyperparameters: dict. Unused (sizes and noise are read off the model).
        output: str, Path or None. A ``.png`` path, or a folder (None: the working
            directory) to write ``autoencoder_reconstructions.png`` in.
        num_img: int. Images per row.
        seed: int. Seed of the synthetic images and of the noise.

    Returns:
        dict. ``files``: the PNG written; ``text``: the mean squared reconstruction error.
    """
    require_positive_options(num_img=num_img)
    input_dim = model.inputs[0].shape[-1]
    side = math.isqrt(input_dim)
    clean = synthetic_images(num_img, (side, side), 1, seed=seed).reshape(num_img, input_dim)
    rows = [clean]
    inputs = clean
    noise = _noise_stddev(model)
    if noise > 0:
        inputs = np.clip(clean + np.random.default_rng(seed).normal(0.0, noise, clean.shape), 0.0, 1.0).astype(
            "float32"
        )
        rows.append(inputs)
    reconstructed = np.asarray(model.predict(inputs, verbose=0))
    rows.append(reconstructed)
    images = np.concatenate(rows).reshape(-1, side, side)
    path = save_image_grid(images, output_file(output, "autoencoder_reconstructions.png"), columns=num_img)
    error = float(np.mean((reconstructed - clean) ** 2))
    return {"files": [str(path)], "text": [f"{num_img} images and their reconstructions (mse {error:.4f}) -> {path}"]}


def _noise_stddev(model) -> float:
    noise_layers = [layer for layer in model.layers if layer.name == "input_noise"]
    return float(noise_layers[0].stddev) if noise_layers else 0.0
