"""Multiply-accumulates of the backward pass, counted from the gradient operations TensorFlow makes.

A training step differentiates a loss with respect to the model's trainable
weights. :func:`count_backward` traces the model
(:mod:`kreg.inspect_tools.tracing`, its own scratch graph) and asks TensorFlow
for the gradients of the sum of the model's outputs with respect to the
placeholders of its trainable weights (``tf.gradients``: the same gradient
functions a ``GradientTape`` in a ``tf.function`` runs). The loss itself (a sum)
has no MACs; what is counted is what flows back through the model.

Only the gradient operations the weights' gradients depend on are counted:
those TensorFlow would run (a ``tf.function`` prunes the rest). So the first
layer computes no gradient for its input, and a frozen layer
(``trainable=False``) no gradient for its weights; nor does anything before
the first trainable layer pass a gradient back. Each gradient operation is
named after the forward operation it differentiates
(``kreg_backward/<forward op>_grad/...``) and is credited to the layer call
that created that forward operation, with the formulas of
:mod:`kreg.inspect_tools.op_costs` (the gradient of a ``MatMul`` is two
``MatMul``; of a convolution, ``Conv2DBackpropInput`` and
``Conv2DBackpropFilter``, costed here). The gradients of a loop (a recurrent
layer) or a function call run graphs of their own, counted with everything
in them, once per iteration.

Left out: the loss of the architecture's own train step (a VAE's KL term, a
GAN's two losses: only the sum of the outputs is differentiated) and the
optimizer's update, element-wise (a few operations per weight, no MACs).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kreg.inspect_tools.backward_replay import BackwardTotals, ReplayUnsupported, replay_backward
from kreg.inspect_tools.compute import TRACE_BATCH
from kreg.inspect_tools.compute import _iterations as loop_iterations
from kreg.inspect_tools.keras_compat import CALL_TYPES, IF_TYPES, WHILE_TYPES, branch_graphs, called_graph, loop_body
from kreg.inspect_tools.keras_types import KerasModel
from kreg.inspect_tools.memory import gradients_in_flight_bytes, saved_tensor_bytes
from kreg.inspect_tools.op_costs import FORMULAS, per_example
from kreg.inspect_tools.op_owners import UNCOUNTED
from kreg.inspect_tools.tracing import Trace, trace_model

GRADIENT_SCOPE = "kreg_backward"
"""The name scope of the gradient operations (``tf.gradients(..., name=GRADIENT_SCOPE)``)."""


def _sizes(tensor: Any) -> list[int] | None:
    dims = tensor.shape.as_list() if tensor.shape.rank is not None else None
    if dims is None or any(size is None for size in dims):
        return None
    return [int(size) for size in dims]


def _filter_gradient(window_axes: int) -> Callable[[Any], int | None]:
    """MACs of a filter gradient: each ``out_backprop`` element times the kernel window (x input channels).

    The same count as the forward convolution it differentiates: the output
    (the filter's shape) sums one product per output position for every kernel element.
    """

    def macs(op: Any) -> int | None:
        out_backprop, kernel = _sizes(op.inputs[2]), _sizes(op.outputs[0])
        if out_backprop is None or kernel is None:
            return None
        return math.prod(out_backprop) * math.prod(kernel[:window_axes])

    return macs


def _depthwise_input_gradient(op: Any) -> int | None:
    """``DepthwiseConv2dNativeBackpropInput``: each ``out_backprop`` element times the kernel window."""
    out_backprop, kernel = _sizes(op.inputs[2]), _sizes(op.inputs[1])
    if out_backprop is None or kernel is None:
        return None
    return math.prod(out_backprop) * math.prod(kernel[:-2])


GRADIENT_FORMULAS: dict[str, Callable[[Any], int | None]] = {
    **FORMULAS,
    "Conv2DBackpropFilter": _filter_gradient(-1),
    "Conv3DBackpropFilterV2": _filter_gradient(-1),
    "DepthwiseConv2dNativeBackpropFilter": _filter_gradient(-2),
    "DepthwiseConv2dNativeBackpropInput": _depthwise_input_gradient,
}
"""The forward formulas of :mod:`~kreg.inspect_tools.op_costs`, and those of the gradient-only operations."""

NESTING_TYPES = WHILE_TYPES | IF_TYPES | CALL_TYPES


@dataclass
class BackwardCompute:
    """MACs per example of one backward pass.

    Attributes:
        self_macs: list[int]. Per call index of the trace, the MACs of the
            gradients of the operations the call made itself.
        total_macs: list[int]. Per call index, with the calls inside it.
        paths: list[str]. Per call index, the call's path (as in the layer rows).
        notes: list[str]. What could not be counted.
        saved_bytes: int. Bytes per example of the forward tensors the
            gradient operations read (:func:`kreg.inspect_tools.memory.saved_tensor_bytes`).
        in_flight_bytes: int. Bytes per example of the activation gradients of the widest
            gradient operation (:func:`kreg.inspect_tools.memory.gradients_in_flight_bytes`).
    """

    self_macs: list[int]
    total_macs: list[int]
    paths: list[str]
    notes: list[str] = field(default_factory=list)
    saved_bytes: int = 0
    in_flight_bytes: int = 0

    @property
    def total(self) -> int:
        """Backward MACs per example of the whole model."""
        return self.total_macs[0] if self.total_macs else 0

    def by_path(self) -> dict[str, int]:
        """Backward MACs of each call below the root (inner calls included), by path."""
        return dict(zip(self.paths[1:], self.total_macs[1:]))


def count_backward(model: KerasModel, input_shapes: Mapping[str, Any] | None = None) -> BackwardCompute:
    """Trace ``model`` at concrete sizes and count the MACs of its backward pass per layer call.

    Args:
        model: keras.Model. A traceable model.
        input_shapes: Mapping[str, list] or None. Input shapes by name (batch
            axis None), as for :func:`~kreg.inspect_tools.tracing.trace_model`.

    Returns:
        BackwardCompute. Per call, per example.

    Raises:
        Exception: the model cannot be traced at these sizes.
    """
    return count_trace_backward(trace_model(model, batch=TRACE_BATCH, input_shapes=input_shapes))


def count_trace_backward(trace: Trace, replay: bool = True) -> BackwardCompute:
    """Count the gradient operations of ``trace``'s model by the call they differentiate.

    Args:
        trace: Trace. Its graph gains the loss (and, when the replay cannot
            count it, the gradient operations): give it a trace no one else
            reads the graph of.
        replay: bool. Count each distinct operation's gradient once
            (:mod:`kreg.inspect_tools.backward_replay`); False builds the whole
            gradient graph with ``tf.gradients`` (the reference the replay is tested against).
    """
    import tensorflow as tf

    totals = BackwardTotals()
    outputs = [tensor for tensor in trace.root.outputs if tensor.dtype.is_floating]
    if trace.trainable_inputs and outputs:
        with trace.graph.as_default():
            loss = tf.add_n([tf.reduce_sum(tf.cast(tensor, "float32")) for tensor in outputs])
        totals = (_replayed(trace, loss) if replay else None) or _graph_backward(trace, loss)
    backward = _per_call(trace, totals.macs, totals.unknown)
    backward.saved_bytes, backward.in_flight_bytes = totals.saved_bytes, totals.in_flight_bytes
    return backward


def _replayed(trace: Trace, loss: Any) -> BackwardTotals | None:
    """The backward figures replayed one distinct operation at a time; None where only ``tf.gradients`` can tell."""
    try:
        return replay_backward(trace, loss, GRADIENT_FORMULAS, GRADIENT_SCOPE)
    except ReplayUnsupported:
        return None


def _graph_backward(trace: Trace, loss: Any) -> BackwardTotals:
    """The backward figures read from the gradient graph ``tf.gradients`` builds."""
    import tensorflow as tf

    totals = BackwardTotals()
    with trace.graph.as_default():
        gradients = tf.gradients(loss, trace.trainable_inputs, name=GRADIENT_SCOPE)
    needed = _needed_gradient_ops(trace.graph, [g for g in gradients if g is not None])
    for op in needed:
        owner = _owner(trace, op)
        if owner != UNCOUNTED:
            _count_op(op, owner, 1, totals.macs, totals.unknown)
    totals.saved_bytes = saved_tensor_bytes(trace, needed, GRADIENT_SCOPE)
    totals.in_flight_bytes = gradients_in_flight_bytes(needed, trace.batch, GRADIENT_SCOPE)
    return totals


def _needed_gradient_ops(graph: Any, gradients: list[Any]) -> list[Any]:
    """The gradient operations that ``gradients`` depend on, in graph order (what a tf.function runs)."""
    needed: set[str] = set()
    pending = [tensor.op for tensor in gradients]
    while pending:
        op = pending.pop()
        if op.name in needed or not op.name.startswith(f"{GRADIENT_SCOPE}/"):
            continue
        needed.add(op.name)
        pending.extend(tensor.op for tensor in op.inputs)
        pending.extend(op.control_inputs)
    return [op for op in graph.get_operations() if op.name in needed]


def _owner(trace: Trace, op: Any) -> int:
    """The call that made the forward operation ``op`` differentiates (the root when none is named)."""
    parts = op.name.split("/")[1:]
    for end, part in enumerate(parts):
        if part.endswith("_grad"):
            forward_name = "/".join([*parts[:end], part.removesuffix("_grad")])
            try:
                forward = trace.graph.get_operation_by_name(forward_name)
            except KeyError:
                continue
            owner = trace.owners.owner(forward) if trace.owners is not None else None
            return 0 if owner is None else owner
    return 0


def _count_op(op: Any, owner: int, repeats: int, macs: Counter[int], unknown: Counter[str]) -> None:
    """Add the MACs of ``op`` (and of the graphs it runs) to ``owner``."""
    if op.type in IF_TYPES:  # the costlier branch, as the forward count does
        branches = [_graph_macs(graph, owner, repeats, unknown) for graph in branch_graphs(op)]
        macs.update(max(branches, key=lambda branch: sum(branch.values()), default=Counter()))
        return
    if op.type in NESTING_TYPES:
        for graph, times in _nested_graphs(op):
            macs.update(_graph_macs(graph, owner, repeats * times, unknown))
        return
    formula = GRADIENT_FORMULAS.get(op.type)
    if formula is None:
        return
    count = formula(op)
    if count is None:
        unknown[op.type] += 1
    else:
        macs[owner] += count * repeats


def _graph_macs(graph: Any, owner: int, repeats: int, unknown: Counter[str]) -> Counter[int]:
    """The MACs of every operation of a graph a gradient operation runs, all credited to ``owner``."""
    macs: Counter[int] = Counter()
    for op in graph.get_operations():
        _count_op(op, owner, repeats, macs, unknown)
    return macs


def _nested_graphs(op: Any) -> list[tuple[Any, int]]:
    """The graph a While or function call runs, with how many times it runs (a loop: its iterations)."""
    if op.type in WHILE_TYPES:
        body = loop_body(op)
        # The gradient loop runs as many times as the forward one: it keeps its maximum_iterations.
        return [] if body is None else [(body, loop_iterations(op) or 1)]
    graph = called_graph(op)
    return [] if graph is None else [(graph, 1)]


def _per_call(trace: Trace, macs: Counter[int], unknown: Counter[str]) -> BackwardCompute:
    self_macs = [0] * len(trace.calls)
    for owner, count in macs.items():
        self_macs[owner] += per_example(count, trace.batch)
    total_macs = list(self_macs)
    for call in reversed(trace.calls):
        if call.parent is not None:
            total_macs[call.parent] += total_macs[call.index]
    notes = []
    if unknown:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(unknown.items()))
        notes.append(f"backward not counted: gradient operations whose sizes are known only at run time ({kinds})")
    return BackwardCompute(self_macs, total_macs, [call.path for call in trace.calls], notes)
