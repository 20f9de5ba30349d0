"""Every package folder on disk must be in the built distribution, under a kreg name."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

IMPORT_ROOTS = {"registry": "kreg", "plugins": "kreg/plugins", "inspect_tools": "kreg/inspect_tools"}


def package_folders(repository: Path) -> set[str]:
    """Folders holding an __init__.py, as paths inside the installed distribution."""
    found = set()
    for folder, target in IMPORT_ROOTS.items():
        for init in (repository / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(repository / folder)
            if "__pycache__" not in relative.parts:
                found.add(str(Path(target, relative)).removesuffix("/."))
    return found


@pytest.fixture(scope="module")
def wheel(repository_root, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(repository_root),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("kreg-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_every_package_folder_is_in_the_wheel(repository_root, wheel_files):
    folders = package_folders(repository_root)
    assert "kreg/plugins/risk_factor" in folders
    missing = sorted(f for f in folders if f"{f}/__init__.py" not in wheel_files)
    assert not missing, f"package folders missing from pyproject's [tool.setuptools] packages: {missing}"


def test_no_generic_top_level_names_are_installed(wheel_files):
    top_level = {name.split("/")[0] for name in wheel_files if not name.startswith("kreg-")}
    assert top_level == {"kreg"}


def test_the_builtin_plugins_register_through_the_kreg_entry_point_group(wheel, wheel_files):
    name = next(name for name in wheel_files if name.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(name).decode()
    assert "[kreg]" in text and "risk-factor = kreg.plugins.risk_factor" in text
    assert "kreg = kreg.cli:main" in text


def test_every_module_in_the_wheel_is_a_python_file_from_the_repository(repository_root, wheel_files):
    modules = {name for name in wheel_files if name.endswith(".py")}
    on_disk = {
        str(Path(target, path.relative_to(repository_root / folder)))
        for folder, target in IMPORT_ROOTS.items()
        for path in (repository_root / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert on_disk - modules == set(), "modules on disk but not in the wheel"
