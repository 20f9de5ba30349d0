"""Element-wise FLOPs of the operations that are not MACs, by operation type (issue 24, part 5, in progress).

The formula per operation type (``n`` the elements of the first output,
``N`` of the first input): where TensorFlow's profiler has a count
(``tf.compat.v1.profiler`` ``float_operation``), kreg's is the same:

- binary element-wise (``Add``, ``AddV2``, ``Sub``, ``Mul``, ``RealDiv``,
  ``Maximum``, ``Minimum``, ``Pow``, ``SquaredDifference``, comparisons), ``BiasAdd``,
  and the unary ``Reciprocal``, ``Square``, ``Rsqrt``, ``Log``, ``Neg``: ``n``;
- ``AddN`` of ``k`` operands: ``(k - 1) n``;
- ``MaxPool``, ``AvgPool`` (2-D and 3-D): window area x ``n``;
- ``Mean``: ``N + n``; ``Sum``, ``Max``, ``Min``, ``Prod``, ``ArgMax``, ``ArgMin``: ``N``;

and where it has none, kreg's own: activations (``Relu``, ``Relu6``,
``Elu``, ``Selu``, ``LeakyRelu``, ``Sigmoid``, ``Tanh``, ``Softplus``,
``Exp``, ``Sqrt``, ``Abs``, ``Erf``): ``n``; ``Softmax``, ``LogSoftmax``:
``5 n`` (max, subtract, exp, sum, divide); ``FusedBatchNorm*`` at inference:
``2 n`` (a scale and a shift per element).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from kreg.inspect_tools.compute import NESTING_TYPES, TRACE_BATCH
from kreg.inspect_tools.op_costs import FORMULAS, op_macs, per_example
from kreg.inspect_tools.tracing import Trace

PER_OUTPUT = frozenset(
    {
        "Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Pow", "SquaredDifference", "Greater",
        "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual", "BiasAdd", "Reciprocal", "Square", "Rsqrt",
        "Log", "Neg",
        # kreg's own (the profiler counts none)
        "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Exp", "Sqrt", "Abs", "Erf",
    }
)  # fmt: skip
"""Operation types counted one FLOP per output element."""

KREG_ONLY = frozenset(
    {"Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Exp", "Sqrt", "Abs", "Erf"}
)
"""Operation types the profiler has no count for, counted one FLOP per output element by kreg."""

REDUCTIONS = frozenset({"Mean", "Sum", "Max", "Min", "Prod", "ArgMax", "ArgMin"})
POOLS = frozenset({"MaxPool", "AvgPool", "MaxPool3D", "AvgPool3D"})

PROFILER_SEES = (PER_OUTPUT - KREG_ONLY) | REDUCTIONS | POOLS | {"AddN"}
"""Operation types tf.profiler's ``float_operation`` counts with the same formula as kreg's."""


def _elements(tensor: Any) -> int:
    shape = tensor.shape
    if shape.rank is None or any(size is None for size in shape.as_list()):
        return 0
    return math.prod(int(size) for size in shape.as_list())


def op_flops(op: Any) -> int:
    """FLOPs of one operation at its graph's sizes: 2 x MACs for a product, the formula above otherwise (0 if none)."""
    kind = op.type
    if kind in FORMULAS:
        return 2 * (op_macs(op) or 0)
    out = _elements(op.outputs[0]) if op.outputs else 0
    if kind in PER_OUTPUT:
        return out
    if kind == "AddN":
        return (len(op.inputs) - 1) * out
    if kind in POOLS:
        return int(math.prod(op.get_attr("ksize"))) * out
    if kind == "Mean":
        return _elements(op.inputs[0]) + out
    if kind in ("Sum", "Max", "Min", "Prod", "ArgMax", "ArgMin"):
        return _elements(op.inputs[0])
    if kind in ("Softmax", "LogSoftmax"):
        return 5 * out
    if kind.startswith("FusedBatchNorm"):
        return 2 * out
    return 0


def flops_by_op(trace: Trace) -> dict[str, int]:
    """FLOPs per example of every operation type of a trace's graph (loops and functions not walked), largest first."""
    totals: Counter[str] = Counter()
    batch = trace.batch or TRACE_BATCH
    for op in trace.graph.get_operations():
        if op.type not in NESTING_TYPES:
            totals[op.type] += per_example(op_flops(op), batch)  # per operation: weight-only ones stay whole
    return {kind: flops for kind, flops in totals.most_common() if flops}
