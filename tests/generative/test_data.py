"""The data adapters: synthetic data, folders of images and ``.npz`` files made in tmp_path."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from kreg.plugins.common.image_data import load_npz_images, synthetic_images

DEFAULTS = {
    "vae": {"latent_dim": 2},
    "vae-mlp": {"original_dim": 784, "intermediate_dim": 64, "latent_dim": 32},
    "autoencoder": {"input_dim": 784, "encoding_dim": 32, "noise": 0.0},
    "dcgan": {"latent_dim": 128},
    "wgan-gp": {"noise_dim": 128, "discriminator_extra_steps": 3, "gp_weight": 10.0},
}


def first_batch(dataset):
    batch = next(iter(dataset))
    return tuple(np.asarray(part) for part in batch) if isinstance(batch, tuple) else np.asarray(batch)


def write_images(folder, count, size, mode, seed=0):
    """Write ``count`` random images of ``size`` (width, height) and PIL ``mode``, some in a sub-folder."""
    rng = np.random.default_rng(seed)
    channels = {"L": (), "RGB": (3,)}[mode]
    for index in range(count):
        target = folder / "sub" if index % 2 else folder
        target.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 256, (size[1], size[0], *channels), dtype=np.uint8)
        Image.fromarray(pixels, mode).save(target / f"image_{index}.png")
    return folder


def test_synthetic_images_are_structured_and_in_range():
    images = synthetic_images(6, (28, 28), 1, seed=3)
    assert images.shape == (6, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert images.std() > 0.05  # blobs, not a constant
    np.testing.assert_array_equal(images, synthetic_images(6, (28, 28), 1, seed=3))


@pytest.mark.parametrize(
    ("name", "shape", "low", "high"),
    [
        ("vae", (4, 28, 28, 1), 0.0, 1.0),
        ("dcgan", (4, 64, 64, 3), 0.0, 1.0),
        ("wgan-gp", (4, 28, 28, 1), -1.0, 1.0),
    ],
)
def test_synthetic_image_batches(adapter, name, shape, low, high):
    batch = first_batch(adapter(name, DEFAULTS[name], 4))
    assert batch.shape == shape and batch.dtype == np.float32
    assert low <= batch.min() < batch.max() <= high


@pytest.mark.parametrize("name", ["vae-mlp", "autoencoder"])
def test_flat_synthetic_batches_are_x_x_pairs(adapter, name):
    inputs, targets = first_batch(adapter(name, DEFAULTS[name], 4))
    assert inputs.shape == (4, 784)
    np.testing.assert_array_equal(inputs, targets)


def test_vae_reads_a_folder_as_28x28_grayscale(adapter, tmp_path):
    folder = write_images(tmp_path / "digits", 5, (40, 30), "RGB")
    dataset = adapter("vae", DEFAULTS["vae"], 2, str(folder))
    batches = [np.asarray(batch) for batch in dataset]
    assert sum(len(b) for b in batches) == 5  # sub-folders included
    assert batches[0].shape[1:] == (28, 28, 1)
    assert min(b.min() for b in batches) >= 0.0 and max(b.max() for b in batches) <= 1.0


def test_dcgan_reads_a_folder_as_listing_12_31_does(adapter, tmp_path):
    folder = write_images(tmp_path / "faces", 3, (80, 100), "RGB")
    batch = first_batch(adapter("dcgan", DEFAULTS["dcgan"], 3, str(folder)))
    assert batch.shape == (3, 64, 64, 3)
    assert batch.min() >= 0.0 and batch.max() <= 1.0 and batch.max() > 0.5


def test_wgan_folder_is_scaled_to_minus_one_one(adapter, tmp_path):
    folder = write_images(tmp_path / "fashion", 4, (28, 28), "L")
    batch = first_batch(adapter("wgan-gp", DEFAULTS["wgan-gp"], 4, str(folder)))
    assert batch.shape == (4, 28, 28, 1)
    assert -1.0 <= batch.min() < 0.0 < batch.max() <= 1.0


def test_autoencoder_reads_a_folder_flattened(adapter, tmp_path):
    folder = write_images(tmp_path / "digits", 2, (28, 28), "L")
    inputs, targets = first_batch(adapter("autoencoder", DEFAULTS["autoencoder"], 2, str(folder)))
    assert inputs.shape == (2, 784)
    np.testing.assert_array_equal(inputs, targets)


@pytest.mark.parametrize("stored_shape", [(5, 28, 28), (5, 28, 28, 1), (5, 784)])
def test_npz_of_uint8_pixels(adapter, tmp_path, stored_shape):
    pixels = np.random.default_rng(0).integers(0, 256, stored_shape, dtype=np.uint8)
    path = tmp_path / "x.npz"
    np.savez(path, x=pixels)
    batches = [np.asarray(b) for b in adapter("vae", DEFAULTS["vae"], 2, str(path))]
    images = np.concatenate(batches)
    assert images.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(np.sort(images.ravel()), np.sort(pixels.ravel() / 255.0), rtol=1e-6)


def test_npz_of_unit_floats_is_kept(tmp_path):
    x = np.random.default_rng(1).uniform(size=(3, 28, 28)).astype("float32")
    np.savez(tmp_path / "x.npz", x=x)
    np.testing.assert_allclose(load_npz_images(tmp_path / "x.npz", (28, 28), 1)[..., 0], x)


def test_npz_with_the_wrong_shape_says_what_it_expected(tmp_path):
    np.savez(tmp_path / "x.npz", x=np.zeros((3, 32, 32)))
    with pytest.raises(ValueError, match=r"shape \(3, 32, 32\); expected \(N, 28, 28, 1\)"):
        load_npz_images(tmp_path / "x.npz", (28, 28), 1)


def test_npz_without_x_names_what_it_found(tmp_path):
    np.savez(tmp_path / "x.npz", images=np.zeros((3, 28, 28)))
    with pytest.raises(ValueError, match=r"no array 'x' \(found \['images'\]\)"):
        load_npz_images(tmp_path / "x.npz", (28, 28), 1)


def test_unknown_sources_are_rejected(adapter, tmp_path):
    (tmp_path / "notes.txt").write_text("not images")
    with pytest.raises(ValueError, match=r"expected a folder of images or an .npz file"):
        adapter("vae", DEFAULTS["vae"], 2, str(tmp_path / "notes.txt"))


def test_a_folder_without_images_fails(adapter, tmp_path):
    with pytest.raises(ValueError):
        adapter("dcgan", DEFAULTS["dcgan"], 2, str(tmp_path))
