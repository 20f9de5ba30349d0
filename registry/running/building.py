"""Turning a registered architecture into Keras models.

This is the only place that imports a plugin's builder; it imports Keras (and
so TensorFlow) on first use, never when kreg itself is imported.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure, KregError, KregUsageError
from kreg.hyperparameters import parse_assignments
from kreg.references import Reference, resolve

if TYPE_CHECKING:
    import keras

INSTALL_HINT = "install TensorFlow and Keras: pip install 'kreg[cpu]' (or 'kreg[gpu]')"


@dataclass
class BuiltArchitecture:
    """An architecture built with concrete hyperparameters.

    Attributes:
        entry: Entry. The catalogue entry it was built from.
        hyperparameters: dict[str, Any]. The values the builder was called with.
        components: dict[str, keras.Model]. ``"model"`` first, then the others.
    """

    entry: Entry
    hyperparameters: dict[str, Any]
    components: dict[str, keras.Model]

    @property
    def name(self) -> str:
        """The architecture's name."""
        return self.entry.name

    @property
    def model(self) -> keras.Model:
        """The component that is trained."""
        return self.components["model"]


def require_keras() -> None:
    """Import Keras on the TensorFlow backend, or fail with how to install it.

    Raises:
        KregError: TensorFlow or Keras is not installed.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        with _quiet_native_stderr():
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
    except ImportError as error:
        raise KregError(f"building an architecture needs Keras 3 on TensorFlow ({error.name} is missing); {INSTALL_HINT}") from None


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence file descriptor 2 while TensorFlow loads, unless KREG_DEBUG is set.

    TensorFlow 2.21 logs oneDNN and CPU-feature notices through absl before its
    logging is initialised, which ignores TF_CPP_MIN_LOG_LEVEL; only the import
    is silenced, so later errors still reach stderr.
    """
    if os.environ.get("KREG_DEBUG") or "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def resolve_hyperparameters(entry: Entry, assignments: Iterable[str] = (), preset: str | None = None) -> dict[str, Any]:
    """Combine an architecture's defaults, an optional preset and ``--set`` values.

    Args:
        entry: Entry. The architecture.
        assignments: Iterable[str]. ``key=value`` strings, applied last.
        preset: str or None. Name of one of the architecture's presets.

    Returns:
        dict[str, Any]. The hyperparameters to build with.

    Raises:
        KregUsageError: unknown preset.
        HyperparameterError: bad ``--set``.
    """
    architecture = entry.architecture
    values = dict(architecture.hyperparameters)
    if preset is not None:
        if preset not in architecture.presets:
            known = ", ".join(sorted(architecture.presets)) or "none"
            raise KregUsageError(f"architecture {entry.name!r} has no preset {preset!r}; its presets: {known}")
        values.update(architecture.presets[preset])
    values.update(parse_assignments(assignments, architecture.hyperparameters))
    return values


def resolve_part(entry: Entry, field: str) -> Any:
    """Import the builder, data adapter, train step or sampler of an architecture.

    Args:
        entry: Entry. The architecture.
        field: str. ``"builder"``, ``"data_adapter"``, ``"train_step"`` or ``"sampler"``.

    Returns:
        The callable, or None when the architecture leaves that field empty.

    Raises:
        ArchitectureFailure: the reference cannot be imported (phase ``"resolve"``).
    """
    reference: Reference | None = getattr(entry.architecture, field)
    if reference is None:
        return None
    try:
        return resolve(reference)
    except Exception as error:
        raise ArchitectureFailure(entry.name, "resolve", f"{field}: {error}") from error


def build(entry: Entry, hyperparameters: Mapping[str, Any]) -> BuiltArchitecture:
    """Call an architecture's builder and normalise what it returns.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. Values for the builder, usually from
            :func:`resolve_hyperparameters`.

    Returns:
        BuiltArchitecture. Its components, ``"model"`` included.

    Raises:
        ArchitectureFailure: the builder raised or returned something other than
            a model or a mapping of models with a ``"model"`` key (phase ``"build"``).
    """
    require_keras()
    builder = resolve_part(entry, "builder")
    try:
        result = builder(**hyperparameters)
    except KregUsageError:
        raise  # the builder rejected a hyperparameter by name: a usage error
    except Exception as error:
        raise ArchitectureFailure(entry.name, "build", error) from error
    components = _components(entry.name, result)
    return BuiltArchitecture(entry, dict(hyperparameters), components)


def build_fresh(entry: Entry, hyperparameters: Mapping[str, Any], seed: int | None = 0) -> BuiltArchitecture:
    """:func:`build` in a fresh Keras session, with the random seed set first.

    A fresh session names auto-named layers as a fresh process would
    (``dense``, not ``dense_12``), so reports of two builds pair up by path, and
    frees the previous build's graphs.

    Args:
        entry: Entry. The architecture.
        hyperparameters: Mapping[str, Any]. Values for the builder.
        seed: int or None. Seed of Python, NumPy and TensorFlow; None leaves them.

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
    return build(entry, hyperparameters)


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
    raise ArchitectureFailure(name, "build", f"the builder returned the wrong thing: {message}")


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
        ArchitectureFailure: Keras could not load it (phase ``"load"``).
    """
    require_keras()
    import keras

    if not os.path.exists(path):
        raise KregUsageError(f"model file {path!r} does not exist")
    resolve_part(entry, "builder")
    resolve_part(entry, "sampler")
    try:
        return keras.models.load_model(path, safe_mode=True)
    except Exception as error:
        raise ArchitectureFailure(entry.name, "load", error) from error
