"""``kreg check`` survives any plugin: each architecture in a process of its own, a time limit,
Ctrl-C that keeps the finished rows, JUnit XML for CI. Real processes, real signals."""

from __future__ import annotations

import json
import signal
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.support.processes import alive, wait_for

FAULTS = ["fault-exit", "fault-os-exit", "fault-segfault", "fault-hang"]


def _running_from(environment) -> list[int]:
    """Processes still running the environment's interpreter: kreg, its fork server, its children."""
    python = str(environment.python)
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")[0].decode()
            except OSError:
                continue
            if command == python and alive(int(entry.name)):
                pids.append(int(entry.name))
    return pids


def _hang_pids(folder: Path) -> list[int]:
    return [int(pid) for pid in (folder / "fault-hang.pids").read_text().split()]


def test_exit_os_exit_segfault_and_hang_each_fail_only_their_row(faults, tmp_path):
    junit = tmp_path / "reports" / "check.xml"
    result = faults.kreg(
        "check",
        *FAULTS,
        "--jobs",
        "2",
        "--timeout",
        "2",
        "--json",
        "--junit-xml",
        str(junit),
        env={"FAULT_PID_DIR": str(tmp_path)},
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["passed"], report["interrupted"]) == (False, False)
    rows = {row["architecture"]: (row["status"], row["phase"], row["cause"]) for row in report["results"]}
    assert rows == {
        "fault-exit": ("fail", "build", "the plugin called sys.exit(7)"),
        "fault-os-exit": (
            "fail",
            "build",
            "the process checking it exited with status 70 without a result (os._exit, or a crash in native code) "
            "while building",
        ),
        "fault-segfault": ("fail", "build", "the process checking it was killed by SIGSEGV while building"),
        "fault-hang": ("fail", "build", "timed out after 2 s while building"),
    }
    assert result.stderr.strip().splitlines()[-1] == (
        "kreg: error: 4 of 4 architectures failed the check: fault-exit, fault-hang, fault-os-exit, fault-segfault"
    )
    assert "Traceback" not in result.stderr
    assert not any(alive(pid) for pid in _hang_pids(tmp_path))  # the hanging builder and the process it started
    _check_junit(junit, rows)


def _check_junit(path: Path, rows: dict) -> None:
    """The structure pytest --junit-xml writes: testsuites > testsuite(counts) > testcase(failure)."""
    root = ElementTree.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite"
    assert {key: suite.get(key) for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": "4",
        "failures": "4",
        "errors": "0",
        "skipped": "0",
    }
    assert float(suite.get("time")) > 0 and suite.get("timestamp") and suite.get("hostname")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert sorted(cases) == sorted(rows)
    for name, (_status, phase, cause) in rows.items():
        case = cases[name]
        assert case.get("classname") == "kreg.check" and float(case.get("time")) >= 0
        (failure,) = case.findall("failure")
        assert failure.get("message") == f"{phase}: {cause}"
        assert cause in failure.text


def _interrupt_while_hanging(faults, tmp_path, number: int, *args: str):
    """Start kreg check on a passing, a hanging and a not-yet-started architecture; signal it mid-hang."""
    process = faults.start_kreg(
        "check", "fault-good", "fault-hang", "fault-os-exit", *args, env={"FAULT_PID_DIR": str(tmp_path)}
    )
    wait_for(lambda: (tmp_path / "fault-hang.pids").exists() or process.poll() is not None, what="the hanging builder")
    process.send_signal(number)
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr


def test_ctrl_c_prints_the_finished_rows_marks_the_rest_and_leaves_no_process(faults, tmp_path):
    status, stdout, stderr = _interrupt_while_hanging(faults, tmp_path, signal.SIGINT)
    assert status == 130, stderr
    rows = {
        line.split("│")[1].strip(): line for line in stdout.splitlines() if line.startswith("│") and "fault-" in line
    }
    assert "pass" in rows["fault-good"]
    assert "interrupted" in rows["fault-hang"] and "interrupted while building" in rows["fault-hang"]
    assert "interrupted before it started" in rows["fault-os-exit"]
    assert "1 passed, 0 failed, 2 interrupted" in stdout
    assert stderr.strip().splitlines()[-1] == "kreg: error: interrupted after 1 of 3 architectures"
    assert "Traceback" not in stderr and "Aborted" not in stderr
    pids = _hang_pids(tmp_path)
    wait_for(
        lambda: not any(alive(pid) for pid in pids) and not _running_from(faults),
        timeout=10,
        what="every child process ending",
    )


@pytest.mark.parametrize(
    "number, exit_status", [(signal.SIGINT, 130), pytest.param(signal.SIGTERM, 143, marks=pytest.mark.slow)]
)
def test_an_interrupted_check_still_prints_json_that_parses(faults, tmp_path, number, exit_status):
    status, stdout, stderr = _interrupt_while_hanging(
        faults, tmp_path, number, "--json", "--junit-xml", str(tmp_path / "check.xml")
    )
    assert status == exit_status, stderr
    report = json.loads(stdout)
    assert (report["passed"], report["interrupted"]) == (False, True)
    rows = {row["architecture"]: row for row in report["results"]}
    assert [(name, row["status"], row["phase"]) for name, row in rows.items()] == [
        ("fault-good", "pass", None),
        ("fault-hang", "interrupted", "build"),
        ("fault-os-exit", "interrupted", None),
    ]
    assert rows["fault-hang"]["cause"] == "interrupted while building"
    suite = ElementTree.parse(tmp_path / "check.xml").getroot()[0]
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "0", "2")
    wait_for(lambda: not _running_from(faults), timeout=10, what="every child process ending")


def test_a_junit_xml_destination_that_cannot_be_written_is_a_usage_error_before_any_check(faults, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = faults.kreg(
        "check", "fault-hang", "--junit-xml", str(blocker / "check.xml"), env={"FAULT_PID_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"kreg: error: --junit-xml {str(blocker / 'check.xml')!r}: {str(blocker)!r} is not a folder"
    )
    assert not (tmp_path / "fault-hang.pids").exists()


def test_check_help_explains_isolation_timeout_and_exit_codes(faults):
    text = " ".join(faults.kreg("check", "--help").stdout.split())
    for words in ("a process of its own", "--timeout SECONDS", "0 for no limit", "--junit-xml FILE", "130 Ctrl-C"):
        assert words in text
