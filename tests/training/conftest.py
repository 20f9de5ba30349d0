"""Fixtures of the training tests: catalogues with the test plugins (the CLI runs through kreg_cli)."""

from __future__ import annotations

import pytest

import kreg
from tests.training.plugin_sources import SOURCES, load_in_process

pytest.importorskip("keras")


@pytest.fixture
def test_catalogue() -> kreg.Catalogue:
    """A fresh catalogue with the four test plugins loaded in this process."""
    return load_in_process(kreg.Catalogue(), *SOURCES)
