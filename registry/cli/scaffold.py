"""``kreg new-plugin``: write the skeleton of a plugin package."""

from __future__ import annotations

from pathlib import Path

import click

from kreg.cli.options import plugin_options
from kreg.cli.session import get_session


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Folder to create the package folder NAME in.",
)
@click.option(
    "--architecture", metavar="ARCH", help="Name of the skeleton's architecture [default: NAME without 'kreg-']."
)
@plugin_options
def new_plugin_command(name: str, directory: str, architecture: str | None) -> None:
    """Write a new plugin package NAME: one architecture, its data adapter, train step and tests.

    NAME is the distribution name, e.g. kreg-tiny-mlp: the module is
    kreg_tiny_mlp and the entry point (the plugin's name) tiny-mlp. The
    package has a pyproject.toml with the `kreg` entry point, a src/ layout
    with a light registration module, a builder, a data adapter and a train
    step, and tests that check it against kreg's contract with kreg.testing.
    An existing, non-empty folder is never overwritten (exit 2), and an
    architecture name another plugin already registers is refused.
    """
    from kreg.errors import KregUsageError
    from kreg.scaffolding import plugin_names, write_plugin

    names = plugin_names(name, architecture)
    catalogue = get_session().catalogue
    if names.architecture in catalogue:
        owner = catalogue.get(names.architecture).plugin.name
        raise KregUsageError(
            f"architecture {names.architecture!r} is already registered by plugin {owner!r}; "
            "choose another with --architecture"
        )
    written = write_plugin(names, directory)
    root = Path(directory) / names.distribution
    click.echo(
        f"wrote {len(written)} files to {root}/ (plugin {names.entry_point!r}, architecture {names.architecture!r})"
    )
    click.echo("next:")
    click.echo(f"  pip install -e '{root}[test]'")
    click.echo(f"  kreg check {names.architecture}")
    click.echo(f"  pytest {root}")


COMMANDS = [new_plugin_command]
"""The commands this module contributes to ``kreg``."""
