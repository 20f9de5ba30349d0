"""FLOPs of every operation, by operation type: ``kreg inspect --count all`` (``compute.flops``, ``compute.by_op``).

A product (every operation :mod:`kreg.inspect_tools.op_costs` counts MACs
of) is 2 x its MACs. The other operations follow the formula of their type
(``n`` the elements of the first output, ``N`` of the first input, ``k``
the operands): where TensorFlow's profiler has a count
(``tf.compat.v1.profiler`` ``float_operation``, its ``flops_registry``),
kreg's is the profiler's:

- one per output element, ``n``: the binary element-wise operations
  (``Add``, ``AddV2``, ``Sub``, ``Mul``, ``RealDiv``, ``Maximum``,
  ``Minimum``, ``Pow``, ``SquaredDifference``, the comparisons), ``BiasAdd``,
  and the unary ``Reciprocal``, ``Square``, ``Log``, ``Neg``;
- ``Rsqrt``: ``2 n`` (a square root and a division);
- ``AddN``: ``(k - 1) n``;
- pooling (``MaxPool``, ``AvgPool``, 2-D and 3-D): window area x ``n``;
- ``Mean``: ``N`` (a sum and a division per output);
  ``Sum``, ``ArgMax``, ``ArgMin``: ``N - n``;
- ``Softmax``: ``5 n`` (max, subtract, exp, sum, divide).

Where the profiler has none, kreg's own: the activations and other unary
functions (:data:`KREG_PER_OUTPUT`: ``Relu``, ``Sigmoid``, ``Tanh``, ``Erf``,
``Exp``, ``Sqrt`` ...): ``n``; the reductions ``Max``, ``Min``, ``Prod``:
``N - n``; ``LogSoftmax``: ``5 n``; ``FusedBatchNorm*`` at inference:
``2 n`` (a scale and a shift per element). An operation of any other type
(and one whose sizes are unknown) counts 0: it stays in ``compute.uncounted``.
"""

from __future__ import annotations

import math
from typing import Any

from kreg.inspect_tools.op_costs import FORMULAS, op_macs

PROFILER_PER_OUTPUT = frozenset(
    {
        "Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Pow", "SquaredDifference", "Greater",
        "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual", "BiasAdd", "Reciprocal", "Square", "Log", "Neg",
    }
)  # fmt: skip
"""Operation types the profiler counts one FLOP per output element."""

KREG_PER_OUTPUT = frozenset(
    {
        "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Softsign", "Exp", "Expm1",
        "Log1p", "Sqrt", "Abs", "Erf", "Sign", "Floor", "Ceil", "Round", "Sin", "Cos", "Div", "DivNoNan",
        "FloorDiv", "FloorMod", "MulNoNan", "Inv",
    }
)  # fmt: skip
"""Operation types the profiler has no count for, counted one FLOP per output element by kreg."""

POOLS = frozenset({"MaxPool", "AvgPool", "MaxPool3D", "AvgPool3D"})
PROFILER_REDUCTIONS = frozenset({"Sum", "ArgMax", "ArgMin"})
KREG_REDUCTIONS = frozenset({"Max", "Min", "Prod"})

PROFILER_PRODUCTS = frozenset(
    {"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D", "Conv3D", "DepthwiseConv2dNative"}
)  # fmt: skip
"""The products the profiler counts as kreg does (2 x MACs).

It has no formula for ``Einsum``, ``Conv`` (N-D), ``CudnnRNN``, and its
``Conv2DBackpropInput`` (a transposed convolution) is estimated from the
output size, where kreg counts each input element against the whole kernel.
"""

PROFILER_SEES = (
    PROFILER_PRODUCTS | PROFILER_PER_OUTPUT | PROFILER_REDUCTIONS | POOLS | {"AddN", "Mean", "Softmax", "Rsqrt"}
)
"""Operation types kreg counts with tf.profiler's formula.

The profiler sees them only in the graph it is given: a loop's body once
whatever the iterations (where its sizes are known at all), nothing inside a
function call (Keras's grouped convolution, an XLA-compiled block).
"""


def _elements(tensor: Any) -> int | None:
    shape = tensor.shape
    if shape.rank is None or any(size is None for size in shape.as_list()):
        return None
    return math.prod(int(size) for size in shape.as_list())


def op_flops(op: Any) -> int:
    """FLOPs of one operation at its graph's sizes: the formula of its type (module docstring); 0 if none.

    Args:
        op: tf.Operation. Any operation.

    Returns:
        int. 0 for an operation of a type without a formula, or whose sizes are unknown.
    """
    kind = op.type
    if kind in FORMULAS:
        return 2 * (op_macs(op) or 0)
    out = _elements(op.outputs[0]) if op.outputs else None
    if out is None:
        return 0
    return _elementwise(op, kind, out)


def _elementwise(op: Any, kind: str, out: int) -> int:
    """FLOPs of an operation that is not a product, ``out`` its output elements."""
    if kind in PROFILER_PER_OUTPUT or kind in KREG_PER_OUTPUT:
        return out
    if kind == "Rsqrt":
        return 2 * out
    if kind == "AddN":
        return (len(op.inputs) - 1) * out
    if kind in POOLS:
        return int(math.prod(op.get_attr("ksize"))) * out
    if kind in ("Softmax", "LogSoftmax"):
        return 5 * out
    if kind.startswith("FusedBatchNorm"):
        return 2 * out
    if kind == "Mean" or kind in PROFILER_REDUCTIONS or kind in KREG_REDUCTIONS:
        operand = _elements(op.inputs[0]) if op.inputs else None
        if operand is None:
            return 0
        return operand if kind == "Mean" else operand - out
    return 0
