"""What a ``.keras`` file holds, read without Keras: is it an archive, which class, which architecture.

Keras 3 saves a model as a zip archive with ``config.json`` (the model's
class and configuration), ``metadata.json`` and the weights. kreg adds
``kreg.json`` when it saves a trained model, naming the architecture, so that
a file given to another architecture is recognised before Keras tries to
load it (and fails with a configuration dump thousands of characters long).
Keras ignores the extra entry.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kreg.errors import KregUsageError

ORIGIN_ENTRY = "kreg.json"
"""The archive entry kreg writes: ``{"architecture": ..., "class": ...}``."""


@dataclass(frozen=True)
class ModelArchive:
    """The facts of a ``.keras`` file that need no Keras.

    Attributes:
        path: str. The file.
        class_name: str. The saved model's class (``Functional``, ``VAE``).
        architecture: str or None. The kreg architecture it was saved from
            (None when kreg did not save it).
    """

    path: str
    class_name: str
    architecture: str | None = None


def read_model_archive(path: str | Path) -> ModelArchive:
    """Check that ``path`` is a ``.keras`` archive and read its class and origin.

    Raises:
        KregUsageError: the name does not end in ``.keras``, the file does
            not exist, is not a zip archive (truncated, or another format) or
            holds no readable ``config.json``.
    """
    shown = str(path)
    if not shown.endswith(".keras"):
        raise KregUsageError(f"model file {shown!r} is not a .keras file (Keras 3's saving format)")
    if not os.path.isfile(path):
        raise KregUsageError(f"model file {shown!r} does not exist")
    try:
        with zipfile.ZipFile(path) as archive:
            config = _json_entry(archive, "config.json", shown)
            origin = _json_entry(archive, ORIGIN_ENTRY, shown) if ORIGIN_ENTRY in archive.namelist() else {}
    except (zipfile.BadZipFile, OSError, EOFError):
        size = os.path.getsize(path)
        if size == 0:
            what = "an empty file"
        elif zipfile.is_zipfile(path):
            what = "a damaged zip archive"
        else:
            what = f"not a zip file ({size:,} bytes: truncated, or saved in another format)"
        raise KregUsageError(f"model file {shown!r} is not a .keras archive: {what}") from None
    return ModelArchive(shown, str(config.get("class_name", "?")), origin.get("architecture"))


def record_origin(path: str | Path, architecture: str, class_name: str) -> None:
    """Add ``kreg.json`` to a ``.keras`` archive Keras just wrote, naming the architecture it holds."""
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(ORIGIN_ENTRY, json.dumps({"architecture": architecture, "class": class_name}))


def _json_entry(archive: zipfile.ZipFile, name: str, shown: str) -> dict:
    try:
        data = json.loads(archive.read(name))
    except KeyError:
        raise KregUsageError(
            f"model file {shown!r} is not a .keras archive: it has no {name} (a zip, but not one Keras 3 saved)"
        ) from None
    except ValueError:
        raise KregUsageError(f"model file {shown!r} is not a .keras archive: its {name} is not valid JSON") from None
    if not isinstance(data, dict):
        raise KregUsageError(f"model file {shown!r} is not a .keras archive: its {name} is not a JSON object")
    return data
