"""`kreg list` of a large registry (100 to 20,000 architectures), against `python -c "import keras"`.

One generated plugin wheel, pip-installed into a fresh venv, registers N
architectures with summaries and tags of realistic length; `kreg list` (the
table, piped: 200 columns) and `kreg list --json` run alternately with
`import keras` in that venv. The table's own cost per row is measured in
this process too: `kreg.terminal.print_table` drawing the same rows into a
string. Goal: `kreg list` of 5,000 architectures at least 10x faster than
importing Keras in CPU time (user + system of each fresh process: the wall
time of a shared machine moves with its load). Both sides write and read
bytecode, as installed packages do.

    .venv/bin/python benchmarks/bench_registry.py [--architectures 100 1000 5000 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_list import BYTECODE
from harness import alternate, comparison, log_slope, run_command
from plugin_wheels import install_wheels, write_wheel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.plugin_packages import make_plugin_environment

ARCHITECTURE_COUNTS = (100, 1_000, 5_000, 20_000)
GOAL_ARCHITECTURES = 5_000

REGISTRY_SOURCE = """import kreg

FAMILIES = ("mlp", "resnet", "vit", "vae", "gan", "lstm", "unet", "bert")


@kreg.hookimpl
def kreg_register_architectures(register):
    for index in range({count}):
        family = FAMILIES[index % len(FAMILIES)]
        register(kreg.Architecture(
            name=f"{{family}}-variant-{{index}}",
            summary=f"Generated {{family}} architecture number {{index}}, one of a large registry",
            builder="kreg_bench_registry_model:build",
            hyperparameters={{"units": 8 + index % 64, "depth": 2 + index % 12}},
            tags=(family, "generated", "bench"),
        ))
"""


def registry_rows(count: int) -> list[tuple[str, str, str, str]]:
    """The rows `kreg list` prints for the generated registry of ``count`` architectures."""
    families = ("mlp", "resnet", "vit", "vae", "gan", "lstm", "unet", "bert")
    rows = []
    for index in range(count):
        family = families[index % len(families)]
        summary = f"Generated {family} architecture number {index}, one of a large registry"
        rows.append((f"{family}-variant-{index}", summary, "registry", f"{family}, generated, bench"))
    return rows


def make_registry(path: Path, count: int) -> Path:
    """A venv with one plugin registering ``count`` architectures; returns its python."""
    python = make_plugin_environment(path).python
    wheels = path.parent / f"registry-wheel-{count}"
    wheels.mkdir(exist_ok=True)
    source = REGISTRY_SOURCE.format(count=count)
    install_wheels(python, [write_wheel(wheels, "kreg-bench-registry", {"kreg_bench_registry": source}, "registry")])
    return python


def table_seconds_per_row(count: int, repeats: int = 3) -> float:
    """CPU seconds per row of `print_table` drawing ``count`` rows of `kreg list` into a string (best of 3)."""
    from kreg.terminal import Column, print_table, text_console

    rows = registry_rows(count)
    columns = [Column("name", wrap=False), "summary", Column("plugin", wrap=False, optional=True), "tags"]
    best = math.inf
    for _ in range(repeats):
        out = text_console()
        start = time.process_time()
        print_table(None, columns, rows, out=out)
        best = min(best, time.process_time() - start)
        assert isinstance(out.file, io.StringIO) and out.file.getvalue().count("\n") == count + 4
    return best / count


def collect(runs: int, architecture_counts: tuple[int, ...] = ARCHITECTURE_COUNTS) -> list[dict]:
    """Compare `kreg list` and `kreg list --json` with `import keras` at each registry size."""
    results = []
    with tempfile.TemporaryDirectory() as work:
        for count in architecture_counts:
            python = str(make_registry(Path(work) / f"venv-{count}", count))
            for label, arguments in (("kreg list", ["list"]), ("kreg list --json", ["list", "--json"])):
                load_before = os.getloadavg()[0]
                samples = alternate(
                    lambda python=python, arguments=arguments: run_command(
                        [python, "-m", "kreg", *arguments], env=BYTECODE
                    ),
                    lambda python=python: run_command([python, "-c", "import keras"], env=BYTECODE),
                    runs,
                )
                goal = 0.1 if count == GOAL_ARCHITECTURES and label == "kreg list" else None
                case = f"{count:,} architectures"
                row = comparison("registry", case, label, 'python -c "import keras"', samples, measure="cpu", goal=goal)
                row["architectures"] = count
                row["cpu_ratio"] = row["kreg"]["cpu"] / row["keras"]["cpu"]
                row["wall_ratio"] = row["kreg"]["wall"] / row["keras"]["wall"]
                row["load_average"] = sorted((load_before, os.getloadavg()[0]))  # the machine's other work
                if label == "kreg list":
                    row["table_us_per_row"] = table_seconds_per_row(count) * 1e6
                results.append(row)
    return results


def growth_exponent(rows: list[dict], label: str, measure: str = "wall") -> float | None:
    """The slope of log(``measure``) against log(architectures) for ``label``'s rows, first size to last."""
    points = sorted((row["architectures"], row["kreg"][measure]) for row in rows if row["kreg_label"] == label)
    if len(points) < 2:
        return None
    return log_slope(points[0], points[-1])


def main() -> None:
    """Print the comparison at each registry size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--architectures", type=int, nargs="+", default=list(ARCHITECTURE_COUNTS))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = collect(args.runs, tuple(args.architectures))
    for row in rows:
        k, r = row["kreg"], row["keras"]
        table = f" | table {row['table_us_per_row']:.1f} us/row" if "table_us_per_row" in row else ""
        faster = f"CPU {1 / row['cpu_ratio']:.1f}x faster, wall {1 / row['wall_ratio']:.1f}x"
        print(
            f"{row['case']:>20} {row['kreg_label']:<17}: {k['wall']:.3f} s (CPU {k['cpu']:.3f}) | import keras"
            f" {r['wall']:.3f} s (CPU {r['cpu']:.3f}) | {faster}{table}"
        )
    for label in ("kreg list", "kreg list --json"):
        exponents = [growth_exponent(rows, label, measure) for measure in ("cpu", "wall")]
        if None not in exponents:
            print(f"{label}: growth exponent {exponents[0]:.2f} (CPU), {exponents[1]:.2f} (wall)")


if __name__ == "__main__":
    main()
