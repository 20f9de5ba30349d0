"""Fixtures of the training tests: catalogues with the test plugins, an in-process CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

import kreg
from tests.training.plugin_sources import SOURCES, load_in_process

pytest.importorskip("keras")


@pytest.fixture
def test_catalogue() -> kreg.Catalogue:
    """A fresh catalogue with the four test plugins loaded in this process."""
    return load_in_process(kreg.Catalogue(), *SOURCES)


@dataclass
class CliResult:
    """What one in-process ``kreg`` invocation printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The JSON printed on stdout."""
        return json.loads(self.stdout)


@pytest.fixture
def run_kreg() -> Callable[..., CliResult]:
    """Run the ``kreg`` command in this process against a given catalogue."""
    from click.testing import CliRunner

    from kreg.cli import main
    from kreg.cli.session import Session

    def run(catalogue: kreg.Catalogue, *args: str) -> CliResult:
        result = CliRunner().invoke(main, list(args), obj=Session(_catalogue=catalogue))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run
