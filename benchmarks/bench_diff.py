"""The structural diff at 100 to 10,000 layer calls a side, in process (no Keras: hand-made report rows).

A residual MLP of N blocks against the same model twice as wide: every call
changes, so the alignment cannot split at identical calls and scores every
pair. The figure is the diff of the ``layers`` tables (alignment, repeated
blocks, groups) and, separately, the repeated-block finder on the left side.
Goal: 10,000 calls a side within 10 s; the growth exponent (the slope of
log CPU time against log calls between the two largest sizes) says whether
the cost is quadratic (2) or near-linear (1).

    .venv/bin/python benchmarks/bench_diff.py [--calls 100 1000 5000 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Sample, figure, log_slope

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.layer_rows import model_rows

CALL_COUNTS = (100, 1_000, 5_000, 10_000)
GOAL_SECONDS = 10.0


def _measure(action: Callable[[], object], runs: int) -> list[Sample]:
    samples = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        samples.append(Sample(time.perf_counter() - wall, time.process_time() - cpu, peak))
    return samples


def collect(runs: int, call_counts: tuple[int, ...] = CALL_COUNTS) -> list[dict]:
    """Time the diff of a width change and the repeated-block finder at each size."""
    from kreg.inspect_tools.alignment import call_features
    from kreg.inspect_tools.diff import diff_rows
    from kreg.inspect_tools.repeats import find_repeats

    results = []
    for calls in call_counts:
        blocks = max(1, (calls - 2) // 4)
        left, right = model_rows(range(blocks)), model_rows(range(blocks), width=16)
        features = call_features(left)
        for label, action in (
            ("diff_rows (width change)", lambda left=left, right=right: diff_rows(left, right)),
            ("find_repeats (one side)", lambda features=features: find_repeats(features)),
        ):
            row = figure("diff", f"{label}, {len(left):,} calls a side", label, _measure(action, runs))
            row.update(calls=len(left), goal_seconds=GOAL_SECONDS, met=row["kreg"]["wall"] <= GOAL_SECONDS)
            results.append(row)
    return results


def growth_exponents(rows: list[dict]) -> dict[str, float]:
    """The slope of log(CPU) against log(calls) between the two largest sizes, per label.

    The two largest, because at a hundred calls fixed costs hide the growth.
    """
    exponents = {}
    for label in dict.fromkeys(row["kreg_label"] for row in rows):
        points = sorted((row["calls"], row["kreg"]["cpu"]) for row in rows if row["kreg_label"] == label)
        if len(points) > 1 and points[-2][1] > 0:
            exponents[label] = log_slope(points[-2], points[-1])
    return exponents


def main() -> None:
    """Print the figures at each size and the growth exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=list(CALL_COUNTS))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = collect(args.runs, tuple(args.calls))
    for row in rows:
        print(f"{row['case']:>50}: {row['kreg']['cpu']:.3f} s CPU, {row['kreg']['wall']:.3f} s")
    for label, exponent in growth_exponents(rows).items():
        print(f"{label}: growth exponent {exponent:.2f}")


if __name__ == "__main__":
    main()
