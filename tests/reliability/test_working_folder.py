"""kreg's own processes never import from the working folder.

The issue: a ``kreg/`` folder (even empty) or a ``kreg.py`` in the current
directory made every ``kreg check`` row fail ("exited with status 1 ... while
starting", the fork server's ImportError) and ran ``kreg.py``'s code;
``kreg train --workers 2`` likewise. The fork server is started by
``python -c``, the workers by ``python -m``: both put the working folder first
on ``sys.path``. Run here through a console script, as a user's ``kreg`` is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SHADOWS = {
    "folder": {"kreg/README": "a folder named kreg, without __init__.py (a checkout)"},
    "module": {
        "kreg.py": "open(__file__ + '.ran', 'w').close()\nraise SystemExit('the working folder was imported')\n"
    },
}


def _shadowing_folder(tmp_path: Path, kind: str) -> Path:
    folder = tmp_path / f"shadow-{kind}"
    for name, text in SHADOWS[kind].items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    "kind",
    ["folder", pytest.param("module", marks=pytest.mark.slow)],  # the slow one runs kreg.py if it breaks
)
def test_kreg_check_from_a_folder_holding_kreg_passes_and_runs_none_of_it(faults, tmp_path, kind):
    folder = _shadowing_folder(tmp_path, kind)
    result = faults.kreg_script("check", "fault-good", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert [row["status"] for row in json.loads(result.stdout)["results"]] == ["pass"]
    assert not (folder / "kreg.py.ran").exists()


@pytest.mark.slow
def test_kreg_train_workers_from_a_folder_holding_kreg_py_trains_and_runs_none_of_it(faults, tmp_path):
    folder = _shadowing_folder(tmp_path, "module")
    result = faults.kreg_script("train", "fault-good", "--workers", "2", "--steps", "2", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["workers"] == 2
    assert not (folder / "kreg.py.ran").exists()


def test_the_python_api_beside_a_checkout_named_kreg_uses_the_installed_package(tmp_path, repository_root):
    """With a regular install (kreg's folders staged as the wheel lays them out), a checkout named ``kreg/``
    in the working folder is a namespace folder that the installed package wins over. (An editable install
    cannot win: docs/python-api.md says so.)"""
    site = tmp_path / "site-packages"
    _stage_installed_layout(repository_root, site / "kreg")
    checkout = tmp_path / "work"
    (checkout / "kreg" / "registry").mkdir(parents=True)
    (checkout / "kreg" / "README.md").write_text("a clone of kreg, named kreg")
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path[:0] = ['', {str(site)!r}]; import kreg; print(kreg.inspect)",
        ],
        capture_output=True,
        text=True,
        cwd=checkout,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<function inspect")


def _stage_installed_layout(root: Path, package: Path) -> None:
    """Copy ``registry/`` as ``kreg`` and ``inspect_tools/`` as ``kreg/inspect_tools``, as the wheel installs them."""
    import shutil

    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(root / "registry", package, ignore=ignore)
    shutil.copytree(root / "inspect_tools", package / "inspect_tools", ignore=ignore)
