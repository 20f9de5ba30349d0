"""The static catalog of keras.applications against Keras itself, and the registrations made from it."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from kreg.plugins.applications.catalog import APPLICATIONS, BY_NAME, PREPROCESSING_MODES, TAG

keras = pytest.importorskip("keras")

FAMILIES = {
    "resnet50": "resnet",
    "resnet50v2": "resnet",
    "convnexttiny": "convnext",
    "efficientnetv2b0": "efficientnet",
    "efficientnetb7": "efficientnet",
    "mobilenetv3small": "mobilenet",
    "inceptionresnetv2": "inception",
    "densenet121": "densenet",
    "nasnetlarge": "nasnet",
    "vgg19": "vgg",
    "xception": "xception",
}


def keras_model_functions() -> set[str]:
    """Every model function keras.applications exports (its capitalised names)."""
    return {
        name for name in dir(keras.applications) if name[:1].isupper() and callable(getattr(keras.applications, name))
    }


def test_the_catalog_lists_exactly_the_models_keras_exports():
    # A Keras release that adds or removes a model fails here, naming it.
    listed = {application.function for application in APPLICATIONS}
    exported = keras_model_functions()
    assert sorted(exported - listed) == [], "models keras.applications exports but the catalog lacks"
    assert sorted(listed - exported) == [], "models the catalog lists but keras.applications no longer exports"
    assert len(APPLICATIONS) == len(listed) == 40


@pytest.mark.parametrize("spec", APPLICATIONS, ids=lambda spec: spec.name)
def test_each_model_lives_in_the_module_whose_preprocessing_the_adapter_uses(spec):
    function = getattr(keras.applications, spec.function)
    assert function.__module__.rsplit(".", 1)[-1] == spec.module
    assert callable(getattr(keras.applications, spec.module).preprocess_input)


def expected_preprocessing(mode: str, pixels: np.ndarray) -> np.ndarray:
    """Each mode written from its definition (Keras's imagenet_utils docstring), independently of Keras."""
    mean = np.array([0.485, 0.456, 0.406]) * 255.0
    if mode == "tf":
        return pixels / 127.5 - 1.0
    if mode == "torch":
        return (pixels / 255.0 - mean / 255.0) / np.array([0.229, 0.224, 0.225])
    if mode == "caffe":
        return pixels[..., ::-1] - np.array([103.939, 116.779, 123.68])
    return pixels


@pytest.mark.parametrize("module", sorted(PREPROCESSING_MODES))
def test_the_preprocessing_said_in_kreg_info_is_what_the_module_does(module):
    pixels = np.array([[[[255.0, 0.0, 51.0], [10.0, 200.0, 127.5]]]], "float32")
    done = np.asarray(getattr(keras.applications, module).preprocess_input(pixels.copy()))
    np.testing.assert_allclose(done, expected_preprocessing(PREPROCESSING_MODES[module], pixels), atol=1e-3)


def test_names_are_the_lowercased_functions_and_tags_name_the_family(builtin_catalogue):
    entries = builtin_catalogue.select(tags=[TAG])
    assert sorted(entry.name for entry in entries) == sorted(spec.function.lower() for spec in APPLICATIONS)
    for name, family in FAMILIES.items():
        tags = builtin_catalogue.get(name).architecture.tags
        assert TAG in tags and family in tags, (name, tags)
    resnet = builtin_catalogue.get("resnet50").architecture
    assert resnet.hyperparameters == {
        "weights": None,
        "include_top": True,
        "image_size": 224,
        "classes": 1000,
        "pooling": "avg",
        "learning_rate": 0.001,
        "optimizer": "adam",
    }
    assert resnet.presets["smoke"] == {"image_size": 32, "classes": 10, "optimizer": "sgd"}
    assert builtin_catalogue.get("nasnetlarge").architecture.hyperparameters["image_size"] == 331
    assert builtin_catalogue.get("xception").architecture.presets["smoke"]["image_size"] == 71


def test_published_counts_are_keras_ios_figures():
    # Spot checks against the keras.io table, read by hand (the data module cites it).
    assert BY_NAME["resnet50"].published_params == 25_636_712
    assert BY_NAME["vgg16"].published_params == 138_357_544
    assert BY_NAME["nasnetlarge"].published_params == 88_949_818
    assert (BY_NAME["efficientnetv2b0"].published_params, BY_NAME["efficientnetv2b0"].published_rounding) == (
        7_200_000,
        100_000,
    )
    assert BY_NAME["convnexttiny"].published_params is None and BY_NAME["mobilenetv3large"].published_params is None
    assert all(spec.min_size <= spec.smoke_size <= spec.default_size for spec in APPLICATIONS)


def test_kreg_list_by_tag_lists_them_without_tensorflow():
    code = (
        "import sys\n"
        "from kreg.cli import main\n"
        "main(['list', '--tag', 'keras-applications', '--json'], standalone_mode=False)\n"
        "sys.stderr.write(repr(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr.endswith("[]"), result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 40 and {row["plugin"] for row in rows} == {"applications"}
    assert {"resnet50", "convnexttiny", "efficientnetv2b0"} <= {row["name"] for row in rows}


def test_kreg_info_says_what_the_defaults_mean(run_kreg):
    result = run_kreg("info", "resnet50", "--json")
    assert result.exit_code == 0, result.output
    described = json.loads(result.stdout)["description"]
    for phrase in (
        "weights=null is random initialisation",
        "image_size=224 is Keras's default side for ResNet50",
        "at least 32",
        "keras.io publishes 25,636,712 parameters",
        "keras.applications.resnet.preprocess_input",
        "The smoke preset (what kreg check builds) uses 32x32 images, 10 classes and plain SGD",
    ):
        assert phrase in described, phrase
    assert "top flattens the last feature map" in json.loads(run_kreg("info", "vgg16", "--json").stdout)["description"]
