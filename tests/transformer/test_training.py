"""The smoke preset trains on the synthetic data, as ``kreg train`` / ``kreg check`` run it."""

from __future__ import annotations

import math

import pytest

from kreg.plugins.transformer.data import make_lm_dataset, make_translation_dataset
from kreg.plugins.transformer.model import build_language_model, build_transformer

pytestmark = pytest.mark.filterwarnings(
    "ignore:Layer 'decoder' \\(of type Functional\\):UserWarning",
    "ignore:`shuffle=True` was passed:UserWarning",
)


# transformer-lm is slow (8 s): the same layers as the transformer, which the default suite trains.
@pytest.mark.parametrize("name", ["transformer", pytest.param("transformer-lm", marks=pytest.mark.slow)])
def test_smoke_preset_learns_the_synthetic_data(name, architectures):
    architecture = architectures[name]
    hp = {**architecture.hyperparameters, **architecture.presets["smoke"]}
    if name == "transformer":
        model, adapter = build_transformer(**hp)["model"], make_translation_dataset
    else:
        model, adapter = build_language_model(**hp), make_lm_dataset
    dataset = adapter(hp, 32, None)
    history = model.fit(dataset, epochs=2, steps_per_epoch=6, verbose=0)
    losses = history.history["loss"]
    assert all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < losses[0]
