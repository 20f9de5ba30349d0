"""Commands that read the catalogue without building anything: list, plugins, info.

None of them imports TensorFlow or Keras.
"""

from __future__ import annotations

import json

import click

from kreg.architecture import type_name
from kreg.cli.options import json_option, plugin_options
from kreg.cli.session import emit_json, get_session
from kreg.terminal import Column, format_assignments, print_fields, print_table


@click.command("list")
@click.argument("patterns", nargs=-1, metavar="[PATTERN]...")
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="Only architectures with this tag (repeatable: all must match)."
)
@json_option
@plugin_options
def list_command(patterns: tuple[str, ...], tags: tuple[str, ...], as_json: bool) -> None:
    """List registered architectures, optionally filtered.

    PATTERN is a shell-style pattern on the name (`vae*`, `*gan*`); an
    architecture is shown when it matches any pattern and has every --tag.
    Never imports TensorFlow.
    """
    entries = get_session().catalogue.select(patterns, tags)
    if as_json:
        emit_json([entry.to_json() for entry in entries])
        return
    if not entries:
        click.echo("no architectures match" if patterns or tags else "no architectures registered", err=True)
        return
    print_table(
        None,
        [Column("name", wrap=False), "summary", Column("plugin", wrap=False, optional=True), "tags"],
        [(e.name, e.architecture.summary, e.plugin.name, ", ".join(e.architecture.tags)) for e in entries],
    )


@click.command("plugins")
@json_option
@plugin_options
def plugins_command(as_json: bool) -> None:
    """Show every plugin: distribution, version, status, what it registered, failures.

    A plugin that failed to load is listed with the cause; `--strict` (or
    KREG_STRICT_PLUGINS=1) makes any failure exit with status 1.
    """
    catalogue = get_session().catalogue
    records = list(catalogue.plugins.values())
    if as_json:
        emit_json([record.to_json() for record in records])
        return
    print_table(
        None,
        [
            Column("plugin", wrap=False),
            Column("distribution", optional=True),
            Column("version", wrap=False, optional=True),
            Column("status", wrap=False),
            Column("import", wrap=False, numeric=True),
            "architectures",
        ],
        [
            (
                r.name,
                r.distribution or "-",
                r.version or "-",
                r.status,
                "-" if r.import_seconds is None else f"{r.import_seconds * 1000:,.0f} ms",
                ", ".join(r.architectures) or "-",
            )
            for r in records
        ],
    )
    warnings = [(r.name, warning) for r in records for warning in r.warnings]
    if warnings:
        print_table("warnings", ["plugin", "warning"], warnings)
    failures = catalogue.failures
    if failures:
        print_table(
            "failures",
            ["plugin", "phase", "architecture", "cause"],
            [(f.plugin, f.phase, f.architecture or "-", f.cause) for f in failures],
        )


@click.command("info")
@click.argument("name")
@json_option
@plugin_options
def info_command(name: str, as_json: bool) -> None:
    """Describe one architecture: hyperparameters with defaults and types,
    components, presets, plugin and the code it points at. Builds nothing."""
    entry = get_session().entry(name)
    architecture = entry.architecture
    if as_json:
        emit_json({**architecture.describe(), "plugin": entry.plugin.to_json()})
        return
    plugin = entry.plugin
    code = architecture.describe()  # references as "module:attr" text
    print_fields(
        [
            ("name", architecture.name),
            ("summary", architecture.summary),
            ("description", architecture.description),
            ("source", architecture.source),
            ("plugin", f"{plugin.name} ({plugin.distribution or '?'} {plugin.version or ''})".replace(" )", ")")),
            ("tags", ", ".join(architecture.tags)),
            ("components", ", ".join(architecture.components)),
            ("batch size", architecture.batch_size),
            ("presets", "; ".join(f"{k}: {format_assignments(v)}" for k, v in architecture.presets.items())),
            ("builder", code["builder"]),
            ("data adapter", code["data_adapter"] or "none (no training data)"),
            ("data state", code["data_state"]),
            ("train step", code["train_step"] or "the model's own train_step"),
            ("sampler", code["sampler"]),
        ]
    )
    if architecture.hyperparameters:
        print_table(
            "hyperparameters (--set key=value)",
            ["name", "default", "type"],
            [(k, json.dumps(v), type_name(v)) for k, v in architecture.hyperparameters.items()],
        )


COMMANDS = [list_command, plugins_command, info_command]
"""The commands this module contributes to ``kreg``."""
