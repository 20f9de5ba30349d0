"""Element-wise FLOPs against tf.profiler's ``float_operation`` on three conv nets (issue 24, part 5).

The profiler counts the products (2 x MACs) and the element-wise operations
it has a formula for (bias adds, batch-norm arithmetic as Add/Mul/Rsqrt,
residual sums, pooling, means); kreg's formulas for those are the same, so
the totals over the operation types both count agree within 2 %. Operations
the profiler has no count for (Relu, Softmax, Einsum, loops, XLA-wrapped
grouped convolutions) are left out of the comparison.
"""

from __future__ import annotations

import keras
import pytest
import tensorflow as tf

from kreg.inspect_tools.compute import TRACE_BATCH
from kreg.inspect_tools.flops import PROFILER_SEES, flops_by_op
from kreg.inspect_tools.op_costs import FORMULAS, per_example
from kreg.inspect_tools.tracing import trace_model

NETS = [
    lambda: keras.applications.ResNet50(weights=None, input_shape=(64, 64, 3), classes=10),
    lambda: keras.applications.MobileNetV2(weights=None, input_shape=(64, 64, 3), classes=10),
    lambda: keras.applications.VGG16(weights=None, input_shape=(64, 64, 3), classes=10),
]


def _profiler_by_type(graph) -> dict[str, int]:
    """The profiler's FLOPs of every node of ``graph``, summed by operation type."""
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    by_type: dict[str, int] = {}
    pending = [tf.compat.v1.profiler.profile(graph, options=options, cmd="scope")]
    while pending:
        node = pending.pop()
        pending.extend(node.children)
        if node.float_ops and not node.children:
            kind = graph.get_operation_by_name(node.name).type
            by_type[kind] = by_type.get(kind, 0) + per_example(node.float_ops, TRACE_BATCH)
    return by_type


@pytest.mark.parametrize("make", NETS, ids=["resnet50", "mobilenetv2", "vgg16"])
def test_flops_agree_with_the_tf_profiler_within_2_percent(make):
    trace = trace_model(make(), batch=TRACE_BATCH)
    profiler = _profiler_by_type(trace.graph)
    kreg = flops_by_op(trace)
    compared = [kind for kind in profiler if kind in PROFILER_SEES or kind in FORMULAS]
    assert {"BiasAdd", "Conv2D"} <= set(compared)
    ours, theirs = sum(kreg.get(kind, 0) for kind in compared), sum(profiler[kind] for kind in compared)
    assert abs(ours - theirs) <= 0.02 * theirs, {kind: (kreg.get(kind), profiler[kind]) for kind in compared}
