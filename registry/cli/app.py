"""The ``kreg`` command group and how errors become messages and exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from importlib import import_module
from typing import Any

import click

from kreg import __version__
from kreg.cli.options import plugin_options
from kreg.cli.session import get_session
from kreg.cli.working_child import run_in_working_child, runs_in_working_child
from kreg.descendants import owning_descendants
from kreg.errors import KregError, KregUsageError, describe_exception
from kreg.processes import Interrupted, interrupts_counted
from kreg.terminal import printable

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class CommandError(click.ClickException):
    """A one-line error on stderr with an exit code (1 failure, 2 usage)."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        """Print ``kreg: error: <message>`` on stderr (control characters escaped)."""
        click.echo(f"kreg: error: {printable(self.format_message())}", err=True, file=file)


INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


class KregGroup(click.Group):
    """A click group that turns kreg's exceptions into one line and an exit code.

    ``KregUsageError`` exits 2, any other ``KregError`` exits 1, and an
    unexpected exception exits 1 with a hint to rerun with ``--debug`` for the
    traceback.
    """

    owns_the_process = False
    """Whether this run is the ``kreg`` command's own process (not click's test runner in a test's process)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.command_modules: dict[str, str] = {}
        """The module of each command not imported yet (``kreg.cli.COMMAND_MODULES``)."""
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> dict[str, click.Command]:  # type: ignore[override]
        """Every command, all their modules imported (``kreg --help``; a command runs with only its own)."""
        for name in list(self.command_modules):
            self._import_command(name)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, its module imported now: ``kreg list`` imports no other command's module."""
        self._import_command(cmd_name)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted, without importing their modules."""
        return sorted({*self._commands, *self.command_modules})

    def _import_command(self, name: str) -> None:
        module = self.command_modules.get(name)
        if module is None:
            return
        self.command_modules = {key: value for key, value in self.command_modules.items() if value != module}
        for command in import_module(module).COMMANDS:
            self._commands[command.name] = command

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        """Run kreg; a closed stdout or stderr (``kreg list >&-``) discards output instead of failing.

        Called without arguments (the ``kreg`` command, ``python -m kreg``), the
        process is kreg's: every process plugin code started below it ends with
        it (:func:`kreg.descendants.owning_descendants`), and commands that run
        plugin code run in a working child it watches (:mod:`kreg.cli.working_child`).
        Called with arguments (click's test runner, in a test's process), the
        process is not.
        """
        _reopen_closed_standard_streams()
        self.owns_the_process = args is None and kwargs.get("standalone_mode", True)
        owning = owning_descendants() if args is None else contextlib.nullcontext()
        with owning, interrupts_counted():  # a plugin's own KeyboardInterrupt is then told from the user's Ctrl-C
            return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the sub-command, translating errors at the command boundary."""
        try:
            return super().invoke(ctx)
        except Interrupted as stop:  # SIGINT or SIGTERM, with what was stopped
            raise CommandError(stop.message, stop.exit_status) from None
        except KeyboardInterrupt:
            raise CommandError("interrupted", INTERRUPTED) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KregUsageError as error:
            raise CommandError(str(error), 2) from None
        except KregError as error:
            self._maybe_traceback()
            raise CommandError(str(error), 1) from None
        except Exception as error:  # noqa: BLE001 - the last resort: one line naming the cause, never a traceback
            self._maybe_traceback()
            hint = "" if get_session().debug else " (rerun with --debug for the traceback)"
            raise CommandError(f"{describe_exception(error)}{hint}", 1) from None
        except (SystemExit, GeneratorExit):
            raise
        except BaseException as error:  # noqa: BLE001 - a BaseException subclass past plugin code's phases: one line
            self._maybe_traceback()
            raise CommandError(f"{describe_exception(error)} (a BaseException)", 1) from None

    @staticmethod
    def _maybe_traceback() -> None:
        if get_session().debug:
            traceback.print_exc(file=sys.stderr)


def _reopen_closed_standard_streams() -> None:
    """Give a closed stdout or stderr a descriptor on /dev/null.

    Python sets ``sys.stdout`` to None when descriptor 1 is closed at start-up;
    worse, the next file opened would get descriptor 1 and receive whatever
    native code prints.
    """
    for fd, name in ((1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
        if getattr(sys, name) is None:
            # Kept open for the life of the process, as the interpreter's own streams are.
            setattr(sys, name, open(fd, "w", encoding="utf-8", closefd=False))  # noqa: SIM115


@click.group(cls=KregGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="kreg")
@plugin_options
def main() -> None:
    """A registry of Keras model architectures: list, inspect, plot and smoke-train them.

    Architectures come from plugins (the `kreg` entry-point group); `kreg list`
    shows them without importing TensorFlow. Exit status: 0 success, 1 a check,
    build or training failed, 2 a usage error.
    """
    context = click.get_current_context()
    group = context.command
    if isinstance(group, KregGroup) and group.owns_the_process and runs_in_working_child(context.invoked_subcommand):
        run_in_working_child(sys.argv[1:])  # returns in the child, which runs the command; the kreg process waits
