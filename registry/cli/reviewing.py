"""Commands for architecture reviews: ``kreg review`` (one HTML page) and
``kreg diff`` (two architectures, two configurations or a saved model, side by side).

TensorFlow, Keras, matplotlib and ``kreg.inspect_tools`` are imported inside
the commands, so ``kreg list`` stays free of them.
"""

from __future__ import annotations

from pathlib import Path

import click

from kreg.cli.diff_arguments import parse_sides
from kreg.cli.options import (
    batch_size_option,
    import_option,
    input_shape_option,
    json_option,
    plugin_options,
    steps_range,
)
from kreg.cli.session import emit_json, get_session

REVIEW_USAGE = (
    "NAME|FILE.keras [--set KEY=VALUE]... [--preset P] [--against [NAME|FILE.keras] [--set KEY=VALUE]... [--preset P]]"
)
DIFF_USAGE = (
    "NAME|FILE.keras [--set KEY=VALUE]... [--preset P] --against [NAME|FILE.keras] [--set KEY=VALUE]... [--preset P]"
)

SIDE_HELP = [
    ("NAME", "The architecture on the left."),
    (
        "FILE.keras",
        "A saved model instead (e.g. from `kreg train --save`): loaded with safe_mode, its custom layers found "
        "in the installed plugins; only the model component is compared.",
    ),
    ("--set KEY=VALUE", "Override a hyperparameter of the side it follows (repeatable)."),
    ("--preset P", "Start that side from one of its architecture's presets."),
    ("--against [NAME]", "Starts the right side: NAME, FILE.keras, or the left's architecture when left out."),
]

TWO_SIDED_SETTINGS = {"ignore_unknown_options": True, "allow_extra_args": True, "allow_interspersed_args": True}


class TwoSidedCommand(click.Command):
    """A command whose sides are parsed by :func:`~kreg.cli.diff_arguments.parse_sides`.

    Click parses only the options that mean the same on both sides (``--json``,
    ``-o``, the plugin options, ``--help``); everything else reaches the command
    in order, so ``--set`` can belong to the side it follows.
    """

    usage = DIFF_USAGE
    side_help = SIDE_HELP

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        """The usage line: the sides, then the common options."""
        return [self.usage, "[OPTIONS]"]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the side arguments before the common options."""
        with formatter.section("Sides"):
            formatter.write_dl(self.side_help)
        super().format_options(ctx, formatter)


class ReviewCommand(TwoSidedCommand):
    """``kreg review``: one side, or two with ``--against``."""

    usage = REVIEW_USAGE


@click.command("review", cls=ReviewCommand, context_settings=TWO_SIDED_SETTINGS)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="The HTML file to write (default NAME-review.html here; for FILE.keras, FILE-review.html).",
)
@click.option(
    "--train-steps",
    type=steps_range,
    default=None,
    metavar="N",
    help="Also smoke-train N steps on synthetic data and plot every metric (architectures only).",
)
@input_shape_option
@batch_size_option
@click.option(
    "--expand-layers", is_flag=True, help="Also open custom layers in the graph into their traced inner layers."
)
@click.option(
    "--bench",
    "bench_file",
    metavar="FILE",
    default=None,
    help="A `kreg bench --json` file: show its measurements of this architecture beside the estimates.",
)
@import_option
@plugin_options
def review_command(
    args: tuple[str, ...],
    output: str | None,
    train_steps: int | None,
    input_shapes: tuple[str, ...],
    batch_size: int | None,
    expand_layers: bool,
    bench_file: str | None,
) -> None:
    """Write one self-contained HTML page reviewing an architecture or a saved model.

    The page holds the summary, the plugin and source, the hyperparameters,
    each component's parameter counts, the graph (nested models expanded,
    repeated blocks folded; pan, zoom, search, click a node for its figures,
    expand a block, colour by MACs), the layer table and the threaded-Dense
    table with kernel shapes and MACs; with --train-steps, also the
    smoke-training curve of every metric; with --bench FILE (`kreg bench
    --json` output), the measured speed and peak memory beside kreg's
    estimates; with --against, the diff against another architecture, configuration or saved
    model (as `kreg diff` reports it: blocks removed, added or changed, then
    every layer call that differs, also coloured on the graph). Its CSS,
    SVG and script are inline (nothing fetched), so it opens offline. Needs
    Graphviz's dot for the graph. Exit 1 when the smoke training fails (the
    page is written and says why).

    FILE.keras is a saved model (e.g. from `kreg train --save`): loaded with
    safe_mode, its custom layers found in the installed plugins, and reviewed
    as its one component "model" (no hyperparameters, nothing to train on).

    --input-shape and --batch-size set the sizes the page counts compute and
    memory at, as for `kreg inspect`; with --against, the diff still compares
    each side at its own sizes.

    \b
    Examples:
      kreg review transformer --preset smoke --train-steps 20
      kreg review transformer --against --set embed_dim=128 -o width.html
      kreg review vae.keras --against vae
      kreg review mobilenet.keras --input-shape input_layer=224,224,3
      kreg bench vae --json > bench.json && kreg review vae --bench bench.json
    """
    from kreg.files import check_destination
    from kreg.workflows.comparing import compare_sides
    from kreg.workflows.subjects import is_model_file, resolve_subject

    left_spec, right_spec = parse_sides(args, against_required=False)
    stem = Path(left_spec.name).stem if is_model_file(left_spec.name) else left_spec.name
    named = output or f"{stem}-review.html"
    path = check_destination(named, "-o")  # absolute, before the plugins are imported
    catalogue = get_session().catalogue
    left = resolve_subject(catalogue, left_spec.name, left_spec.assignments, left_spec.preset)
    right = (
        None
        if right_spec is None
        else resolve_subject(catalogue, right_spec.name, right_spec.assignments, right_spec.preset)
    )
    from kreg.workflows.review import ReviewOptions, require_trainable_subject, review_subject, write_review

    if train_steps is not None:
        require_trainable_subject(left)
    from kreg.inspect_tools.input_shapes import parse_input_shapes

    pinned = parse_input_shapes(input_shapes)
    bench_rows = []
    if bench_file is not None:
        from kreg.workflows.benchmarking import read_bench

        bench_rows = read_bench(bench_file, left_spec.name)
    options = ReviewOptions(
        train_steps=train_steps, expand_layers=expand_layers, input_shapes=pinned, batch_size=batch_size
    )
    review = review_subject(left, catalogue, options)
    review.bench = bench_rows
    if right is not None:
        at_own_sizes = not pinned and batch_size is None  # else the left side is inspected again, as the right one is
        review.comparison = compare_sides(left, right, catalogue, left_report=review.report if at_own_sizes else None)
    write_review(review, path)
    click.echo(f"wrote {named}")
    if review.graph_problem:
        click.echo(f"kreg: warning: the page has no graph: {review.graph_problem}", err=True)
    failure = review.failure()
    if failure is not None:
        raise failure


@click.command("diff", cls=TwoSidedCommand, context_settings=TWO_SIDED_SETTINGS)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@json_option
@plugin_options
def diff_command(args: tuple[str, ...], as_json: bool) -> None:
    """Compare two architectures, two configurations of one, or a saved model.

    Layer calls are matched by their place in the graph, not by name: the
    calls of each side, in call order, are aligned by class, shapes,
    parameters and neighbours, so inserting or removing blocks shows as
    insertions or removals only, whatever Keras numbered the layers. Names
    you gave layers anchor the match; names Keras made up (dense_12) never
    decide it. Consecutive repeats of a unit removed, added or changed are
    grouped ("2 × block of 9 layers removed"), with every layer call that
    differs below. Also reported: the hyperparameters that differ, parameter
    counts per component (MACs and memory where kreg inspect has them), and
    the Dense calls whose threading, kernel or MACs changed. Options before
    --against describe the left side, options after it the right side; each
    side starts from its architecture's defaults. See docs/diff.md.

    \b
    Examples:
      kreg diff transformer --against --set embed_dim=128
      kreg diff risk-factor-autoencoder --against --set n_tickers=50
      kreg diff vae-mlp --preset smoke --against autoencoder --json
      kreg diff vae.keras --against vae --preset smoke
    """
    from kreg.workflows.comparing import compare_sides
    from kreg.workflows.subjects import resolve_subject

    left_spec, right_spec = parse_sides(args)
    catalogue = get_session().catalogue
    left = resolve_subject(catalogue, left_spec.name, left_spec.assignments, left_spec.preset)
    right = resolve_subject(catalogue, right_spec.name, right_spec.assignments, right_spec.preset)
    diff = compare_sides(left, right, catalogue)
    if as_json:
        emit_json(diff.to_json())
    else:
        from kreg.rendering.text import print_diff

        print_diff(diff)


COMMANDS = [review_command, diff_command]
"""The commands this module contributes to ``kreg``."""
