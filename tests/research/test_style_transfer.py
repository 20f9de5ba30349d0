"""Neural style transfer: VGG19 features, the three losses, and SGD on the combination image only."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest

from kreg.errors import HyperparameterError

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

# After the skips: these modules import Keras.
from kreg.plugins.style_transfer import data, losses, model, sampling, train  # noqa: E402

HEIGHT, WIDTH = 32, 48
SMOKE = {"image_height": HEIGHT, "image_width": WIDTH, "iterations": 12}
VGG19_NOTOP_PARAMS = 20_024_384


@pytest.fixture(scope="module")
def components():
    return model.build(**SMOKE)


@pytest.fixture(scope="module")
def trained(components, tmp_path_factory):
    """The smoke model after one graph-compiled run of the train step on the synthetic pair."""
    style_transfer = components["model"]
    vgg_before = [w.numpy().copy() for w in components["feature_extractor"].weights[:4]]
    dataset = data.make_dataset({**SMOKE}, 1, None)
    step = tf.function(lambda batch: train.train_step(style_transfer, batch))
    logs = [{k: float(v) for k, v in step(batch).items()} for batch in dataset]
    return {"model": style_transfer, "logs": logs, "vgg_before": vgg_before, "dataset": dataset}


def test_feature_extractor_returns_every_vgg19_layer(components):
    extractor = components["feature_extractor"]
    convolutions = {1: 2, 2: 2, 3: 4, 4: 4, 5: 4}
    vgg19_layers = {f"block{b}_conv{i}" for b, n in convolutions.items() for i in range(1, n + 1)} | {
        f"block{b}_pool" for b in convolutions
    }
    assert set(extractor.output) == {layer.name for layer in extractor.layers}
    assert set(extractor.output) - vgg19_layers == {extractor.layers[0].name}  # plus the input, as in the listing
    assert extractor.output["block5_conv2"].shape == (None, HEIGHT // 16, WIDTH // 16, 512)
    assert extractor.count_params() == VGG19_NOTOP_PARAMS


def test_only_the_combination_image_is_trainable(components):
    style_transfer = components["model"]
    assert [w.name for w in style_transfer.trainable_weights] == ["combination_image"]
    assert tuple(style_transfer.combination_image.shape) == (1, HEIGHT, WIDTH, 3)
    trainable = sum(int(np.prod(w.shape)) for w in style_transfer.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in style_transfer.non_trainable_weights)
    assert (trainable, frozen) == (HEIGHT * WIDTH * 3, VGG19_NOTOP_PARAMS)


def test_listing_settings(components):
    style_transfer = components["model"]
    assert style_transfer.content_layer == "block5_conv2"
    assert style_transfer.style_layers == [f"block{i}_conv1" for i in range(1, 6)]
    assert (style_transfer.content_weight, style_transfer.style_weight, style_transfer.total_variation_weight) == (
        2.5e-8,
        1e-6,
        1e-6,
    )
    optimizer = style_transfer.optimizer
    assert isinstance(optimizer, keras.optimizers.SGD)
    schedule = optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.ExponentialDecay)
    assert (schedule.initial_learning_rate, schedule.decay_steps, schedule.decay_rate) == (100.0, 100, 0.96)
    size = {"image_height": 400, "image_width": 533}  # the listing's height of 400
    assert {key: model.build.__kwdefaults__[key] for key in size} == size  # what a direct build() gets


def test_losses_match_the_listings_formulas():
    rng = np.random.default_rng(0)
    a, b = rng.random((4, 5, 3)).astype("float32"), rng.random((4, 5, 3)).astype("float32")
    assert float(losses.content_loss(a, b)) == pytest.approx(((b - a) ** 2).sum(), rel=1e-5)
    gram = lambda x: x.reshape(-1, x.shape[-1]).T @ x.reshape(-1, x.shape[-1])  # noqa: E731
    np.testing.assert_allclose(losses.gram_matrix(a), gram(a), rtol=1e-5)
    expected_style = ((gram(a) - gram(b)) ** 2).sum() / (4.0 * 9 * 20**2)
    assert float(losses.style_loss(a, b, 20)) == pytest.approx(expected_style, rel=1e-5)
    image = rng.random((1, 4, 5, 3)).astype("float32")
    dx = (image[:, :-1, :-1, :] - image[:, 1:, :-1, :]) ** 2
    dy = (image[:, :-1, :-1, :] - image[:, :-1, 1:, :]) ** 2
    assert float(losses.total_variation_loss(image)) == pytest.approx(((dx + dy) ** 1.25).sum(), rel=1e-5)


def test_model_call_works_on_symbolic_inputs(components):
    image = keras.Input((HEIGHT, WIDTH, 3))
    outputs = components["model"]((image, image))
    assert set(outputs) == {"loss", "content_loss", "style_loss", "total_variation_loss"}


def test_smoke_run_lowers_the_loss_and_leaves_vgg19_alone(trained, components):
    losses_seen = [entry["loss"] for entry in trained["logs"]]
    assert len(losses_seen) == SMOKE["iterations"]
    assert all(np.isfinite(losses_seen))
    assert losses_seen[-1] < losses_seen[0]
    assert all(later <= earlier * 1.001 for earlier, later in itertools.pairwise(losses_seen))
    for before, weight in zip(trained["vgg_before"], components["feature_extractor"].weights[:4]):
        np.testing.assert_array_equal(before, weight.numpy())
    assert int(trained["model"].optimizer.iterations) == SMOKE["iterations"]


def test_train_step_runs_inside_fit_starting_from_the_content_image(fit_with_step):
    fresh = model.build(**SMOKE)["model"]
    batches = fit_with_step(fresh, train.train_step, data.make_dataset({**SMOKE, "iterations": 3}, 1, None))
    assert len(batches) == 3
    assert set(batches[0]) == {"loss", "content_loss", "style_loss", "total_variation_loss"}
    assert batches[0]["content_loss"] == 0.0  # the first step starts from the content image itself
    assert batches[1]["content_loss"] > 0.0  # which the step then moved
    assert batches[-1]["loss"] < batches[0]["loss"]


def test_sampler_writes_the_combination_image(trained, tmp_path):
    from PIL import Image

    result = sampling.sample(trained["model"], SMOKE, tmp_path / "out")
    [path] = result["files"]
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (WIDTH, HEIGHT) and image.mode == "RGB"
        pixels = np.asarray(image)
    content = data.deprocess_image(next(iter(trained["dataset"]))[0].numpy(), HEIGHT, WIDTH)
    assert np.abs(pixels.astype(int) - content.astype(int)).mean() < 40  # still recognisably the content
    assert result["text"]


def test_deprocess_inverts_preprocess():
    content, _ = data.synthetic_images(HEIGHT, WIDTH)
    restored = data.deprocess_image(data.preprocess(content), HEIGHT, WIDTH)
    np.testing.assert_allclose(restored, np.clip(content, 0, 255).astype("uint8"), atol=1)


def test_adapter_reads_a_folder_of_content_and_style_images(tmp_path):
    from PIL import Image

    content, style = data.synthetic_images(60, 80)
    Image.fromarray(content.astype("uint8")).save(tmp_path / "content.jpg")
    Image.fromarray(style.astype("uint8")).save(tmp_path / "style_painting.png")
    dataset = data.make_dataset(SMOKE, 1, str(tmp_path))
    elements = list(dataset)
    assert len(elements) == SMOKE["iterations"]
    assert [tuple(t.shape) for t in elements[0]] == [(1, HEIGHT, WIDTH, 3)] * 2
    (tmp_path / "style_painting.png").unlink()
    with pytest.raises(ValueError, match="style"):
        data.make_dataset(SMOKE, 1, str(tmp_path))
    with pytest.raises(ValueError, match="batch_size must be 1"):
        data.make_dataset(SMOKE, 4, None)


@pytest.mark.parametrize(
    ("key", "overrides"),
    [
        ("weights", {"weights": "/nonexistent/vgg19.h5"}),
        ("content_layer", {"content_layer": "block9_conv1"}),
        ("style_layers", {"style_layers": ["block1_conv1", "nope"]}),
        ("image_height", {"image_height": 16}),
    ],
)
def test_bad_hyperparameters_are_named(key, overrides):
    with pytest.raises(HyperparameterError) as caught:
        model.build(**{**SMOKE, **overrides})
    assert caught.value.key == key


@pytest.mark.slow
def test_local_weights_file_is_loaded(tmp_path):
    source = keras.applications.VGG19(weights=None, include_top=False, input_shape=(HEIGHT, WIDTH, 3))
    path = tmp_path / "vgg19_notop.weights.h5"
    source.save_weights(path)
    built = model.build(**SMOKE, weights=str(path))
    np.testing.assert_array_equal(
        built["feature_extractor"].get_layer("block1_conv1").kernel.numpy(),
        source.get_layer("block1_conv1").kernel.numpy(),
    )


@pytest.mark.slow
def test_saves_and_loads_with_safe_mode_in_a_fresh_process(trained, tmp_path):
    path = tmp_path / "style.keras"
    trained["model"].save(path)
    np.save(tmp_path / "image.npy", trained["model"].combination_image.numpy())
    code = (
        "import numpy as np, keras, kreg.plugins.style_transfer.model\n"
        f"m = keras.models.load_model({str(path)!r}, safe_mode=True)\n"
        f"np.testing.assert_array_equal(m.combination_image.numpy(), np.load({str(tmp_path / 'image.npy')!r}))\n"
        "assert [w.name for w in m.trainable_weights] == ['combination_image']\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
