"""The review page: one self-contained HTML file, and the card a notebook shows.

Inline CSS and inline SVG only: no script, no font, stylesheet or image
fetched from anywhere, so the page opens offline and can be attached to a
review as is. Every piece of text from the architecture, its plugin or the
report is escaped. The tables are drawn from the inspection report, the same
report ``kreg inspect --json`` prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace

from kreg import __version__
from kreg.architecture import type_name
from kreg.inspect_tools.dense import threading_phrase
from kreg.inspect_tools.diff import ComponentDiff
from kreg.inspect_tools.graph_labels import (
    BLOCK_COLOUR,
    CUSTOM_COLOUR,
    INPUT_COLOUR,
    LAYER_COLOUR,
    OPERATION_COLOUR,
    OUTPUT_COLOUR,
)
from kreg.inspect_tools.report_types import ComponentReport, DenseEntry
from kreg.inspect_tools.shapes import format_shape, product
from kreg.references import describe_reference
from kreg.rendering.bench_html import bench_section_body
from kreg.rendering.diff_html import diff_section_body
from kreg.rendering.formatting import (
    counted_at,
    dense_macs_cell,
    headline_macs,
    human_bytes,
    human_count,
    receptive_field_cell,
)
from kreg.rendering.graph_view import (
    GRAPH_STYLE,
    GraphDrawings,
    diff_legend,
    interactive_graph,
    layers_table,
    script_tag,
)
from kreg.rendering.html_parts import Cell, escape, html_table
from kreg.rendering.review_content import ReviewContent
from kreg.rendering.tables import dense_shapes, shown_shapes
from kreg.rendering.text import metric_value
from kreg.terminal import format_assignments

STYLE = """
:root { --ink:#1d2733; --muted:#5b6775; --line:#d9dee5; --band:#f5f7fa; --accent:#3b6ea8; --warn:#a5471d; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 28px; }
header.top { background: #1f3b5c; color: #fff; padding: 26px 0 22px; }
header.top .kicker { margin:0; text-transform:uppercase; letter-spacing:.08em; font-size:12px; opacity:.75; }
header.top h1 { margin: 4px 0 6px; font-size: 30px;
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
header.top p { margin: 2px 0; }
header.top .meta { font-size: 13px; opacity: .8; }
nav.toc { padding: 10px 0; border-bottom: 1px solid var(--line); font-size: 14px; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 16px; }
section { padding: 18px 0 8px; border-bottom: 1px solid var(--line); }
h2 { font-size: 21px; margin: 6px 0 12px; }
h3 { font-size: 16px; margin: 16px 0 8px; }
p.note { color: var(--muted); font-size: 14px; margin: 6px 0; }
p.problem { color: var(--warn); font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; margin: 6px 0 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; background: var(--band); }
.card .value { font-size: 21px; font-weight: 650; white-space: nowrap; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
table { border-collapse: collapse; margin: 4px 0 12px; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 12px 5px 0; text-align: left; vertical-align: top; }
th { font-size: 12.5px; color: var(--muted); border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.code, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
table.fields th { font-size: 13.5px; color: var(--ink); width: 210px; border-bottom: 1px solid var(--line); }
tr.changed td { background: #fff6df; }
tr.removed td { background: #fdecea; }
tr.added td { background: #e9f6ec; }
tr.threaded td { background: #eef4fb; }
.figure { overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: 12px; background: #fff; }
.figure svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
.legend { font-size: 13px; color: var(--muted); margin: 8px 0; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid #888; vertical-align: -2px;
  margin: 0 4px 0 12px; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
footer { color: var(--muted); font-size: 13px; padding: 18px 0 30px; }
"""

SECTIONS = [
    ("summary", "Summary"),
    ("plugin", "Plugin and source"),
    ("hyperparameters", "Hyperparameters"),
    ("components", "Components"),
    ("diff", "Diff"),
    ("graph", "Graph"),
    ("layers", "Layers"),
    ("dense", "Threaded Dense"),
    ("training", "Smoke training"),
    ("bench", "Measured beside estimated"),
]


def render_page(review: ReviewContent) -> str:
    """Render a review as a complete HTML document.

    Args:
        review: ReviewContent. What to show.

    Returns:
        str. The page: inline CSS, SVG and script (the graph's pan, zoom,
        search and panel: :mod:`kreg.rendering.graph_view`), no external reference.
    """
    shown = _rendered_sections(review, [key for key, _ in SECTIONS], interactive=True)
    sections = [_section(key, body) for key, body in shown]
    toc = "".join(f'<a href="#{key}">{escape(dict(SECTIONS)[key])}</a>' for key, _ in shown)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>kreg review: {escape(review.name)}</title>",
            f"<style>{STYLE}{GRAPH_STYLE}</style>",
            "</head>",
            "<body>",
            _header(review),
            f'<nav class="toc"><div class="wrap">{toc}</div></nav>',
            '<main class="wrap">',
            *sections,
            "</main>",
            f'<footer class="wrap">Generated by kreg {escape(__version__)} on {escape(review.created)}. '
            "Self-contained: this page loads nothing from anywhere.</footer>",
            script_tag(),
            "</body>",
            "</html>",
            "",
        ]
    )


CARD_CLASS = "kreg-card"
"""The class of the card's outer ``div``: every rule of its style is scoped under it."""

FOLDED_IN_CARD = ("layers", "dense", "training")
"""Sections a card shows folded (``<details>``): a notebook cell stays short until they are opened."""


def render_card(review: ReviewContent, sections: Sequence[str] | None = None) -> str:
    """Render a review as a card to show inside a notebook (``_repr_html_``).

    The page's header and sections in one ``div``, with the page's style
    scoped to it (a notebook's own styles stay as they are); the graph open
    and explorable as on the page (its script sets up every card's graph
    once; no ids, as a notebook may show many cards); the long tables folded.

    Args:
        review: ReviewContent. What to show.
        sections: Sequence[str] or None. Keys of :data:`SECTIONS` to show; None shows every one the page would.

    Returns:
        str. An HTML fragment.
    """
    keys = sections or [key for key, _ in SECTIONS]
    if review.entry is None:  # a model from a notebook has no plugin; the header says where it came from
        keys = [key for key in keys if key != "plugin"]
    shown = _rendered_sections(review, keys, card=True)
    parts = [_card_section(key, body) for key, body in shown]
    footer = (
        f'<footer class="wrap">kreg {escape(__version__)}: <code>kreg review</code> writes this as a page.</footer>'
    )
    style = f"<style>{scoped_style(STYLE + GRAPH_STYLE, '.' + CARD_CLASS)}</style>"
    script = script_tag() if review.graph is not None and any(key == "graph" for key, _ in shown) else ""
    body = f'{style}{_header(review)}<div class="wrap">{"".join(parts)}</div>{footer}{script}'
    return f'<div class="{CARD_CLASS}">{body}</div>'


def scoped_style(style: str, scope: str) -> str:
    """Every rule of ``style`` limited to elements inside ``scope`` (``:root`` and ``body`` become ``scope``).

    Args:
        style: str. Plain CSS rules (no at-rules), as :data:`STYLE`.
        scope: str. A selector, e.g. ``.kreg-card``.
    """
    rules = []
    for rule in style.split("}"):
        if "{" not in rule:
            continue
        selectors, declarations = rule.split("{", 1)
        scoped = [
            scope if sel.strip() in (":root", "body") else f"{scope} {sel.strip()}" for sel in selectors.split(",")
        ]
        rules.append(f"{', '.join(scoped)} {{{declarations}}}")
    return "\n".join(rules)


def _rendered_sections(
    review: ReviewContent, keys: Sequence[str], interactive: bool = False, card: bool = False
) -> list[tuple[str, str]]:
    """``(key, body)`` of each section in ``keys`` that this review has, in the page's order.

    ``interactive`` (the page) draws the graph in the pan-and-zoom view and folds the layers table; ``card``
    draws the same graph view without ids.
    """
    renderers: dict[str, Callable[[ReviewContent], str | None]] = {
        "summary": _summary,
        "plugin": _plugin,
        "hyperparameters": _hyperparameters,
        "components": _components,
        "diff": _diff,
        "graph": _graph,
        "layers": _layers,
        "dense": _dense,
        "training": _training,
        "bench": lambda review: bench_section_body(review.bench),
    }
    if interactive:
        renderers.update(graph=_interactive_graph, layers=_foldable_layers)
    elif card:
        renderers.update(graph=lambda review: _interactive_graph(review, ids=False))
    wanted = set(keys)
    shown = []
    for key, _ in SECTIONS:
        body = renderers[key](review) if key in wanted else None
        if body is not None:
            shown.append((key, body))
    return shown


# Sections ---------------------------------------------------------------------------


def _header(review: ReviewContent) -> str:
    if review.entry is None:
        kicker, summary, meta = (
            "kreg model inspection",
            review.source,
            "a saved or given model: no hyperparameters, no data adapter",
        )
    else:
        built_with = format_assignments(review.hyperparameters)
        kicker, summary, meta = (
            "kreg architecture review",
            review.entry.architecture.summary,
            f"built with {built_with or 'no hyperparameters'}",
        )
    return (
        '<header class="top"><div class="wrap">'
        f'<p class="kicker">{escape(kicker)}</p>'
        f"<h1>{escape(review.name)}</h1>"
        f"<p>{escape(summary)}</p>"
        f'<p class="meta">{escape(meta)}</p>'
        "</div></header>"
    )


def _summary(review: ReviewContent) -> str:
    model = review.report.components["model"]
    memory = model.memory
    cards = [
        (f"{model.params.total:,}", "parameters (model)"),
        (f"{model.params.trainable:,}", "trainable"),
        (f"{model.params.non_trainable:,}", "non-trainable"),
        headline_macs(model.compute),
        (human_bytes(memory.parameter_bytes), "parameter memory"),
    ]
    if memory.training is not None:
        cards.append(
            (human_bytes(memory.training.total), f"training memory, batch {memory.training.batch_size} (estimate)")
        )
    cards.append((f"{len(model.layers):,}", "layer calls"))
    if model.threaded:  # a CNN's one classifier Dense is no news; a Dense applied at many positions is
        cards.append((f"{len(model.threaded):,}", f"threaded Dense calls (of {len(model.dense):,})"))
    cards.append((f"{len(review.report.components):,}", "components"))
    body = "".join(
        f'<div class="card"><div class="value">{escape(value)}</div><div class="label">{escape(label)}</div></div>'
        for value, label in cards
    )
    description = review.entry.architecture.description if review.entry is not None else None
    text = f"<p>{escape(description)}</p>" if description else ""
    return f'<div class="cards">{body}</div>{text}'


def _plugin(review: ReviewContent) -> str:
    if review.entry is None:
        return _model_source(review)
    architecture, plugin = review.entry.architecture, review.entry.plugin
    distribution = " ".join(part for part in (plugin.distribution, plugin.version) if part)
    fields: list[tuple[str, Cell]] = [
        ("plugin", plugin.name + (" (built in)" if plugin.builtin else "")),
        ("distribution", distribution),
        ("entry module", plugin.module),
        ("source", architecture.source),
        ("builder", describe_reference(architecture.builder)),
        ("data adapter", describe_reference(architecture.data_adapter) or "none"),
        ("train step", describe_reference(architecture.train_step) or "the model's own train_step"),
        ("sampler", describe_reference(architecture.sampler)),
        ("tags", ", ".join(architecture.tags)),
        ("batch size", architecture.batch_size),
    ]
    rows = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in fields
        if value not in (None, "")
    )
    return f'<table class="fields">{rows}</table>'


def _model_source(review: ReviewContent) -> str:
    """The "plugin and source" section of a saved file or a model: what it is and how kreg read it."""
    model = review.report.components["model"]
    fields = [("reviewed", review.source), ("class", model.model_class)]
    if review.source and review.source.startswith("saved model"):
        fields.append(("loaded", "keras.models.load_model(safe_mode=True); custom layers from the installed plugins"))
    fields.append(("input sizes", "the model's own; sizes it leaves unknown are counted per position"))
    rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in fields)
    return f'<table class="fields">{rows}</table>'


def _hyperparameters(review: ReviewContent) -> str | None:
    if review.entry is None:
        return None
    defaults = review.entry.architecture.hyperparameters
    rows: list[tuple[Sequence[Cell], str]] = []
    for key, value in review.hyperparameters.items():
        default = defaults.get(key)
        changed = value != default
        rows.append(
            (
                [key, json.dumps(value), json.dumps(default), type_name(default)],
                "changed" if changed else "",
            )
        )
    how = []
    if review.preset:
        how.append(f"preset {review.preset!r}")
    if review.assignments:
        how.append("--set " + " --set ".join(review.assignments))
    note = (
        f'<p class="note">Built with {escape(", ".join(how))}; changed values are highlighted.</p>'
        if how
        else ('<p class="note">The architecture\'s defaults.</p>')
    )
    table = html_table(["name", "value", "default", "type"], rows, code_columns={0, 1, 2}) if rows else "<p>None.</p>"
    return note + table


def _components(review: ReviewContent) -> str:
    rows: list[tuple[Sequence[Cell], str]] = []
    for name, component in review.report.components.items():
        params, memory = component.params, component.memory
        cells = [name, component.model_class, _n(params.total), _n(params.trainable), _n(params.non_trainable)]
        macs, label = headline_macs(component.compute)
        cells += [f"{macs} ({label.removeprefix('MACs ')})", human_bytes(memory.parameter_bytes)]
        cells += [counted_at(component.compute)]
        cells += [_bytes(memory.activation_bytes_per_example), _bytes(memory.training_bytes)]
        activations = component.compute.activation_count
        cells += ["\u2014" if activations is None else human_count(activations)]
        notes = [note for note in (component.note, component.compute.note) if note]
        rows.append(([*cells, "; ".join(notes)], ""))
    columns = [
        "component",
        "class",
        "total",
        "trainable",
        "non-trainable",
        "MACs",
        "parameter memory",
        "counted at",
        "activations per example",
        "training memory",
        "activation count",
        "note",
    ]
    batch = "architecture's batch size" if review.entry is not None else "batch size given (batch_size=...)"
    note = (
        '<p class="note">Parameter counts come from each model\'s own variables, never from the optimizer. '
        'The component named "model" is the one trained; its training memory is estimated at the '
        f"{batch} (parameters, gradients, optimizer state and activations). MACs count every "
        "multiply-accumulate of matmuls, convolutions, attention products and recurrent steps "
        "(FLOPs = 2 \u00d7 MACs); the activation count is their output elements per example, as fvcore and "
        "timm count them.</p>"
    )
    return note + html_table(columns, rows, numeric_columns={2, 3, 4, 5, 6, 8, 9, 10}, code_columns={0})


def _diff(review: ReviewContent) -> str | None:
    if review.comparison is None:
        return None
    return diff_section_body(review.comparison)


def _graph(review: ReviewContent) -> str:
    if review.graph is None:
        return f'<p class="problem">No graph: {escape(review.graph_problem or "not drawn")}</p>'
    swatches = [
        (INPUT_COLOUR, "input"),
        (OUTPUT_COLOUR, "output"),
        (LAYER_COLOUR, "layer"),
        (CUSTOM_COLOUR, "custom layer"),
        (OPERATION_COLOUR, "keras.ops call"),
    ]
    if review.folded_graph is not None:
        swatches.append((BLOCK_COLOUR, "repeated blocks, folded"))
    legend = "".join(
        f'<span class="swatch" style="background:{colour}"></span>{escape(label)}' for colour, label in swatches
    )
    note = (
        '<p class="note">The "model" component as kreg draws it (<code>kreg plot --expand-nested</code>): '
        "nested models are opened into dashed clusters; Dense layers say what they thread over; repeated blocks "
        "are folded into one node (click it, then <em>expand block</em>; <em>unfold blocks</em> draws every layer). "
        "Drag to pan, the wheel to zoom; the map at the corner shows where you are.</p>"
    )
    return f'{note}<div class="figure">{review.graph}</div><p class="legend">{legend}</p>'


def _interactive_graph(review: ReviewContent, ids: bool = True) -> str:
    static = _graph(review)
    if review.graph is None:
        return static
    diff = _model_diff(review)
    other = review.comparison.right.label if review.comparison is not None else "the other side"
    drawings = GraphDrawings(review.graph, review.folded_graph, diff, other)
    body = static.replace(
        f'<div class="figure">{review.graph}</div>', interactive_graph(drawings, review.report.model, ids), 1
    )
    return body + (diff_legend(diff, other) if diff is not None else "")


def _model_diff(review: ReviewContent) -> ComponentDiff | None:
    """The model component's diff, when the review has one and the component is on both sides."""
    if review.comparison is None:
        return None
    return next((c for c in review.comparison.components if c.name == "model" and c.left_class is not None), None)


def _foldable_layers(review: ReviewContent) -> str:
    parts = [
        '<p class="note">One row per traced layer call, also inside custom layers and nested models. '
        "A row's MACs include the calls inside it; repeated blocks are folded (expand them).</p>"
    ]
    for name, component in review.report.components.items():
        parts.append(_component_block(name, component, layers_table(component), f"{len(component.layers):,} calls"))
    return "".join(parts)


def _layers(review: ReviewContent) -> str:
    parts = [
        '<p class="note">One row per traced layer call, also inside custom layers and nested models. '
        "A row's MACs include the calls inside it; RF is its receptive field and effective stride "
        "on a convolutional path (all: it mixes the whole input).</p>"
    ]
    for name, component in review.report.components.items():
        per_position = component.compute.per_position
        fields = any(row.receptive_field is not None for row in component.layers)
        rows: list[tuple[Sequence[Cell], str]] = []
        for row in component.layers:
            macs = row.macs_per_position if per_position else row.macs
            cells = [row.path, row.layer_class, *shown_shapes(row)]  # at the counted sizes, as the graph's nodes
            cells += [_n(row.params), "\u2014" if macs is None else _n(macs)]
            rows.append(([*cells, *([receptive_field_cell(row.receptive_field)] if fields else [])], ""))
        columns = ["path", "class", "input", "output", "params", "MACs per position" if per_position else "MACs"]
        columns += ["RF /stride"] if fields else []
        table = html_table(columns, rows, numeric_columns={4, 5}, code_columns={0, 2, 3})
        parts.append(_component_block(name, component, table, f"{len(rows):,} calls"))
    return "".join(parts)


def _dense(review: ReviewContent) -> str:
    parts = [
        '<p class="note">Every Dense and EinsumDense call. A Dense applies one kernel at every position of the '
        "dimensions between the batch axis and the last axis (it threads over them): the kernel does not grow "
        "with them, the work (multiply-accumulates per example) does. Threaded calls are shaded.</p>"
    ]
    for name, component in review.report.components.items():
        if not component.dense:
            continue
        rows: list[tuple[Sequence[Cell], str]] = [
            (
                [
                    _run_path(entry, last, count),
                    " \u2192 ".join(dense_shapes(entry)),
                    format_shape(entry.kernel_shape),
                    _threaded(entry.at_counted_sizes().threaded_over),
                    _n(entry.params),
                    dense_macs_cell(entry, component),
                    threading_phrase(entry.at_counted_sizes()),
                ],
                "threaded" if entry.threaded_over else "",
            )
            for entry, last, count in dense_runs(component.dense)
        ]
        columns = ["path", "input \u2192 output", "kernel", "threaded over", "params", "MACs", "what it does"]
        table = html_table(columns, rows, numeric_columns={4, 5}, code_columns={0, 1, 2, 3})
        parts.append(_component_block(name, component, table, f"{len(component.dense):,} Dense calls"))
    if len(parts) == 1:
        parts.append("<p>No Dense layers.</p>")
    return "".join(parts)


DENSE_RUNS_ABOVE = 1_000
"""Dense calls of a component above which the Threaded Dense table folds runs of alike calls into one row."""


def dense_runs(entries: Sequence[DenseEntry]) -> list[tuple[DenseEntry, str, int]]:
    """``(first, last path, count)`` per run of consecutive Dense calls alike but for their paths.

    Runs are folded only past :data:`DENSE_RUNS_ABOVE` calls (a 10,000-layer
    chain's table would be 2.3 MB of the same row); below it, and for calls
    whose MACs are unknown, each call is a run of its own.
    """
    if len(entries) <= DENSE_RUNS_ABOVE:
        return [(entry, entry.path, 1) for entry in entries]
    runs: list[tuple[DenseEntry, str, int]] = []
    for entry in entries:
        if runs and entry.macs is not None and replace(entry, path=runs[-1][0].path) == runs[-1][0]:
            runs[-1] = (runs[-1][0], entry.path, runs[-1][2] + 1)
        else:
            runs.append((entry, entry.path, 1))
    return runs


def _run_path(entry: DenseEntry, last: str, count: int) -> str:
    return entry.path if count == 1 else f"{entry.path} \u2026 {last} ({count:,} calls alike)"


def _training(review: ReviewContent) -> str | None:
    from kreg.rendering.charts import metrics_chart_svg

    if review.training is None and review.training_error is None:
        return None
    training = review.training
    if training is None:
        return f'<p class="problem">The smoke training failed: {escape(str(review.training_error))}</p>'
    summary = training.summary
    fields: list[tuple[str, Cell]] = [
        ("steps", summary["steps"]),
        ("batch size", summary["batch_size"]),
        ("train step", summary["train_step"] or "the model's own train_step"),
        ("first step (compiling)", _seconds(summary.get("first_step_seconds"))),
        ("steps per second after it", summary["steps_per_second"]),
        ("all metrics finite", "yes" if training.finite else "no"),
    ]
    rows = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in fields if value is not None
    )
    metric_rows: list[tuple[Sequence[Cell], str]] = [
        ([name, metric_value(values["first"]), metric_value(values["last"])], "")
        for name, values in summary["metrics"].items()
    ]
    parts = [
        "<p class=\"note\">Synthetic data from the architecture's data adapter, its train step inside Keras's "
        "<code>fit</code> (as <code>kreg train</code> runs it). Each point is the value Keras reports after that "
        "step; compiled losses and metrics are running means over the epoch.</p>",
        f'<table class="fields">{rows}</table>',
    ]
    if training.problem:
        parts.append(f'<p class="problem">Stopped: {escape(training.problem)}</p>')
    parts.append(html_table(["metric", "first", "last"], metric_rows, numeric_columns={1, 2}, code_columns={0}))
    if training.curves:
        parts.append(f'<div class="figure">{metrics_chart_svg(training.curves)}</div>')
    return "".join(parts)


# Pieces ------------------------------------------------------------------------------


def _section(key: str, body: str) -> str:
    title = dict(SECTIONS)[key]
    return f'<section id="{key}"><h2>{escape(title)}</h2>{body}</section>'


def _card_section(key: str, body: str) -> str:
    """A section of the card: no id (a notebook may show many cards); long ones folded."""
    title = escape(dict(SECTIONS)[key])
    if key in FOLDED_IN_CARD:
        return f"<section><details><summary>{title}</summary>{body}</details></section>"
    return f"<section><h2>{title}</h2>{body}</section>"


def _component_block(name: str, component: ComponentReport, table: str, count: str) -> str:
    """The ``model`` component's table open; the others folded (they repeat parts of it)."""
    title = f"{name} ({component.model_class}): {count}"
    note = f'<p class="note">{escape(component.note)}</p>' if component.note else ""
    if name == "model":
        return f"<h3>{escape(title)}</h3>{note}{table}"
    return f"<details><summary>{escape(title)}</summary>{note}{table}</details>"


def _n(number: int) -> str:
    return f"{number:,}"


def _bytes(value: int | None) -> str:
    return "\u2014" if value is None else human_bytes(value)


def _seconds(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f} s"


def _threaded(threaded: list[int | None] | None) -> str:
    if threaded is None:
        return "?"
    if not threaded:
        return "\u2014"
    sizes = " \u00d7 ".join("?" if size is None else f"{size:,}" for size in threaded)
    count = product(threaded)
    return sizes if len(threaded) == 1 or count is None else f"{sizes} = {count:,}"
