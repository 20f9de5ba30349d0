"""Fixtures of the review and diff tests: the CLI runner and pages written once per module."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner, Result

from kreg.cli import main

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

RISK = "risk-factor-autoencoder"


def run_kreg(*args: str) -> Result:
    """Run ``kreg ARGS`` in this process and return click's result."""
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def kreg():
    """``kreg(*args)``: run the CLI in-process."""
    return run_kreg


@pytest.fixture(scope="session")
def risk_review_page(tmp_path_factory: pytest.TempPathFactory):
    """The review page of the risk-factor autoencoder at its defaults: ``(path, html)``."""
    path = tmp_path_factory.mktemp("review") / "risk.html"
    result = run_kreg("review", RISK, "-o", str(path))
    assert result.exit_code == 0, result.output
    return path, path.read_text(encoding="utf-8")
