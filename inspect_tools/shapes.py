"""Shapes as JSON-ready lists and as short text.

A shape is a list of ints with ``None`` for sizes unknown until run time. A
layer input or output that is a list or dict of tensors becomes a list or dict
of shapes; anything that is not a tensor becomes ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Shape = list  # list[int | None]


def shape_of(value: Any) -> Any:
    """Return the shape (structure) of a tensor or a nest of tensors.

    Args:
        value: Any. A KerasTensor, a TensorFlow tensor, or a list, tuple or
            dict of them.

    Returns:
        A list of ints and ``None`` for a tensor, a list or dict of those for
        a nest, ``None`` for anything without a shape.
    """
    if isinstance(value, Mapping):
        return {str(key): shape_of(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [shape_of(item) for item in value]
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    try:
        return [None if size is None else int(size) for size in shape]
    except (TypeError, ValueError):  # a TensorShape of unknown rank
        return None


def is_shape(value: Any) -> bool:
    """True when ``value`` is one shape (a list of ints/None), not a nest of shapes."""
    return isinstance(value, list) and all(size is None or isinstance(size, int) for size in value)


def format_shape(value: Any) -> str:
    """Write a shape or a nest of shapes as text: ``(None, 100, 20)``.

    Args:
        value: Any. What :func:`shape_of` returns.

    Returns:
        str. ``(None, 100, 8)`` for one shape, ``[(None, 3), (None, 3)]`` for a
        list, ``{a: (None, 3)}`` for a dict, ``?`` when unknown.
    """
    if value is None:
        return "?"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {format_shape(item)}" for key, item in value.items()) + "}"
    if is_shape(value):
        sizes = ["None" if size is None else str(size) for size in value]
        return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"
    return "[" + ", ".join(format_shape(item) for item in value) + "]"


def product(sizes: Sequence[int | None]) -> int | None:
    """Multiply sizes; ``None`` when any size is unknown (an empty list gives 1)."""
    result = 1
    for size in sizes:
        if size is None:
            return None
        result *= size
    return result


def without_batch(value: Any, batch: int | None) -> Any:
    """Write ``None`` for the sizes a concrete batch size made known.

    A trace that counts compute gives its placeholders a batch size (a prime no
    layer uses, so that per-example counts can be recovered); the shapes it
    reports still show the batch axis as unknown. Any size that is a multiple
    of ``batch`` (the batch, or the batch merged with other axes by a reshape)
    becomes ``None``, as it would have been in a trace without a batch size.

    Args:
        value: Any. What :func:`shape_of` returns.
        batch: int or None. The trace's batch size; None returns ``value`` unchanged.
    """
    if batch is None or value is None:
        return value
    if isinstance(value, Mapping):
        return {key: without_batch(item, batch) for key, item in value.items()}
    if is_shape(value):
        return [None if size is not None and size and size % batch == 0 else size for size in value]
    return [without_batch(item, batch) for item in value]


def flat_shapes(value: Any) -> list[list[int | None]]:
    """The shapes in a shape or a nest of shapes, in order (dict values in their order)."""
    found: list[list[int | None]] = []
    pending = [value]  # a worklist, last item next: nests of any depth
    while pending:
        item = pending.pop()
        if item is None:
            continue
        if is_shape(item):
            found.append(item)
        else:
            pending.extend(reversed(list(item.values() if isinstance(item, Mapping) else item)))
    return found
