"""Every link in the docs and the README resolves in a plain checkout.

A checkout has no docs/generated/ (``make docs`` writes it, and git ignores
it): a link into it, or to any file git ignores or that does not exist, is
dangling for someone reading the repository. The committed reference pages
in docs/reference/ must also be what the code generates now.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = ("http://", "https://", "mailto:", "#")


def documents(root: Path) -> list[Path]:
    """The Markdown a reader of the repository sees: README, docs/ (but docs/generated/), examples' READMEs."""
    pages = [
        root / "README.md",
        *sorted((root / "docs").rglob("*.md")),
        *sorted((root / "examples").glob("*/README.md")),
    ]
    return [page for page in pages if "generated" not in page.relative_to(root).parts]


def ignored_by_git(root: Path, path: Path) -> bool:
    result = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=root, capture_output=True)
    return result.returncode == 0


def dangling_links(root: Path, page: Path) -> list[str]:
    """The links of ``page`` whose target is missing, generated or ignored by git."""
    problems = []
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.DOTALL)  # code blocks hold examples, not links
    for target in LINK.findall(text):
        if target.startswith(EXTERNAL):
            continue
        resolved = (page.parent / target.split("#", 1)[0]).resolve()
        inside = resolved.relative_to(root) if resolved.is_relative_to(root) else None
        if (
            inside is None
            or not resolved.exists()
            or inside.parts[:2] == ("docs", "generated")
            or ignored_by_git(root, resolved)
        ):
            problems.append(f"{page.relative_to(root)}: ({target})")
    return problems


def test_every_link_resolves_in_a_checkout(repository_root):
    pages = documents(repository_root)
    assert len(pages) >= 10
    problems = [problem for page in pages for problem in dangling_links(repository_root, page)]
    assert problems == []


@pytest.mark.parametrize(
    "target",
    [
        "generated/commands.md",
        "no-such-page.md",
        "../build/site/index.html",
        "reference/hooks.md#no-anchor-check-but-file-ok",
    ],
)
def test_the_checker_catches_dangling_links(repository_root, target):
    page = repository_root / "docs" / "kreg-test-links.md"
    page.write_text(f"See [this]({target}) and [kreg](https://example.org).\n")
    try:
        found = dangling_links(repository_root, page)
    finally:
        page.unlink()
    expected = [] if target.startswith("reference/hooks.md") else [f"docs/kreg-test-links.md: ({target})"]
    assert found == expected


def test_the_committed_reference_pages_are_up_to_date(repository_root):
    from scripts.docgen.__main__ import stale_reference

    assert stale_reference(repository_root / "docs" / "reference") == [], "run `make docs` and commit docs/reference/"
