"""kreg check's pipeline over the built-ins (but the keras-applications models) in this one process.

The reference of bench_check.py: this is what `kreg check --jobs 1` did before each architecture got a process
of its own; bench_check.py times it beside `kreg check --jobs 1` to measure
what the isolation costs. Exit status 1 when an architecture fails.

    .venv/bin/python benchmarks/check_in_process.py [PATTERN ...]

PATTERN: shell-style patterns on the names, as ``kreg check`` takes them (all but the applications without one).
"""

from __future__ import annotations

import sys

from kreg.loading import load_catalogue
from kreg.workflows.checking import check_one


def main(patterns: list[str]) -> int:
    """Check every architecture matching ``patterns`` (all when empty) in turn; return the exit status."""
    catalogue = load_catalogue(disabled=["bench-large"])
    entries = catalogue.select(patterns, exclude_tags=["keras-applications"])
    failed = [entry.name for entry in entries if not check_one(entry).passed]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
