"""kreg's pytest plugin, loaded by pytest wherever kreg is installed (``pytest11``).

It adds the ``--kreg-steps N`` option (training steps of the contract tests
made by :func:`kreg.testing.contract_tests`) and two fixtures for a plugin's
own tests: ``kreg_catalogue`` and ``kreg_check``. Loading it imports neither
TensorFlow nor Keras.
"""

from __future__ import annotations

from collections.abc import Callable
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
