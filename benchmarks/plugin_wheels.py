"""Generate N tiny kreg plugin wheels and install them into a fresh venv, fast.

Wheels are written by hand (a zip with the module and its dist-info), so making
1,000 of them takes a second; pip then installs them for real, entry points and
all, in one call.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.plugin_packages import make_plugin_environment

PLUGIN_SOURCE = """import kreg


@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="bench-{index}",
        summary="Generated benchmark architecture {index}",
        builder="{module}_model:build",
        hyperparameters={{"units": {index}}},
        tags=("bench",),
    ))
"""


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(folder: Path, distribution: str, modules: dict[str, str], entry_point: str) -> Path:
    """Write a pure-Python wheel holding ``modules`` with one ``kreg`` entry point.

    Args:
        folder: Path. Where the wheel file goes.
        distribution: str. Distribution name (dashes allowed).
        modules: dict[str, str]. Top-level module names and their sources; the
            first one is the entry point's module.
        entry_point: str. The entry-point (plugin) name.

    Returns:
        Path. The wheel.
    """
    stem = distribution.replace("-", "_")
    dist_info = f"{stem}-1.0.dist-info"
    files = {f"{name}.py": source.encode() for name, source in modules.items()}
    files.update(
        {
            f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n".encode(),
            f"{dist_info}/WHEEL": (
                b"Wheel-Version: 1.0\nGenerator: kreg-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
            ),
            f"{dist_info}/entry_points.txt": f"[kreg]\n{entry_point} = {next(iter(modules))}\n".encode(),
        }
    )
    record = [_record_line(name, data) for name, data in files.items()] + [f"{dist_info}/RECORD,,"]
    path = folder / f"{stem}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return path


def generated_plugin_wheel(folder: Path, index: int) -> Path:
    """The wheel of generated plugin number ``index`` (one architecture, ``bench-INDEX``)."""
    module = f"kreg_bench_plugin_{index}"
    source = PLUGIN_SOURCE.format(index=index, module=module)
    return write_wheel(folder, f"kreg-bench-plugin-{index}", {module: source}, f"bench-{index}")


def install_wheels(python: Path, wheels: list[Path]) -> None:
    """pip-install wheels into the environment of ``python`` (no index, no dependencies)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            *map(str, wheels),
        ],
        check=True,
    )


def make_environment(path: Path, plugins: int) -> Path:
    """Create a venv at ``path`` seeing this interpreter's packages, with ``plugins`` plugins installed.

    Returns:
        Path. The environment's python.
    """
    python = make_plugin_environment(path).python
    if plugins:
        wheels = path.parent / f"wheels-{plugins}"
        wheels.mkdir(exist_ok=True)
        install_wheels(python, [generated_plugin_wheel(wheels, index) for index in range(plugins)])
    return python
