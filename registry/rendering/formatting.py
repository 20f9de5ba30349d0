"""Figures in words: counts, bytes, MACs and where they were counted, as the tables and the page show them."""

from __future__ import annotations

from collections.abc import Mapping

from kreg.inspect_tools.bounds import bound_symbol
from kreg.inspect_tools.report_types import ComponentReport, ComputeReport, DenseEntry, JsonValue, describe_shapes

SOURCE_WORDS = {"model": "the model's own", "adapter": "from the data adapter", "option": "from --input-shape"}
"""How each ``shape_source`` reads after the shapes it gave."""


def human_count(value: int) -> str:
    """``3.86 G``, ``50.8 k``, ``12``: three significant digits with a decimal prefix."""
    for factor, prefix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if value >= factor:
            return f"{value / factor:.3g} {prefix}"
    return str(value)


def human_bytes(value: int) -> str:
    """``102.5 MB``, ``3.1 kB``, ``12 B``: decimal units, as torchinfo prints them."""
    for factor, unit in ((10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "kB")):
        if value >= factor:
            return f"{value / factor:.1f} {unit}"
    return f"{value} B"


def counted_at(compute: ComputeReport) -> str:
    """``encoder_inputs (None, 20) (from the data adapter)``: the shapes compute was counted at, and their source."""
    return f"{describe_shapes(compute.input_shapes) or 'no inputs'} ({SOURCE_WORDS[compute.shape_source]})"


def headline_macs(compute: ComputeReport) -> tuple[str, str]:
    """A component's MACs for a headline: ``("249 M", "MACs per example")``, or per position when sizes are unknown."""
    bound = bound_symbol(compute.exact, compute.bounds)
    if compute.macs is not None:
        return bound + _short(compute.macs), "MACs per example"
    if compute.macs_per_position is not None:
        return bound + _short(compute.macs_per_position), "MACs per unknown position"
    return "not counted", "MACs"


def _short(value: int) -> str:
    return f"{value:,}" if value < 10**6 else human_count(value)


def macs_line(compute: ComputeReport) -> str:
    """The MACs of a component in full: ``26,432 (26.4 k; FLOPs = 2 x MACs)``, per position, or not counted."""
    bound = bound_symbol(compute.exact, compute.bounds)
    if compute.macs is not None:
        return f"{bound}{compute.macs:,} ({human_count(compute.macs)}; FLOPs = 2 x MACs{_bound_words(compute)})"
    if compute.macs_per_position is not None:
        rate = f"{bound}{compute.macs_per_position:,}"
        return f"{rate} per unknown position (input sizes unknown; pin them with --input-shape)"
    return "not counted (see the notes)"


def _bound_words(compute: ComputeReport) -> str:
    """``; an upper bound, see the note``: why a figure is not exact (empty when it is)."""
    if compute.exact:
        return ""
    kind = {"upper": "an upper bound", "lower": "a lower bound"}.get(compute.bounds or "", "not exact")
    return f"; {kind}, see the note"


def uncounted_line(compute: ComputeReport) -> str:
    """``403 in 124 layer calls: Mul 140, AddV2 103, Rsqrt 34, ...``: operations seen and not counted, most first."""
    by_op: dict[str, int] = {}
    for entry in compute.uncounted:
        by_op[entry.op] = by_op.get(entry.op, 0) + entry.count
    ranked = sorted(by_op.items(), key=lambda item: -item[1])
    calls = len({entry.path for entry in compute.uncounted})
    shown = ", ".join(f"{op} {count:,}" for op, count in ranked[:3]) + (", ..." if len(ranked) > 3 else "")
    return f"{sum(by_op.values()):,} in {calls} layer call{'s' * (calls != 1)}: {shown}"


def dense_macs_cell(entry: DenseEntry, component: ComponentReport) -> str:
    """The MACs of a Dense entry for a table: its own count, else its layer row's at the counted shapes.

    A Dense threaded over a size unknown to the model has no MACs of its own
    (``macs: null`` in the ``dense`` list); the layer row counted it at the
    shapes of the component's compute (from the data adapter or
    ``--input-shape``), or per position.
    """
    if entry.macs is not None:
        return f"{entry.macs:,}"
    row = component.row_at(entry.path)
    if row is not None and row.macs is not None:
        where = {"adapter": "the data adapter's sizes", "option": "the --input-shape sizes"}
        source = component.compute.shape_source
        return f"{row.macs:,} at {where[source]}" if source in where else f"{row.macs:,}"
    if row is not None and row.macs_per_position is not None:
        return f"{row.macs_per_position:,} per unknown position"
    return "not counted"


def number(value: int | None) -> str:
    """``1,234``; ``?`` for an unknown figure."""
    return "?" if value is None else f"{value:,}"


def signed(value: int) -> str:
    """``+1,234`` or ``-1,234``."""
    return f"{value:+,}"


def signed_or_blank(value: int | None) -> str:
    """:func:`signed`, or empty for zero or an unknown figure."""
    return signed(value) if value else ""


def flops_line(compute: ComputeReport) -> str:
    """``7.77 G (Conv2D 7.7 G, BiasAdd 31.4 M, Relu 21.2 M, ...)``: every operation's FLOPs, the largest types first."""
    if compute.flops is None or compute.by_op is None:
        return "not counted (input sizes unknown)" if compute.macs is None else "not counted"
    if not compute.by_op:
        return "0 (no arithmetic operations)"
    kinds = [f"{kind} {human_count(flops)}" for kind, flops in list(compute.by_op.items())[:6]]
    more = ", ..." if len(compute.by_op) > 6 else ""
    return f"{compute.flops:,} ({human_count(compute.flops)}; {', '.join(kinds)}{more})"


def activation_line(activation_count: int) -> str:
    """``13,556,712 (13.6 M; outputs of convolutions and matrix products, as fvcore and timm count)``."""
    return f"{activation_count:,} ({human_count(activation_count)}; outputs of convolutions and matrix products)"


def receptive_field_cell(field: Mapping[str, JsonValue] | None) -> str:
    """``212 /32`` (size, effective stride), ``7x5 /2x1`` per axis, ``all`` for the whole input, ``-`` unknown."""
    if field is None:
        return "-"
    if field.get("whole_input"):
        return "all"
    return f"{_axes(field.get('size'))} /{_axes(field.get('stride'))}"


def _axes(value: JsonValue) -> str:
    return "x".join(str(size) for size in value) if isinstance(value, list) else str(value)
