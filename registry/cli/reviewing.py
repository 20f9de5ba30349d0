"""Commands for architecture reviews: ``kreg review`` (one HTML page) and
``kreg diff`` (two architectures or two configurations, side by side).

TensorFlow, Keras, matplotlib and ``kreg.inspect_tools`` are imported inside
the commands, so ``kreg list`` stays free of them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from kreg.cli.diff_arguments import SideSpec, parse_sides
from kreg.cli.options import json_option, plugin_options, preset_option, set_option
from kreg.cli.render import print_fields, print_table
from kreg.cli.session import emit_json, get_session
from kreg.errors import KregUsageError

if TYPE_CHECKING:
    from kreg.catalogue import Entry
    from kreg.inspect_tools.diff import ArchitectureDiff


@click.command("review")
@click.argument("name")
@set_option
@preset_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="The HTML file to write (default NAME-review.html here).",
)
@click.option(
    "--train-steps",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Also smoke-train N steps on synthetic data and plot every metric.",
)
@click.option("--expand-layers", is_flag=True, help="Also open custom layers in the graph into their traced inner layers.")
@plugin_options
def review_command(
    name: str,
    assignments: tuple[str, ...],
    preset: str | None,
    output: str | None,
    train_steps: int | None,
    expand_layers: bool,
) -> None:
    """Write one self-contained HTML page reviewing an architecture.

    The page holds the summary, the plugin and source, the hyperparameters,
    each component's parameter counts, the graph (nested models expanded),
    the layer table and the threaded-Dense table with kernel shapes and MACs;
    with --train-steps, also the smoke-training curve of every metric. It has
    inline CSS and SVG only (no script, nothing fetched), so it opens offline.
    Needs Graphviz's dot for the graph. Exit 1 when the smoke training fails
    (the page is written and says why).
    """
    from kreg.hyperparameters import resolve_hyperparameters

    entry = get_session().entry(name)
    hyperparameters = resolve_hyperparameters(entry, assignments, preset)
    if train_steps is not None and entry.architecture.data_adapter is None:
        raise KregUsageError(f"architecture {name!r} has no data adapter, so --train-steps cannot train it")
    from kreg.workflows.review import make_review, prepare_output, write_review

    path = prepare_output(output or f"{name}-review.html")

    review = make_review(
        entry,
        hyperparameters,
        preset=preset,
        assignments=assignments,
        train_steps=train_steps,
        expand_layers=expand_layers,
    )
    click.echo(f"wrote {write_review(review, path)}")
    if review.graph_problem:
        click.echo(f"kreg: warning: the page has no graph: {review.graph_problem}", err=True)
    failure = review.failure()
    if failure is not None:
        raise failure


DIFF_USAGE = "NAME [--set KEY=VALUE]... [--preset P] --against [NAME] [--set KEY=VALUE]... [--preset P]"

SIDE_HELP = [
    ("NAME", "The architecture on the left."),
    ("--set KEY=VALUE", "Override a hyperparameter of the side it follows (repeatable)."),
    ("--preset P", "Start that side from one of its architecture's presets."),
    ("--against [NAME]", "Starts the right side: NAME, or the left's architecture when left out."),
]


class DiffCommand(click.Command):
    """A command whose two sides are parsed by :func:`~kreg.cli.diff_arguments.parse_sides`.

    Click parses only the options that mean the same on both sides (``--json``,
    the plugin options, ``--help``); everything else reaches the command in
    order, so ``--set`` can belong to the side it follows.
    """

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        """The usage line: the two sides, then the common options."""
        return [DIFF_USAGE, "[OPTIONS]"]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the side arguments before the common options."""
        with formatter.section("Sides"):
            formatter.write_dl(SIDE_HELP)
        super().format_options(ctx, formatter)


@click.command(
    "diff",
    cls=DiffCommand,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "allow_interspersed_args": True},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@json_option
@plugin_options
def diff_command(args: tuple[str, ...], as_json: bool) -> None:
    """Compare two architectures, or two configurations of one.

    Reports the hyperparameters that differ, the parameter counts of each
    component, the layer calls added, removed or changed (by layer path), the
    shapes that changed, and the Dense calls whose threading, kernel or MACs
    changed. Options before --against describe the left side, options after it
    the right side; each side starts from its architecture's defaults.

    \b
    Examples:
      kreg diff risk-factor-autoencoder --against --set n_tickers=50
      kreg diff vae-mlp --preset smoke --against autoencoder --json
    """
    left_spec, right_spec = parse_sides(args)
    left_entry, left_values = _resolve(left_spec)
    right_entry, right_values = _resolve(right_spec)
    from kreg.inspect_tools.diff import diff_reports

    from kreg.workflows.inspecting import inspect_side

    left = inspect_side(left_entry, left_values)
    right = inspect_side(right_entry, right_values)
    diff = diff_reports(left, right, presets=(left_spec.preset, right_spec.preset))
    if as_json:
        emit_json(diff.to_json())
    else:
        _print_diff(diff)


def _resolve(spec: SideSpec) -> tuple[Entry, dict[str, Any]]:
    """Look a side up and resolve its hyperparameters (usage errors before anything is built)."""
    from kreg.hyperparameters import resolve_hyperparameters

    entry = get_session().entry(spec.name)
    return entry, resolve_hyperparameters(entry, spec.assignments, spec.preset)


def _print_diff(diff: ArchitectureDiff) -> None:
    from kreg.inspect_tools.diff import diff_tables, side_label

    print_fields(
        [
            ("left", f"{side_label(diff.left)} {_assignments(diff.left.hyperparameters)}"),
            ("right", f"{side_label(diff.right)} {_assignments(diff.right.hyperparameters)}"),
        ]
    )
    for table in diff_tables(diff):
        print_table(table.title, table.columns, table.rows)
    if diff.identical:
        click.echo("no differences in parameters, layers, shapes or Dense calls")


def _assignments(values: dict[str, Any]) -> str:
    return " ".join(f"{key}={json.dumps(value)}" for key, value in values.items())


COMMANDS = [review_command, diff_command]
"""The commands this module contributes to ``kreg``."""
