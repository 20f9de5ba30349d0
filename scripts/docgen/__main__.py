"""``python -m scripts.docgen [--output DIR] [--reference DIR] [--check] [--gallery PATTERN]... [--no-gallery]``."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from scripts.docgen import bench_table, commands, example, model_table, reference

DEFAULT_OUTPUT = Path("docs/generated")
"""Built pages, gitignored: the command reference and the gallery."""

REFERENCE = Path("docs/reference")
"""Committed pages, so the docs read whole in a plain checkout.

Hooks, Architecture, kreg.testing, the example plugin.
"""

MEASURED_PAGES = (model_table.PAGE, bench_table.PAGE)
"""Committed pages in this folder that ``make model-table`` and ``make bench-table`` measure (too slow for docs).

Kept as they are.
"""


def reference_pages() -> dict[str, str]:
    """File name -> Markdown of every page committed under ``docs/reference/``."""
    return {**reference.pages(), "example-plugin.md": example.example_page()}


def write_reference(folder: Path = REFERENCE) -> list[Path]:
    """Write the reference pages into ``folder``, removing any other ``.md`` there; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = reference_pages()
    for stale in folder.glob("*.md"):
        if stale.name not in pages and stale.name not in MEASURED_PAGES:
            stale.unlink()
    written = []
    for name, text in pages.items():
        path = folder / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        written.append(path)
    return written


def stale_reference(folder: Path = REFERENCE) -> list[str]:
    """The reference pages whose committed text differs from what the code generates now (or that are missing)."""
    pages = reference_pages()
    stale = [
        name for name, text in pages.items() if not (folder / name).exists() or (folder / name).read_text() != text
    ]
    extra = [path.name for path in folder.glob("*.md") if path.name not in pages and path.name not in MEASURED_PAGES]
    return sorted(stale + extra)


def write_pages(output: Path, gallery: bool = True, patterns: list[str] | None = None) -> list[Path]:
    """Write the built pages (command reference, gallery) under ``output`` (emptied first) and return their paths."""
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    path = output / "commands.md"
    path.write_text(commands.command_page())
    written = [path]
    if gallery:
        from scripts.docgen.gallery import write_gallery

        written.extend(write_gallery(output, patterns or ()))
    return written


def main(argv: list[str] | None = None) -> int:
    """Generate the pages; exit 1 with one line when an architecture fails or, with --check, a page is stale."""
    parser = argparse.ArgumentParser(prog="python -m scripts.docgen", description=__doc__)
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="folder for the built pages (emptied first)"
    )
    parser.add_argument("--reference", type=Path, default=REFERENCE, help="folder of the committed reference pages")
    parser.add_argument(
        "--check", action="store_true", help="only say whether the committed reference pages are up to date"
    )
    parser.add_argument(
        "--gallery", action="append", default=[], metavar="PATTERN", help="only these built-ins in the gallery"
    )
    parser.add_argument("--no-gallery", action="store_true", help="skip the gallery (no TensorFlow needed)")
    options = parser.parse_args(argv)
    if options.check:
        stale = stale_reference(options.reference)
        for name in stale:
            print(f"docgen: {options.reference / name} is out of date; run `make docs` and commit it", file=sys.stderr)
        return 1 if stale else 0
    started = time.perf_counter()
    from kreg.errors import KregError

    try:
        written = write_reference(options.reference)
        written += write_pages(options.output, not options.no_gallery, options.gallery)
    except KregError as error:
        print(f"docgen: error: {error}", file=sys.stderr)
        return 1
    print(
        f"docgen: wrote {len(written)} pages to {options.reference}/ and {options.output}/ "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
