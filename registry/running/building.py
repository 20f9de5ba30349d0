"""Turning a registered architecture into Keras models.

The builder (and the optional data-state step before it) is called here, through
:func:`kreg.running.calls.call_plugin`; Keras (and so TensorFlow) is imported on
first use, never when kreg itself is imported. Loading saved models is
:mod:`kreg.running.model_files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure
from kreg.phases import Phase
from kreg.running.calls import call_plugin
from kreg.running.data import fit_data_state
from kreg.running.deep_stack import on_deep_stack
from kreg.running.keras_runtime import require_keras
from kreg.running.memory_guard import weights_within_memory

if TYPE_CHECKING:
    import keras


@dataclass
class BuiltArchitecture:
    """An architecture built with concrete hyperparameters.

    Attributes:
        entry: Entry. The catalogue entry it was built from.
        hyperparameters: dict[str, Any]. The values the builder was called with.
        components: dict[str, keras.Model]. ``"model"`` first, then the others.
        data_state: Mapping or None. What the architecture's data-state step
            learned from the data the model was built for (passed to the
            builder and, when training, to the data adapter); None when the
            architecture has no such step.
        source: str or None. The data ``data_state`` was learned from (None: synthetic).
    """

    entry: Entry
    hyperparameters: dict[str, Any]
    components: dict[str, keras.Model]
    data_state: Mapping[str, Any] | None = None
    source: str | None = None

    @property
    def name(self) -> str:
        """The architecture's name."""
        return self.entry.name

    @property
    def model(self) -> keras.Model:
        """The component that is trained."""
        return self.components["model"]


@on_deep_stack
def build(entry: Entry, hyperparameters: Mapping[str, Any], source: str | None = None) -> BuiltArchitecture:
    """Call an architecture's builder and normalise what it returns.

    When the architecture has a data-state step, it runs first on ``source``
    and its result is passed to the builder as ``data_state=``.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. Values for the builder, usually from
            :func:`kreg.hyperparameters.resolve_hyperparameters`.
        source: str or None. The training data the model is built for (the
            data-state step learns from it); None for synthetic data.

    Returns:
        BuiltArchitecture. Its components, ``"model"`` included.

    Raises:
        KregUsageError: the builder rejected a hyperparameter by name, or its
            weights would pass the memory limit (:mod:`kreg.running.memory_guard`).
        ArchitectureFailure: the data-state step failed, or the builder raised
            or returned something other than a model or a mapping of models
            with a ``"model"`` key (phase ``build``).
    """
    require_keras()
    data_state = fit_data_state(entry, hyperparameters, source)
    extra = {} if data_state is None else {"data_state": data_state}
    with weights_within_memory(entry.name):  # refused before allocating what no machine here holds
        result = call_plugin(entry, "builder", Phase.BUILD, **hyperparameters, **extra)
    components = _components(entry.name, result)
    return BuiltArchitecture(entry, dict(hyperparameters), components, data_state, source)


def build_fresh(
    entry: Entry,
    hyperparameters: Mapping[str, Any],
    seed: int | None = 0,
    source: str | None = None,
    dtype: str | None = None,
) -> BuiltArchitecture:
    """:func:`build` in a fresh Keras session, with the random seed set first.

    A fresh session names auto-named layers as a fresh process would
    (``dense``, not ``dense_12``), so reports of two builds pair up by path, and
    frees the previous build's graphs.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. Values for the builder.
        seed: int or None. Seed of Python, NumPy and TensorFlow; None leaves them.
        source: str or None. As for :func:`build`.
        dtype: str or None. A Keras dtype policy (``mixed_float16``) to build
            under; it stays the global policy until the next fresh session.
            None keeps float32 (a fresh session's policy).

    Returns:
        BuiltArchitecture.

    Raises:
        ArchitectureFailure: as :func:`build`.
    """
    require_keras()
    import keras

    keras.backend.clear_session()  # also resets the dtype policy
    if dtype is not None:
        keras.mixed_precision.set_global_policy(dtype)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    return build(entry, hyperparameters, source)


def _components(name: str, result: Any) -> dict[str, keras.Model]:
    import keras

    if isinstance(result, keras.Model):
        return {"model": result}
    if isinstance(result, Mapping) and "model" in result:
        not_models = [key for key, value in result.items() if not isinstance(value, keras.Model)]
        if not not_models:
            return {"model": result["model"], **{k: v for k, v in result.items() if k != "model"}}
        return _bad_result(name, f"components {not_models} are not keras.Model instances")
    return _bad_result(name, f"expected a keras.Model or a mapping with a 'model' key, got {type(result).__name__}")


def _bad_result(name: str, message: str) -> dict:
    raise ArchitectureFailure(name, Phase.BUILD, f"the builder returned the wrong thing: {message}")
