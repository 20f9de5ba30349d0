"""The hypernetwork: only the inner network has weights, and only it trains."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from kreg.errors import HyperparameterError  # noqa: E402
from kreg.plugins.hypernetwork import data, model, train  # noqa: E402

SMOKE = {"input_dim": 64, "classes": 10, "hidden_units": 16, "inner_units": 8}


@pytest.fixture(scope="module")
def guide_sized():
    return model.build()


def test_coefficient_count_is_the_guides():
    assert model.count_outer_coefficients(784, 64, 10) == (10 * 64 + 10) + (64 * 784 + 64) == 50890


def test_only_the_inner_network_has_weights(guide_sized):
    inner_params = (784 * 16 + 16) + (16 * 50890 + 50890)
    assert guide_sized["inner"].count_params() == inner_params == 877690
    assert guide_sized["outer"].count_params() == 0
    assert guide_sized["outer"].weights == []
    assert guide_sized["model"].count_params() == inner_params
    assert guide_sized["model"].trainable_weights == guide_sized["inner"].trainable_weights


def test_structure_matches_the_guide(guide_sized):
    inner_layers = [(layer.units, layer.activation.__name__) for layer in guide_sized["inner"].layers]
    assert inner_layers == [(16, "relu"), (50890, "sigmoid")]
    generated = [layer for layer in guide_sized["outer"].layers if type(layer).__name__ == "GeneratedDense"]
    assert [(layer.units, layer.activation_name) for layer in generated] == [(64, "relu"), (10, None)]
    assert guide_sized["model"].output.shape == (None, 10)


def test_outer_network_applies_the_weights_as_the_guide_slices_them(guide_sized):
    """With a batch of one, the outer network is the guide's reshape-and-assign computation."""
    x = np.random.default_rng(0).random((1, 784)).astype("float32")
    coefficients = keras.ops.convert_to_numpy(guide_sized["inner"](x))
    start, pieces = 0, []
    for shape in [(784, 64), (64,), (64, 10), (10,)]:
        size = int(np.prod(shape))
        pieces.append(coefficients[:, start : start + size].reshape(shape))
        start += size
    w0, b0, w1, b1 = pieces
    expected = np.maximum(x @ w0 + b0, 0.0) @ w1 + b1
    np.testing.assert_allclose(guide_sized["outer"]([x, coefficients]), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(guide_sized["model"](x), expected, rtol=1e-4, atol=1e-4)


def test_each_example_of_a_batch_gets_its_own_weights():
    components = model.build(**SMOKE)
    x = np.random.default_rng(1).random((3, 64)).astype("float32")
    together = components["model"](x)
    one_by_one = np.concatenate([components["model"](x[i : i + 1]) for i in range(3)])
    np.testing.assert_allclose(together, one_by_one, rtol=1e-5, atol=1e-6)


def test_train_step_updates_the_inner_network_and_learns(graph_steps):
    components = model.build(**SMOKE)
    before = [w.numpy().copy() for w in components["inner"].weights]
    dataset = data.make_dataset(SMOKE, 1, None)
    logs = graph_steps(components["model"], train.train_step, dataset, 600)
    assert all(np.isfinite(entry["loss"]) for entry in logs)
    assert all(not np.allclose(a, w.numpy()) for a, w in zip(before, components["inner"].weights))
    losses = [entry["loss"] for entry in logs]
    assert np.mean(losses[-100:]) < np.mean(losses[:100])


def test_train_step_runs_inside_fit_with_bigger_batches(fit_with_step):
    components = model.build(**SMOKE)
    dataset = data.make_dataset(SMOKE, 16, None)
    batches = fit_with_step(components["model"], train.train_step, dataset, steps_per_epoch=20)
    assert len(batches) == 20
    assert set(batches[0]) == {"loss", "accuracy"}
    assert all(np.isfinite(entry["loss"]) for entry in batches)


def test_bad_hyperparameters_are_named():
    with pytest.raises(HyperparameterError) as caught:
        model.build(hidden_units=0)
    assert caught.value.key == "hidden_units"


def test_saves_and_loads_with_safe_mode(tmp_path):
    components = model.build(**SMOKE)
    path = tmp_path / "hypernetwork.keras"
    components["model"].save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    x = np.random.default_rng(2).random((2, 64)).astype("float32")
    np.testing.assert_allclose(loaded(x), components["model"](x), rtol=1e-5)
    assert loaded.get_layer("outer").count_params() == 0
