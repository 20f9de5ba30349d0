"""`kreg check` over every built-in architecture, with --jobs 1 and --jobs 2.

There is no plain-Keras counterpart: these are kreg's own figures. Goal: the
whole check within 3 minutes on 2 cores.

    .venv/bin/python benchmarks/bench_check.py [--runs 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import figure, kreg_command, run_command  # noqa: E402

GOAL_SECONDS = 180.0


def collect(runs: int) -> list[dict]:
    """Time `kreg check` over the built-ins with one and with two worker processes."""
    rows = []
    for jobs in (1, 2):
        samples = [run_command(kreg_command("check", "--jobs", str(jobs), "--disable-plugin", "bench-large")) for _ in range(runs)]
        row = figure("check", f"--jobs {jobs}", f"kreg check --jobs {jobs}", samples, goal_seconds=GOAL_SECONDS)
        row["met"] = row["kreg"]["wall"] <= GOAL_SECONDS
        rows.append(row)
    return rows


def main() -> None:
    """Print both timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    for row in collect(parser.parse_args().runs):
        print(f"{row['kreg_label']}: {row['kreg']['wall']:.1f} s wall, {row['kreg']['cpu']:.1f} s CPU (goal <= {GOAL_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
