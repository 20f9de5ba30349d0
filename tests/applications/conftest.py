"""Fixtures of the keras.applications tests: the CLI in-process on kreg's own plugins."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def run_kreg(builtin_catalogue) -> Callable[..., Result]:
    """``run_kreg(*args)``: run ``kreg ARGS`` in this process on the built-in plugins only."""
    from kreg.cli import main
    from kreg.cli.session import Session

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), obj=Session(_catalogue=builtin_catalogue), prog_name="kreg")

    return run
