"""Commands that build an architecture (or load a saved model) and look at it: inspect and plot.

TensorFlow, Keras and ``kreg.inspect_tools`` are imported inside the commands,
so ``kreg list`` stays free of them.
"""

from __future__ import annotations

from pathlib import Path

import click

from kreg.cli.options import (
    batch_size_option,
    component_option,
    import_option,
    input_shape_option,
    json_option,
    plugin_options,
    preset_option,
    set_option,
)
from kreg.cli.session import emit_json, get_session
from kreg.defaults import COUNTS, DTYPE_POLICIES


@click.command("inspect")
@click.argument("name", metavar="NAME|FILE.keras")
@set_option
@preset_option
@component_option
@input_shape_option
@batch_size_option
@click.option(
    "--dtype",
    type=click.Choice(DTYPE_POLICIES),
    default=None,
    help=(
        "What-if: build under this Keras dtype policy (mixed_float16/mixed_bfloat16: 16-bit activations, "
        "float32 variables); memory follows. Architectures only."
    ),
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    metavar="N",
    help="Show rows at most N deep (1: the model's own layers); a row's figures include its inner calls'.",
)
@click.option(
    "--sort",
    "sort_by",
    type=click.Choice(["macs", "params"]),
    help="Order the layer rows by MACs or params, largest first (no folding).",
)
@click.option(
    "--top", type=click.IntRange(min=1), metavar="K", help="Show only the K costliest calls (by --sort, else MACs)."
)
@click.option("--no-fold", is_flag=True, help="Show repeated blocks row by row, not as 'block x N' (no JSON repeats).")
@click.option(
    "--count",
    type=click.Choice(COUNTS),
    default="macs",
    show_default=True,
    help=(
        "all: also the FLOPs of every operation (element-wise, normalisation, activation, pooling, softmax; "
        "products at 2 x MACs), by operation type (JSON compute.flops, compute.by_op)."
    ),
)
@json_option
@import_option
@plugin_options
def inspect_command(
    name: str,
    assignments: tuple[str, ...],
    preset: str | None,
    component: str | None,
    input_shapes: tuple[str, ...],
    batch_size: int | None,
    dtype: str | None,
    depth: int | None,
    sort_by: str | None,
    top: int | None,
    no_fold: bool,
    count: str,
    as_json: bool,
) -> None:
    """Build an architecture (or load a saved model) and report its parameters, compute, memory and layers.

    Every layer call is traced, also inside custom layers and nested models.
    For each component: parameter counts (optimizer variables never counted);
    multiply-accumulates per example (MACs; FLOPs are 2 x MACs) of every
    matmul, einsum, convolution, attention product and recurrent step, in
    total, by layer class and per layer call; parameter and activation
    memory, and for the trained model an estimate of training memory at the
    architecture's batch size; a row per layer call; and each Dense/EinsumDense
    with its kernel, the dimensions it threads over, and its MACs per example.
    Each row has the layer's attributes (kernel, strides, units ...), the
    calls that feed it, and its share of the MACs and params.

    Repeated blocks (ResNet's bottlenecks, a transformer's layers) are shown
    as one row, "block x N", with their summed figures (JSON: "repeats");
    --no-fold shows them row by row. --depth, --sort and --top choose the
    rows shown; the component's totals never change.

    --count all adds FLOPs: every operation's, by TensorFlow operation type
    (2 x MACs for the products; bias adds, activations, normalisation,
    pooling, softmax and reductions by the formulas on the "What kreg
    counts" page), for comparison with tf.profiler, fvcore and ptflops.

    Input sizes a model leaves unknown (a sequence length) are taken from
    --input-shape, else from the architecture's data adapter (its synthetic
    batches); otherwise MACs are reported per unknown position. The docs page
    "What kreg counts" says what each figure includes and leaves out.

    FILE.keras is a saved model (e.g. from `kreg train --save`, or any Keras 3
    model.save()): loaded with safe_mode, its custom layers found in the
    installed plugins (or in the modules --import MODULE names), reported as the one component "model". It has no data
    adapter: give --input-shape for sizes it leaves unknown, and --batch-size
    for a training-memory estimate.

    \b
    Examples:
      kreg inspect resnet50
      kreg inspect resnet50 --sort macs --top 10
      kreg inspect resnet50 --count all --json
      kreg inspect transformer --depth 1
      kreg inspect transformer --set num_heads=4 --json
      kreg inspect mlp.keras --batch-size 64
      kreg inspect convnexttiny --dtype mixed_float16 --batch-size 16
      kreg inspect einsum_net.keras --import my_layers
      kreg inspect transformer.keras --input-shape encoder_inputs=20 --input-shape decoder_inputs=20
    """
    from kreg.inspect_tools.input_shapes import parse_input_shapes
    from kreg.inspect_tools.layer_views import LayerView, viewed
    from kreg.rendering.text import print_inspection
    from kreg.workflows.inspecting import inspect_subject
    from kreg.workflows.subjects import resolve_subject

    catalogue = get_session().catalogue
    subject = resolve_subject(catalogue, name, assignments, preset)
    pinned = parse_input_shapes(input_shapes)
    report = inspect_subject(subject, catalogue, component, pinned, batch_size, dtype, count=count)
    report = viewed(report, LayerView(depth=depth, sort=sort_by, top=top, fold=not no_fold))
    if as_json:
        emit_json(report.to_json())
        return
    print_inspection(report)


@click.command("plot")
@click.argument("name", metavar="NAME|FILE.keras")
@click.option("--component", default="model", show_default=True, metavar="NAME", help="The component to draw.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="File to write: .png, .svg, .pdf or .dot (default NAME.png here; for FILE.keras, FILE.png here).",
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
@click.option("--attributes", is_flag=True, help="Show each layer's attributes on its node (3x3/2 same, 64, relu).")
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    metavar="N",
    help="Open nested models and custom layers down to N levels (1: the model's own layers); deeper ones are "
    "closed into one node.",
)
@click.option("--no-fold", is_flag=True, help="Draw repeated blocks layer by layer, not as one 'block x N' node.")
@input_shape_option
@set_option
@preset_option
@import_option
@plugin_options
def plot_command(
    name: str,
    component: str,
    output: str | None,
    expand_nested: bool,
    expand_layers: bool,
    rankdir: str,
    dpi: int,
    attributes: bool,
    depth: int | None,
    no_fold: bool,
    input_shapes: tuple[str, ...],
    assignments: tuple[str, ...],
    preset: str | None,
) -> None:
    """Draw an architecture's graph (or a saved model's) to a png, svg, pdf or dot file (by extension).

    Layers show their names and shapes, and model inputs and outputs their
    names. Repeated blocks (ResNet's bottlenecks, a stack of transformer
    blocks) are folded into one "block x N" node with their summed params and
    MACs, as `kreg inspect` folds them (--no-fold draws every layer; folding,
    --depth and --attributes read the inspection report, so they take as
    long as `kreg inspect` more). A Model subclass without call() (VAE, GAN) is drawn as one cluster
    per sub-model. Where compute is counted at concrete sizes (the data adapter's, or --input-shape), the
    nodes show the shapes at those sizes, a size the model leaves unknown marked '*': (None, 20*).
    Needs pydot, and Graphviz's dot for png/svg/pdf. FILE.keras
    is a saved model, loaded as `kreg inspect FILE.keras` loads it.
    """
    from kreg.files import check_destination
    from kreg.inspect_tools.plotting import require_plot_tools
    from kreg.workflows.subjects import is_model_file

    stem = Path(name).stem if is_model_file(name) else name
    path = Path(output or (f"{stem}.png" if component == "model" else f"{stem}-{component}.png"))
    require_plot_tools(path)
    named, path = path, check_destination(path, "-o")  # absolute, before the plugins are imported
    from kreg.inspect_tools.graph import GraphOptions
    from kreg.inspect_tools.graph_folding import FoldOptions
    from kreg.inspect_tools.input_shapes import parse_input_shapes
    from kreg.workflows.inspecting import plot_subject, write_graph
    from kreg.workflows.subjects import resolve_subject

    catalogue = get_session().catalogue
    pinned = parse_input_shapes(input_shapes)
    subject = resolve_subject(catalogue, name, assignments, preset)
    opens = depth is not None and depth > 1  # --depth N opens what lies above N and closes what lies below
    options = GraphOptions(
        expand_nested=expand_nested or opens, expand_layers=expand_layers or opens, rankdir=rankdir.upper(), dpi=dpi
    )
    view = FoldOptions(fold=not no_fold, depth=depth, attributes=attributes)
    graph = plot_subject(subject, catalogue, component, options, view, pinned)
    write_graph(graph, path)
    click.echo(f"wrote {named}")


COMMANDS = [inspect_command, plot_command]
"""The commands this module contributes to ``kreg``."""
