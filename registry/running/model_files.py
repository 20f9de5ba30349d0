"""Loading ``.keras`` files, and saying in one line when a file is not what was expected.

A file given to an architecture (``kreg sample NAME --model FILE``) is read
first without Keras (:mod:`kreg.model_archives`): not an archive, or saved
from another architecture (kreg records which when it saves), is a usage
error naming the class found and the one expected. Keras's own failures lose
their configuration dumps; a sampler that reaches for a component the loaded
model does not have is reported as the wrong model, not as an AttributeError.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure, KregError, KregUsageError
from kreg.hyperparameters import resolve_hyperparameters
from kreg.model_archives import ModelArchive, archive_damage, read_model_archive
from kreg.phases import Phase
from kreg.running.calls import in_phase, resolve_part
from kreg.running.deep_stack import on_deep_stack
from kreg.running.keras_runtime import require_keras
from kreg.running.memory_guard import weights_within_memory

if TYPE_CHECKING:
    import keras

_MISSING_CLASS = re.compile(r"Could not locate class '([^']+)'")


@on_deep_stack
def load_saved_model(entry: Entry, path: str, hyperparameters: Mapping[str, Any] | None = None) -> keras.Model:
    """Load a ``.keras`` file saved from ``entry``, with ``safe_mode=True``.

    The architecture's builder (and sampler, if any) are imported first: that
    import is what registers the plugin's custom layers and models with Keras's
    serialisation, so the file loads in a fresh process.

    Args:
        entry: Entry. The architecture the file should hold.
        path: str. The ``.keras`` file.
        hyperparameters: Mapping or None. What the architecture would be built
            with, to name the class it builds when the file holds another
            (None: its defaults).

    Returns:
        keras.Model. The loaded model.

    Raises:
        KregUsageError: the file does not exist, is not a ``.keras`` archive,
            or was saved from another architecture (naming both, and both classes).
        ArchitectureFailure: Keras could not load it (phase ``load``), e.g. a
            file from outside kreg using classes this architecture does not define.
    """
    archive = read_model_archive(path)
    if archive.architecture not in (None, entry.name):
        expected = expected_class(entry, hyperparameters)
        raise KregUsageError(
            f"model file {path!r} was saved from {archive.architecture!r} (class {archive.class_name}), "
            f"not from {entry.name!r}{_class_clause(expected)}"
        )
    require_keras()
    import keras

    resolve_part(entry, "builder")
    resolve_part(entry, "sampler")
    try:
        with weights_within_memory(f"model file {path!r}"), in_phase(entry.name, Phase.LOAD, passes=()):
            return keras.models.load_model(path, safe_mode=True)
    except ArchitectureFailure as failure:
        _refuse_damaged(path)
        missing = _MISSING_CLASS.search(str(failure.cause))
        if missing is None:
            raise
        cause = (
            f"{path!r} holds a {archive.class_name} model using class {missing.group(1)!r}, "
            f"which {entry.name!r} does not define: "
            f"not a model of {entry.name!r}{_class_clause(expected_class(entry, hyperparameters))}"
        )
        raise ArchitectureFailure(entry.name, Phase.LOAD, cause) from None


def wrong_model(
    entry: Entry, path: str, model: Any, failure: ArchitectureFailure, hyperparameters: Mapping[str, Any]
) -> ArchitectureFailure | None:
    """The failure to report when a sampler asked a loaded model for an attribute it lacks, else None.

    A ``vae-mlp`` model given to ``vae``'s sampler raises "'Functional' object
    has no attribute 'decoder'": the file holds the wrong model, which is what
    the line should say.
    """
    error = failure.cause
    if not isinstance(error, AttributeError) or getattr(error, "obj", None) is not model:
        return None
    expected = expected_class(entry, hyperparameters)
    cause = (
        f"the model in {path!r} (class {type(model).__name__}) has no {error.name!r}, "
        f"which the sampler of {entry.name!r} uses: "
        f"not a model of {entry.name!r}{_class_clause(expected)}"
    )
    return ArchitectureFailure(entry.name, failure.phase, cause)


def expected_class(entry: Entry, hyperparameters: Mapping[str, Any] | None = None) -> str | None:
    """The class of the model ``entry`` builds, found by building it (for a message); None if that fails."""
    from kreg.running.building import build_fresh

    try:
        values = hyperparameters if hyperparameters is not None else resolve_hyperparameters(entry)
        return type(build_fresh(entry, values, seed=None).model).__name__
    except KregError:  # the build failed too; only for a message: the failure being reported matters more
        return None


def _class_clause(class_name: str | None) -> str:
    return f" (class {class_name})" if class_name else ""


@on_deep_stack
def load_model_file(path: str, entries: Sequence[Entry]) -> keras.Model:
    """Load a ``.keras`` file saved from any architecture, with ``safe_mode=True``.

    Keras finds a plugin's custom layers only once the module defining them
    is imported. The plugin of the architecture the file was saved from (when
    kreg saved it), else of ``entries[0]``, is imported first, as the
    likeliest source; when the file still does not load, those of every other
    entry are imported (an entry whose import fails is skipped) and the load
    is tried once more.

    Args:
        path: str. The ``.keras`` file.
        entries: Sequence[Entry]. The architectures whose plugins may define
            the file's custom layers, the likeliest first.

    Returns:
        keras.Model. The loaded model.

    Raises:
        KregUsageError: the file does not exist or is not a ``.keras`` archive.
        KregError: Keras could not load it (the message says why, on one line).
    """
    entries = _origin_first(read_model_archive(path), entries)
    require_keras()
    import keras

    failure: BaseException | None = None
    for batch in (entries[:1], entries[1:]) if len(entries) > 1 else (entries,):
        _import_plugin_modules(batch)
        try:
            with weights_within_memory(f"model file {path!r}"):
                return keras.models.load_model(path, safe_mode=True)
        except KregUsageError:
            raise
        except (Exception, SystemExit) as error:  # noqa: BLE001 - plugin code deserialises it: retried, then raised
            failure = error
            _refuse_damaged(path)
    raise KregError(f"cannot load {path!r}: {_load_failure(failure)}") from failure


def _refuse_damaged(path: str) -> None:
    """After Keras failed to load ``path``: a usage error when the archive itself is damaged (a member kreg
    did not read, the weights say), not a failure of the architecture."""
    damage = archive_damage(path)
    if damage is not None:
        raise KregUsageError(f"model file {path!r} is not a .keras archive kreg can read: {damage}")


def import_user_modules(names: Sequence[str]) -> None:
    """Import modules that register custom classes (``keras.saving.register_keras_serializable``) before a load.

    The current folder is put on ``sys.path`` for the import, as ``python -m``
    does, so a module beside the ``.keras`` file is found. Loading still uses
    ``safe_mode=True``: the module makes the classes known, it does not allow
    arbitrary code in the file.

    Raises:
        KregUsageError: no module by that name.
        KregError: importing the module raised (one line saying what).
    """
    import importlib
    import os
    import sys

    for name in names:
        if os.getcwd() not in sys.path:
            sys.path.append(os.getcwd())
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is not None and name.startswith(error.name):
                raise KregUsageError(f"--import {name}: no module named {error.name!r} here or on sys.path") from None
            raise KregError(f"--import {name}: importing it failed: {error}") from error
        except (Exception, SystemExit) as error:  # the user's module raised anything: said on one line
            raise KregError(f"--import {name}: importing it raised {type(error).__name__}: {error}") from error


def _origin_first(archive: ModelArchive, entries: Sequence[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: entry.name != archive.architecture)


def _import_plugin_modules(entries: Iterable[Entry]) -> None:
    """Import the builder and sampler of each entry, skipping those that fail to import."""
    for entry in entries:
        for field in ("builder", "sampler"):
            with contextlib.suppress(ArchitectureFailure):
                resolve_part(entry, field)


def _load_failure(error: BaseException | None, limit: int = 300) -> str:
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
        message = (
            message.split(". ", 1)[0]
            + "; no installed plugin defines it (install the plugin the model was built with, "
            "or name the module that registers it with --import MODULE)"
        )
    return message if len(message) <= limit else message[: limit - 3] + "..."
