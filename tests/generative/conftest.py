"""Fixtures of the generative families' tests: the catalogue and small builds."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def generative_catalogue():
    """The installed catalogue (kreg's own plugins included), loaded once."""
    import kreg

    return kreg.load_catalogue()


@pytest.fixture
def build_architecture(generative_catalogue):
    """Build an architecture by name: ``build_architecture("vae", preset="smoke", latent_dim=3)``."""
    import keras

    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running.building import build

    def _build(name: str, preset: str | None = None, **overrides):
        keras.utils.set_random_seed(0)
        entry = generative_catalogue.get(name)
        hyperparameters = {**resolve_hyperparameters(entry, preset=preset), **overrides}
        return build(entry, hyperparameters)

    return _build


@pytest.fixture
def adapter(generative_catalogue):
    """Call an architecture's data adapter: ``adapter("vae", hyperparameters, batch_size, source)``."""
    from kreg.running.calls import resolve_part

    def _adapter(name: str, hyperparameters: dict, batch_size: int, source=None):
        return resolve_part(generative_catalogue.get(name), "data_adapter")(hyperparameters, batch_size, source)

    return _adapter


@pytest.fixture
def sampler(generative_catalogue):
    """Call an architecture's sampler with its default options, overridden by keywords."""
    from kreg.running.calls import resolve_part

    def _sampler(name: str, model, hyperparameters: dict, output, **options):
        entry = generative_catalogue.get(name)
        merged = {**entry.architecture.sample_options, **options}
        return resolve_part(entry, "sampler")(model, hyperparameters, output, **merged)

    return _sampler
