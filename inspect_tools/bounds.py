"""Whether a count is exact, or a bound: loops whose trip count is read from the graph, and conditionals.

A ``tf.while_loop`` runs its body a number of times its graph may or may not
tell. :func:`trip_count` reads the common case: a condition ``i < n`` (or
``i <= n``, ``n > i`` ..., several joined by ``logical_and``) on a loop
variable that starts at a constant and grows by a constant each iteration,
``n`` a constant or a tensor known when the graph is built (Keras's recurrent
layers loop ``time < time_steps``). :func:`loop_count` then says how often the
body is counted and whether that count is exact:

- a trip count read from the condition: exact (at most ``maximum_iterations``);
- only ``maximum_iterations``: counted that often, an upper bound (the
  condition may stop the loop earlier);
- neither: counted once, a lower bound.

Of a conditional (``tf.cond``, ``keras.ops.cond``) the costlier branch is
counted: an upper bound when the branches cost differently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from kreg.inspect_tools.keras_compat import loop_body, loop_condition

UPPER = "upper"
"""The figure is at most this: a costlier branch, or a loop counted at its ``maximum_iterations``."""

LOWER = "lower"
"""The figure is at least this: a loop counted once, or operations whose sizes are known only at run time."""

_MAXIMUM_TEST = -1
"""What :func:`_trips` reads for the test ``while_v2`` adds for ``maximum_iterations``: not the condition's own."""

_COMPARISONS = {"Less": False, "LessEqual": True, "Greater": False, "GreaterEqual": True}
"""Comparison operation -> whether the bound itself is reached (``<=``)."""


def loop_count(trip: int | None, maximum: int | None) -> tuple[int, str | None]:
    """How many times a loop's body is counted, and the bound that count is (None: exact).

    Args:
        trip: int or None. The trip count read from the condition (:func:`trip_count`).
        maximum: int or None. The loop's static ``maximum_iterations``.
    """
    if trip is not None:
        return (trip if maximum is None else min(trip, maximum)), None
    if maximum is not None:
        return maximum, UPPER
    return 1, LOWER


def trip_count(op: Any, static_value: Any) -> int | None:
    """The number of iterations of a While operation, read from its condition; None when it cannot be read.

    Args:
        op: tf.Operation. A ``While`` or ``StatelessWhile`` made by ``while_v2``.
        static_value: Callable. Reads a tensor's value known when the graph is built, or None.
    """
    condition, body = loop_condition(op), loop_body(op)
    if condition is None or body is None or not condition.outputs:
        return None
    trips = _trips(condition.outputs[0].op, op, condition, body, static_value)
    return None if trips == _MAXIMUM_TEST else trips


def _trips(test: Any, op: Any, condition: Any, body: Any, static_value: Any) -> int | None:
    """Trips of the loop for the boolean ``test`` of its condition graph."""
    if test.type == "Identity":
        return _trips(test.inputs[0].op, op, condition, body, static_value)
    if test.type == "LogicalAnd":
        # The loop stops at the first false test: the least trip count, when every test's is known.
        counts = [_trips(operand.op, op, condition, body, static_value) for operand in test.inputs]
        counts = [count for count in counts if count != _MAXIMUM_TEST]
        if not counts or None in counts:
            return None if counts else _MAXIMUM_TEST
        return min(count for count in counts if count is not None)
    if test.type not in _COMPARISONS:
        return None
    left, right = test.inputs[0], test.inputs[1]
    inclusive = _COMPARISONS[test.type]
    if test.type.startswith("Greater"):
        left, right = right, left  # n > i is i < n
    if _input_position(left, condition) == 0:
        return _MAXIMUM_TEST  # while_v2's own counter, tested against maximum_iterations (counted apart)
    start_step = _counter(left, op, condition, body, static_value)
    limit = _outer_value(right, op, condition, static_value)
    if start_step is None or limit is None:
        return None
    start, step = start_step
    if step <= 0:
        return None
    span = int(limit) - start + (1 if inclusive else 0)
    return max(0, math.ceil(span / step))


def _counter(tensor: Any, op: Any, condition: Any, body: Any, static_value: Any) -> tuple[int, int] | None:
    """``(start, step)`` of a loop variable that starts at a constant and grows by a constant; else None."""
    position = _input_position(tensor, condition)
    if position is None or position >= len(body.outputs):
        return None
    start = static_value(op.inputs[position])
    update = body.outputs[position].op
    if start is None or update.type not in ("AddV2", "Add"):
        return None
    current = body.inputs[position].name
    others = [operand for operand in update.inputs if operand.name != current]
    if len(others) != 1:
        return None
    step = static_value(others[0])
    return None if step is None else (int(start), int(step))


def _outer_value(tensor: Any, op: Any, condition: Any, static_value: Any) -> Any:
    """The value of a tensor of the condition graph: a constant in it, or the loop's input it stands for."""
    value = static_value(tensor)
    if value is not None:
        return value
    position = _input_position(tensor, condition)
    return None if position is None or position >= len(op.inputs) else static_value(op.inputs[position])


def _input_position(tensor: Any, graph: Any) -> int | None:
    for position, placeholder in enumerate(graph.inputs):
        if placeholder.name == tensor.name:
            return position
    return None


def combined(bounds: Iterable[str]) -> str | None:
    """The one bound several bounded figures add up to: ``upper``, ``lower``, or None when they mix (or none)."""
    kinds = set(bounds)
    return next(iter(kinds)) if len(kinds) == 1 else None


def bound_symbol(exact: bool, bounds: str | None) -> str:
    """``"≤ "`` for an upper bound, ``"≥ "`` for a lower one, ``"~ "`` for neither, ``""`` for an exact figure."""
    if exact:
        return ""
    return {UPPER: "≤ ", LOWER: "≥ "}.get(bounds or "", "~ ")


def grows_with_batch(macs: int, batch: int | None) -> bool:
    """True when an operation's MACs at batch size ``batch`` (a prime) grow with its square.

    Examples multiplied with each other (an in-batch similarity,
    ``matmul(a, transpose(b))`` over the batch) cost B x B x n per batch: per
    example that is B x n, more with every example added. Counted per example
    at batch 1, the figure is a lower bound for any larger batch.
    """
    return bool(batch and batch > 1 and macs and macs % (batch * batch) == 0)
