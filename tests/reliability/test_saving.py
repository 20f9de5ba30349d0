"""``--save``: the destination is checked before anything is built, the file is written whole or not
at all (a SIGKILL mid-save leaves the previous file intact), and Ctrl-C during training stops at a
step boundary, says at which step, and exits 130 without saving."""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys

import pytest

import kreg
from tests.support.catalogues import catalogue_of
from tests.support.processes import wait_for


def _never_built(**hyperparameters):
    raise AssertionError("the destination must be checked before the builder runs")


@pytest.fixture
def unbuildable() -> kreg.Catalogue:
    return catalogue_of(
        kreg.Architecture(name="unbuildable", summary="s", builder=_never_built, data_adapter=_never_built)
    )


def _bad_destinations(tmp_path):
    (tmp_path / "folder.keras").mkdir()
    (tmp_path / "a-file").write_text("x")
    cases = [
        (tmp_path / "model.h5", "the file name must end in .keras"),
        (tmp_path / "folder.keras", "is a directory; name a file in it"),
        (tmp_path / "a-file" / "model.keras", f"{str(tmp_path / 'a-file')!r} is not a folder"),
    ]
    if sys.platform == "linux":  # a folder nobody can write in, root included
        cases.append(("/proc/kreg-model.keras", "cannot write in the folder '/proc'"))
    return cases


def test_a_save_destination_that_cannot_work_is_a_usage_error_before_building(unbuildable, kreg_cli, tmp_path):
    for path, problem in _bad_destinations(tmp_path):
        result = kreg_cli("train", "unbuildable", "--save", str(path), catalogue=unbuildable)
        assert result.exit_code == 2, (path, result.output)
        line = result.stderr.strip()
        assert line.startswith(f"kreg: error: --save {str(path)!r}") and problem in line, line


def test_a_missing_save_folder_is_created(tmp_path):
    from kreg.files import check_destination

    target = tmp_path / "new" / "deeper" / "model.keras"
    assert check_destination(target, "--save", (".keras",)) == target
    assert target.parent.is_dir() and list(target.parent.iterdir()) == []


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sigkill_during_save_leaves_the_previous_file_intact_and_loadable(faults, tmp_path):
    target = tmp_path / "model.keras"
    first = faults.kreg("train", "fault-save", "--steps", "2", "--save", str(target))
    assert first.returncode == 0, first.stderr
    before = _digest(target)

    process = faults.start_kreg(
        "train", "fault-save", "--steps", "2", "--save", str(target), env={"FAULT_SAVE_BLOCK": "1"}
    )
    partial = lambda: [p for p in tmp_path.iterdir() if p.name.startswith(".model.keras.") and p.stat().st_size > 0]  # noqa: E731
    wait_for(lambda: partial() or process.poll() is not None, what="the save starting")
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)

    assert _digest(target) == before
    loaded = subprocess.run(
        [
            str(faults.python),
            "-c",
            f"import kreg_test_faults_saving, keras; print(keras.models.load_model({str(target)!r}).count_params())",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert int(loaded.stdout.split()[-1]) == (3 * 4 + 4) + 4 * 64 + (64 + 1)  # Dense(4), BlockingSave(64), Dense(1)


def _interrupt_training(faults, tmp_path, *args: str):
    target = tmp_path / "model.keras"
    process = faults.start_kreg(
        "train",
        "fault-slow-train",
        "--steps",
        "1000",
        "--save",
        str(target),
        *args,
        env={"FAULT_MARK_DIR": str(tmp_path)},
    )
    wait_for(lambda: (tmp_path / "training").exists() or process.poll() is not None, what="training starting")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert not target.exists()
    match = re.fullmatch(
        rf"kreg: error: interrupted at step (\d+) of 1000; {re.escape(str(target))} was not written",
        stderr.strip().splitlines()[-1],
    )
    assert match, stderr
    assert "kreg: stopping after this step" in stderr and "Traceback" not in stderr
    return int(match.group(1)), stdout


def test_ctrl_c_during_training_stops_at_a_step_boundary_and_reports_the_metrics_so_far(faults, tmp_path):
    step, stdout = _interrupt_training(faults, tmp_path)
    assert 1 <= step < 1000
    assert f"fault-slow-train: {step} steps" in stdout and "loss" in stdout


# Slow (7.5 s); the default suite stops training with Ctrl-C (above) and an interrupted check's JSON parses.
@pytest.mark.slow
def test_ctrl_c_during_training_with_json_prints_json_that_parses(faults, tmp_path):
    step, stdout = _interrupt_training(faults, tmp_path, "--json")
    report = json.loads(stdout)
    assert (report["interrupted"], report["steps"], report["saved"]) == (True, step, None)
    assert set(report["metrics"]) == {"loss"}
