"""The private TensorFlow attributes kreg's compute analysis reads, in one place.

TensorFlow has no public way to reach the graph of a while loop's body from the
loop's operation, or an operation's creation order; these one-line helpers are
the only code that touches those attributes, so a TensorFlow upgrade that
renames them is fixed here (and this module can move into a shared
compatibility layer unchanged).
"""

from __future__ import annotations

from typing import Any

WHILE_TYPES = frozenset({"While", "StatelessWhile"})
IF_TYPES = frozenset({"If", "StatelessIf"})
CALL_TYPES = frozenset({"PartitionedCall", "StatefulPartitionedCall"})


def op_id(op: Any) -> int:
    """The creation number of an operation in its graph: later operations have larger ones."""
    return op._id  # noqa: SLF001


def last_op_id(graph: Any) -> int:
    """The creation number of the latest operation of ``graph`` (1 for an empty graph).

    ``graph.version`` (public) counts the operations; TensorFlow numbers the
    n-th operation n + 1 (checked by a test, so an upgrade that changes it fails there).
    """
    return graph.version + 1


def loop_body(op: Any) -> Any:
    """The FuncGraph of a While operation's body (as ``while_v2`` kept it), or None."""
    return getattr(op, "_body_graph", None)


def branch_graphs(op: Any) -> list[Any]:
    """The FuncGraphs of an If operation's two branches (as ``cond_v2`` kept them); empty when unknown."""
    graphs = [getattr(op, "_true_graph", None), getattr(op, "_false_graph", None)]
    return [graph for graph in graphs if graph is not None]


def called_graph(op: Any) -> Any:
    """The FuncGraph of the ``tf.function`` a (Stateful)PartitionedCall operation runs, or None.

    Keras runs a grouped convolution this way on CPU (an XLA-compiled function).
    """
    try:
        function = op.graph._get_function(op.get_attr("f").name)  # noqa: SLF001
    except Exception:  # not a function call, or a function defined elsewhere
        return None
    return getattr(function, "graph", None)
