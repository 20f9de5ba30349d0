"""kreg.files: every file kreg writes for the user appears whole or not at all."""

from __future__ import annotations

import os
import stat

import pytest

from kreg.errors import KregError
from kreg.files import replaced_atomically, write_atomically


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_previous_file_survives_a_failed_or_interrupted_write(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("previous")
    for error in (RuntimeError("disk full"), KeyboardInterrupt()):
        with pytest.raises(type(error)), replaced_atomically(target) as partial:
            partial.write_text("half")
            assert target.read_text() == "previous"  # a reader never sees the half-written file
            raise error
        assert target.read_text() == "previous"
        assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # the temporary file is gone


def test_the_temporary_file_sits_beside_the_target_with_its_suffix(tmp_path):
    with replaced_atomically(tmp_path / "model.keras") as partial:
        assert partial.parent == tmp_path and partial.name.startswith(".model.keras.") and partial.suffix == ".keras"
        partial.write_bytes(b"zip")
    assert (tmp_path / "model.keras").read_bytes() == b"zip"


def test_a_new_file_gets_the_umask_permissions_and_a_replaced_one_keeps_its_own(tmp_path):
    previous = os.umask(0o022)
    try:
        new = write_atomically(tmp_path / "new.txt", "text")
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        kept.chmod(0o640)
        write_atomically(kept, b"bytes")
    finally:
        os.umask(previous)
    assert _mode(new) == 0o644  # mkstemp alone would leave 0600
    assert (_mode(kept), kept.read_bytes()) == (0o640, b"bytes")


def test_write_atomically_makes_the_folder_and_says_why_it_cannot_write(tmp_path):
    assert write_atomically(tmp_path / "a" / "b" / "c.txt", "x").read_text() == "x"
    (tmp_path / "file").write_text("x")
    with pytest.raises(KregError, match=r"cannot write '.*file/c.txt': "):
        write_atomically(tmp_path / "file" / "c.txt", "x")
