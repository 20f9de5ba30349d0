"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import kreg
from tests.support.plugin_packages import PluginEnvironment, make_plugin_environment, write_plugin_package

# kreg's tables take their width from COLUMNS when it is set (a terminal, or a CI
# runner that exports it); the tests read tables printed to pipes at kreg's piped
# width, so the caller's COLUMNS must not reach them. Tests that need a width set it.
for _variable in ("COLUMNS", "LINES"):
    os.environ.pop(_variable, None)


def pytest_configure(config: pytest.Config) -> None:
    """Give the processes the tests start Python's own Ctrl-C, however pytest itself was started.

    A shell runs a background job (``make test &``, an asynchronous list
    without job control) with SIGINT ignored, and every process below it
    inherits that: the tests that send Ctrl-C to kreg would wait for it in
    vain. kreg keeps an inherited ignore, as a program should; the tests
    model a user at a terminal.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def catalogue() -> kreg.Catalogue:
    """A fresh, empty catalogue (its own plugin manager) for one test."""
    return kreg.Catalogue()


@pytest.fixture
def builtin_catalogue() -> kreg.Catalogue:
    """The catalogue of kreg's built-in plugins only (third-party plugins ignored)."""
    from tests.support.catalogues import builtin_catalogue as load_builtins

    return load_builtins()


@pytest.fixture
def plugin_environment_factory(tmp_path_factory: pytest.TempPathFactory):
    """Make temporary venvs with real plugin packages pip-installed.

    Call it with ``{distribution: source}`` (and optional entry-point names as
    ``{distribution: (source, entry_point)}``); it writes each package, installs
    them all and returns a :class:`PluginEnvironment` whose ``kreg(...)`` runs the CLI.
    """

    def factory(packages: dict[str, str | tuple[str, str]]) -> PluginEnvironment:
        root = tmp_path_factory.mktemp("plugins")
        environment = make_plugin_environment(root / "venv")
        folders = []
        for distribution, spec in packages.items():
            source, entry_point = spec if isinstance(spec, tuple) else (spec, None)
            folders.append(write_plugin_package(root / "src", distribution, source, entry_point))
        environment.install(*folders)
        return environment

    return factory


@pytest.fixture(scope="session")
def repository_root() -> Path:
    """The root of the kreg repository."""
    return Path(__file__).resolve().parent.parent
