"""What ``kreg inspect``, ``kreg plot``, ``kreg review`` and the Python API look at.

A subject is one of three things:

- a registered architecture, built with its hyperparameters (defaults, a
  preset, ``--set`` strings or Python values) in a fresh Keras session;
- a saved ``.keras`` file, loaded with ``safe_mode=True``, its custom layers
  found by importing installed plugins' builders (the loader ``kreg diff``
  uses, :func:`kreg.running.model_files.load_model_file`), the plugin of the
  architecture kreg saved it from first;
- a Keras model already in hand (the Python API), used as it is.

A file or a model is one component, ``"model"``. It has no hyperparameters
and no data adapter: input sizes it leaves unknown come only from
``input_shapes``, and training memory is estimated only at a batch size given.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Catalogue, Entry
from kreg.errors import KregUsageError, UnknownComponent

if TYPE_CHECKING:
    import keras

    from kreg.running.building import BuiltArchitecture

MODEL_COMPONENT = "model"
"""The component a file or a model is reported as (the trained one, for an architecture)."""


@dataclass(frozen=True)
class Subject:
    """What to inspect, resolved (nothing is built or loaded yet).

    Attributes:
        name: str. The architecture's name, the file's path, or the model's name.
        entry: Entry or None. The architecture (None for a file or a model).
        hyperparameters: dict[str, Any]. The values to build with (empty for a file or a model).
        preset: str or None. The preset they started from.
        assignments: tuple[str, ...]. The ``--set`` strings given.
        file: str or None. The ``.keras`` file to load.
        model: keras.Model or None. The model given.
    """

    name: str
    entry: Entry | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    preset: str | None = None
    assignments: tuple[str, ...] = ()
    file: str | None = None
    model: Any = None

    def describe(self) -> str:
        """``architecture mlp``, ``saved model mlp.keras`` or ``Keras model mobilenetv3small (Functional)``."""
        if self.entry is not None:
            return f"architecture {self.name}"
        if self.file is not None:
            return f"saved model {self.file}"
        return f"Keras model {self.name} ({type(self.model).__name__})"


def is_model_file(name: str) -> bool:
    """True when a name is a file's path: architecture names never hold a dot or a slash."""
    return "." in name or "/" in name


def is_keras_model(value: Any) -> bool:
    """True for a ``keras.Model`` (without importing Keras when nothing imported it yet)."""
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, keras.Model)


def resolve_subject(
    catalogue: Catalogue,
    target: Any,
    assignments: Iterable[str] = (),
    preset: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> Subject:
    """Look a subject up, so that usage errors come before anything is built.

    Args:
        catalogue: Catalogue. The registered architectures.
        target: str, os.PathLike or keras.Model. An architecture's name, a
            ``.keras`` file's path, or a model.
        assignments: Iterable[str]. ``KEY=VALUE`` strings (architectures only).
        preset: str or None. A preset of the architecture (architectures only).
        values: Mapping[str, Any] or None. Hyperparameters as Python values
            (architectures only), applied last.

    Raises:
        KregUsageError: an unknown architecture, a bad preset or
            hyperparameter, hyperparameters or a preset given for a file or a
            model, a file that does not exist or is not a ``.keras`` archive, a
            target of another type.
    """
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.model_archives import read_model_archive

    assignments = tuple(assignments)
    if is_keras_model(target):
        _refuse_hyperparameters(f"{target.name!r} is a Keras model", assignments, preset, values)
        return Subject(target.name, model=target)
    if not isinstance(target, (str, os.PathLike)):
        raise KregUsageError(
            f"expected an architecture's name, a .keras file or a keras.Model, got {type(target).__name__}"
        )
    name = os.fspath(target)
    if is_model_file(name):
        _refuse_hyperparameters(f"{name} is a saved model", assignments, preset, values)
        read_model_archive(name)
        return Subject(name, file=name)
    entry = catalogue.get(name)
    return Subject(name, entry, resolve_hyperparameters(entry, assignments, preset, values), preset, assignments)


def _refuse_hyperparameters(
    what: str, assignments: tuple[str, ...], preset: str | None, values: Mapping[str, Any] | None
) -> None:
    if values:
        raise KregUsageError(f"{what}: hyperparameters ({', '.join(values)}) apply only to an architecture")
    if assignments or preset is not None:
        raise KregUsageError(f"{what}: --set and --preset apply only to an architecture")


@dataclass
class OpenedSubject:
    """A subject's models, built or loaded.

    Attributes:
        subject: Subject. What was opened.
        components: dict[str, keras.Model]. ``"model"`` first.
        built: BuiltArchitecture or None. The build, for an architecture.
    """

    subject: Subject
    components: dict[str, keras.Model]
    built: BuiltArchitecture | None = None

    def select(self, component: str | None) -> dict[str, keras.Model]:
        """All components, or only ``component``.

        Raises:
            UnknownComponent: there is no such component (exit 2).
        """
        if component is None:
            return dict(self.components)
        if component not in self.components:
            raise UnknownComponent(self.subject.name, component, self.components)
        return {component: self.components[component]}


def open_subject(subject: Subject, catalogue: Catalogue, dtype: str | None = None) -> OpenedSubject:
    """Build the architecture (in a fresh Keras session, under ``dtype``'s policy), load the file, or take the model.

    Raises:
        KregUsageError: the builder rejected a hyperparameter by name, or the file does not exist.
        ArchitectureFailure: the builder failed.
        KregError: the file could not be loaded (one line saying why).
    """
    from kreg.running.building import build_fresh

    if subject.entry is not None:
        built = build_fresh(subject.entry, subject.hyperparameters, seed=None, dtype=dtype)
        return OpenedSubject(subject, dict(built.components), built)
    if subject.file is not None:
        return OpenedSubject(subject, {MODEL_COMPONENT: load_file(subject.file, catalogue)})
    return OpenedSubject(subject, {MODEL_COMPONENT: subject.model})


def import_modules(names: Iterable[str]) -> None:
    """Import the modules ``--import`` names, so the custom classes they register load from a ``.keras`` file.

    Raises:
        KregUsageError: no such module.
        KregError: importing one raised.
    """
    from kreg.running.model_files import import_user_modules

    import_user_modules(list(names))


def load_file(path: str, catalogue: Catalogue, likeliest: Entry | None = None) -> keras.Model:
    """Load a ``.keras`` file in a fresh Keras session, its custom layers looked for in every installed plugin.

    Args:
        path: str. The file.
        catalogue: Catalogue. The architectures whose plugins may define its custom layers.
        likeliest: Entry or None. The architecture to try first (the other side of a diff).

    Raises:
        KregUsageError: the file does not exist or is not a ``.keras`` archive.
        KregError: Keras could not load it (one line saying why).
    """
    from kreg.running.keras_runtime import require_keras
    from kreg.running.model_files import load_model_file

    require_keras()
    import keras

    keras.backend.clear_session()
    first = [likeliest] if likeliest is not None else []
    return load_model_file(path, first + [entry for entry in catalogue if entry is not likeliest])
