"""Multiply-accumulates of every layer call, counted from the operations the model really runs.

The model is traced once (:mod:`kreg.inspect_tools.tracing`) with a concrete
batch size and concrete input sizes, so every TensorFlow operation has a
static shape. Each operation that multiplies and accumulates
(:mod:`kreg.inspect_tools.op_costs`) is attributed to the innermost layer call
that was running when it was created: the attention products to the
``MultiHeadAttention`` call, a ``keras.ops.matmul`` in a custom layer to that
layer, the projections to their ``EinsumDense`` calls. A while loop's body (a
recurrent layer's cell) counts once per iteration; the number of iterations is
read from the loop's condition, else its static maximum (an upper bound), else
1 (a lower bound: :mod:`kreg.inspect_tools.bounds`). Of an ``If``, the costlier
branch counts (an upper bound when the branches differ); a ``tf.function`` a
layer calls (Keras's grouped convolution) counts as the call that made it.

The trace's batch size is :data:`TRACE_BATCH`, a prime that no layer size is
a multiple of in practice: a count that scales with the batch is a multiple of
it, which turns it back into a count per example (:func:`~kreg.inspect_tools.op_costs.per_example`),
also where a reshape merged the batch with other axes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from kreg.inspect_tools.activations import output_elements
from kreg.inspect_tools.bounds import LOWER, UPPER, grows_with_batch, loop_count, trip_count
from kreg.inspect_tools.flops import op_flops
from kreg.inspect_tools.keras_compat import CALL_TYPES, IF_TYPES, WHILE_TYPES, branch_graphs, called_graph, loop_body
from kreg.inspect_tools.op_costs import FORMULAS, op_macs, per_example
from kreg.inspect_tools.op_owners import UNCOUNTED
from kreg.inspect_tools.tracing import Trace
from kreg.inspect_tools.uncounted import is_free, uncounted_by_path

NESTING_TYPES = WHILE_TYPES | IF_TYPES | CALL_TYPES
"""Operations that run graphs of their own: loops, conditionals, ``tf.function`` calls."""

TRACE_BATCH = 7919
"""Batch size of compute traces: a prime, so that counts per example can be told apart."""


@dataclass
class TraceCompute:
    """MACs per example of one trace.

    Attributes:
        self_macs: list[int]. Per call index, the MACs of the operations the
            call made itself (not inside its inner calls).
        total_macs: list[int]. Per call index, the MACs of the call with
            everything called inside it.
        by_class: dict[str, int]. MACs by the class of the layer that made
            the operations (the traced model's own class for operations made
            between its layers); sums to :attr:`total`.
        repeats: dict[int, int]. How many times each graph's operations run
            per call of the model, by ``id(graph)``: 1 for the trace's graph,
            the iteration count for a loop body.
        notes: list[str]. What could not be counted exactly.
        uncounted: dict. ``(op type, call path) -> runs per model call`` of the
            operations that are not MACs and not free (:mod:`kreg.inspect_tools.uncounted`).
        activation_count: int. Output elements per example of the operations
            counted (:mod:`kreg.inspect_tools.activations`).
        bounds: set[str]. Why the total is not exact: ``"upper"`` (a costlier
            branch, a loop counted at its ``maximum_iterations``), ``"lower"``
            (a loop counted once, operations sized only at run time); empty
            when it is exact (:mod:`kreg.inspect_tools.bounds`).
        flops_by_op: dict[str, int]. FLOPs per example by operation type,
            products and element-wise operations (:mod:`kreg.inspect_tools.flops`),
            walked as the MACs are (loop bodies once per iteration, the costlier branch).
    """

    self_macs: list[int]
    total_macs: list[int]
    by_class: dict[str, int]
    repeats: dict[int, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    bounds: set[str] = field(default_factory=set)
    uncounted: dict[tuple[str, str], int] = field(default_factory=dict)
    activation_count: int = 0
    flops_by_op: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """MACs per example of the whole traced model."""
        return self.total_macs[0] if self.total_macs else 0


@dataclass
class _Tally:
    """MACs per owner (call index) while the graphs are walked."""

    macs: Counter[int] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)
    unbounded_loops: int = 0
    repeats: dict[int, int] = field(default_factory=dict)
    bounds: set[str] = field(default_factory=set)
    bounded_loops: list[int] = field(default_factory=list)
    uneven_branches: int = 0
    skipped: Counter[tuple[str, int]] = field(default_factory=Counter)
    activations: int = 0
    batch_grown: Counter[int] = field(default_factory=Counter)
    flops: Counter[str] = field(default_factory=Counter)

    def add(self, other: _Tally) -> None:
        self.flops.update(other.flops)
        self.batch_grown.update(other.batch_grown)
        self.activations += other.activations
        self.skipped.update(other.skipped)
        self.bounds |= other.bounds
        self.bounded_loops += other.bounded_loops
        self.uneven_branches += other.uneven_branches
        self.macs.update(other.macs)
        self.unknown.update(other.unknown)
        self.unbounded_loops += other.unbounded_loops
        self.repeats.update(other.repeats)


def count_macs(trace: Trace) -> TraceCompute:
    """Count the MACs of every call of a trace made with static shapes.

    Args:
        trace: Trace. From :func:`~kreg.inspect_tools.tracing.trace_model` with
            ``batch=TRACE_BATCH`` and every input size known.

    Returns:
        TraceCompute. Per call and per class, per example.
    """
    tally = _count_graph(trace, trace.graph, repeats=1, owner=0)
    self_macs = [0] * len(trace.calls)
    for owner, macs in tally.macs.items():
        self_macs[owner] += per_example(macs, trace.batch)
    total_macs = list(self_macs)
    for call in reversed(trace.calls):
        if call.parent is not None:
            total_macs[call.parent] += total_macs[call.index]
    by_class: Counter[str] = Counter()
    for call, macs in zip(trace.calls, self_macs):
        if macs:
            by_class[type(call.layer).__name__] += macs
    bounds = tally.bounds | ({LOWER} if tally.unknown or tally.batch_grown else set())
    notes = _notes(tally) + _batch_notes(tally.batch_grown, [call.path for call in trace.calls])
    uncounted = uncounted_by_path(tally.skipped, [call.path for call in trace.calls])
    activation_count = per_example(tally.activations, trace.batch)
    flops_by_op = {kind: flops for kind, flops in tally.flops.most_common() if flops}
    return TraceCompute(
        self_macs, total_macs, dict(by_class), tally.repeats, notes, bounds, uncounted, activation_count, flops_by_op
    )


def _count_graph(trace: Trace, graph: Any, repeats: int, owner: int) -> _Tally:
    """MACs of the operations of ``graph`` (run ``repeats`` times), by owning call.

    Operations of a graph that no layer call was made in (a loop body or a
    function without layers inside) belong to ``owner``, the call that made
    the loop or called the function.
    """
    tally = _Tally(repeats={id(graph): repeats})
    owners = trace.owners if trace.owners is not None and trace.owners.knows(graph) else None
    costs: dict[Hashable, _OpCost] = {}  # by kind (Trace.kinds): operations of repeated calls priced once
    for op in graph.get_operations():
        kind = op.type
        if kind not in FORMULAS and kind not in NESTING_TYPES and is_free(kind):
            continue
        made_by = owners.owner(op) if owners is not None else owner
        made_by = 0 if made_by is None else made_by
        if made_by == UNCOUNTED:
            continue
        if kind in NESTING_TYPES:
            tally.add(_count_nested(trace, op, repeats, made_by))
            continue
        same = trace.kinds.get(id(op))
        cost = costs.get(same) if same is not None else None
        if cost is None:
            cost = _op_cost(op)
            if same is not None:
                costs[same] = cost
        tally.flops[kind] += per_example(cost.flops, trace.batch) * repeats  # per op: weight-only ones stay whole
        if kind not in FORMULAS:
            tally.skipped[kind, made_by] += repeats
            continue
        macs = cost.macs
        if macs is None:
            tally.unknown[kind] += 1
        elif macs:
            tally.macs[made_by] += macs * repeats
            tally.activations += cost.elements * repeats
            if grows_with_batch(macs, trace.batch):
                tally.batch_grown[made_by] += per_example(macs * repeats, trace.batch)
    return tally


@dataclass(frozen=True)
class _OpCost:
    flops: int
    macs: int | None
    elements: int


def _op_cost(op: Any) -> _OpCost:
    """An operation's FLOPs, MACs (None: no formula, or not countable) and output elements (when it has MACs)."""
    macs = op_macs(op) if op.type in FORMULAS else None
    return _OpCost(op_flops(op), macs, output_elements(op) if macs else 0)


def _count_nested(trace: Trace, op: Any, repeats: int, owner: int) -> _Tally:
    """The MACs of the graphs a While, If or function-call operation runs."""
    if op.type in WHILE_TYPES:
        return _count_loop(trace, op, repeats, owner)
    if op.type in IF_TYPES:
        return _count_branches(trace, op, repeats, owner)
    function = called_graph(op)
    return _Tally() if function is None else _count_graph(trace, function, repeats, owner)


def _count_loop(trace: Trace, op: Any, repeats: int, owner: int) -> _Tally:
    body = loop_body(op)
    if body is None:
        return _Tally()
    maximum = _iterations(op)
    iterations, bound = loop_count(trip_count(op, _static_value), maximum)
    tally = _count_graph(trace, body, repeats * iterations, owner)
    if bound == LOWER:
        tally.unbounded_loops += 1
    elif bound == UPPER:
        tally.bounded_loops.append(iterations)
    tally.bounds |= {bound} if bound else set()
    return tally


def _iterations(op: Any) -> int | None:
    """The static iteration count of a ``while_v2`` loop: its ``maximum_iterations`` input (the second)."""
    if len(op.inputs) < 2:
        return None
    value = _static_value(op.inputs[1])
    return int(value) if value is not None and int(value) >= 0 else None


def _static_value(tensor: Any) -> Any:
    """The value of a tensor known when the graph is built, or None.

    Beyond what ``tf.get_static_value`` folds, the maximum of a constant: Keras's
    RNN bounds its loop with ``reduce_max`` of the sequence lengths.
    """
    import numpy as np
    import tensorflow as tf

    value = tf.get_static_value(tensor)
    if value is None and tensor.op.type == "Max" and tensor.op.inputs:
        operand = tf.get_static_value(tensor.op.inputs[0])
        value = None if operand is None or np.size(operand) == 0 else np.max(operand)
    return value


def _count_branches(trace: Trace, op: Any, repeats: int, owner: int) -> _Tally:
    tallies = [_count_graph(trace, graph, repeats, owner) for graph in branch_graphs(op)]
    costliest = max(tallies, key=lambda tally: sum(tally.macs.values()), default=_Tally())
    if len({sum(tally.macs.values()) for tally in tallies}) > 1:
        costliest.bounds.add(UPPER)
        costliest.uneven_branches += 1
    return costliest


def _notes(tally: _Tally) -> list[str]:
    notes = []
    if tally.unknown:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(tally.unknown.items()))
        notes.append(f"not counted: operations whose sizes are known only at run time ({kinds})")
    if tally.unbounded_loops:
        notes.append(f"{tally.unbounded_loops} loop(s) without a static iteration count counted once")
    if tally.bounded_loops:
        counts = ", ".join(str(count) for count in tally.bounded_loops)
        notes.append(f"loop(s) counted at their maximum_iterations ({counts}): an upper bound")
    if tally.uneven_branches:
        notes.append(f"{tally.uneven_branches} conditional(s) counted at their costlier branch: an upper bound")
    return notes


def _batch_notes(grown: Counter[int], paths: list[str]) -> list[str]:
    """A note per call whose MACs per example grow with the batch (counted at batch 1)."""
    return [
        f"{paths[owner] or 'the model'}: MACs grow with the square of the batch (examples multiplied with each "
        f"other): counted at batch 1; at batch B that is B x {macs:,} per example, B x B x {macs:,} per batch"
        for owner, macs in grown.items()
    ]
