"""A page listing examples/kreg-example-plugin file by file, so the tutorial's full code never drifts."""

from __future__ import annotations

from pathlib import Path

from scripts.docgen.markdown import code

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kreg-example-plugin"
LANGUAGES = {".py": "python", ".toml": "toml", ".md": "markdown"}
ORDER = (
    "pyproject.toml",
    "src/kreg_example_plugin/__init__.py",
    "src/kreg_example_plugin/model.py",
    "src/kreg_example_plugin/layers.py",
    "src/kreg_example_plugin/data.py",
    "src/kreg_example_plugin/train.py",
    "tests/test_contract.py",
    "tests/test_model.py",
    "tests/test_data.py",
)


def example_page(root: Path = EXAMPLE) -> str:
    """Markdown of the example plugin's files (those in ORDER first, then any others)."""
    files = [root / name for name in ORDER if (root / name).exists()]
    files += sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix in (".py", ".toml")
        and p not in files
        and not {"build", "__pycache__"} & set(p.parts)
        and ".egg-info" not in str(p)
    )
    parts = [
        "# The example plugin, in full",
        "_`examples/kreg-example-plugin` in kreg's repository, copied here by `scripts/docgen`. "
        "`make test` pip-installs it into a fresh environment and runs its tests._",
    ]
    for path in files:
        relative = path.relative_to(root)
        parts.extend([f"## `{relative}`", code(path.read_text().rstrip("\n"), LANGUAGES.get(path.suffix, ""))])
    return "\n\n".join(parts) + "\n"
