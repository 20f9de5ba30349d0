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
from tests.support.plugin_packages import make_plugin_environment  # noqa: E402

PLUGIN_SOURCE = '''import kreg


@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="bench-{index}",
        summary="Generated benchmark architecture {index}",
        builder="{module}_model:build",
        hyperparameters={{"units": {index}}},
        tags=("bench",),
    ))
'''


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(folder: Path, index: int) -> Path:
    """Write the wheel of plugin number ``index`` and return its path."""
    distribution, module = f"kreg-bench-plugin-{index}", f"kreg_bench_plugin_{index}"
    dist_info = f"kreg_bench_plugin_{index}-1.0.dist-info"
    files = {
        f"{module}.py": PLUGIN_SOURCE.format(index=index, module=module).encode(),
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: kreg-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/entry_points.txt": f"[kreg]\nbench-{index} = {module}\n".encode(),
    }
    record = [_record_line(name, data) for name, data in files.items()] + [f"{dist_info}/RECORD,,"]
    path = folder / f"kreg_bench_plugin_{index}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return path


def make_environment(path: Path, plugins: int) -> Path:
    """Create a venv at ``path`` seeing this interpreter's packages, with ``plugins`` plugins installed.

    Returns:
        Path. The environment's python.
    """
    python = make_plugin_environment(path).python
    if plugins:
        wheels = path.parent / f"wheels-{plugins}"
        wheels.mkdir(exist_ok=True)
        paths = [str(write_wheel(wheels, index)) for index in range(plugins)]
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", *paths],
            check=True,
        )
    return python
