"""`kreg list` with N installed plugins, against `python -c "import keras"`.

Runs both side by side, alternating (A B A B ...), and reports the median wall
time and peak memory of each and their ratio. Usage:

    .venv/bin/python benchmarks/bench_list.py [--plugins 0 10 100] [--runs 5] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plugin_wheels import make_environment  # noqa: E402


def measure(command: list[str]) -> tuple[float, float]:
    """Run a command once; return (wall seconds, peak resident memory in MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed")
    return elapsed, usage.ru_maxrss / 1024


def compare(python: Path, runs: int) -> dict:
    """Alternate `kreg list` and `import keras` runs; return medians and ratios."""
    kreg_list = [str(python), "-m", "kreg", "list", "--json"]
    import_keras = [str(python), "-c", "import keras"]
    measure(kreg_list), measure(import_keras)  # warm the file cache
    samples: dict[str, list[tuple[float, float]]] = {"kreg_list": [], "import_keras": []}
    for _ in range(runs):
        samples["kreg_list"].append(measure(kreg_list))
        samples["import_keras"].append(measure(import_keras))
    result = {
        name: {"seconds": statistics.median(s for s, _ in values), "peak_mib": statistics.median(m for _, m in values)}
        for name, values in samples.items()
    }
    result["speedup"] = result["import_keras"]["seconds"] / result["kreg_list"]["seconds"]
    return result


def main() -> None:
    """Parse arguments, run the comparisons and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, nargs="+", default=[0, 10, 100])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args()
    results = {"machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}", "runs": args.runs, "by_plugins": {}}
    print(f"{'plugins':>8} {'kreg list s':>12} {'MiB':>7} {'import keras s':>15} {'MiB':>7} {'speedup':>8}")
    with tempfile.TemporaryDirectory() as work:
        for count in args.plugins:
            python = make_environment(Path(work) / f"venv-{count}", count)
            row = compare(python, args.runs)
            results["by_plugins"][count] = row
            k, r = row["kreg_list"], row["import_keras"]
            print(f"{count:>8} {k['seconds']:>12.3f} {k['peak_mib']:>7.1f} {r['seconds']:>15.3f} {r['peak_mib']:>7.1f} {row['speedup']:>7.1f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
