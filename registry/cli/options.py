"""Options several commands share, declared once.

Each default comes from the one constant the code uses too (``kreg train``'s
steps from :data:`kreg.defaults.DEFAULT_STEPS`, ``kreg check``'s from
:data:`kreg.defaults.CHECK_STEPS`), a light core module: importing the command
line loads no module of :mod:`kreg.running` or :mod:`kreg.workflows`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from kreg.cli.session import get_session
from kreg.defaults import CHECK_STEPS, DEFAULT_STEPS, LONGEST_TIMEOUT, MOST_STEPS
from kreg.errors import KregUsageError
from kreg.loading import DEBUG_ENVIRONMENT_VARIABLE, split_names
from kreg.memory import MAX_MEMORY_VARIABLE, parse_size

F = TypeVar("F", bound=Callable[..., Any])


class Seconds(click.ParamType):
    """A finite number of seconds from ``minimum`` to :data:`~kreg.defaults.LONGEST_TIMEOUT` (not inf, not nan)."""

    name = "seconds"

    def __init__(self, minimum: float):
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        """Parse a number of seconds; anything else is a usage error (exit 2)."""
        if isinstance(value, float):
            return value
        try:
            seconds = float(value)
        except ValueError:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not (math.isfinite(seconds) and self.minimum <= seconds <= LONGEST_TIMEOUT):
            self.fail(
                f"{value!r} is not a number of seconds from {self.minimum:g} to {LONGEST_TIMEOUT:,.0f}", param, ctx
            )
        return seconds


steps_range = click.IntRange(min=1, max=MOST_STEPS)
"""Steps and epochs: at least 1, at most :data:`~kreg.defaults.MOST_STEPS`."""

set_option = click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a hyperparameter (repeatable); the value is parsed to the default's type.",
)
"""``--set KEY=VALUE`` (repeatable), into the ``assignments`` parameter."""

preset_option = click.option(
    "--preset", metavar="NAME", help="Start from one of the architecture's presets (e.g. smoke)."
)
"""``--preset NAME``."""

component_option = click.option(
    "--component", metavar="NAME", help="Only this component (model, encoder, decoder, ...)."
)
"""``--component NAME``."""


def _reserve_stdout(context: click.Context, _: click.Parameter, value: bool) -> bool:
    if value:
        get_session().reserve_stdout_for_json(context)
    return value


json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    callback=_reserve_stdout,
    help="Print JSON instead of a table (stdout then carries only the JSON).",
)
"""The ``--json`` flag of every command that prints data; while the command runs, stdout carries only the JSON."""

train_steps_option = click.option(
    "--steps", type=steps_range, default=DEFAULT_STEPS, show_default=True, help="Steps per epoch."
)
"""``kreg train --steps N``."""

check_steps_option = click.option(
    "--steps",
    type=steps_range,
    default=CHECK_STEPS,
    show_default=True,
    help="Smoke-training steps per architecture.",
)
"""``kreg check --steps N``."""


def _set_strict(context: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        get_session().strict = True


def _add_disabled(context: click.Context, _: click.Parameter, values: tuple[str, ...]) -> None:
    get_session().disabled.extend(split_names(values))


def _set_debug(context: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        get_session().debug = True
        # Read by the code that imports TensorFlow (its start-up notices and
        # logging) and inherited by worker processes.
        os.environ[DEBUG_ENVIRONMENT_VARIABLE] = "1"


def _set_max_memory(context: click.Context, parameter: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    try:
        parse_size(value)
    except KregUsageError as error:
        raise click.BadParameter(str(error).split(": ", 1)[-1], context, parameter) from None
    previous = os.environ.get(MAX_MEMORY_VARIABLE)
    # Read where the weights are counted, and inherited by kreg check's children and the workers.
    os.environ[MAX_MEMORY_VARIABLE] = value

    def restore() -> None:  # the command ran in a process that goes on (a test's)
        if previous is None:
            os.environ.pop(MAX_MEMORY_VARIABLE, None)
        else:
            os.environ[MAX_MEMORY_VARIABLE] = previous

    context.find_root().call_on_close(restore)


def plugin_options(command: F) -> F:
    """Add ``--strict``, ``--disable-plugin``, ``--debug`` and ``--max-memory``, accepted on the group
    and on every command (``kreg --strict list`` and ``kreg list --strict``)."""
    options = [
        click.option(
            "--strict",
            is_flag=True,
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
            expose_value=False,
            is_eager=True,
            callback=_set_debug,
            help="Show full tracebacks of failures and TensorFlow's own logging (or set KREG_DEBUG=1).",
        ),
        click.option(
            "--max-memory",
            metavar="SIZE",
            expose_value=False,
            is_eager=True,
            callback=_set_max_memory,
            help="Refuse to build a model whose weights pass SIZE (8G, 512M; 0 for no limit) "
            "[default: this machine's memory] (or set KREG_MAX_MEMORY).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _import_modules(context: click.Context, _: click.Parameter, values: tuple[str, ...]) -> None:
    if values:
        from kreg.workflows.subjects import import_modules

        import_modules(values)


import_option = click.option(
    "--import",
    "imports",
    multiple=True,
    metavar="MODULE",
    expose_value=False,
    callback=_import_modules,
    help="Import MODULE first (repeatable; the current folder is searched too), e.g. one that registers "
    "a FILE.keras's custom classes with keras.saving.register_keras_serializable. The file is still "
    "loaded with safe_mode.",
)


input_shape_option = click.option(
    "--input-shape",
    "input_shapes",
    multiple=True,
    metavar="NAME=DIMS",
    help="Count compute with input NAME at these sizes after the batch axis, e.g. encoder_inputs=20 "
    "or image=224,224,3 (repeatable). Without it, unknown sizes come from the data adapter's batches.",
)


batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    metavar="N",
    help="Estimate training memory at batch size N (default: the architecture's; a saved model has none, "
    "so its report leaves training memory out without this).",
)


def seconds_option(flag: str, *, default: float, minimum: float, help: str) -> Callable[[F], F]:
    """A ``FLAG SECONDS`` option: a finite number of seconds of at least ``minimum`` (:class:`Seconds`), its default
    shown in ``--help``.

    Args:
        flag: str. The option, e.g. ``"--connect-timeout"``.
        default: float. The value when the option is not given.
        minimum: float. The smallest value accepted (a smaller one is a usage error).
        help: str. The option's help text.
    """
    return click.option(
        flag, type=Seconds(minimum=minimum), default=default, show_default=True, metavar="SECONDS", help=help
    )
