"""State shared by the commands of one ``kreg`` invocation (options are in :mod:`kreg.cli.options`)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

import click

from kreg.catalogue import Catalogue, Entry
from kreg.loading import (
    DEBUG_ENVIRONMENT_VARIABLE,
    STRICT_ENVIRONMENT_VARIABLE,
    debug_requested,
    disabled_from_environment,
    flag_from_environment,
    load_catalogue,
    require_no_failures,
)
from kreg.terminal import printable


@dataclass
class Session:
    """Settings from the command line and the catalogue, loaded on first use.

    Attributes:
        strict: bool. Plugin failures are an error (``--strict``; also
            ``KREG_STRICT_PLUGINS``, read when the catalogue loads).
        disabled: list[str]. Plugin names to skip (``--disable-plugin``).
        debug: bool. Show tracebacks (``--debug``; also ``KREG_DEBUG``).
    """

    strict: bool = False
    disabled: list[str] = field(default_factory=disabled_from_environment)
    debug: bool = field(default_factory=debug_requested)
    _catalogue: Catalogue | None = None
    _json_stream: TextIO | None = None

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue, loaded once; each plugin failure and warning is printed on stderr.

        Raises:
            KregUsageError: ``KREG_STRICT_PLUGINS`` or ``KREG_DEBUG`` holds no yes/no value.
            PluginLoadError: strict loading and a plugin failed.
        """
        if self._catalogue is None:
            strict = self.strict or flag_from_environment(STRICT_ENVIRONMENT_VARIABLE)
            flag_from_environment(DEBUG_ENVIRONMENT_VARIABLE)  # a bad value is reported, not ignored
            catalogue = load_catalogue(disabled=self.disabled)
            for failure in catalogue.failures:
                click.echo(printable(failure.message()), err=True)
            for record in catalogue.plugins.values():
                for line in record.warning_messages():
                    click.echo(printable(line), err=True)
            self._catalogue = catalogue
            if strict:
                require_no_failures(catalogue)
        return self._catalogue

    def reserve_stdout_for_json(self, context: click.Context) -> None:
        """Keep stdout for the command's JSON: until it ends, anything else written there goes to stderr.

        Plugin code may print (at import, or a builder calling
        ``model.summary()``); Keras prints progress. Python's ``sys.stdout`` is
        pointed at stderr, and so is file descriptor 1 when stdout is a real
        file (for native code and child processes); :func:`emit_json` writes
        to the stdout saved here.
        """
        if self._json_stream is not None:
            return
        sys.stdout.flush()
        saved = _duplicate_onto_stderr(sys.stdout)
        self._json_stream = sys.stdout if saved is None else os.fdopen(saved, "w", encoding="utf-8", closefd=False)
        original = sys.stdout
        sys.stdout = sys.stderr

        def restore() -> None:
            sys.stdout.flush()
            if saved is not None:
                self._json_stream.flush()
                os.dup2(saved, original.fileno())
                os.close(saved)
            sys.stdout = original
            self._json_stream = None

        context.call_on_close(restore)

    @property
    def json_stream(self) -> TextIO:
        """Where :func:`emit_json` writes: the stdout the command started with."""
        return self._json_stream or sys.stdout

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
    """Print ``data`` as indented JSON on stdout (the one reserved by ``--json``)."""
    stream = get_session().json_stream
    stream.write(json.dumps(data, indent=2, default=str) + "\n")
    stream.flush()


def _duplicate_onto_stderr(stream: TextIO) -> int | None:
    """Point ``stream``'s file descriptor at stderr's and return a copy of the original (None without descriptors)."""
    try:
        stdout_fd, stderr_fd = stream.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (click's CliRunner, pytest's capsys)
        return None
    saved = os.dup(stdout_fd)
    os.dup2(stderr_fd, stdout_fd)
    return saved
