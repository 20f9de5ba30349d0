"""`kreg list` with N installed plugins, against `python -c "import keras"`.

Each plugin count gets a fresh venv with N generated plugin wheels pip-installed;
both commands run alternately in it. Goal: kreg list >= 10x faster than
importing keras at 100 plugins, with small, near-linear growth per plugin.

    .venv/bin/python benchmarks/bench_list.py [--plugins 0 10 100 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import alternate, comparison, run_command
from plugin_wheels import make_environment

PLUGIN_COUNTS = (0, 10, 100, 1000)
GOAL_PLUGINS = 100


def collect(runs: int, plugin_counts: tuple[int, ...] = PLUGIN_COUNTS) -> list[dict]:
    """Compare `kreg list --json` with `import keras` at each plugin count."""
    results = []
    with tempfile.TemporaryDirectory() as work:
        for count in plugin_counts:
            python = str(make_environment(Path(work) / f"venv-{count}", count))
            samples = alternate(
                lambda python=python: run_command([python, "-m", "kreg", "list", "--json"]),
                lambda python=python: run_command([python, "-c", "import keras"]),
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
    args = parser.parse_args()
    for row in collect(args.runs, tuple(args.plugins)):
        k, r = row["kreg"], row["keras"]
        print(
            f"{row['case']:>13}: kreg list {k['wall']:.3f} s {k['peak_mib']:.0f} MiB | "
            f"import keras {r['wall']:.3f} s {r['peak_mib']:.0f} MiB | {1 / row['ratio']:.1f}x faster"
        )


if __name__ == "__main__":
    main()
