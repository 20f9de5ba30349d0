"""Which layer call each tensor of a trace comes from.

Inside a custom layer, the tensor one layer call returns often reaches the next
through plain ops (``x + attention``, a reshape, a mask); the graph of layer
calls needs the calls at both ends. :class:`TensorSources` walks back through
the TensorFlow ops of the trace to the nearest tensors a call returned or the
enclosing call received.
"""

from __future__ import annotations

from typing import Any

from kreg.inspect_tools.tracing import Call


class TensorSources:
    """Which traced call (or input of the enclosing call) each tensor comes from.

    Tensors between layer calls may pass through plain ops (``x + attention``);
    :meth:`sources` walks back through those ops to the nearest known tensors.
    """

    def __init__(self, call: Call):
        self._known: dict[Any, set[tuple[str, int, int]]] = {}
        self._memo: dict[Any, frozenset] = {}
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

    def sources(self, tensor: Any) -> frozenset:
        """The known sources ``(kind, index, output_index)`` that ``tensor`` is computed from."""
        key = _key(tensor)
        if key in self._known:
            return frozenset(self._known[key])
        if key in self._memo:
            return self._memo[key]
        return self._walk(tensor)

    def _walk(self, start: Any) -> frozenset:
        # Iterative post-order walk over the producing ops, so long op chains cannot overflow the stack.
        stack = [(start, False)]
        while stack:
            tensor, expanded = stack.pop()
            key = _key(tensor)
            if key in self._known or (key in self._memo and not expanded):
                continue
            inputs = list(getattr(getattr(tensor, "op", None), "inputs", ()))
            if expanded:
                found: set = set()
                for item in inputs:
                    found |= self._known.get(_key(item)) or self._memo.get(_key(item), frozenset())
                self._memo[key] = frozenset(found)
                continue
            self._memo[key] = frozenset()  # marks "being visited": cycles (while loops) end here
            stack.append((tensor, True))
            stack.extend((item, False) for item in inputs if _key(item) not in self._memo)
        return self._memo[_key(start)]


def _key(tensor: Any) -> Any:
    # Graph tensors have unique names; their Python objects are not hashable.
    name = getattr(tensor, "name", None)
    return name if isinstance(name, str) else id(tensor)
