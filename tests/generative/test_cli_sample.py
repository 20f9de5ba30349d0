"""``kreg sample`` on the generative architectures: built untrained, or loaded from a ``.keras`` file."""

from __future__ import annotations

import json

import pytest
from PIL import Image


def test_sample_vae_writes_the_latent_grid(tmp_path, kreg_cli):
    result = kreg_cli("sample", "vae", "-o", str(tmp_path / "grid.png"), "--n", "4", "--scale", "2", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["options"] == {"n": 4, "scale": 2.0}
    assert Image.open(report["files"][0]).size == (4 * 28, 4 * 28)


def test_sample_a_saved_dcgan(build_architecture, tmp_path, kreg_cli):
    built = build_architecture("dcgan", preset="smoke")
    built.model.save(tmp_path / "gan.keras")
    result = kreg_cli(
        "sample",
        "dcgan",
        "--model",
        str(tmp_path / "gan.keras"),
        "-o",
        str(tmp_path),
        "--num-img",
        "2",
        "--columns",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'gan_samples.png'}" in result.output
    assert Image.open(tmp_path / "gan_samples.png").size == (2 * 64 + 2, 64)


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--n", "0"), "'n' must be a positive integer"), (("--scale", "-1"), "'scale' must be a positive number")],
)
def test_bad_sample_options_exit_2(tmp_path, args, message, kreg_cli):
    result = kreg_cli("sample", "vae", "-o", str(tmp_path), *args)
    assert result.exit_code == 2
    assert message in result.output
