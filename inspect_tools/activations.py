"""Activation count as fvcore and timm define it: output elements of the convolutions and matrix products.

fvcore's ``ActivationCountAnalysis`` (and timm's result tables, column
``activations``) count, per example, the elements every convolution, linear
layer, matmul and einsum writes. kreg counts the same from the traced graph:
the output elements of each operation that has a MAC formula
(:data:`~kreg.inspect_tools.op_costs.FORMULAS`), once per run (a loop body's
per iteration), divided back to one example like the MACs. Element-wise
operations (activations, normalisation, additions) are not counted, as in
fvcore.
"""

from __future__ import annotations

import math
from typing import Any


def output_elements(op: Any) -> int:
    """Elements of the first output of ``op`` at the trace's sizes (0 when a size is unknown)."""
    shape = op.outputs[0].shape if op.outputs else None
    if shape is None or shape.rank is None:
        return 0
    sizes = shape.as_list()
    return 0 if any(size is None for size in sizes) else math.prod(int(size) for size in sizes)
