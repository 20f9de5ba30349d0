"""State shared by the commands of one ``kreg`` invocation (options are in :mod:`kreg.cli.options`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import click

from kreg.catalogue import Catalogue, Entry
from kreg.loading import disabled_from_environment, load_catalogue, require_no_failures


@dataclass
class Session:
    """Settings from the command line and the catalogue, loaded on first use.

    Attributes:
        strict: bool. Plugin failures are an error (``--strict``).
        disabled: list[str]. Plugin names to skip (``--disable-plugin``).
        debug: bool. Show tracebacks (``--debug``).
    """

    strict: bool = False
    disabled: list[str] = field(default_factory=disabled_from_environment)
    debug: bool = False
    _catalogue: Catalogue | None = None

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue, loaded once; each plugin failure is printed on stderr."""
        if self._catalogue is None:
            catalogue = load_catalogue(disabled=self.disabled)
            for failure in catalogue.failures:
                click.echo(failure.message(), err=True)
            self._catalogue = catalogue
            if self.strict:
                require_no_failures(catalogue)
        return self._catalogue

    def entry(self, name: str) -> Entry:
        """Look up an architecture; unknown names raise with suggestions."""
        return self.catalogue.get(name)


def get_session() -> Session:
    """Return the session of the running command (made on first call)."""
    context = click.get_current_context()
    root = context.find_root()
    if not isinstance(root.obj, Session):
        root.obj = Session()
    return root.obj


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    click.echo(json.dumps(data, indent=2, default=str))
