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
