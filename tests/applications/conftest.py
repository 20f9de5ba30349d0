"""Fixtures of the keras.applications tests: the CLI in-process on kreg's own plugins."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def run_kreg(builtin_catalogue, kreg_cli) -> Callable:
    """``run_kreg(*args)``: run ``kreg ARGS`` in this process on the built-in plugins only."""

    def run(*args: str):
        return kreg_cli(*args, catalogue=builtin_catalogue)

    return run
