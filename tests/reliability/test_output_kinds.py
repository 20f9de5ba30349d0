"""Outputs that are not regular files: a device or FIFO receives the bytes, a link is kept, nothing else is replaced.

The issue's cases, as root: ``kreg review mlp -o /dev/null`` replaced the
device with a 14 kB regular file, ``-o link.html`` replaced the link with a
file (its target never updated), a FIFO became a file. Each is built here for
real: a character device made with ``os.mknod`` (root only), a FIFO read by a
thread, symbolic links, a socket.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pytest

import kreg.files
from kreg.errors import KregUsageError
from kreg.files import check_destination, replaced_atomically, write_atomically

NULL_DEVICE = os.makedev(1, 3)  # /dev/null's major and minor numbers


def _null_device(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("making a character device needs root (the suite runs as root in CI)")
    path = tmp_path / "null.html"
    os.mknod(path, stat.S_IFCHR | 0o666, NULL_DEVICE)
    return path


class FifoReader:
    """A thread that reads a FIFO to its end, as ``cat fifo`` would."""

    def __init__(self, path: Path):
        self.path, self.data = path, b""
        os.mkfifo(path)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as stream:
            self.data = stream.read()

    def result(self) -> bytes:
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "the FIFO was never written and closed"
        return self.data


def test_a_character_device_receives_the_bytes_and_stays_a_device(tmp_path):
    device = _null_device(tmp_path)
    assert check_destination(device, "-o") == device
    write_atomically(device, "<html>14 kB of review</html>")
    assert stat.S_ISCHR(device.stat().st_mode) and device.stat().st_rdev == NULL_DEVICE
    assert [p.name for p in tmp_path.iterdir()] == ["null.html"]  # no temporary file left beside it


def test_a_fifo_receives_the_bytes_and_stays_a_fifo(tmp_path):
    reader = FifoReader(tmp_path / "pipe.xml")
    assert check_destination(reader.path, "--junit-xml") == reader.path
    write_atomically(reader.path, b"<testsuites/>")
    assert reader.result() == b"<testsuites/>"
    assert stat.S_ISFIFO(reader.path.stat().st_mode)


def test_a_model_saved_through_replaced_atomically_reaches_a_fifo_whole(tmp_path):
    reader = FifoReader(tmp_path / "model.keras")
    with replaced_atomically(reader.path) as partial:
        assert partial.suffix == ".keras" and partial.parent != tmp_path  # nothing is written beside the FIFO
        partial.write_bytes(b"PK" + b"\0" * 100_000)
    assert reader.result() == b"PK" + b"\0" * 100_000
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


@pytest.mark.parametrize("relative", [True, False])
def test_a_symbolic_link_keeps_pointing_at_its_file_which_is_replaced_whole(tmp_path, relative):
    (tmp_path / "pages").mkdir()
    real = tmp_path / "pages" / "review.html"
    real.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(Path("pages/review.html") if relative else real)
    assert check_destination(link, "-o") == link
    write_atomically(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(Path("pages/review.html") if relative else real)
    assert real.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.html", "pages"]
    assert [p.name for p in (tmp_path / "pages").iterdir()] == ["review.html"]


def test_a_link_to_nothing_a_socket_and_a_folder_are_refused_and_left_alone(tmp_path):
    dangling = tmp_path / "dangling.html"
    dangling.symlink_to(tmp_path / "nowhere" / "page.html")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.html"))
    folder_link = tmp_path / "folder.html"
    folder_link.symlink_to(tmp_path)
    cases = {
        dangling: "is a symbolic link to .*nowhere/page.html', which does not exist",
        tmp_path / "sock.html": "is a socket; kreg writes only files, character devices and FIFOs",
        folder_link: "is a directory; name a file in it",
    }
    try:
        for path, message in cases.items():
            with pytest.raises(KregUsageError, match=message):
                check_destination(path, "-o")
            with pytest.raises(KregUsageError, match=message):
                write_atomically(path, "x")
    finally:
        server.close()
    assert dangling.is_symlink() and not (tmp_path / "nowhere").exists()
    assert stat.S_ISSOCK((tmp_path / "sock.html").stat().st_mode)
    assert folder_link.is_symlink()


def test_destinations_are_made_absolute_and_a_logdir_is_checked_as_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_destination("out/model.keras", "--save", (".keras",)) == tmp_path / "out" / "model.keras"
    assert kreg.files.check_folder("logs/run", "--logdir") == tmp_path / "logs" / "run"
    (tmp_path / "blocker").write_text("a file")
    with pytest.raises(KregUsageError, match=r"^--logdir 'blocker/run': '.*blocker' is not a folder$"):
        kreg.files.check_folder("blocker/run", "--logdir")


def _tiny(units: int = 2):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_review_to_a_device_a_link_and_a_fifo_keeps_each_what_it_was(kreg_cli, tmp_path):
    """The issue's ``kreg review mlp -o /dev/null`` (here a device made in tmp_path), ``-o link.html``, a FIFO."""
    import kreg
    from tests.support.catalogues import catalogue_of

    catalogue = catalogue_of(kreg.Architecture(name="tiny", summary="s", builder=_tiny), plugin="tiny")
    device = _null_device(tmp_path)
    (tmp_path / "real.html").write_text("old")
    (tmp_path / "link.html").symlink_to("real.html")
    reader = FifoReader(tmp_path / "pipe.html")
    for output in (device, tmp_path / "link.html", reader.path):
        result = kreg_cli("review", "tiny", "-o", str(output), catalogue=catalogue)
        assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(device.stat().st_mode)
    assert (tmp_path / "link.html").is_symlink() and "<html" in (tmp_path / "real.html").read_text()
    assert reader.result().startswith(b"<!DOCTYPE html>") and stat.S_ISFIFO(reader.path.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.html", "null.html", "pipe.html", "real.html"]
