"""Turning a registered architecture into Keras models, and loading saved ones.

The builder (and the optional data-state step before it) is called here, through
:func:`kreg.running.calls.call_plugin`; Keras (and so TensorFlow) is imported on
first use, never when kreg itself is imported.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure, KregError, KregUsageError
from kreg.phases import Phase
from kreg.running.calls import call_plugin, in_phase, resolve_part
from kreg.running.data import fit_data_state
from kreg.running.keras_runtime import require_keras

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
        KregUsageError: the builder rejected a hyperparameter by name.
        ArchitectureFailure: the data-state step failed, or the builder raised
            or returned something other than a model or a mapping of models
            with a ``"model"`` key (phase ``build``).
    """
    require_keras()
    data_state = fit_data_state(entry, hyperparameters, source)
    extra = {} if data_state is None else {"data_state": data_state}
    result = call_plugin(entry, "builder", Phase.BUILD, **hyperparameters, **extra)
    components = _components(entry.name, result)
    return BuiltArchitecture(entry, dict(hyperparameters), components, data_state, source)


def build_fresh(entry: Entry, hyperparameters: Mapping[str, Any], seed: int | None = 0, source: str | None = None) -> BuiltArchitecture:
    """:func:`build` in a fresh Keras session, with the random seed set first.

    A fresh session names auto-named layers as a fresh process would
    (``dense``, not ``dense_12``), so reports of two builds pair up by path, and
    frees the previous build's graphs.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. Values for the builder.
        seed: int or None. Seed of Python, NumPy and TensorFlow; None leaves them.
        source: str or None. As for :func:`build`.

    Returns:
        BuiltArchitecture.

    Raises:
        ArchitectureFailure: as :func:`build`.
    """
    require_keras()
    import keras

    keras.backend.clear_session()
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


def load_saved_model(entry: Entry, path: str) -> keras.Model:
    """Load a ``.keras`` file saved from an architecture, with ``safe_mode=True``.

    The architecture's builder (and sampler, if any) are imported first: that
    import is what registers the plugin's custom layers and models with Keras's
    serialisation, so the file loads in a fresh process.

    Args:
        entry: Entry. The architecture the file was saved from.
        path: str. The ``.keras`` file.

    Returns:
        keras.Model. The loaded model.

    Raises:
        KregUsageError: the file does not exist.
        ArchitectureFailure: Keras could not load it (phase ``load``).
    """
    require_keras()
    import keras

    if not os.path.exists(path):
        raise KregUsageError(f"model file {path!r} does not exist")
    resolve_part(entry, "builder")
    resolve_part(entry, "sampler")
    with in_phase(entry.name, Phase.LOAD, passes=()):
        return keras.models.load_model(path, safe_mode=True)


def load_model_file(path: str, entries: Sequence[Entry]) -> keras.Model:
    """Load a ``.keras`` file saved from any architecture, with ``safe_mode=True``.

    Keras finds a plugin's custom layers only once the module defining them
    is imported. The builder (and sampler) of ``entries[0]`` is imported first,
    as the likeliest source; when the file still does not load, those of every
    other entry are imported (an entry whose import fails is skipped) and the
    load is tried once more.

    Args:
        path: str. The ``.keras`` file.
        entries: Sequence[Entry]. The architectures whose plugins may define
            the file's custom layers, the likeliest first.

    Returns:
        keras.Model. The loaded model.

    Raises:
        KregUsageError: the file does not exist or is not a ``.keras`` file.
        KregError: Keras could not load it (the message says why, on one line).
    """
    check_model_file(path)
    require_keras()
    import keras

    failure: Exception | None = None
    for batch in (entries[:1], entries[1:]) if len(entries) > 1 else (entries,):
        _import_plugin_modules(batch)
        try:
            return keras.models.load_model(path, safe_mode=True)
        except Exception as error:  # retried after importing more plugins
            failure = error
    raise KregError(f"cannot load {path!r}: {_load_failure(failure)}") from failure


def check_model_file(path: str) -> None:
    """Fail unless ``path`` is an existing ``.keras`` file.

    Raises:
        KregUsageError: it is not a ``.keras`` file, or it does not exist.
    """
    if not path.endswith(".keras"):
        raise KregUsageError(f"model file {path!r} is not a .keras file (Keras 3's saving format)")
    if not os.path.isfile(path):
        raise KregUsageError(f"model file {path!r} does not exist")


def _import_plugin_modules(entries: Iterable[Entry]) -> None:
    """Import the builder and sampler of each entry, skipping those that fail to import."""
    for entry in entries:
        for field in ("builder", "sampler"):
            with contextlib.suppress(ArchitectureFailure):
                resolve_part(entry, field)


def _load_failure(error: BaseException, limit: int = 300) -> str:
    """Why Keras could not load a file, on one line, without the config dump it appends.

    Keras wraps a missing custom class in "<class Functional> could not be
    deserialized properly ... Exception encountered: Could not locate class
    'X'. ... Full object config: {...}"; only the cause is kept.
    """
    message = " ".join(str(error).split())
    if "Exception encountered:" in message:
        message = message.split("Exception encountered:", 1)[1].strip()
    else:
        message = f"{type(error).__name__}: {message}"
    for marker in (" Full object config:", " config={"):
        message = message.split(marker, 1)[0]
    if message.startswith("Could not locate class"):
        message = message.split(". ", 1)[0] + "; no installed plugin defines it (install the plugin the model was built with)"
    return message if len(message) <= limit else message[: limit - 3] + "..."
