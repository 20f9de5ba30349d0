"""Unbuilt models built from the input size a program gives, as torchinfo builds from its ``input_size``.

A ``keras.Sequential`` without an ``Input`` and a subclassed model never
called have no input shapes: nothing can be traced. Given one shape (sizes
after the batch axis), :func:`build_unbuilt` builds each such component with
it, so ``kreg.inspect(model, input_shapes=(20,))`` reports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def single_shape(value: Any) -> list[int] | None:
    """The one shape ``input_shapes`` gives: a sequence of sizes, or a mapping of one name to sizes; else None."""
    if isinstance(value, Mapping):
        value = next(iter(value.values())) if len(value) == 1 else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(size, int) for size in value):
        return [int(size) for size in value]
    return None


def is_unbuilt(model: Any) -> bool:
    """True for a Sequential or subclassed model that has no input shapes yet (never built nor called)."""
    import keras

    from kreg.inspect_tools.params import is_container_model

    return isinstance(model, keras.Model) and not is_container_model(model) and not model.built


def build_unbuilt(components: Mapping[str, Any], input_shapes: Any) -> list[str]:
    """Build every unbuilt component with the one shape ``input_shapes`` gives (batch axis None).

    Args:
        components: Mapping[str, keras.Model]. The models to report.
        input_shapes: Any. What the program gave (``(20,)``, ``{"x": [20]}``, None).

    Returns:
        list[str]. The names of the components built.
    """
    shape = single_shape(input_shapes)
    if shape is None:
        return []
    built = []
    for name, model in components.items():
        if is_unbuilt(model):
            model.build((None, *shape))
            built.append(name)
    return built
