"""State shared by the commands of one ``kreg`` invocation, and its options."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from kreg.catalogue import Catalogue, Entry
from kreg.loading import disabled_from_environment, load_catalogue, require_no_failures, split_names

F = TypeVar("F", bound=Callable[..., Any])


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


def _set_strict(context: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        get_session().strict = True


def _add_disabled(context: click.Context, _: click.Parameter, values: tuple[str, ...]) -> None:
    get_session().disabled.extend(split_names(values))


def _set_debug(context: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        get_session().debug = True


def plugin_options(command: F) -> F:
    """Add ``--strict``, ``--disable-plugin`` and ``--debug``, accepted on the group
    and on every command (``kreg --strict list`` and ``kreg list --strict``)."""
    options = [
        click.option(
            "--strict",
            is_flag=True,
            envvar="KREG_STRICT_PLUGINS",
            expose_value=False,
            is_eager=True,
            callback=_set_strict,
            help="Exit with an error if any plugin fails to load (or set KREG_STRICT_PLUGINS=1).",
        ),
        click.option(
            "--disable-plugin",
            multiple=True,
            metavar="NAME[,NAME...]",
            expose_value=False,
            is_eager=True,
            callback=_add_disabled,
            help="Skip these plugins by entry-point name (also KREG_DISABLE_PLUGINS=a,b).",
        ),
        click.option(
            "--debug",
            is_flag=True,
            envvar="KREG_DEBUG",
            expose_value=False,
            is_eager=True,
            callback=_set_debug,
            help="Show full tracebacks of failures.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
"""The ``--json`` flag of every command that prints data."""
