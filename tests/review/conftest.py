"""Fixtures of the review and diff tests: pages written once per session."""

from __future__ import annotations

import os

import pytest

from kreg.testing_plugin import run_kreg

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

RISK = "risk-factor-autoencoder"


@pytest.fixture(scope="session")
def risk_review_page(tmp_path_factory: pytest.TempPathFactory):
    """The review page of the risk-factor autoencoder at its defaults: ``(path, html)``."""
    path = tmp_path_factory.mktemp("review") / "risk.html"
    result = run_kreg("review", RISK, "-o", str(path))
    assert result.exit_code == 0, result.output
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vit_catalogue():
    """A catalogue holding the keras.io-style test ViT (every layer auto-named), loaded in process."""
    import kreg
    from tests.review.vit_plugin import add_in_process

    return add_in_process(kreg.Catalogue())


@pytest.fixture(scope="session")
def vit_depth_review_page(tmp_path_factory: pytest.TempPathFactory, vit_catalogue):
    """``kreg review test-vit --against --set transformer_layers=2``: ``(path, html)``."""
    path = tmp_path_factory.mktemp("review-diff") / "vit-depth.html"
    args = ["review", "test-vit", "--against", "--set", "transformer_layers=2", "-o", str(path)]
    result = run_kreg(*args, catalogue=vit_catalogue)
    assert result.exit_code == 0, result.output
    return path, path.read_text(encoding="utf-8")
