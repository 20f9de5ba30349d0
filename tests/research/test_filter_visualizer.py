"""Filter visualisation: gradient ascent on the image raises one filter's mean activation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from kreg.errors import HyperparameterError

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

# After the skips: these modules import Keras.
from kreg.plugins.filter_visualizer import data, model, sampling, train  # noqa: E402

SIZE = 96
SMOKE = {"backbone": "resnet50v2", "image_size": SIZE, "iterations": 6, "step_size": 10.0, "filter_index": 3}


@pytest.fixture(scope="module")
def components():
    return model.build(image_size=SIZE, filter_index=3)


@pytest.fixture(scope="module")
def run(components):
    """The smoke model after one graph-compiled run of the ascent steps from the notebook's noisy start."""
    visualizer = components["model"]
    backbone_before = visualizer.feature_extractor.weights[0].numpy().copy()
    step = tf.function(lambda batch: train.train_step(visualizer, batch))
    logs = [float(step(batch)["activation"]) for batch in data.make_dataset(SMOKE, 1, None)]
    return {"model": visualizer, "activations": logs, "backbone_before": backbone_before}


def test_structure_is_the_notebooks(components):
    visualizer = components["model"]
    assert (visualizer.backbone, visualizer.layer_name) == ("resnet50v2", "conv3_block4_out")
    assert components["feature_extractor"].output.shape == (None, SIZE // 16, SIZE // 16, 512)
    assert [w.name for w in visualizer.trainable_weights] == ["image"]
    assert tuple(visualizer.image.shape) == (1, SIZE, SIZE, 3)
    assert np.abs(visualizer.image.numpy()).max() <= 0.125  # the notebook's noisy gray start
    assert isinstance(visualizer.optimizer, keras.optimizers.SGD)
    assert float(visualizer.optimizer.learning_rate) == pytest.approx(10.0)
    notebook = {"backbone": "resnet50v2", "layer_name": "conv3_block4_out", "filter_index": 0, "image_size": 180}
    assert {key: model.build.__kwdefaults__[key] for key in notebook} == notebook  # what a direct build() gets


def test_call_returns_the_chosen_filters_map(components):
    visualizer = components["model"]
    images = np.random.default_rng(0).random((2, SIZE, SIZE, 3)).astype("float32")
    full = keras.ops.convert_to_numpy(visualizer.feature_extractor(images))
    np.testing.assert_allclose(visualizer(images), full[..., 3], rtol=1e-5, atol=1e-6)
    assert tuple(visualizer(keras.Input((SIZE, SIZE, 3))).shape) == (None, SIZE // 16, SIZE // 16)


def test_ascent_raises_the_activation_and_leaves_the_network_alone(run):
    activations = run["activations"]
    assert len(activations) == SMOKE["iterations"]
    assert all(later > earlier for earlier, later in itertools.pairwise(activations)), activations
    np.testing.assert_array_equal(run["backbone_before"], run["model"].feature_extractor.weights[0].numpy())


def test_train_step_runs_inside_fit_from_the_batch_image(fit_with_step):
    fresh = model.build(image_size=SIZE, filter_index=1)["model"]
    start = data.initial_image(SIZE)  # what the adapter's synthetic batches hold
    batches = fit_with_step(fresh, train.train_step, data.make_dataset({**SMOKE, "iterations": 1}, 1, None))
    assert batches and set(batches[0]) == {"activation"}
    # The first step starts from the batch's image and moves it step_size along the unit gradient.
    assert np.linalg.norm(fresh.image.numpy() - start) == pytest.approx(10.0, rel=1e-4)


def test_sampler_writes_the_image_and_a_grid(run, tmp_path):
    from PIL import Image

    result = sampling.sample(run["model"], SMOKE, tmp_path, grid=3, columns=2)
    assert [p.rsplit("/", 1)[-1] for p in result["files"]] == ["filter_3.png", "filters_grid.png"]
    crop = SIZE // 7
    with Image.open(result["files"][0]) as image:
        assert image.format == "PNG" and image.size == (SIZE - 2 * crop,) * 2
        assert np.asarray(image).std() > 5  # a pattern, not a flat gray
    side = SIZE - 2 * crop
    with Image.open(result["files"][1]) as grid:
        assert grid.format == "PNG" and grid.size == (2 * side + 5, 2 * side + 5)
        tiles = np.asarray(grid)
    # Each filter gets its own fresh ascent: the tiles differ.
    assert not np.array_equal(tiles[:side, :side], tiles[:side, side + 5 :])


def test_start_image_from_a_file(tmp_path):
    from PIL import Image

    Image.fromarray(np.full((50, 70, 3), 200, "uint8")).save(tmp_path / "start.png")
    [image] = list(data.make_dataset({**SMOKE, "iterations": 1}, 1, str(tmp_path / "start.png")))
    assert tuple(image.shape) == (1, SIZE, SIZE, 3)
    np.testing.assert_allclose(image, 200 / 127.5 - 1.0, rtol=1e-5)  # ResNet50V2 preprocessing to [-1, 1]


@pytest.mark.parametrize(
    ("key", "overrides"),
    [
        ("layer_name", {"layer_name": "conv9_block1_out"}),
        ("filter_index", {"layer_name": "block1_conv1", "filter_index": 64}),
        ("image_size", {"layer_name": "block5_conv3", "image_size": 32}),
        ("backbone", {"backbone": "alexnet"}),
        ("weights", {"weights": "/nonexistent/vgg16.h5"}),
    ],
)
def test_bad_hyperparameters_are_named(key, overrides):
    with pytest.raises(HyperparameterError) as caught:
        model.build(**{"backbone": "vgg16", "image_size": 64, **overrides})  # a quick backbone to build
    assert caught.value.key == key


@pytest.mark.slow
def test_saves_and_loads_with_safe_mode(run, tmp_path):
    path = tmp_path / "filters.keras"
    run["model"].save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert (loaded.layer_name, loaded.filter_index) == ("conv3_block4_out", 3)
    np.testing.assert_array_equal(loaded.image.numpy(), run["model"].image.numpy())
    images = np.random.default_rng(0).random((1, SIZE, SIZE, 3)).astype("float32")
    np.testing.assert_allclose(loaded(images), run["model"](images), rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_vgg19_backbone():
    built = model.build(backbone="vgg19", layer_name="block3_conv1", image_size=64, filter_index=7)
    visualizer = built["model"]
    step = tf.function(lambda batch: train.train_step(visualizer, batch))
    activations = [
        float(step(batch)["activation"])
        for batch in data.make_dataset({"image_size": 64, "iterations": 4, "backbone": "vgg19"}, 1, None)
    ]
    assert activations[-1] > activations[0]
