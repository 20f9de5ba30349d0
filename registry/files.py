"""Writing the files a user names, whole or not at all, and checking their destination first.

Every file kreg writes for the user (``--save``'s model, ``kreg review -o``,
``kreg plot -o``, ``--junit-xml``, the built-in samplers' images and text)
goes through :func:`replaced_atomically`: it is written to a temporary file in
the same folder, flushed to disk and renamed over the target with
:func:`os.replace`, so a previous file survives any crash, a kill included,
and a reader never sees half a file. :func:`check_destination` finds an
output that cannot be written before any work starts.

What the user named is never replaced by something of another kind: a
symbolic link keeps pointing where it did (the file it names is replaced, as
above), a character device or a FIFO (``/dev/null``, ``/dev/stdout``, a named
pipe) receives the bytes, as ``cp`` writes them, and a folder, a socket or a
block device is refused (:class:`~kreg.errors.KregUsageError`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kreg.errors import KregError, KregUsageError

PARTIAL_MARK = ".partial"
"""Part of a temporary file's name: ``.NAME.<random>.partial<suffix>`` next to the target."""


def absolute(path: str | Path) -> Path:
    """``path`` made absolute against the working folder now (symbolic links kept).

    kreg makes every path the user names absolute before any plugin code
    runs: a plugin that changes the working folder cannot move them.
    """
    return Path(os.path.abspath(os.fspath(path)))


@contextlib.contextmanager
def replaced_atomically(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block ends without error it replaces ``path``.

    The temporary file keeps the target's suffix (Keras insists on ``.keras``,
    image writers pick the format by it). It is flushed to disk before the
    rename and gets the target's permissions (those of a new file when there
    is none). When the block raises, or the process is interrupted, it is
    removed and ``path`` is left as it was; only a kill leaves it behind,
    hidden (its name starts with a dot).

    A symbolic link is followed: the file it names is replaced and the link
    kept. A character device or FIFO is written through once the block ends
    (the temporary file is then in a temporary folder).

    Args:
        path: str or Path. The file to write; its folder must exist.

    Yields:
        Path. Where to write.

    Raises:
        KregUsageError: ``path`` is a folder, a socket, a block device, or a
            link to nothing.
    """
    target = writable_target(path, "output")
    if _is_stream(target):
        with _written_through(target) as partial:
            yield partial
        return
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
        Path. The file written (``path``, a link kept as a link).

    Raises:
        KregUsageError: ``path`` is a folder, a socket, a block device, or a link to nothing.
        KregError: the folder cannot be made or the file cannot be written (the reason, on one line).
    """
    target = Path(path)
    try:
        writable_target(target, "output").parent.mkdir(parents=True, exist_ok=True)
        with replaced_atomically(target) as partial:
            if isinstance(data, bytes):
                partial.write_bytes(data)
            else:
                partial.write_text(data, encoding=encoding)
    except OSError as error:
        raise KregError(f"cannot write {str(target)!r}: {error.strerror or error}") from None
    return target


def writable_target(path: str | Path, option: str) -> Path:
    """Where writing ``path`` puts the bytes: the file a symbolic link names, else ``path`` itself.

    Raises:
        KregUsageError: ``path`` (or what it links to) exists and is neither a
            regular file, a character device nor a FIFO; or it is a link to nothing.
    """
    named = Path(path)
    shown = f"{option} {str(named)!r}"
    target = Path(os.path.realpath(named)) if named.is_symlink() else named
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if named.is_symlink():
            raise KregUsageError(
                f"{shown} is a symbolic link to {str(target)!r}, which does not exist; name the file itself"
            ) from None
        return target
    except OSError:  # a path through something that is not a folder: the write reports it
        return target
    if stat.S_ISDIR(mode):
        raise KregUsageError(f"{shown} is a directory; name a file in it")
    if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        kind = "a socket" if stat.S_ISSOCK(mode) else "a block device" if stat.S_ISBLK(mode) else "not a regular file"
        raise KregUsageError(f"{shown} is {kind}; kreg writes only files, character devices and FIFOs")
    return target


def check_destination(path: str | Path, option: str, suffixes: tuple[str, ...] = ()) -> Path:
    """Make sure a file can be written at ``path`` before the work that produces it starts.

    A missing folder is created (that is where the file goes); the folder is
    probed by creating and removing a temporary file in it, which is what the
    final write will do. A symbolic link is checked where it points; a
    character device or FIFO must be writable (it will be written through).

    Args:
        path: str or Path. The file the user named.
        option: str. How the user named it (``--save``), for the message.
        suffixes: tuple[str, ...]. Accepted suffixes (``(".keras",)``); empty accepts any.

    Returns:
        Path. ``path`` made absolute (:func:`absolute`): use it from here on.

    Raises:
        KregUsageError: the name has the wrong suffix, names a folder, a
            socket, a block device or a link to nothing, or its folder cannot
            be created or written (exit 2, naming the path).
    """
    named = absolute(path)
    shown = f"{option} {str(Path(path))!r}"
    target = writable_target(named, option)
    if suffixes and named.suffix not in suffixes:
        raise KregUsageError(f"{shown}: the file name must end in {' or '.join(suffixes)}")
    if _is_stream(target):
        if not os.access(target, os.W_OK):
            raise KregUsageError(f"{shown}: cannot write to {str(target)!r}: permission denied")
        return named
    check_folder(target.parent, option, shown)
    return named


def check_folder(path: str | Path, option: str, shown: str | None = None) -> Path:
    """Make sure files can be written in the folder ``path`` (creating it), before the work starts.

    Args:
        path: str or Path. The folder (``--logdir``), or the folder of a file.
        option: str. How the user named it, for the message.
        shown: str or None. How to name it in a message (default: ``option 'path'``).

    Returns:
        Path. ``path`` made absolute.

    Raises:
        KregUsageError: it, or a folder above it, is not a folder; or it cannot be created or written.
    """
    folder = absolute(path)
    shown = shown or f"{option} {str(Path(path))!r}"
    blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
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
    return folder


def _is_stream(target: Path) -> bool:
    """``target`` is a character device or a FIFO: written through, never replaced."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


@contextlib.contextmanager
def _written_through(target: Path) -> Iterator[Path]:
    """Yield a temporary file in a folder of its own; once the block ends, copy its bytes into ``target``."""
    scratch = Path(tempfile.mkdtemp(prefix="kreg-output-"))
    try:
        partial = scratch / f"{target.name}{PARTIAL_MARK}{target.suffix}"
        partial.touch()
        yield partial
        descriptor = os.open(target, os.O_WRONLY)  # no O_TRUNC, no O_CREAT: the device or pipe stays what it is
        with os.fdopen(descriptor, "wb") as stream, open(partial, "rb") as source:
            shutil.copyfileobj(source, stream)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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
