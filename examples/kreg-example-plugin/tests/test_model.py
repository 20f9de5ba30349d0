"""The model and its train step, built the way kreg builds them."""

from __future__ import annotations

import pytest

from kreg import testing
from kreg.errors import HyperparameterError

NAME = "masked-sensor-autoencoder"


def test_a_bad_mask_rate_is_refused_by_name():
    with pytest.raises(HyperparameterError, match="mask_rate"):
        testing.build(NAME, ["mask_rate=1.5"], preset="smoke")


def test_every_dense_layer_is_traced(kreg_check):
    report = kreg_check(NAME)  # builds, inspects, trains, saves and reloads; raises on a failure
    assert report.dense["model"] == 5
    assert report.metrics["hidden_fraction"]["first"] > 0


def test_training_reduces_the_error_on_hidden_sensors():
    from kreg_example_plugin.train import masked_mse

    built = testing.build(NAME, ["learning_rate=0.003"], seed=0)
    model = built.model
    batch = next(iter(testing.batches(built, 256)))
    hidden = batch["mask"][..., None]

    def hidden_error() -> float:
        return float(masked_mse(batch["readings"], model(batch["readings"] * (1.0 - hidden)), hidden))

    before = hidden_error()
    testing.train(built, steps=300)
    assert hidden_error() < 0.75 * before  # about 0.5 * before, whatever the seed
