"""Model files given to the wrong command or architecture: one clear line each, naming what was found.

The issue saw "File not found: filepath=trunc.keras" for a truncated file that
exists, a 13,307-character line for a model of another architecture, and
"'Functional' object has no attribute 'decoder'" for a ``vae-mlp`` model
given to ``vae``'s sampler.
"""

from __future__ import annotations

import json
import zipfile

import pytest


@pytest.fixture(scope="module")
def vae_mlp_file(tmp_path_factory):
    """A smoke-trained ``vae-mlp`` saved by ``kreg train --save`` (so it records its architecture)."""
    from kreg.testing_plugin import run_kreg

    path = tmp_path_factory.mktemp("models") / "vae-mlp.keras"
    result = run_kreg("train", "vae-mlp", "--preset", "smoke", "--steps", "1", "--save", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return path


def _copy_without_origin(source, target):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name != "kreg.json":
                new.writestr(name, old.read(name))
    return target


def _error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 300, lines
    return lines[0]


def test_kreg_records_the_architecture_in_the_archive(vae_mlp_file):
    with zipfile.ZipFile(vae_mlp_file) as archive:
        assert json.loads(archive.read("kreg.json")) == {"architecture": "vae-mlp", "class": "Functional"}


@pytest.mark.parametrize(
    "content, found",
    [
        (b"", "an empty file"),
        (b"weights, honestly", "not a zip file (17 bytes: truncated, or saved in another format)"),
        ("truncated", "not a zip file (300 bytes: truncated, or saved in another format)"),
        ("no-config", "it has no config.json (a zip, but not one Keras 3 saved)"),
    ],
)
def test_a_file_that_is_not_a_keras_archive_says_so(kreg_cli, tmp_path, vae_mlp_file, content, found):
    path = tmp_path / "model.keras"
    if content == "truncated":
        path.write_bytes(vae_mlp_file.read_bytes()[:300])
    elif content == "no-config":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("weights.h5", b"")
    else:
        path.write_bytes(content)
    for args in (("sample", "vae-mlp", "--model", str(path)), ("diff", str(path), "--against", "vae-mlp")):
        result = kreg_cli(*args)
        assert result.exit_code == 2, result.output
        assert _error_line(result) == f"kreg: error: model file {str(path)!r} is not a .keras archive: {found}"


def test_a_model_of_another_architecture_names_both_and_both_classes(kreg_cli, vae_mlp_file):
    result = kreg_cli("sample", "vae", "--model", str(vae_mlp_file))
    assert result.exit_code == 2
    assert _error_line(result) == (
        f"kreg: error: model file {str(vae_mlp_file)!r} was saved from 'vae-mlp' (class Functional), "
        "not from 'vae' (class VAE)"
    )


def test_a_sampler_reaching_for_a_missing_component_says_the_model_is_the_wrong_one(kreg_cli, vae_mlp_file, tmp_path):
    """The issue's case, on a file saved without kreg's record: vae's sampler asks for model.decoder."""
    path = _copy_without_origin(vae_mlp_file, tmp_path / "anonymous.keras")
    result = kreg_cli("sample", "vae", "--model", str(path))
    assert result.exit_code == 1
    assert _error_line(result) == (
        f"kreg: error: vae: sample failed: the model in {str(path)!r} (class Functional) has no 'decoder', "
        "which the sampler of 'vae' uses: not a model of 'vae' (class VAE)"
    )


def test_a_model_using_classes_the_architecture_does_not_define_is_one_line(kreg_cli, vae_mlp_file, tmp_path):
    """A file from outside kreg whose config names a class nothing registers: Keras's dump is not shown."""
    path = _copy_without_origin(vae_mlp_file, tmp_path / "foreign.keras")
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(entries["config.json"])
    layer = config["config"]["layers"][1]
    layer.update(module="elsewhere.layers", class_name="NowhereDense", registered_name="elsewhere>NowhereDense")
    entries["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    result = kreg_cli("sample", "vae-mlp", "--model", str(path))
    assert result.exit_code == 1
    line = _error_line(result)
    assert line == (
        f"kreg: error: vae-mlp: load failed: {str(path)!r} holds a Functional model using class 'NowhereDense', "
        "which 'vae-mlp' does not define: not a model of 'vae-mlp' (class Functional)"
    )
