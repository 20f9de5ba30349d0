"""kreg's pytest plugin, loaded by pytest wherever kreg is installed (``pytest11``).

It adds the ``--kreg-steps N`` option (training steps of the contract tests
made by :func:`kreg.testing.contract_tests`) and three fixtures for a plugin's
own tests: ``kreg_catalogue``, ``kreg_check`` and ``kreg_cli``. Loading it
imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import kreg
from kreg.testing import CONTRACT_STEPS, ArchitectureReport, check_architecture


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--kreg-steps``."""
    group = parser.getgroup("kreg", "kreg plugin contract")
    group.addoption(
        "--kreg-steps",
        type=int,
        default=None,
        metavar="N",
        help=f"training steps per architecture in kreg contract tests (default {CONTRACT_STEPS}).",
    )


@pytest.fixture
def kreg_catalogue() -> kreg.Catalogue:
    """The catalogue of every installed kreg plugin, loaded afresh for the test."""
    return kreg.load_catalogue()


@pytest.fixture
def kreg_check(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., ArchitectureReport]:
    """:func:`kreg.testing.check_architecture`, saving into the test's ``tmp_path``.

    ``kreg_check("my-arch")`` builds, inspects, smoke-trains (``--kreg-steps``
    steps), saves and reloads the architecture, raising ``ContractError`` on
    the first phase that fails; keyword arguments are passed on.
    """
    steps = request.config.getoption("kreg_steps", default=None) or CONTRACT_STEPS

    def check(architecture: Any, **options: Any) -> ArchitectureReport:
        options.setdefault("steps", steps)
        options.setdefault("workdir", tmp_path)
        return check_architecture(architecture, **options)

    return check


@dataclass
class CliResult:
    """What one ``kreg`` command run by ``kreg_cli`` printed and returned.

    Attributes:
        exit_code: int. 0 success, 1 a failure, 2 a usage error.
        stdout: str. What it printed on stdout.
        stderr: str. What it printed on stderr (errors, progress).
        output: str. Both, interleaved as a terminal would show them.
    """

    exit_code: int
    stdout: str
    stderr: str
    output: str

    def json(self) -> Any:
        """The JSON the command printed on stdout (``--json``)."""
        return json.loads(self.stdout)


def run_kreg(*args: str, catalogue: kreg.Catalogue | None = None, env: dict[str, str] | None = None) -> CliResult:
    """Run ``kreg ARGS`` in this process and return what it printed: what ``kreg_cli`` calls.

    Use the ``kreg_cli`` fixture in tests; call this from fixtures of a wider
    scope (a module- or session-scoped fixture cannot take ``kreg_cli``).

    Raises:
        Exception: a crash ``kreg`` did not turn into an exit status (a bug).
    """
    from click.testing import CliRunner

    from kreg.cli import main
    from kreg.cli.session import Session

    session = Session(_catalogue=catalogue) if catalogue is not None else None
    environment = dict(os.environ)  # `--debug` exports KREG_DEBUG for kreg's children: keep it to this run
    try:
        result = CliRunner().invoke(main, list(args), obj=session, env=env, prog_name="kreg")
    finally:
        os.environ.clear()
        os.environ.update(environment)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.stdout, result.stderr, result.output)


@pytest.fixture
def kreg_cli() -> Callable[..., CliResult]:
    """Run the ``kreg`` command in the test's process, as pytest's ``pytester`` runs pytest.

    ``kreg_cli("inspect", "my-arch", "--json").json()`` is the report. Keyword
    arguments: ``catalogue`` (a :class:`kreg.Catalogue` to use instead of the
    installed plugins) and ``env`` (environment variables for the run). A
    crash that ``kreg`` itself did not turn into an exit status (a bug) is
    raised in the test.
    """
    return run_kreg
