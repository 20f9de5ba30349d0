"""Writing the files a user names, whole or not at all, and checking their destination first.

Every file kreg writes for the user (``--save``'s model, ``kreg review -o``,
``kreg plot -o``, ``--junit-xml``, the built-in samplers' images and text)
goes through :func:`replaced_atomically`: it is written to a temporary file in
the same folder, flushed to disk and renamed over the target with
:func:`os.replace`, so a previous file survives any crash, a kill included,
and a reader never sees half a file. :func:`check_destination` finds an
output that cannot be written before any work starts.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kreg.errors import KregError, KregUsageError

PARTIAL_MARK = ".partial"
"""Part of a temporary file's name: ``.NAME.<random>.partial<suffix>`` next to the target."""


@contextlib.contextmanager
def replaced_atomically(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block ends without error it replaces ``path``.

    The temporary file keeps the target's suffix (Keras insists on ``.keras``,
    image writers pick the format by it). It is flushed to disk before the
    rename and gets the target's permissions (those of a new file when there
    is none). When the block raises, or the process is interrupted, it is
    removed and ``path`` is left as it was; only a kill leaves it behind,
    hidden (its name starts with a dot).

    Args:
        path: str or Path. The file to write; its folder must exist.

    Yields:
        Path. Where to write.
    """
    target = Path(path)
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=f"{PARTIAL_MARK}{target.suffix}"
    )
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        _settle(partial, target)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    _sync_folder(target.parent)


def write_atomically(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write text or bytes to ``path`` through :func:`replaced_atomically`, making its folder first.

    Returns:
        Path. The file written.

    Raises:
        KregError: the folder cannot be made or the file cannot be written (the reason, on one line).
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with replaced_atomically(target) as partial:
            if isinstance(data, bytes):
                partial.write_bytes(data)
            else:
                partial.write_text(data, encoding=encoding)
    except OSError as error:
        raise KregError(f"cannot write {str(target)!r}: {error.strerror or error}") from None
    return target


def check_destination(path: str | Path, option: str, suffixes: tuple[str, ...] = ()) -> Path:
    """Make sure a file can be written at ``path`` before the work that produces it starts.

    A missing folder is created (that is where the file goes); the folder is
    probed by creating and removing a temporary file in it, which is what the
    final write will do.

    Args:
        path: str or Path. The file the user named.
        option: str. How the user named it (``--save``), for the message.
        suffixes: tuple[str, ...]. Accepted suffixes (``(".keras",)``); empty accepts any.

    Returns:
        Path. ``path``.

    Raises:
        KregUsageError: the name has the wrong suffix, names a folder, or its
            folder cannot be created or written (exit 2, naming the path).
    """
    target = Path(path)
    shown = f"{option} {str(target)!r}"
    if target.is_dir():
        raise KregUsageError(f"{shown} is a directory; name a file in it")
    if suffixes and target.suffix not in suffixes:
        raise KregUsageError(f"{shown}: the file name must end in {' or '.join(suffixes)}")
    folder = target.parent
    if any(parent.exists() and not parent.is_dir() for parent in (folder, *folder.parents)):
        blocking = next(parent for parent in (folder, *folder.parents) if parent.exists() and not parent.is_dir())
        raise KregUsageError(f"{shown}: {str(blocking)!r} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KregUsageError(f"{shown}: cannot create the folder {str(folder)!r}: {error.strerror or error}") from None
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise KregUsageError(
            f"{shown}: cannot write in the folder {str(folder)!r}: {error.strerror or error}"
        ) from None
    return target


def _settle(partial: Path, target: Path) -> None:
    """Give the temporary file the target's permissions and flush it to disk."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    os.chmod(partial, mode)
    descriptor = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk (best effort: not every system can open a folder)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
