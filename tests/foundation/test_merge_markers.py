"""No tracked text file keeps a merge's conflict markers (a Markdown file is checked by no other tool)."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKERS = ("<<<<<<< ", ">>>>>>> ")


def _tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / name for name in names if Path(name).suffix in {".py", ".md", ".toml", ".cfg", ".txt", ".yml", ""}]


def test_no_tracked_file_has_conflict_markers():
    marked = [
        str(path.relative_to(ROOT))
        for path in _tracked_text_files()
        if path.is_file() and any(line.startswith(MARKERS) for line in path.read_text(errors="replace").splitlines())
    ]
    assert marked == []
