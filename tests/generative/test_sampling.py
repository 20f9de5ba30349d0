"""The samplers write real PNGs of the expected sizes."""

from __future__ import annotations

import pytest
from PIL import Image

from kreg.errors import KregUsageError


def open_png(result, count=1):
    assert len(result["files"]) == count and result["text"]
    image = Image.open(result["files"][0])
    assert image.format == "PNG"
    return image


def test_vae_latent_grid_is_listing_12_29s_figure(build_architecture, sampler, tmp_path):
    built = build_architecture("vae", preset="smoke")
    image = open_png(sampler("vae", built.model, built.hyperparameters, tmp_path, n=5))
    assert image.size == (5 * 28, 5 * 28) and image.mode == "L"
    assert (tmp_path / "vae_latent_grid.png").exists()


def test_vae_latent_grid_default_is_30_by_30_digits(build_architecture, sampler, tmp_path):
    built = build_architecture("vae")
    image = open_png(sampler("vae", built.model, built.hyperparameters, tmp_path / "grid.png"))
    assert image.size == (840, 840)


def test_vae_mlp_decodes_random_latents(build_architecture, sampler, tmp_path):
    built = build_architecture("vae-mlp", preset="smoke")
    image = open_png(
        sampler("vae-mlp", built.model, built.hyperparameters, tmp_path / "out" / "s.png", num_img=4, columns=2)
    )
    assert image.size == (2 * 28 + 2, 2 * 28 + 2)


@pytest.mark.parametrize(("noise", "rows"), [(0.0, 2), (0.3, 3)])
def test_autoencoder_shows_inputs_and_reconstructions(build_architecture, sampler, tmp_path, noise, rows):
    built = build_architecture("autoencoder", preset="smoke", noise=noise)
    image = open_png(sampler("autoencoder", built.model, built.hyperparameters, tmp_path, num_img=3))
    assert image.size == (3 * 28 + 2 * 2, rows * 28 + (rows - 1) * 2)


@pytest.mark.parametrize(("name", "size", "mode"), [("dcgan", 64, "RGB"), ("wgan-gp", 28, "L")])
def test_gans_write_an_image_grid(build_architecture, sampler, tmp_path, name, size, mode):
    built = build_architecture(name, preset="smoke")
    image = open_png(sampler(name, built.model, built.hyperparameters, tmp_path, num_img=3, columns=2))
    assert image.size == (2 * size + 2, 2 * size + 2) and image.mode == mode


def test_wgan_grid_maps_tanh_range_to_pixels(build_architecture, sampler, tmp_path):
    import numpy as np

    built = build_architecture("wgan-gp", preset="smoke")
    pixels = np.asarray(
        open_png(sampler("wgan-gp", built.model, built.hyperparameters, tmp_path, num_img=1, columns=1))
    )
    generated = built.components["generator"].predict(
        np.random.default_rng(0).standard_normal((1, 16)).astype("float32"), verbose=0
    )
    expected = np.round(np.clip((generated[0, ..., 0] + 1.0) / 2.0, 0, 1) * 255)
    np.testing.assert_allclose(pixels, expected, atol=1)


def test_bad_sample_options_are_usage_errors(build_architecture, sampler, tmp_path):
    built = build_architecture("vae", preset="smoke")
    with pytest.raises(KregUsageError, match="'n' must be a positive integer"):
        sampler("vae", built.model, built.hyperparameters, tmp_path, n=0)


def test_without_output_the_image_goes_to_the_working_directory(build_architecture, sampler, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    built = build_architecture("dcgan", preset="smoke")
    image = open_png(sampler("dcgan", built.model, built.hyperparameters, None, num_img=1, columns=1))
    assert image.size == (64, 64)
    assert (tmp_path / "gan_samples.png").exists()


def test_latent_grid_runs_z0_left_to_right_and_z1_bottom_to_top(build_architecture, sampler, tmp_path):
    import numpy as np

    built = build_architecture("vae")
    pixels = np.asarray(
        open_png(sampler("vae", built.model, built.hyperparameters, tmp_path, n=3, scale=2.0)), dtype="float32"
    )
    decoder = built.components["decoder"]
    corners = {(0, 0): (-2.0, 2.0), (0, 2): (2.0, 2.0), (2, 0): (-2.0, -2.0), (1, 1): (0.0, 0.0)}
    for (row, column), z in corners.items():
        expected = np.round(decoder.predict(np.array([z], dtype="float32"), verbose=0)[0, ..., 0] * 255)
        np.testing.assert_allclose(pixels[row * 28 : (row + 1) * 28, column * 28 : (column + 1) * 28], expected, atol=1)
