"""``python -m scripts.typecheck [MYPY OPTION]...``: mypy on kreg, every module under its installed name.

pyproject's ``package-dir`` installs three folders under other names
(``registry/`` is ``kreg``, ``inspect_tools/`` is ``kreg.inspect_tools``,
``plugins/`` is ``kreg.plugins``), and the editable install finds them with an
import hook that mypy cannot follow. So this links the installed layout into
``build/typecheck/kreg`` (a symbolic link per entry, made again on every run,
so new modules are seen), runs mypy there with pyproject's ``[tool.mypy]``,
and writes each error under its source path (``inspect_tools/report.py``).
Exit status: mypy's.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository root."""

LAYOUT = ROOT / "build" / "typecheck"
"""Where the installed layout is linked (``build/`` is ignored by git)."""

FOLDERS = {"registry": "kreg", "inspect_tools": "kreg/inspect_tools", "plugins": "kreg/plugins"}
"""Each source folder and where pyproject's package-dir installs it."""


def link_layout(root: Path = ROOT, layout: Path = LAYOUT) -> Path:
    """Link ``root``'s source folders into ``layout`` as they are installed; return the ``kreg`` folder.

    Only the links are made again: mypy's cache beside them stays, so a second run is quick.
    """
    package = layout / "kreg"
    shutil.rmtree(package, ignore_errors=True)
    package.mkdir(parents=True)
    for entry in (root / "registry").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for folder, installed in FOLDERS.items():
        if folder != "registry":
            (layout / installed).symlink_to(root / folder)
    return package


def source_path(line: str) -> str:
    """An error line of mypy with its ``kreg/...`` path written as the source path."""
    for folder, installed in sorted(FOLDERS.items(), key=lambda item: -len(item[1])):
        prefix = installed + "/"
        if line.startswith(prefix):
            return folder + "/" + line[len(prefix) :]
    return line


def main(argv: list[str]) -> int:
    """Run mypy on the linked layout with ``argv`` added; print its report with source paths."""
    from mypy import api

    link_layout()
    config = ROOT / "pyproject.toml"
    cwd = Path.cwd()
    os.chdir(LAYOUT)
    try:
        out, err, status = api.run(["--config-file", str(config), *argv])
    finally:
        os.chdir(cwd)
    sys.stdout.write("".join(source_path(line) + "\n" for line in out.splitlines()))
    sys.stderr.write(err)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
