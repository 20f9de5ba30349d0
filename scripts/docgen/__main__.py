"""``python -m scripts.docgen [--output DIR] [--gallery PATTERN]... [--no-gallery]``."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from scripts.docgen import commands, example, reference

DEFAULT_OUTPUT = Path("docs/generated")


def write_pages(output: Path, gallery: bool = True, patterns: list[str] | None = None) -> list[Path]:
    """Write every generated page under ``output`` (emptied first) and return their paths."""
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    pages = {"commands.md": commands.command_page(), "example-plugin.md": example.example_page(), **reference.pages()}
    written = []
    for relative, text in pages.items():
        path = output / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    if gallery:
        from scripts.docgen.gallery import write_gallery

        written.extend(write_gallery(output, patterns or ()))
    return written


def main(argv: list[str] | None = None) -> int:
    """Generate the pages; exit 1 with one line when an architecture fails."""
    parser = argparse.ArgumentParser(prog="python -m scripts.docgen", description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="folder for the generated pages (emptied first)")
    parser.add_argument("--gallery", action="append", default=[], metavar="PATTERN", help="only these built-ins in the gallery")
    parser.add_argument("--no-gallery", action="store_true", help="skip the gallery (no TensorFlow needed)")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    from kreg.errors import KregError

    try:
        written = write_pages(options.output, not options.no_gallery, options.gallery)
    except KregError as error:
        print(f"docgen: error: {error}", file=sys.stderr)
        return 1
    print(f"docgen: wrote {len(written)} pages to {options.output}/ in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
