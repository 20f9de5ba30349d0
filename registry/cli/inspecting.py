"""Commands that build an architecture and look at it: inspect and plot.

TensorFlow, Keras and ``kreg.inspect_tools`` are imported inside the commands,
so ``kreg list`` stays free of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kreg.cli.options import component_option, json_option, plugin_options, preset_option, set_option
from kreg.terminal import print_fields, print_table
from kreg.cli.session import emit_json, get_session


input_shape_option = click.option(
    "--input-shape",
    "input_shapes",
    multiple=True,
    metavar="NAME=DIMS",
    help="Count compute with input NAME at these sizes after the batch axis, e.g. encoder_inputs=20 "
    "or image=224,224,3 (repeatable). Without it, unknown sizes come from the data adapter's batches.",
)


@click.command("inspect")
@click.argument("name")
@set_option
@preset_option
@component_option
@input_shape_option
@json_option
@plugin_options
def inspect_command(
    name: str,
    assignments: tuple[str, ...],
    preset: str | None,
    component: str | None,
    input_shapes: tuple[str, ...],
    as_json: bool,
) -> None:
    """Build an architecture and report parameters, compute, memory, layer shapes and Dense threading.

    Every layer call is traced, also inside custom layers and nested models.
    For each component: parameter counts (optimizer variables never counted);
    multiply-accumulates per example (MACs; FLOPs are 2 x MACs) of every
    matmul, einsum, convolution, attention product and recurrent step, in
    total, by layer class and per layer call; parameter and activation
    memory, and for the trained model an estimate of training memory at the
    architecture's batch size; a row per layer call; and each Dense/EinsumDense
    with its kernel, the dimensions it threads over, and its MACs per example.

    Input sizes a model leaves unknown (a sequence length) are taken from
    --input-shape, else from the architecture's data adapter (its synthetic
    batches); otherwise MACs are reported per unknown position. The docs page
    "What kreg counts" says what each figure includes and leaves out.
    """
    from kreg.inspect_tools.input_shapes import parse_input_shapes
    from kreg.inspect_tools.report import text_tables
    from kreg.workflows.inspecting import inspect_architecture

    pinned = parse_input_shapes(input_shapes)
    report = inspect_architecture(get_session().entry(name), assignments, preset, component, pinned)
    if as_json:
        emit_json(report)
        return
    print_fields([("architecture", report["architecture"]), ("hyperparameters", _assignments(report["hyperparameters"]))])
    for table in text_tables(report):
        print_table(table.title, table.columns, table.rows)


def _assignments(values: dict[str, Any]) -> str:
    return " ".join(f"{key}={json.dumps(value)}" for key, value in values.items())


@click.command("plot")
@click.argument("name")
@click.option("--component", default="model", show_default=True, metavar="NAME", help="The component to draw.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="File to write: .png, .svg, .pdf or .dot (default NAME.png here).",
)
@click.option("--expand-nested", is_flag=True, help="Open nested models into clusters.")
@click.option(
    "--expand-layers", is_flag=True, help="Open custom layers (e.g. TransformerEncoder) into their traced inner layers."
)
@click.option(
    "--rankdir",
    type=click.Choice(["TB", "LR"], case_sensitive=False),
    default="TB",
    show_default=True,
    help="Top to bottom or left to right.",
)
@click.option("--dpi", type=click.IntRange(min=1), default=96, show_default=True, help="Resolution of png output.")
@set_option
@preset_option
@plugin_options
def plot_command(
    name: str,
    component: str,
    output: str | None,
    expand_nested: bool,
    expand_layers: bool,
    rankdir: str,
    dpi: int,
    assignments: tuple[str, ...],
    preset: str | None,
) -> None:
    """Draw an architecture's graph to a png, svg, pdf or dot file (by extension).

    Layers show their names and shapes, and model inputs and outputs their
    names. A Model subclass without call() (VAE, GAN) is drawn as one cluster
    per sub-model. Needs pydot, and Graphviz's dot for png/svg/pdf.
    """
    from kreg.inspect_tools.plotting import require_plot_tools, write_graph

    path = Path(output or (f"{name}.png" if component == "model" else f"{name}-{component}.png"))
    require_plot_tools(path)
    from kreg.inspect_tools.graph import GraphOptions
    from kreg.workflows.inspecting import plot_architecture

    options = GraphOptions(expand_nested=expand_nested, expand_layers=expand_layers, rankdir=rankdir.upper(), dpi=dpi)
    graph = plot_architecture(get_session().entry(name), component, options, assignments, preset)
    click.echo(f"wrote {write_graph(graph, path)}")


COMMANDS = [inspect_command, plot_command]
"""The commands this module contributes to ``kreg``."""
