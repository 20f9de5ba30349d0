"""Which layer call created each TensorFlow operation of a trace.

While a model is traced, every layer call that opens or closes is a moment
when the operations TensorFlow creates start to belong to another call (the
innermost call still open). :class:`OpOwners` notes, at each such moment, how
far each graph has numbered its operations; an operation then belongs to
the call that was innermost when its number was handed out. A
recurrent layer builds its loop body in a graph of its own, so the count is
kept per graph.
"""

from __future__ import annotations

import bisect
from typing import Any

from kreg.inspect_tools.keras_compat import last_op_id, op_id

UNCOUNTED = -1
"""Owner of the operations of a call that was dropped from the trace (a shape probe)."""


class OpOwners:
    """Breakpoints per graph: operations numbered above ``v`` (until the next breakpoint) belong to call ``i``."""

    def __init__(self) -> None:
        self._graphs: dict[int, tuple[Any, list[int], list[int | None]]] = {}
        self._current: int | None = None

    def mark(self, owner: int | None) -> None:
        """From now on, new operations (in any graph) belong to call ``owner`` (None: no call)."""
        import tensorflow as tf

        graph = tf.compat.v1.get_default_graph()
        if id(graph) not in self._graphs:
            # Operations made in this graph before it was first seen belong to the call open then.
            self._graphs[id(graph)] = (graph, [0], [self._current])
        for graph, versions, owners in self._graphs.values():
            version = last_op_id(graph)
            if versions[-1] == version:
                owners[-1] = owner
            else:
                versions.append(version)
                owners.append(owner)
        self._current = owner

    def claim(self, graph: Any, owned: list[tuple[int, int | None]]) -> None:
        """Give operations just made at once (a copied call) their owners: ``owned`` lists (creation number, owner).

        The numbers must be the latest of ``graph``; operations made after
        them belong to the current call again.
        """
        if id(graph) not in self._graphs:
            self._graphs[id(graph)] = (graph, [0], [self._current])
        _, versions, owners = self._graphs[id(graph)]
        for number, owner in sorted(owned, key=lambda pair: pair[0]):
            if owners[-1] == owner and versions[-1] < number:
                continue
            if versions[-1] == number - 1:
                owners[-1] = owner
            else:
                versions.append(number - 1)
                owners.append(owner)
        latest = last_op_id(graph)
        if versions[-1] == latest:
            owners[-1] = self._current
        elif owners[-1] != self._current:
            versions.append(latest)
            owners.append(self._current)

    def owner(self, op: Any) -> int | None:
        """The index of the call that created ``op``; None outside any call or in a graph never seen."""
        entry = self._graphs.get(id(op.graph))
        if entry is None:
            return None
        _, versions, owners = entry
        position = bisect.bisect_left(versions, op_id(op)) - 1
        return owners[position] if position >= 0 else None

    def knows(self, graph: Any) -> bool:
        """True when a layer call was opened or closed while ``graph`` was being built."""
        return id(graph) in self._graphs

    def renumber(self, mapping: dict[int, int]) -> None:
        """Give owners their new call indices; calls missing from ``mapping`` become :data:`UNCOUNTED`."""
        for _, _, owners in self._graphs.values():
            owners[:] = [None if owner is None else mapping.get(owner, UNCOUNTED) for owner in owners]
