"""``kreg sample``: run an architecture's sampler (generated text, image files).

The sampler's options are the architecture's own (``Architecture.sample_options``),
so they cannot be click options: they are parsed here from the arguments click
leaves over, each to the type of its default. Nothing heavy is imported until
the model is built or loaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import click

from kreg.architecture import type_name
from kreg.cli.options import json_option, plugin_options, preset_option, set_option
from kreg.cli.session import emit_json, get_session
from kreg.errors import HyperparameterError, KregUsageError
from kreg.hyperparameters import parse_value, resolve_hyperparameters
from kreg.terminal import print_table

CONTEXT_SETTINGS = {
    "ignore_unknown_options": True,  # the sampler's --OPTIONs
    "allow_extra_args": True,
    "help_option_names": [],  # -h is ours: it lists NAME's sampler options too
}


@click.command("sample", context_settings=CONTEXT_SETTINGS)
@click.argument("name", required=False)
@click.option(
    "--model",
    "model_path",
    metavar="FILE.keras",
    help="A model saved from NAME (e.g. by `kreg train --save`). Without it, NAME is built untrained.",
)
@click.option(
    "-o", "--output", metavar="PATH", help="Where the sampler writes its artefact (text samplers: a text file)."
)
@set_option
@preset_option
@json_option
@click.option(
    "-h", "--help", "show_help", is_flag=True, help="Show this message, with NAME's sampler options, and exit."
)
@plugin_options
@click.pass_context
def sample_command(
    context: click.Context,
    name: str | None,
    model_path: str | None,
    output: str | None,
    assignments: tuple[str, ...],
    preset: str | None,
    as_json: bool,
    show_help: bool,
) -> None:
    """Produce NAME's artefact with its sampler: generated text, an image grid.

    Sampler options follow NAME as --OPTION VALUE; an option whose default is a
    list takes several values (`--temperature 0.5 1.0`). `kreg sample NAME -h`
    lists them with their defaults. Example:

        kreg sample transformer-lm --model lm.keras --prompt "this movie" --temperature 0.5 1.0
    """
    if show_help:
        _print_help(context, name)
        return
    if name is None:
        raise click.UsageError("Missing argument 'NAME'.", context)
    # Absolute before the plugins are imported: a plugin that changes the working folder cannot move them.
    model_file, output = (None if path is None else os.path.abspath(path) for path in (model_path, output))
    entry = get_session().entry(name)
    architecture = entry.architecture
    if architecture.sampler is None:
        raise KregUsageError(f"architecture {name!r} has no sampler; `kreg info NAME` shows an architecture's sampler")
    options = parse_sample_options(name, context.args, architecture.sample_options)
    hyperparameters = resolve_hyperparameters(entry, assignments, preset)
    from kreg.workflows.sampling import sample

    result = sample(entry, hyperparameters, model_file, output, options)
    if as_json:
        emit_json(
            {
                "architecture": name,
                "model": model_path,
                "hyperparameters": None if model_path else hyperparameters,
                "options": options,
                **result,
            }
        )
        return
    for line in result["text"]:
        click.echo(line)
    for path in result["files"]:
        click.echo(f"wrote {path}")


def parse_sample_options(name: str, tokens: Sequence[str], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Parse ``--OPTION VALUE...`` tokens into a sampler's keyword arguments.

    ``--generate-length`` and ``--generate_length`` name the same option; a
    value may also follow ``=``. Each value is parsed to the type of the
    option's default; a list option takes every value up to the next
    ``--OPTION`` (or one comma-separated or JSON value); a boolean option alone
    means true, ``--no-OPTION`` false.

    Args:
        name: str. The architecture, for messages.
        tokens: Sequence[str]. What follows NAME, kreg's own options removed.
        defaults: Mapping[str, Any]. The architecture's ``sample_options``.

    Returns:
        dict[str, Any]. The options given (the sampler's defaults cover the rest).

    Raises:
        KregUsageError: an unknown option (all of them named), a stray value or a bad value.
    """
    groups = _group_tokens(tokens)
    unknown = [f"--{flag}" for flag, _ in groups if _option_key(flag, defaults)[0] is None]
    if unknown:
        listed = ", ".join(_flag(key) for key in defaults) or "none"
        plural = "s" if len(unknown) > 1 else ""
        raise KregUsageError(f"unknown sample option{plural} {', '.join(unknown)} for {name!r}; its options: {listed}")
    options: dict[str, Any] = {}
    for flag, values in groups:
        key, negated = _option_key(flag, defaults)
        options[key] = _option_value(key, values, defaults[key], negated)
    return options


def _group_tokens(tokens: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Split tokens into (flag without dashes, its values)."""
    groups: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if not _is_option(token):
            raise KregUsageError(
                f"unexpected argument {token!r}: sampler options are written --OPTION VALUE after NAME"
            )
        flag, has_value, inline = token[2:].partition("=")
        values = [inline] if has_value else []
        while not has_value and index < len(tokens) and not _is_option(tokens[index]):
            values.append(tokens[index])
            index += 1
        groups.append((flag, values))
    return groups


def _is_option(token: str) -> bool:
    return token.startswith("--") and len(token) > 2


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def _option_key(flag: str, defaults: Mapping[str, Any]) -> tuple[str | None, bool]:
    """Map a flag to its option key; ``no-X`` negates the boolean option X."""
    key = flag.replace("-", "_")
    if key in defaults:
        return key, False
    if key.startswith("no_") and isinstance(defaults.get(key[3:]), bool):
        return key[3:], True
    return None, False


def _option_value(key: str, values: list[str], default: Any, negated: bool) -> Any:
    flag = _flag(key)
    try:
        if isinstance(default, bool):
            if len(values) > 1 or (negated and values):
                raise KregUsageError(f"sample option {flag}: takes at most one value (true or false)")
            return (not negated) if not values else parse_value(key, values[0], default)
        if not values:
            raise KregUsageError(f"sample option {flag}: needs a value")
        if isinstance(default, (list, tuple)):
            return _list_value(key, values, default)
        if len(values) > 1:
            raise KregUsageError(
                f"sample option {flag}: takes one value, got {len(values)} (quote a value that has spaces)"
            )
        return parse_value(key, values[0], default)
    except HyperparameterError as error:
        raise KregUsageError(f"sample option {flag}: {str(error).split(': ', 1)[-1]}") from None


def _list_value(key: str, values: list[str], default: list | tuple) -> list:
    """Several values are one item each; one value may be a JSON or comma-separated list."""
    element = default[0] if default else None
    if len(values) == 1 and (values[0].lstrip().startswith("[") or not isinstance(element, str)):
        return parse_value(key, values[0], default)
    return [
        value if element is None or isinstance(element, str) else parse_value(key, value, element) for value in values
    ]


def _print_help(context: click.Context, name: str | None) -> None:
    click.echo(context.get_help())
    if name is None:
        click.echo("\nGive NAME (`kreg sample NAME -h`) to list its sampler options.")
        return
    architecture = get_session().entry(name).architecture
    if architecture.sampler is None:
        click.echo(f"\n{name} has no sampler.")
        return
    rows = [(_flag(key), json.dumps(value), type_name(value)) for key, value in architecture.sample_options.items()]
    if rows:
        click.echo()
        print_table(f"sampler options of {name}", ["option", "default", "type"], rows)


COMMANDS = [sample_command]
"""The commands this module contributes to ``kreg``."""
