"""The shapes of each call where compute was counted: a row's ``counted_input_shape`` and ``counted_output_shape``.

A model that leaves a size unknown (a sequence length) has rows of its own
shapes, ``(None, None)``, while its compute is counted at sizes the data
adapter or ``--input-shape`` gave, ``(None, 20)``
(:func:`~kreg.inspect_tools.compute_report.trace_for_report` traces it twice).
:func:`counted_shapes` reads the second trace, so rows can show the sizes
their MACs are for; :func:`mark_pinned` writes such a shape with a ``*`` on
each size the model itself leaves unknown.
"""

from __future__ import annotations

from collections.abc import Mapping

from kreg.inspect_tools.compute_report import TracedModel
from kreg.inspect_tools.report_types import ShapeNest
from kreg.inspect_tools.shapes import format_shape, is_shape
from kreg.inspect_tools.tracing import Call, Trace

PINNED_MARK = "*"
"""Follows a size the model leaves unknown and compute was counted at."""


def counted_shapes(traced: TracedModel | None) -> dict[str, tuple[ShapeNest, ShapeNest]]:
    """``(input shape, output shape)`` by path at the sizes compute was counted at.

    Empty when compute was counted on the rows' own trace (every size known) or not at all.
    """
    trace = _counted_trace(traced)
    if trace is None:
        return {}
    shapes: dict[str, tuple[ShapeNest, ShapeNest]] = {
        name: (trace.shape(tensor), trace.shape(tensor)) for name, tensor in zip(trace.input_names, trace.root.inputs)
    }
    shapes.update({path: (call.input_shape, call.output_shape) for path, call in counted_calls(traced).items()})
    return shapes


def counted_calls(traced: TracedModel | None) -> dict[str, Call]:
    """Each layer call by path as it ran where compute was counted (the Dense table reads its shapes there).

    Empty when compute was counted on the rows' own trace (every size known) or not at all.
    """
    trace = _counted_trace(traced)
    return {} if trace is None else {call.path: call for call in trace.inner}


def _counted_trace(traced: TracedModel | None) -> Trace | None:
    """The trace compute was counted on, when it is not the rows' own."""
    trace = None if traced is None else traced.compute_trace
    if traced is None or trace is None or trace is traced.rows:
        return None
    return trace


def mark_pinned(own: ShapeNest, counted: ShapeNest) -> str:
    """``(None, 20*)``: the counted shape as text, each size the model's own shape leaves unknown marked."""
    return _marked(own, counted)


def _marked(own: object, counted: object) -> str:
    if is_shape(own) and is_shape(counted) and isinstance(own, list) and isinstance(counted, list):
        if len(own) != len(counted):
            return format_shape(counted)
        sizes = [pinned_size(mine, theirs) for mine, theirs in zip(own, counted)]
        return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"
    if isinstance(own, Mapping) and isinstance(counted, Mapping):
        return "{" + ", ".join(f"{key}: {_marked(own.get(key), item)}" for key, item in counted.items()) + "}"
    if isinstance(own, list) and isinstance(counted, list) and len(own) == len(counted):
        return "[" + ", ".join(_marked(mine, theirs) for mine, theirs in zip(own, counted)) + "]"
    return format_shape(counted)


def pinned_size(own: int | None, counted: int | None) -> str:
    """One counted size as text, marked when the model's own size is unknown (``20*``); ``None`` when unknown."""
    if counted is None:
        return "None"
    return f"{counted}{PINNED_MARK}" if own is None else str(counted)


def shapes_if_different(
    counted: Mapping[str, tuple[ShapeNest, ShapeNest]], path: str, own_input: ShapeNest, own_output: ShapeNest
) -> tuple[ShapeNest, ShapeNest]:
    """The counted ``(input, output)`` shapes of ``path`` when they differ from its own; ``(None, None)`` otherwise."""
    shapes = counted.get(path)
    if shapes is None or shapes == (own_input, own_output):
        return None, None
    return shapes
