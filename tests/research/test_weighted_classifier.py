"""The weighted classifier: per-example weights flow from the data into a custom loss."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from kreg.errors import HyperparameterError  # noqa: E402
from kreg.plugins.weighted_classifier import data, model, train  # noqa: E402
from kreg.plugins.weighted_classifier.losses import weighted_sparse_crossentropy  # noqa: E402

HYPERPARAMETERS = {"n_features": 20, "classes": 2, "hidden_units": 32, "minority_fraction": 0.1, "learning_rate": 1e-3}


def test_loss_has_keras_loss_signature():
    parameters = inspect.signature(weighted_sparse_crossentropy).parameters
    assert list(parameters) == ["y_true", "y_pred", "sample_weight"]
    assert parameters["sample_weight"].default is None


def test_loss_weights_each_example():
    y_true = np.array([0, 1, 1])
    y_pred = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], "float32")
    per_example = -np.log([0.9, 0.8, 0.4])
    assert float(weighted_sparse_crossentropy(y_true, y_pred)) == pytest.approx(per_example.mean(), rel=1e-5)
    assert float(weighted_sparse_crossentropy(y_true, y_pred, np.ones(3))) == pytest.approx(
        per_example.mean(), rel=1e-5
    )
    weights = np.array([0.5, 2.0, 3.0], "float32")
    assert float(weighted_sparse_crossentropy(y_true, y_pred, weights)) == pytest.approx(
        (per_example * weights).sum() / 3, rel=1e-5
    )


def test_adapter_makes_imbalanced_batches_with_balanced_weights():
    _x, y = data.synthetic_imbalanced(20, 2, 0.1)
    assert np.mean(y == 1) == pytest.approx(0.1, abs=0.01)
    weights = data.balanced_weights(y, 2)
    assert weights[y == 0].sum() == pytest.approx(weights[y == 1].sum(), rel=1e-5)
    assert weights[y == 1][0] > 4 * weights[y == 0][0]
    batch = next(iter(data.make_dataset(HYPERPARAMETERS, 64, None)))
    assert len(batch) == 3
    assert [tuple(t.shape) for t in batch] == [(64, 20), (64,), (64,)]


def _gradients(classifier, x, y, sample_weight):
    with tf.GradientTape() as tape:
        loss = weighted_sparse_crossentropy(y, classifier(x), sample_weight=sample_weight)
    return [g.numpy() for g in tape.gradient(loss, classifier.trainable_weights)]


def test_weighting_changes_the_gradient():
    classifier = model.build(**HYPERPARAMETERS)
    x, y, sample_weight = next(iter(data.make_dataset(HYPERPARAMETERS, 256, None)))
    assert 0 < int(tf.reduce_sum(y)) < 256  # both classes in the batch
    unweighted = _gradients(classifier, x, y, None)
    weighted = _gradients(classifier, x, y, sample_weight)
    ones = _gradients(classifier, x, y, tf.ones_like(sample_weight))
    for plain, with_ones in zip(unweighted, ones):
        np.testing.assert_allclose(plain, with_ones, rtol=1e-5, atol=1e-7)
    cosine = [
        float(np.dot(a.ravel(), b.ravel()) / (np.linalg.norm(a) * np.linalg.norm(b)))
        for a, b in zip(unweighted, weighted)
    ]
    assert min(cosine) < 0.99, cosine  # a different direction, not just a rescaling


def test_train_step_passes_the_batch_weights_to_the_loss(graph_steps):
    classifier = model.build(**HYPERPARAMETERS)
    x, y, sample_weight = next(iter(data.make_dataset(HYPERPARAMETERS, 64, None)))
    expected = float(weighted_sparse_crossentropy(y, classifier(x), sample_weight))
    logs = graph_steps(classifier, train.train_step, tf.data.Dataset.from_tensors((x, y, sample_weight)), 1)
    assert logs[0]["loss"] == pytest.approx(expected, rel=1e-5)
    assert set(logs[0]) == {"loss", "accuracy", "minority_recall"}


def _minority_recall_after_fit(fit_with_step, weighted: bool) -> float:
    keras.utils.set_random_seed(0)
    classifier = model.build(**HYPERPARAMETERS)
    dataset = data.make_dataset(HYPERPARAMETERS, 64, None)
    if not weighted:
        dataset = dataset.map(lambda x, y, w: (x, y))
    fit_with_step(classifier, train.train_step, dataset, epochs=2)
    x, y = data.synthetic_imbalanced(20, 2, 0.1, seed=1)  # held out: same centres, new examples
    predicted = classifier.predict(x, verbose=0).argmax(-1)
    return float((predicted[y == 1] == 1).mean())


def test_weights_make_the_rare_class_recognised(fit_with_step):
    weighted = _minority_recall_after_fit(fit_with_step, weighted=True)
    unweighted = _minority_recall_after_fit(fit_with_step, weighted=False)
    assert weighted > unweighted + 0.15, (weighted, unweighted)


def test_npz_source_with_and_without_weights(tmp_path):
    x, y = data.synthetic_imbalanced(20, 2, 0.1, examples=100)
    np.savez(tmp_path / "plain.npz", x=x, y=y)
    np.savez(tmp_path / "weighted.npz", x=x, y=y, sample_weight=np.full(100, 3.0))
    _, _, plain_weights = next(iter(data.make_dataset(HYPERPARAMETERS, 100, str(tmp_path / "plain.npz"))))
    _, _, given_weights = next(iter(data.make_dataset(HYPERPARAMETERS, 100, str(tmp_path / "weighted.npz"))))
    assert float(tf.reduce_max(plain_weights)) > 1.0
    np.testing.assert_allclose(given_weights, 3.0)
    with pytest.raises(ValueError, match="expected \\(N, 8\\)"):
        data.make_dataset({**HYPERPARAMETERS, "n_features": 8}, 10, str(tmp_path / "plain.npz"))


def test_bad_hyperparameters_are_named():
    with pytest.raises(HyperparameterError) as caught:
        model.build(minority_fraction=0.9)
    assert caught.value.key == "minority_fraction"


def test_saves_and_loads_with_safe_mode(tmp_path):
    classifier = model.build(**HYPERPARAMETERS)
    path = tmp_path / "weighted.keras"
    classifier.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    x = np.random.default_rng(0).standard_normal((4, 20)).astype("float32")
    np.testing.assert_allclose(loaded(x), classifier(x), rtol=1e-6)
