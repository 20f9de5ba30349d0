"""Commands that build an architecture and look at it: inspect and plot.

TensorFlow, Keras and ``kreg.inspect_tools`` are imported inside the commands,
so ``kreg list`` stays free of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kreg.cli.render import print_fields, print_table
from kreg.cli.session import emit_json, get_session, json_option, plugin_options
from kreg.errors import ArchitectureFailure, KregError, UnknownComponent

if TYPE_CHECKING:
    from kreg.building import BuiltArchitecture

set_option = click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a hyperparameter (repeatable); the value is parsed to the default's type.",
)
preset_option = click.option("--preset", metavar="NAME", help="Start from one of the architecture's presets (e.g. smoke).")
component_option = click.option("--component", metavar="NAME", help="Only this component (model, encoder, decoder, ...).")


def build_architecture(name: str, assignments: Iterable[str], preset: str | None) -> BuiltArchitecture:
    """Look up ``name``, resolve its hyperparameters and build it.

    Raises:
        KregUsageError: unknown name, preset or hyperparameter (exit 2).
        ArchitectureFailure: the builder failed (exit 1).
    """
    from kreg.building import build, resolve_hyperparameters

    entry = get_session().entry(name)
    hyperparameters = resolve_hyperparameters(entry, assignments, preset)
    return build(entry, hyperparameters)


def select_components(built: BuiltArchitecture, component: str | None) -> dict[str, Any]:
    """All components, or only ``component``.

    Raises:
        UnknownComponent: the architecture has no such component (exit 2).
    """
    if component is None:
        return dict(built.components)
    if component not in built.components:
        raise UnknownComponent(built.name, component, built.components)
    return {component: built.components[component]}


@click.command("inspect")
@click.argument("name")
@set_option
@preset_option
@component_option
@json_option
@plugin_options
def inspect_command(name: str, assignments: tuple[str, ...], preset: str | None, component: str | None, as_json: bool) -> None:
    """Build an architecture and report parameters, layer shapes and Dense threading.

    Every layer call is traced, also inside custom layers and nested models.
    For each component: parameter counts (optimizer variables never counted),
    a row per layer call, and each Dense/EinsumDense with its kernel, the
    dimensions it threads over, and its multiply-accumulates per example.
    """
    built = build_architecture(name, assignments, preset)
    components = select_components(built, component)
    from kreg.inspect_tools.report import architecture_report, text_tables

    try:
        report = architecture_report(built.name, built.hyperparameters, components)
    except KregError:
        raise
    except Exception as error:
        raise ArchitectureFailure(built.name, "inspect", error) from error
    if as_json:
        emit_json(report)
        return
    print_fields([("architecture", built.name), ("hyperparameters", _assignments(built.hyperparameters))])
    for table in text_tables(report):
        print_table(table.title, table.columns, table.rows)


def _assignments(values: dict[str, Any]) -> str:
    return " ".join(f"{key}={json.dumps(value)}" for key, value in values.items())


COMMANDS = [inspect_command]
"""The commands this module contributes to ``kreg``."""
