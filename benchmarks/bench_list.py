"""`kreg list` with N installed plugins, against `python -c "import keras"`; and the table of the built-ins.

Each plugin count gets a fresh venv with N generated plugin wheels pip-installed;
both commands run alternately in it. Goal: kreg list >= 10x faster than
importing keras at 100 plugins, with small, near-linear growth per plugin.

The table itself (`kreg list`, not `--json`) of the built-in catalogue, run
as a user runs it (the project venv's `kreg` script, output piped, bytecode
written and read), must take under 0.15 s of wall time: the median and the
best of 20 fresh processes, wall and CPU, are reported against that goal.

    .venv/bin/python benchmarks/bench_list.py [--plugins 0 10 100 1000] [--runs 5] [--table-runs 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import alternate, comparison, figure, run_command
from plugin_wheels import make_environment

PLUGIN_COUNTS = (0, 10, 100, 1000)
GOAL_PLUGINS = 100
TABLE_GOAL_SECONDS = 0.15
"""The most `kreg list`'s table of the built-ins may take, wall time (the project's quality bar)."""
TABLE_RUNS = 20
BYTECODE = {"PYTHONDONTWRITEBYTECODE": ""}
"""Python writes and reads .pyc files, as an installed kreg does (empty: the variable counts as unset)."""


def table_of_builtins(runs: int = TABLE_RUNS) -> dict:
    """`kreg list` (the table) of the built-in catalogue: median and best of ``runs`` fresh processes."""
    script = Path(sys.executable).with_name("kreg")
    command = [str(script), "list"] if script.exists() else [sys.executable, "-m", "kreg", "list"]
    run_command(command, env=BYTECODE)  # writes any missing .pyc
    load_before = os.getloadavg()[0]
    samples = [run_command(command, env=BYTECODE) for _ in range(runs)]
    low, high = sorted((load_before, os.getloadavg()[0]))
    best_wall, best_cpu = min(s.wall for s in samples), min(s.cpu for s in samples)
    case = (
        f"kreg list (table) of the built-ins: median of {runs} (best {best_wall:.3f} s wall, {best_cpu:.3f} s CPU; "
        f"load average {low:.1f} to {high:.1f})"
    )
    row = figure("list", case, "kreg list", samples)
    row.update(
        goal_seconds=TABLE_GOAL_SECONDS,
        best_wall=best_wall,
        best_cpu=best_cpu,
        met=row["kreg"]["wall"] < TABLE_GOAL_SECONDS,
    )
    return row


def collect(runs: int, plugin_counts: tuple[int, ...] = PLUGIN_COUNTS, table_runs: int = TABLE_RUNS) -> list[dict]:
    """The table of the built-ins against its goal, then `kreg list --json` beside `import keras` per plugin count."""
    results = [table_of_builtins(table_runs)]
    with tempfile.TemporaryDirectory() as work:
        for count in plugin_counts:
            python = str(make_environment(Path(work) / f"venv-{count}", count))
            samples = alternate(
                lambda python=python: run_command([python, "-m", "kreg", "list", "--json"], env=BYTECODE),
                lambda python=python: run_command([python, "-c", "import keras"], env=BYTECODE),
                runs,
            )
            # The goal, at 100 plugins: kreg/keras time at most 1/10 (10x faster).
            goal = 0.1 if count == GOAL_PLUGINS else None
            row = comparison(
                "list", f"{count} plugins", "kreg list --json", 'python -c "import keras"', samples, goal=goal
            )
            row["plugins"] = count
            results.append(row)
    return results


def main() -> None:
    """Print the comparison at each plugin count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, nargs="+", default=list(PLUGIN_COUNTS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--table-runs", type=int, default=TABLE_RUNS)
    args = parser.parse_args()
    table, *rows = collect(args.runs, tuple(args.plugins), args.table_runs)
    k = table["kreg"]
    print(
        f"{table['case']}: wall median {k['wall']:.3f} s, best {table['best_wall']:.3f} s | CPU median "
        f"{k['cpu']:.3f} s, best {table['best_cpu']:.3f} s | goal < {TABLE_GOAL_SECONDS} s: "
        f"{'met' if table['met'] else 'NOT MET'}"
    )
    for row in rows:
        k, r = row["kreg"], row["keras"]
        print(
            f"{row['case']:>13}: kreg list {k['wall']:.3f} s {k['peak_mib']:.0f} MiB | "
            f"import keras {r['wall']:.3f} s {r['peak_mib']:.0f} MiB | {1 / row['ratio']:.1f}x faster"
        )


if __name__ == "__main__":
    main()
