"""Building the keras.applications models through kreg: counts, presets, the extractor, bad values.

The default suite builds only a few small models (and ResNet50, the issue's
figure); tests/applications/test_sweep.py checks all forty (slow).
"""

from __future__ import annotations

import json

import pytest

keras = pytest.importorskip("keras")

from kreg.hyperparameters import resolve_hyperparameters  # noqa: E402
from kreg.inspect_tools.params import count_params  # noqa: E402
from kreg.plugins.applications.catalog import APPLICATIONS, BY_NAME  # noqa: E402
from kreg.running.building import build_fresh  # noqa: E402


class KerasSizes(Exception):
    """Raised by the spy on Keras's input-shape helper: the sizes it was asked for, before any layer exists."""

    def __init__(self, default_size: int, min_size: int):
        super().__init__(default_size, min_size)
        self.default_size, self.min_size = default_size, min_size


def keras_sizes(monkeypatch, function_name: str) -> KerasSizes:
    """The default and minimum image sizes Keras's own model function passes to obtain_input_shape."""
    from keras.src.applications import imagenet_utils

    def spy(input_shape, default_size, min_size, data_format, require_flatten, weights=None):
        raise KerasSizes(default_size, min_size)

    monkeypatch.setattr(imagenet_utils, "obtain_input_shape", spy)
    with pytest.raises(KerasSizes) as caught:
        getattr(keras.applications, function_name)(weights=None)
    return caught.value


@pytest.mark.parametrize("spec", [s for s in APPLICATIONS if s.module != "mobilenet_v3"], ids=lambda s: s.name)
def test_default_and_minimum_sizes_are_keras_own(monkeypatch, spec):
    sizes = keras_sizes(monkeypatch, spec.function)
    assert (sizes.default_size, sizes.min_size) == (spec.default_size, spec.min_size)


@pytest.mark.parametrize("function_name", ["MobileNetV3Small", "MobileNetV3Large"])
def test_mobilenet_v3_checks_its_minimum_itself(function_name):
    # MobileNetV3 does not use obtain_input_shape: it accepts any size of at least 32
    # (its docstring gives 224 as the default shape).
    with pytest.raises(ValueError, match="at least 32x32"):
        getattr(keras.applications, function_name)(weights=None, input_shape=(31, 31, 3))


def test_kreg_inspect_resnet50_gives_the_published_count(run_kreg):
    result = run_kreg("inspect", "resnet50", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["components"]["model"]["params"] == {
        "total": 25_636_712,
        "trainable": 25_583_592,
        "non_trainable": 53_120,
    }
    assert report["components"]["model"]["params"]["total"] == BY_NAME["resnet50"].published_params
    model_layers = report["components"]["model"]["layers"]
    assert model_layers[0]["output_shape"] == [None, 224, 224, 3] and model_layers[-1]["output_shape"] == [None, 1000]


# Slow (16 s); the slow sweep checks every application, the default suite inspects and loads weights.
@pytest.mark.slow
def test_kreg_check_passes_a_small_model_at_the_smoke_preset(run_kreg):
    result = run_kreg("check", "mobilenetv3small", "--json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["results"]
    assert row["passed"] and row["preset"] == "smoke" and row["steps"] == 3, row
    assert set(row["metrics"]) == {"loss", "accuracy"}
    # 10 classes instead of 1000: only the top's 1x1 convolution (1024 inputs + a bias per class)
    # shrinks; Keras's MobileNetV3Small has 2,554,968 parameters with 1000 classes.
    assert row["params"]["model"]["total"] == 2_554_968 - 990 * 1025


def test_the_extractor_nests_keras_own_feature_extractor_under_a_new_head(builtin_catalogue):
    entry = builtin_catalogue.get("mobilenetv3small")
    hyperparameters = {**resolve_hyperparameters(entry, preset="extractor"), "image_size": 64, "classes": 7}
    entry_model = build_fresh(entry, hyperparameters).model
    extractor = entry_model.get_layer("MobileNetV3Small")
    reference = keras.applications.MobileNetV3Small(
        weights=None, include_top=False, input_shape=(64, 64, 3), pooling="avg"
    )
    assert count_params(extractor).total == reference.count_params()
    features = reference.output_shape[-1]
    assert count_params(entry_model).total == reference.count_params() + features * 7 + 7
    assert entry_model.output_shape == (None, 7) and entry_model.get_layer("head").activation.__name__ == "softmax"


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("image_size=16", "'image_size': ResNet50 needs images of at least 32x32, got 16"),
        ("weights=imagenet", "'weights': kreg never downloads"),
        ("weights=/no/such/file.h5", "'weights': '/no/such/file.h5' is not a file"),
        ("pooling=mean", "'pooling': must be one of avg, max, got 'mean'"),
        ("optimizer=rmsprop", "'optimizer': must be one of adam, sgd, got 'rmsprop'"),
    ],
)
def test_bad_hyperparameters_are_one_line_usage_errors(run_kreg, assignment, message):
    result = run_kreg("inspect", "resnet50", "--set", assignment)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_vgg_refuses_a_weights_file_with_the_top_at_another_size(run_kreg, tmp_path):
    weights = tmp_path / "vgg16.weights.h5"
    weights.write_bytes(b"")
    result = run_kreg("inspect", "vgg16", "--set", "image_size=64", "--set", f"weights={weights}")
    assert result.exit_code == 2 and "fits only image_size=224" in result.stderr


def test_a_weights_file_is_loaded(builtin_catalogue, tmp_path):
    entry = builtin_catalogue.get("mobilenetv3small")
    hyperparameters = {**resolve_hyperparameters(entry), "image_size": 32, "classes": 3}
    saved = build_fresh(entry, hyperparameters, seed=1).model
    path = tmp_path / "small.weights.h5"
    saved.save_weights(path)
    loaded = build_fresh(entry, {**hyperparameters, "weights": str(path)}, seed=2).model
    for mine, theirs in zip(loaded.get_weights(), saved.get_weights()):
        assert (mine == theirs).all()
