"""Which layer call each tensor of a trace comes from.

Inside a custom layer, the tensor one layer call returns often reaches the next
through plain ops (``x + attention``, a reshape, a mask); the graph of layer
calls needs the calls at both ends. :class:`TensorSources` walks back through
the TensorFlow ops of the trace to the nearest tensors a call returned or the
enclosing call received.

A recurrent layer's cell runs in the body of a while loop, a graph of its own:
the walk goes from the loop's outputs into the body's outputs, and from the
body's inputs out to the tensors the loop started from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kreg.inspect_tools.keras_compat import WHILE_TYPES, loop_body
from kreg.inspect_tools.tracing import Call

Source = tuple[str, int, int]
"""Where a tensor comes from: ``("input", index, 0)`` or ``("call", call index, output index)``."""


class TensorSources:
    """Which traced call (or input of the enclosing call) each tensor comes from.

    Tensors between layer calls may pass through plain ops (``x + attention``);
    :meth:`sources` walks back through those ops to the nearest known tensors.
    """

    def __init__(self, call: Call, loop_of: Callable[[Any], Any] | None = None):
        """Start from the inputs of ``call``.

        Args:
            call: Call. The enclosing call whose inner calls are connected.
            loop_of: Callable or None. Given a loop body's graph, the While
                operation running it (:meth:`Trace.loop_of`); None stops walks
                at a body's inputs.
        """
        self._loop_of = loop_of
        self._known: dict[Any, set[Source]] = {}
        self._memo: dict[Any, frozenset[Source]] = {}
        for index, tensor in enumerate(call.inputs):
            self._known.setdefault(_key(tensor), set()).add(("input", index, 0))

    def add_outputs(self, call: Call) -> None:
        """Make ``call``'s outputs known sources.

        A layer that returns its input unchanged (Dropout at inference) yields a
        tensor that is already known: the latest call becomes its source, as
        the layers after it read what it returned.
        """
        for index, tensor in enumerate(call.outputs):
            self._known[_key(tensor)] = {("call", call.index, index)}

    def sources(self, tensor: Any) -> frozenset[Source]:
        """The known sources ``(kind, index, output_index)`` that ``tensor`` is computed from."""
        key = _key(tensor)
        if key in self._known:
            return frozenset(self._known[key])
        if key in self._memo:
            return self._memo[key]
        return self._walk(tensor)

    def _walk(self, start: Any) -> frozenset[Source]:
        # Iterative post-order walk over the producing ops, so long op chains cannot overflow the stack.
        stack = [(start, False)]
        while stack:
            tensor, expanded = stack.pop()
            key = _key(tensor)
            if key in self._known or (key in self._memo and not expanded):
                continue
            inputs = self._inputs_of(tensor)
            if expanded:
                found: set[Source] = set()
                for item in inputs:
                    found |= self._known.get(_key(item)) or self._memo.get(_key(item), frozenset())
                self._memo[key] = frozenset(found)
                continue
            self._memo[key] = frozenset()  # marks "being visited": cycles (while loops) end here
            stack.append((tensor, True))
            stack.extend((item, False) for item in inputs if _key(item) not in self._memo)
        return self._memo[_key(start)]

    def _inputs_of(self, tensor: Any) -> list[Any]:
        """The tensors ``tensor`` is computed from, across the border of a while loop's body."""
        op = getattr(tensor, "op", None)
        if op is None:
            return []
        if op.type in WHILE_TYPES and loop_body(op) is not None:
            outputs = loop_body(op).outputs
            return [outputs[tensor.value_index]] if tensor.value_index < len(outputs) else list(op.inputs)
        if op.type == "Placeholder" and self._loop_of is not None:
            loop = self._loop_of(op.graph)
            if loop is not None:
                names = [item.name for item in loop_body(loop).inputs]
                if tensor.name in names and len(names) == len(loop.inputs):
                    return [loop.inputs[names.index(tensor.name)]]
        return list(op.inputs)


def _key(tensor: Any) -> Any:
    # Graph tensors have unique names within their graph (a loop body is another graph);
    # their Python objects are not hashable.
    name = getattr(tensor, "name", None)
    graph = getattr(tensor, "graph", None)
    return (id(graph), name) if isinstance(name, str) else id(tensor)
