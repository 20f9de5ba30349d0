"""The five research architectures as kreg sees them: registration, the contract, light imports."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

FAMILIES = {
    "hypernetwork": "hypernetwork",
    "mlp": "mlp",
    "weighted-classifier": "weighted_classifier",
    "style-transfer": "style_transfer",
    "filter-visualizer": "filter_visualizer",
}
COMPONENTS = {
    "hypernetwork": ("model", "inner", "outer"),
    "mlp": ("model",),
    "weighted-classifier": ("model",),
    "style-transfer": ("model", "feature_extractor"),
    "filter-visualizer": ("model", "feature_extractor"),
}
HEAVY = {"style-transfer", "filter-visualizer"}


def test_importing_the_families_leaves_tensorflow_and_keras_unimported():
    modules = ", ".join(f"kreg.plugins.{package}" for package in FAMILIES.values())
    code = (
        f"import sys, {modules}; leaked = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "print(leaked); sys.exit(bool(leaked))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr[-1000:]


@pytest.mark.parametrize("name", FAMILIES)
def test_registered_by_its_builtin_plugin(builtin_catalogue, name):
    entry = builtin_catalogue.get(name)
    architecture = entry.architecture
    assert entry.plugin.name == name and entry.plugin.builtin
    assert architecture.problems() == []
    assert architecture.components == COMPONENTS[name]
    assert "smoke" in architecture.presets
    assert architecture.train_step == f"kreg.plugins.{FAMILIES[name]}.train:train_step"
    assert (architecture.sampler is not None) == (name in HEAVY)


def _contract_cases():
    return [pytest.param(name, marks=pytest.mark.slow) if name in HEAVY else name for name in FAMILIES]


@pytest.mark.parametrize("name", _contract_cases())
def test_smoke_preset_builds_feeds_and_trains_under_fit(builtin_catalogue, fit_with_step, name):
    """What ``kreg check`` does: build with the smoke preset, take the adapter's batches, train in fit."""
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running import building
    from kreg.running.calls import resolve_part

    entry = builtin_catalogue.get(name)
    hyperparameters = resolve_hyperparameters(entry, preset="smoke")
    built = building.build(entry, hyperparameters)
    assert tuple(built.components) == COMPONENTS[name]
    for component in built.components.values():
        assert component.built
        component.count_params()
    dataset = resolve_part(entry, "data_adapter")(hyperparameters, entry.architecture.batch_size, None)
    step = resolve_part(entry, "train_step")
    batches = fit_with_step(built.model, step, dataset, steps_per_epoch=3)
    assert len(batches) == 3
    assert all(math.isfinite(value) for logs in batches for value in logs.values())


@pytest.mark.slow
def test_saved_models_load_in_a_fresh_process_with_safe_mode(builtin_catalogue, tmp_path):
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running import building

    paths = {}
    for name in ("hypernetwork", "mlp", "weighted-classifier"):
        entry = builtin_catalogue.get(name)
        built = building.build(entry, resolve_hyperparameters(entry, preset="smoke"))
        paths[name] = str(tmp_path / f"{name}.keras")
        built.model.save(paths[name])
    code = (
        "import kreg\nfrom kreg.running import model_files\ncatalogue = kreg.load_catalogue()\n"
        f"for name, path in {paths!r}.items():\n"
        "    model = model_files.load_saved_model(catalogue.get(name), path)\n"
        "    print(name, type(model).__name__, model.count_params())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "mlp MLPClassifier" in result.stdout


def test_kreg_sample_writes_the_style_transfer_image(tmp_path, monkeypatch, kreg_cli):
    from PIL import Image

    result = kreg_cli("sample", "style-transfer", "--preset", "smoke", "-o", str(tmp_path / "art.png"))
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "art.png") as image:
        assert image.format == "PNG" and image.size == (48, 32)
    monkeypatch.chdir(tmp_path)  # no -o: the working directory
    result = kreg_cli("sample", "style-transfer", "--preset", "smoke", "--filename", "plain.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plain.png").is_file()


def test_kreg_sample_writes_filter_images_and_rejects_bad_options(tmp_path, kreg_cli):
    result = kreg_cli(
        "sample",
        "filter-visualizer",
        "--preset",
        "smoke",
        "--set",
        "iterations=2",
        "-o",
        str(tmp_path),
        "--grid",
        "2",
        "--columns",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filter_0.png", "filters_grid.png"]
    quick = ["--set", "backbone=vgg16", "--set", "layer_name=block2_conv1", "--set", "image_size=32"]
    result = kreg_cli("sample", "filter-visualizer", *quick, "-o", str(tmp_path), "--columns", "0")
    assert result.exit_code == 2
    assert "columns >= 1" in result.output
