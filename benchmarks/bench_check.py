"""`kreg check` over the built-in architectures, with --jobs 1 and --jobs 2, and what isolation costs.

The forty keras-applications models are left out (`--exclude-tag
keras-applications`): they alone take over an hour to check on 2 cores, and
their cost is the models', not kreg's. There is no plain-Keras counterpart. Goal: the whole check within 3 minutes
on 2 cores. Since every architecture runs in a child process of its own,
`kreg check --jobs 1` is also timed beside the same checks run one after the
other in one process (benchmarks/check_in_process.py, what kreg check did
before), alternating; goal: isolation costs at most 1.5x, and at most
``OVERHEAD_GOAL_SECONDS`` (1 s) per architecture over the in-process checks,
in CPU time and in wall time.

Both sides run under benchmarks/tree_cpu.py, which reaps every process below
the command: the CPU figures count kreg's fork server and every child it
forked (``wait4`` on kreg alone missed them: the server outlives kreg by a
moment, so its children's CPU never reached kreg's own accounting).

    .venv/bin/python benchmarks/bench_check.py [--runs 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Sample, alternate, comparison, figure, kreg_command, run_command

GOAL_SECONDS = 180.0
ISOLATION_GOAL = 1.5
OVERHEAD_GOAL_SECONDS = 1.0
EXCLUDED_TAG = "keras-applications"
IN_PROCESS = Path(__file__).resolve().parent / "check_in_process.py"
TREE_CPU = Path(__file__).resolve().parent / "tree_cpu.py"


def checked_count(patterns: tuple[str, ...] = ()) -> int:
    """How many architectures the benchmark's checks cover (the built-ins but the applications, or those named)."""
    from kreg.loading import load_catalogue

    return len(load_catalogue(disabled=["bench-large"]).select(patterns, exclude_tags=[EXCLUDED_TAG]))


def per_architecture_overhead(kreg: dict, in_process: dict, architectures: int) -> dict[str, float]:
    """Seconds ``kreg check`` adds per architecture over the in-process checks, in wall and CPU time (medians)."""
    return {measure: (kreg[measure] - in_process[measure]) / architectures for measure in ("wall", "cpu")}


def collect(runs: int, patterns: tuple[str, ...] = ()) -> list[dict]:
    """Time `kreg check` over the built-ins with one and two jobs, and one job beside the in-process reference.

    Args:
        runs: int. Runs of each side (after one warm-up each).
        patterns: tuple[str, ...]. Check only the architectures these name (a quicker measure of the
            overhead per architecture); all the built-ins but the applications when empty.
    """

    def check(jobs: int) -> Sample:
        command = kreg_command(
            "check", *patterns, "--jobs", str(jobs), "--exclude-tag", EXCLUDED_TAG, "--disable-plugin", "bench-large"
        )
        return run_command([sys.executable, str(TREE_CPU), *command])

    def in_one_process() -> Sample:
        return run_command([sys.executable, str(TREE_CPU), sys.executable, str(IN_PROCESS), *patterns])

    isolated, in_process = alternate(lambda: check(1), in_one_process, runs)
    row = comparison(
        "check",
        ", ".join(patterns) if patterns else "the built-ins but the applications",
        "kreg check --jobs 1 (a process per architecture)",
        "the same checks in one process",
        (isolated, in_process),
        measure="wall",
        goal=ISOLATION_GOAL,
    )
    architectures = checked_count(patterns)
    overhead = per_architecture_overhead(row["kreg"], row["keras"], architectures)
    row |= {
        "architectures": architectures,
        "overhead_per_architecture": overhead,
        "overhead_goal_seconds": OVERHEAD_GOAL_SECONDS,
        "overhead_met": max(overhead.values()) <= OVERHEAD_GOAL_SECONDS,
    }
    rows = [row]
    for jobs, samples in ((1, isolated), (2, [check(2) for _ in range(runs)])):
        row = figure("check", f"--jobs {jobs}", f"kreg check --jobs {jobs}", samples, goal_seconds=GOAL_SECONDS)
        row["met"] = row["kreg"]["wall"] <= GOAL_SECONDS
        rows.append(row)
    return rows


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("patterns", nargs="*", help="check only these architectures (shell-style patterns)")
    args = parser.parse_args()
    for row in collect(args.runs, tuple(args.patterns)):
        if "keras" in row:
            overhead = row["overhead_per_architecture"]
            print(
                f"isolation: {row['kreg']['wall']:.1f} s against {row['keras']['wall']:.1f} s in one process "
                f"({row['ratio']:.2f}x, goal <= {ISOLATION_GOAL}); CPU with the children "
                f"{row['kreg']['cpu']:.1f} s against {row['keras']['cpu']:.1f} s; per architecture "
                f"({row['architectures']}): {overhead['wall']:+.2f} s wall, {overhead['cpu']:+.2f} s CPU "
                f"(goal <= {OVERHEAD_GOAL_SECONDS:.0f} s)"
            )
        else:
            print(
                f"{row['kreg_label']}: {row['kreg']['wall']:.1f} s wall, {row['kreg']['cpu']:.1f} s CPU "
                f"(goal <= {GOAL_SECONDS:.0f} s)"
            )


if __name__ == "__main__":
    main()
