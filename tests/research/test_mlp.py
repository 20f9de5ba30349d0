"""The guide's hand-written layers and the ``mlp`` architecture built from them."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from kreg.errors import HyperparameterError  # noqa: E402
from kreg.plugins.mlp import data, layers, model, train  # noqa: E402


def test_linear_makes_its_weights_in_build_from_the_input():
    linear = layers.Linear(4)
    assert linear.weights == []
    y = linear(np.ones((2, 2), "float32"))
    assert y.shape == (2, 4)
    assert [tuple(w.shape) for w in linear.weights] == [(2, 4), (4,)]
    assert linear.weights == [linear.w, linear.b]


def test_compute_sum_keeps_a_running_total_in_a_non_trainable_weight():
    my_sum = layers.ComputeSum(2)
    x = np.ones((2, 2), "float32")
    np.testing.assert_allclose(my_sum(x), [2.0, 2.0])
    np.testing.assert_allclose(my_sum(x), [4.0, 4.0])
    assert my_sum.weights == [my_sum.total]
    assert my_sum.non_trainable_weights == [my_sum.total]
    assert my_sum.trainable_weights == []


def test_sparse_mlp_losses_come_from_the_last_forward_pass_only():
    mlp = layers.SparseMLP()
    mlp(np.ones((10, 10), "float32"))
    assert len(mlp.losses) == 1
    mlp(np.ones((10, 10), "float32"))
    assert len(mlp.losses) == 1  # no accumulation
    assert float(mlp.losses[0]) > 0


def test_dropout_drops_only_in_training():
    dropout = layers.Dropout(0.5, seed=1)
    x = np.ones((8, 64), "float32")
    np.testing.assert_array_equal(dropout(x, training=False), x)
    dropped = keras.ops.convert_to_numpy(dropout(x, training=True))
    assert 0.3 < (dropped == 0).mean() < 0.7
    np.testing.assert_allclose(dropped[dropped != 0], 2.0)  # inverted dropout keeps the expectation


def test_mlp_block_tracks_its_sublayers_weights():
    mlp = layers.MLP()
    assert mlp(np.ones((3, 64), "float32")).shape == (3, 10)
    assert len(mlp.weights) == 6


def guide_equivalent(variant: str, input_dim: int = 784) -> keras.Model:
    """The plain-Keras model the guide says each block equals (independent of the plugin).

    The guide: the MLP "is equivalent to" Sequential([Dense(32, relu), Dense(32,
    relu), Dense(10)]); SparseMLP and MLPWithDropout are Linear(32), relu, then a
    weightless layer, then Linear(10).
    """
    from keras import layers as keras_layers

    hidden_layers = 2 if variant == "mlp" else 1
    hidden = [keras_layers.Dense(32, activation="relu") for _ in range(hidden_layers)]
    return keras.Sequential([keras.Input((input_dim,)), *hidden, keras_layers.Dense(10)])


@pytest.mark.parametrize(
    ("variant", "block", "linear_shapes", "hand_count"),
    [
        # 784*32+32 + 32*32+32 + 32*10+10 = 25,120 + 1,056 + 330
        ("mlp", layers.MLP, [(784, 32), (32,), (32, 32), (32,), (32, 10), (10,)], 26_506),
        ("sparse", layers.SparseMLP, [(784, 32), (32,), (32, 10), (10,)], 25_450),
        ("dropout", layers.MLPWithDropout, [(784, 32), (32,), (32, 10), (10,)], 25_450),
    ],
)
def test_variants_are_the_guides_blocks_with_their_shapes(variant, block, linear_shapes, hand_count):
    classifier = model.build(variant=variant)
    assert classifier.built
    assert isinstance(classifier.block, block)
    assert [tuple(w.shape) for w in classifier.trainable_weights] == linear_shapes
    assert classifier.count_params() == hand_count == guide_equivalent(variant).count_params()
    assert classifier.non_trainable_weights == []  # no running sum: the guide's models have none
    symbolic = classifier(keras.Input((784,)))
    assert tuple(symbolic.shape) == (None, 10)


def test_the_input_sum_preset_adds_the_guides_compute_sum(builtin_catalogue):
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running.building import build

    entry = builtin_catalogue.get("mlp")
    classifier = build(entry, resolve_hyperparameters(entry, preset="input-sum")).model
    assert classifier.count_params() == 26_506 + 784
    assert [w.name for w in classifier.non_trainable_weights] == ["total"]
    assert tuple(classifier.non_trainable_weights[0].shape) == (784,)
    assert model.build().input_sum is None


@pytest.mark.parametrize(
    ("variant", "optimizer", "expected"),
    [
        ("sparse", "guide", "SGD"),
        ("mlp", "guide", "Adam"),
        ("dropout", "guide", "Adam"),
        ("sparse", "adam", "Adam"),
        ("mlp", "sgd", "SGD"),
    ],
)
def test_optimizers_are_the_guides_unless_forced(variant, optimizer, expected):
    classifier = model.build(variant=variant, optimizer=optimizer, input_dim=16, units=4)
    assert type(classifier.optimizer).__name__ == expected
    assert float(classifier.optimizer.learning_rate) == pytest.approx(1e-3)


@pytest.mark.parametrize("variant", ["mlp", "sparse", "dropout"])
def test_a_symbolic_call_reaches_every_linear_layer(monkeypatch, variant):
    """Inspection traces the Linear layers inside the blocks by calling the model on a keras.Input."""
    classifier = model.build(variant=variant, input_dim=64, units=16)
    seen = []
    original = layers.Linear.call

    def recording_call(self, inputs):
        outputs = original(self, inputs)
        seen.append((self.name, tuple(inputs.shape), tuple(outputs.shape)))
        return outputs

    monkeypatch.setattr(layers.Linear, "call", recording_call)
    classifier(keras.Input((64,)))
    expected = {
        "mlp": [
            ("linear_1", (None, 64), (None, 16)),
            ("linear_2", (None, 16), (None, 16)),
            ("linear_3", (None, 16), (None, 10)),
        ],
        "sparse": [("linear_1", (None, 64), (None, 16)), ("linear_3", (None, 16), (None, 10))],
        "dropout": [("linear_1", (None, 64), (None, 16)), ("linear_3", (None, 16), (None, 10))],
    }
    assert seen == expected[variant]


def test_sparse_variant_uses_the_rate_and_dropout_variant_the_dropout():
    assert model.build(variant="sparse", rate=0.05).block.regularization.rate == 0.05
    assert model.build(variant="dropout", dropout=0.25).block.dropout.rate == 0.25


@pytest.mark.parametrize(
    ("key", "overrides"),
    [
        ("variant", {"variant": "wide"}),
        ("input_dim", {"input_dim": 0}),
        ("dropout", {"dropout": 1.5}),
        ("optimizer", {"optimizer": "rmsprop"}),
    ],
)
def test_bad_hyperparameters_are_named(key, overrides):
    with pytest.raises(HyperparameterError) as caught:
        model.build(**overrides)
    assert caught.value.key == key


def test_sparse_train_step_adds_the_layer_loss(graph_steps):
    classifier = model.build(variant="sparse", input_dim=64, units=16)
    dataset = data.make_dataset({"input_dim": 64, "classes": 10}, 64, None)
    logs = graph_steps(classifier, train.train_step, dataset, 3)
    assert all(entry["regularization_loss"] > 0 for entry in logs)
    x, y = next(iter(dataset))
    logits = classifier(x)
    cross_entropy = float(keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)))
    step_logs = graph_steps(classifier, train.train_step, tf.data.Dataset.from_tensors((x, y)), 1)[0]
    # The step's loss is cross-entropy plus the regularization, measured before its update.
    assert step_logs["loss"] == pytest.approx(cross_entropy + step_logs["regularization_loss"], rel=1e-4)


def test_train_step_under_fit_learns_and_resets_accuracy_each_epoch(fit_with_step):
    keras.utils.set_random_seed(0)
    classifier = model.build(input_dim=64, input_sum=True)
    dataset = data.make_dataset({"input_dim": 64, "classes": 10}, 64, None)
    batches = fit_with_step(classifier, train.train_step, dataset, epochs=3)
    per_epoch = len(batches) // 3
    assert len(batches) == 3 * per_epoch
    assert set(batches[0]) == {"loss", "regularization_loss", "accuracy"}
    assert batches[-1]["loss"] < batches[0]["loss"]
    epoch_accuracy = [batches[(epoch + 1) * per_epoch - 1]["accuracy"] for epoch in range(3)]
    assert epoch_accuracy[2] > epoch_accuracy[0] + 0.15, epoch_accuracy
    # Reset at each epoch's start: the metric counts one epoch of examples, not three.
    assert float(classifier.accuracy_metric.count) == data.SYNTHETIC_EXAMPLES
    # The input sum is the non-trainable state: three epochs of inputs went through it.
    x_total = sum(float(keras.ops.sum(x)) for x, _ in dataset)
    assert float(keras.ops.sum(classifier.input_sum.total)) == pytest.approx(3 * x_total, rel=1e-4)


def test_dropout_variant_trains_under_fit(fit_with_step):
    classifier = model.build(variant="dropout", input_dim=64, units=16)
    dataset = data.make_dataset({"input_dim": 64, "classes": 10}, 64, None)
    batches = fit_with_step(classifier, train.train_step, dataset, epochs=1)
    assert all(np.isfinite(entry["loss"]) for entry in batches)


def test_npz_source_is_flattened_and_scaled(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (10, 8, 8), dtype=np.uint8)
    np.savez(tmp_path / "digits.npz", x=images, y=np.arange(10) % 3)
    x, _y = next(iter(data.make_dataset({"input_dim": 64, "classes": 3}, 10, str(tmp_path / "digits.npz"))))
    assert tuple(x.shape) == (10, 64) and float(keras.ops.max(x)) <= 1.0
    with pytest.raises(ValueError, match="input_dim=32"):
        data.make_dataset({"input_dim": 32, "classes": 3}, 10, str(tmp_path / "digits.npz"))


def test_saves_and_loads_with_safe_mode(tmp_path):
    classifier = model.build(variant="sparse", input_dim=64, units=16, input_sum=True)
    x = np.random.default_rng(0).random((4, 64)).astype("float32")
    classifier(x)
    path = tmp_path / "mlp.keras"
    classifier.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert type(loaded).__name__ == "MLPClassifier" and loaded.variant == "sparse" and loaded.input_sum is not None
    np.testing.assert_allclose(loaded.block(x), classifier.block(x), rtol=1e-6)
    np.testing.assert_allclose(loaded.input_sum.total, classifier.input_sum.total)
