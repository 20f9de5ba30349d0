"""Stage the installed layout of kreg's three source folders, for tools that walk folders.

The editable install maps ``kreg.inspect_tools`` and ``kreg.plugins`` to folders outside
``registry/`` (pyproject's package-dir); a tool that walks ``kreg``'s folder, as grimp does,
would never see them. The staged copy puts every module where its import name says.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

FOLDERS = {"registry": "kreg", "inspect_tools": "kreg/inspect_tools", "plugins": "kreg/plugins"}
"""Each source folder and where the installed layout puts it (pyproject's package-dir)."""

STAGE = Path("build/layering")
"""Where ``make lint`` stages the layout, relative to the repository root."""


def stage_layout(source: Path, destination: Path) -> Path:
    """Copy the Python files of ``source``'s three folders into ``destination`` as installed.

    A file already staged with the size and modification time of its source is
    kept; a staged file whose source is gone is removed, so the copy is the
    tree as it is now.

    Args:
        source: Path. A repository root (holding registry/, inspect_tools/, plugins/).
        destination: Path. The folder to put on ``sys.path``.

    Returns:
        Path. ``destination/kreg``, the root package's folder.
    """
    package = destination / "kreg"
    wanted = dict(_installed_files(source, destination))
    for staged in [*package.rglob("*.py")] if package.exists() else []:
        if staged not in wanted:
            staged.unlink()
    for copy, original in wanted.items():
        if not _same(original, copy):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(original, copy)
    return package


def _installed_files(source: Path, destination: Path) -> Iterator[tuple[Path, Path]]:
    """Each Python file of the three folders: where the installed layout puts it, and the file."""
    for folder, target in FOLDERS.items():
        for path in (source / folder).rglob("*.py"):
            relative = path.relative_to(source / folder)
            if "__pycache__" not in relative.parts:
                yield destination / target / relative, path


def _same(original: Path, copy: Path) -> bool:
    try:
        theirs, ours = os.stat(original), os.stat(copy)
    except FileNotFoundError:
        return False
    return (theirs.st_size, theirs.st_mtime_ns) == (ours.st_size, ours.st_mtime_ns)
