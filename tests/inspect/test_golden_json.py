"""``kreg inspect --json`` stays byte-identical on the 13 teaching architectures.

The golden files in ``golden/`` were written by ``kreg inspect NAME --json``
(each in a fresh process) before the report became typed dataclasses: the
JSON is a contract other tools read (shared DESIGN.md), and a refactoring of
the report must not change one byte of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
TEACHING = sorted(path.stem for path in (HERE / "golden").glob("*.json"))


@pytest.fixture(scope="module")
def inspected() -> dict[str, str]:
    """The stdout of ``kreg inspect NAME --json`` for every golden NAME, from one fresh process."""
    completed = subprocess.run(
        [sys.executable, str(HERE / "golden_inspect.py"), *TEACHING],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=HERE,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    runs = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return {run["name"]: run["stdout"] for run in runs}


def test_thirteen_teaching_architectures_have_golden_files():
    assert len(TEACHING) == 13


@pytest.mark.parametrize("name", TEACHING)
def test_inspect_json_is_byte_identical_to_the_golden_file(inspected, name):
    golden = (HERE / "golden" / f"{name}.json").read_text()
    assert inspected[name] == golden, f"kreg inspect {name} --json changed; see {HERE / 'golden' / name}.json"
