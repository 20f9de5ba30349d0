"""The model and its train step, built the way kreg builds them."""

from __future__ import annotations

import pytest

from kreg.hyperparameters import resolve_hyperparameters
from kreg.running.building import build
from kreg.errors import HyperparameterError

NAME = "masked-sensor-autoencoder"


def test_a_bad_mask_rate_is_refused_by_name(kreg_catalogue):
    entry = kreg_catalogue.get(NAME)
    with pytest.raises(HyperparameterError, match="mask_rate"):
        build(entry, resolve_hyperparameters(entry, ["mask_rate=1.5"], "smoke"))


def test_every_dense_layer_is_traced(kreg_check):
    report = kreg_check(NAME)  # builds, inspects, trains, saves and reloads; raises on a failure
    assert report.dense["model"] == 5
    assert report.metrics["hidden_fraction"]["first"] > 0


def test_training_reduces_the_error_on_hidden_sensors(kreg_catalogue):
    from kreg.running.training import TrainOptions, make_dataset, train_model

    from kreg_example_plugin.train import masked_mse

    import keras

    keras.utils.set_random_seed(0)
    entry = kreg_catalogue.get(NAME)
    hyperparameters = resolve_hyperparameters(entry, ["learning_rate=0.003"])
    model = build(entry, hyperparameters).model
    batch = next(iter(make_dataset(entry, hyperparameters, 256, None)))
    hidden = batch["mask"][..., None]

    def hidden_error() -> float:
        return float(masked_mse(batch["readings"], model(batch["readings"] * (1.0 - hidden)), hidden))

    before = hidden_error()
    train_model(entry, model, hyperparameters, TrainOptions(steps=300, quiet=True, seed=None))
    assert hidden_error() < 0.75 * before  # about 0.5 * before, whatever the seed
