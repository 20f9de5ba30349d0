"""mkdocs hooks: put the generated gallery pages into the navigation.

mkdocs.yml lists ``generated/gallery/index.md`` under "Gallery"; this hook
adds a nav entry for every other page the generator wrote there, so a new
built-in architecture appears without editing mkdocs.yml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

GALLERY_INDEX = "generated/gallery/index.md"


def on_config(config: Any) -> Any:
    """Replace the gallery's nav entry by its index followed by each architecture page."""
    folder = Path(config["docs_dir"]) / Path(GALLERY_INDEX).parent
    pages = sorted(p.name for p in folder.glob("*.md") if p.name != "index.md")
    entries = [{"Overview": GALLERY_INDEX}] + [{p.removesuffix(".md"): f"generated/gallery/{p}"} for p in pages]
    config["nav"] = [_replace(item, entries) for item in config["nav"] or []]
    return config


def _replace(item: Any, entries: list[dict[str, str]]) -> Any:
    if isinstance(item, dict):
        return {key: entries if value == GALLERY_INDEX else _replace_all(value, entries) for key, value in item.items()}
    return item


def _replace_all(value: Any, entries: list[dict[str, str]]) -> Any:
    return [_replace(item, entries) for item in value] if isinstance(value, list) else value
