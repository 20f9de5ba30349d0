"""The shapes of the model inputs in an architecture's training data.

Calling the data adapter runs plugin code; it goes through the same function
``kreg train`` makes its dataset with (:func:`kreg.running.data.make_dataset`),
so a failing adapter is reported the same way. This is the only place
inspection touches training data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kreg.phases import Phase
from kreg.running.calls import in_phase

if TYPE_CHECKING:
    from kreg.catalogue import Entry


def adapter_input_shapes(
    entry: Entry, hyperparameters: Mapping[str, Any], batch_size: int, data_state: Mapping[str, Any] | None = None
) -> Any:
    """The shapes of the model inputs (``x``) of the adapter's synthetic batches.

    The dataset's ``element_spec`` is read first; when it leaves a size
    unknown (a generator, padded batches), one batch is taken.

    Args:
        entry: Entry. The architecture (its data adapter).
        hyperparameters: Mapping[str, Any]. What it was built with.
        batch_size: int. The batch size to ask the adapter for.
        data_state: Mapping or None. What the architecture's data-state step
            learned, as the builder got it.

    Returns:
        A dict of shapes by input name (a dict batch), a list of shapes (a
        tuple of inputs), or one shape; each shape a list with the batch axis first.

    Raises:
        ArchitectureFailure: the adapter, or reading its first batch, failed
            (phase ``data``; ``data-state`` for the data-state step).
        KregUsageError: the adapter rejected a hyperparameter by name.
    """
    from kreg.running.data import make_dataset

    dataset = make_dataset(entry, dict(hyperparameters), batch_size, None, data_state)
    with in_phase(entry.name, Phase.DATA):  # reading a batch runs the plugin's generator or map functions
        shapes = _shapes(_features(dataset.element_spec))
        if any(size is None for shape in _flat(shapes) for size in shape[1:]):
            shapes = _shapes(_features(next(iter(dataset.take(1)))))
    return shapes


def _features(element: Any) -> Any:
    """``x`` of a batch, as Keras's ``fit`` unpacks it: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(element, tuple) and 1 <= len(element) <= 3:
        return element[0]
    return element


def _shapes(structure: Any) -> Any:
    """Tensors or TensorSpecs as shapes: dicts stay dicts (by input name), sequences become lists."""
    if isinstance(structure, Mapping):
        return {str(key): _shapes(value) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_shapes(value) for value in structure]
    return [None if size is None else int(size) for size in structure.shape]


def _flat(shapes: Any) -> list[list]:
    """Every shape in a nest of shapes (a shape is a list of sizes, a nest a dict or a list of those)."""
    if isinstance(shapes, Mapping):
        return [shape for value in shapes.values() for shape in _flat(value)]
    if shapes and isinstance(shapes[0], (list, Mapping)):
        return [shape for value in shapes for shape in _flat(value)]
    return [shapes]
