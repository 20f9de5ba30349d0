"""Hostile or damaged ``.keras`` files: every one is exit 2 with what is wrong, none reaches memory.

The issue: a 1.86 MB ``.keras`` holding a 1.5 GB ``config.json`` took 132 s
and 5.35 GB (kreg read it whole); deeply nested JSON, compression method 99,
the encrypted flag and corrupt deflate data ended in "unexpected error" (exit
1); a FIFO, a folder or ``/dev/zero`` named ``x.keras`` was "does not exist",
an unreadable file "not a zip file". Each file is built here for real.
"""

from __future__ import annotations

import json
import os
import stat
import struct
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from kreg.errors import KregUsageError
from kreg.model_archives import MEMBER_LIMIT, read_model_archive

CONFIG = {"class_name": "Functional", "config": {"layers": []}}


def _archive(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _valid(path: Path) -> Path:
    return _archive(path, {"config.json": json.dumps(CONFIG).encode(), "metadata.json": b"{}"})


def _patch_central_directory(path: Path, member: str, offset: int, fmt: str, value: int) -> None:
    """Change a field of ``member``'s entry in both the local header and the central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, local_offset in ((b"PK\x03\x04", offset), (b"PK\x01\x02", offset + 2)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            header = 30 if signature == b"PK\x03\x04" else 46
            if data[start + header : start + header + len(name)] == name:
                struct.pack_into(fmt, data, start + local_offset, value)
            start += 4
    path.write_bytes(bytes(data))


def _refusal(path) -> str:
    with pytest.raises(KregUsageError) as raised:
        read_model_archive(path)
    return str(raised.value)


def test_a_valid_archive_is_read(tmp_path):
    assert read_model_archive(_valid(tmp_path / "ok.keras")).class_name == "Functional"


def test_a_config_bigger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    """The issue's bomb: a small file that unpacks to far more than kreg reads (here just over the limit)."""
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive, archive.open("config.json", "w") as f:
        f.write(b'{"class_name": "Functional", "pad": "')
        chunk = b" " * (1 << 20)
        for _ in range(MEMBER_LIMIT // len(chunk) + 1):
            f.write(chunk)
        f.write(b'"}')
    assert path.stat().st_size < MEMBER_LIMIT // 100
    started = time.perf_counter()
    message = _refusal(path)
    assert time.perf_counter() - started < 1.0
    assert message == (
        f"model file {str(path)!r} is not a .keras archive kreg can read: its config.json unpacks to 65.0 MiB, "
        "more than the 64.0 MiB kreg reads of it"
    )


def test_deeply_nested_json_is_a_usage_error(tmp_path):
    path = _archive(tmp_path / "nested.keras", {"config.json": b"[" * 100_000 + b"]" * 100_000})
    assert _refusal(path).endswith("its config.json is nested too deeply to read")


def test_an_unknown_compression_method_is_named(tmp_path):
    path = _valid(tmp_path / "aes.keras")
    _patch_central_directory(path, "config.json", 8, "<H", 99)
    assert _refusal(path).endswith("its config.json uses compression method 99, which Python's zipfile cannot read")


def test_an_encrypted_member_is_named(tmp_path):
    path = _valid(tmp_path / "encrypted.keras")
    _patch_central_directory(path, "metadata.json", 6, "<H", 0x1)
    assert _refusal(path).endswith("its metadata.json is encrypted (Keras never encrypts a model)")


def test_corrupt_deflate_data_is_a_damaged_member(tmp_path):
    path = _valid(tmp_path / "corrupt.keras")
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x03\x04") + 30 + len("config.json")
    data[start : start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    assert "its config.json is damaged" in _refusal(path)


def test_a_folder_a_fifo_and_a_device_named_keras_say_what_they_are(tmp_path):
    (tmp_path / "folder.keras").mkdir()
    os.mkfifo(tmp_path / "fifo.keras")
    (tmp_path / "zero.keras").symlink_to("/dev/zero")
    shown = {name: repr(str(tmp_path / name)) for name in ("folder.keras", "fifo.keras", "zero.keras")}
    done = threading.Event()

    def refuse_all() -> None:
        assert _refusal(tmp_path / "folder.keras") == f"model file {shown['folder.keras']} is a directory"
        assert _refusal(tmp_path / "fifo.keras") == f"model file {shown['fifo.keras']} is a FIFO, not a file"
        assert (
            _refusal(tmp_path / "zero.keras") == f"model file {shown['zero.keras']} is a character device, not a file"
        )
        done.set()

    worker = threading.Thread(target=refuse_all, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert done.is_set(), "reading the FIFO or the device blocked, or a message differs (run it alone to see)"


def test_an_unreadable_file_says_permission_denied(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="kreg-unreadable-"))  # under /tmp, where another user may enter
    try:
        folder.chmod(0o755)
        path = _valid(folder / "secret.keras")
        path.chmod(0)
        assert _as_another_user(path) == f"model file {str(path)!r} cannot be read: Permission denied"
    finally:
        path.unlink()
        folder.rmdir()


def _as_another_user(path: Path) -> str:
    """The refusal read_model_archive gives to a user who may not read ``path`` (``nobody``, when we are root)."""
    if os.geteuid() != 0:
        return _refusal(path)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's result comes back on the pipe
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                read_model_archive(path)
                message = "read it"
            except KregUsageError as error:
                message = str(error)
            os.write(writing, message.encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(child, 0)
    return message


def test_the_cli_exits_2_on_each(kreg_cli, tmp_path):
    path = _valid(tmp_path / "aes.keras")
    _patch_central_directory(path, "config.json", 8, "<H", 99)
    result = kreg_cli("inspect", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().endswith("uses compression method 99, which Python's zipfile cannot read")
    assert stat.S_ISREG(path.stat().st_mode)


def test_damaged_weights_keras_cannot_load_are_exit_2_naming_the_damage(kreg_cli, tmp_path):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(64), keras.layers.Dense(1)])
    saved = tmp_path / "saved.keras"
    model.save(saved)
    with zipfile.ZipFile(saved) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    path = _archive(tmp_path / "damaged.keras", members)  # every member deflated
    data = bytearray(path.read_bytes())
    weights = data.find(b"model.weights.h5", data.find(b"PK\x03\x04", data.find(b"metadata.json"))) + 16
    data[weights + 100 : weights + 400] = bytes(300)  # inside the compressed weights
    path.write_bytes(bytes(data))
    result = kreg_cli("inspect", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"kreg: error: model file {str(path)!r} is not a .keras archive kreg can read: ")
    assert "damaged" in result.stderr
