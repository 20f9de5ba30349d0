"""What a ``.keras`` file holds, read without Keras: is it an archive, which class, which architecture.

Keras 3 saves a model as a zip archive with ``config.json`` (the model's
class and configuration), ``metadata.json`` and the weights. kreg adds
``kreg.json`` when it saves a trained model, naming the architecture, so that
a file given to another architecture is recognised before Keras tries to
load it (and fails with a configuration dump thousands of characters long).
Keras ignores the extra entry.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kreg.errors import KregUsageError, describe_exception

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


MEMBER_LIMIT = 64 << 20
"""The most bytes kreg unpacks of an archive member it reads itself (``config.json``, ``kreg.json``).

Keras's configuration of the largest built-in (convnextxlarge) is well under
1 MiB; a member that unpacks to more is refused before it is read, so that a
small file cannot make kreg unpack gigabytes (a decompression bomb).
"""

SUPPORTED_COMPRESSION = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}
"""The compression methods Python's zipfile (and so Keras) can unpack."""

_ENCRYPTED = 0x1

_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_model_archive(path: str | Path) -> ModelArchive:
    """Check that ``path`` is a ``.keras`` archive and read its class and origin.

    Nothing is read before the file is known to be a regular file (a FIFO or
    ``/dev/zero`` named ``x.keras`` would block or never end); every member's
    compression method and encryption flag are checked, and the members read
    here are refused when they unpack to more than :data:`MEMBER_LIMIT`.

    Raises:
        KregUsageError: the name does not end in ``.keras``; the file does not
            exist, is not a regular file or cannot be read; it is not a zip
            archive (truncated, or another format); a member is encrypted,
            compressed in a way zipfile cannot unpack, damaged or too big; or
            it holds no readable ``config.json`` (exit 2, saying which).
    """
    shown = str(path)
    if not shown.endswith(".keras"):
        raise KregUsageError(f"model file {shown!r} is not a .keras file (Keras 3's saving format)")
    with _open_regular_file(path, shown) as stream:
        try:
            with zipfile.ZipFile(stream) as archive:
                _check_members(archive, shown)
                config = _json_entry(archive, "config.json", shown)
                origin = _json_entry(archive, ORIGIN_ENTRY, shown) if ORIGIN_ENTRY in archive.namelist() else {}
        except (zipfile.BadZipFile, EOFError):
            raise KregUsageError(f"model file {shown!r} is not a .keras archive: {_not_a_zip(stream)}") from None
        except OSError as error:
            raise KregUsageError(f"model file {shown!r} cannot be read: {error.strerror or error}") from None
    return ModelArchive(shown, str(config.get("class_name", "?")), origin.get("architecture"))


def archive_damage(path: str | Path) -> str | None:
    """What is wrong with the archive at ``path`` as a zip, reading every member whole; None when nothing is.

    For a file Keras failed to load: a member kreg does not read itself (the
    weights) may be damaged (corrupt compressed data, a wrong checksum).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    while member.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error, OSError) as error:
        return f"a member is damaged: {describe_exception(error)}"
    return None


def _not_a_zip(stream: IO[bytes]) -> str:
    size = os.fstat(stream.fileno()).st_size
    if size == 0:
        return "an empty file"
    stream.seek(0)
    if zipfile.is_zipfile(stream):
        return "a damaged zip archive"
    return f"not a zip file ({size:,} bytes: truncated, or saved in another format)"


@contextlib.contextmanager
def _open_regular_file(path: str | Path, shown: str) -> Iterator[IO[bytes]]:
    """Open ``path`` for reading, refusing what is not a regular file before reading a byte of it."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening a FIFO must not wait for a writer
    except FileNotFoundError:
        raise KregUsageError(f"model file {shown!r} does not exist") from None
    except IsADirectoryError:
        raise KregUsageError(f"model file {shown!r} is a directory") from None
    except OSError as error:
        raise KregUsageError(f"model file {shown!r} cannot be read: {error.strerror or error}") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
        raise KregUsageError(f"model file {shown!r} is {kind}" + ("" if kind == "a directory" else ", not a file"))
    os.set_blocking(descriptor, True)
    with os.fdopen(descriptor, "rb") as stream:
        yield stream


def _check_members(archive: zipfile.ZipFile, shown: str) -> None:
    """Refuse an archive with a member zipfile cannot unpack: encrypted, or compressed by an unknown method."""
    for info in archive.infolist():
        if info.flag_bits & _ENCRYPTED:
            raise _unreadable(shown, f"its {info.filename} is encrypted (Keras never encrypts a model)")
        if info.compress_type not in SUPPORTED_COMPRESSION:
            raise _unreadable(
                shown,
                f"its {info.filename} uses compression method {info.compress_type}, which Python's zipfile cannot read",
            )


def _unreadable(shown: str, what: str) -> KregUsageError:
    return KregUsageError(f"model file {shown!r} is not a .keras archive kreg can read: {what}")


def record_origin(path: str | Path, architecture: str, class_name: str) -> None:
    """Add ``kreg.json`` to a ``.keras`` archive Keras just wrote, naming the architecture it holds."""
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(ORIGIN_ENTRY, json.dumps({"architecture": architecture, "class": class_name}))


def _json_entry(archive: zipfile.ZipFile, name: str, shown: str) -> dict:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise KregUsageError(
            f"model file {shown!r} is not a .keras archive: it has no {name} (a zip, but not one Keras 3 saved)"
        ) from None
    if info.file_size > MEMBER_LIMIT:
        raise _unreadable(
            shown,
            f"its {name} unpacks to {_mebibytes(info.file_size)}, "
            f"more than the {_mebibytes(MEMBER_LIMIT)} kreg reads of it",
        )
    try:
        with archive.open(info) as member:
            text = member.read(MEMBER_LIMIT + 1)  # a header that understates the size cannot make kreg read more
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error) as error:
        raise _unreadable(shown, f"its {name} is damaged: {describe_exception(error)}") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise _unreadable(shown, f"its {name} is nested too deeply to read") from None
    except ValueError:
        raise KregUsageError(f"model file {shown!r} is not a .keras archive: its {name} is not valid JSON") from None
    if not isinstance(data, dict):
        raise KregUsageError(f"model file {shown!r} is not a .keras archive: its {name} is not a JSON object")
    return data


def _mebibytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"
