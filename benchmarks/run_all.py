"""`make bench`: run every benchmark and write benchmarks/results.md and results.json.

Each kreg figure stands beside its plain-Keras counterpart measured in the same
run (alternating), as medians of several runs, with the ratio and the goal;
`kreg list`'s growth with the number of installed plugins is also drawn as a
PNG. Usage:

    .venv/bin/python benchmarks/run_all.py [--quick] [--only GROUP ...] [--merge] [--render]

Groups: list, registry, diff, inspect, train, check, cluster, review; and scale, run
only when named (`make bench-scale`: `--only scale registry --merge`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BENCHMARKS, machine

RESULTS_MD = BENCHMARKS / "results.md"
RESULTS_JSON = BENCHMARKS / "results.json"
LIST_PLOT = BENCHMARKS / "list_scaling.png"

PLANS = {  # group: (module, full arguments, quick arguments)
    "list": ("bench_list", {"runs": 5}, {"runs": 2, "plugin_counts": (0, 100)}),
    "registry": ("bench_registry", {"runs": 5}, {"runs": 2, "architecture_counts": (100, 5_000)}),
    "diff": ("bench_diff", {"runs": 3}, {"runs": 1, "call_counts": (100, 1_000)}),
    "inspect": ("bench_inspect", {"runs": 3}, {"runs": 1}),
    "train": ("bench_train", {"runs": 7}, {"runs": 3, "steps": 100}),
    "check": ("bench_check", {"runs": 1}, {"runs": 1}),
    "cluster": ("bench_cluster", {"runs": 3}, {"runs": 1, "steps": 100}),
    "scale": ("bench_scale", {"runs": 1}, {"runs": 1, "depths": (100, 1_000)}),
    "review": ("bench_review_page", {"runs": 3}, {"runs": 1}),
}
SEPARATE = ("scale",)
"""Groups only run when named (`make bench-scale`): the scale group's 10,000-layer sides take most of an hour."""


def run(groups: list[str], quick: bool) -> dict:
    """Run the chosen benchmark groups; return machine, timings and rows."""
    rows, durations = [], {}
    for group in groups:
        module, full, fast = PLANS[group]
        started = time.perf_counter()
        print(f"running {module} ...", flush=True)
        rows.extend(importlib.import_module(module).collect(**(fast if quick else full)))
        durations[group] = time.perf_counter() - started
    return {"machine": machine(), "quick": quick, "durations": durations, "rows": rows}


def plot_list_scaling(rows: list[dict], path: Path) -> Path | None:
    """Draw kreg list's wall time against the number of plugins, with import keras for scale."""
    points = sorted((row["plugins"], row["kreg"]["wall"], row["keras"]["wall"]) for row in rows if "plugins" in row)
    if len(points) < 2:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts, kreg, keras = zip(*points)
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.plot(counts, kreg, "o-", label="kreg list --json")
    axes.plot(counts, keras, "s--", label='python -c "import keras"')
    axes.set_xscale("symlog", linthresh=10)
    axes.set_xlabel("installed plugins")
    axes.set_ylabel("wall seconds (median)")
    axes.set_title("kreg list against importing Keras")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def markdown(results: dict) -> str:
    """The results as a Markdown page."""
    lines = [
        "# kreg benchmarks",
        "",
        "Written by `make bench` (benchmarks/run_all.py); raw figures in results.json.",
        "",
    ]
    lines += ["## Machine", ""] + [f"- {key}: {value}" for key, value in results["machine"].items()]
    lines += ["", "Medians; kreg and plain Keras alternate within each comparison (A B B A ...).", ""]
    comparisons = [row for row in results["rows"] if "keras" in row]
    cluster = [row for row in results["rows"] if row["group"] == "cluster"]
    if comparisons:
        lines += [
            "## kreg beside plain Keras",
            "",
            "| group | case | kreg | plain Keras | kreg | Keras | ratio kreg/Keras | goal | met |",
            "| --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |",
        ]
        lines += [_comparison_line(row) for row in comparisons]
    alone = [row for row in results["rows"] if "keras" not in row and row["group"] not in ("cluster", "scale")]
    if alone:
        lines += [
            "",
            "## kreg alone",
            "",
            "| group | case | wall s | CPU s | goal | met |",
            "| --- | --- | ---: | ---: | --- | --- |",
        ]
        lines += [
            f"| {r['group']} | {r['case']} | {r['kreg']['wall']:.{_places(r)}f} | {r['kreg']['cpu']:.{_places(r)}f} "
            f"| <= {r['goal_seconds']:g} s | {'yes' if r['met'] else 'NO'} |"
            for r in alone
        ]
    if cluster:
        lines += ["", "## Multi-worker training on one machine", "", _CLUSTER_INTRO, ""]
        lines += [
            "| model | steps | no strategy | 1 worker | 2 workers | 2 workers / 1 worker | 2 workers / no strategy "
            "| wall s (none / 1 / 2) | load average |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        lines += [_cluster_line(row) for row in cluster]
        machines = {json.dumps(row["machine"], sort_keys=True) for row in cluster if "machine" in row}
        for machine_json in sorted(machines):
            machine = json.loads(machine_json)
            lines += [
                "",
                "Measured on another machine than the groups above: "
                + ", ".join(f"{key} {value}" for key, value in machine.items())
                + ".",
            ]
    growth = _list_growth(results["rows"])
    if growth:
        lines += [
            "",
            "## kreg list and installed plugins",
            "",
            growth,
            "",
            f"![kreg list time against plugin count]({LIST_PLOT.name})",
        ]
    lines += _registry_section(results["rows"])
    lines += _diff_section(results["rows"])
    lines += _check_section(results["rows"])
    lines += _scale_section(results["rows"])
    lines += ["", "Run time of each group (s): " + ", ".join(f"{k} {v:.0f}" for k, v in results["durations"].items())]
    return "\n".join(lines) + "\n"


def _places(row: dict) -> int:
    """Decimals for a kreg-alone row: three under a second's goal (kreg list's table), else one."""
    return 3 if row["goal_seconds"] < 1 else 1


def _comparison_line(row: dict) -> str:
    measure = row["measure"]
    unit = {"wall": "s", "cpu": "s CPU"}.get(measure, " steps/s")

    def value(side: str) -> str:
        return f"{row[side][measure]:.3g}{unit}"

    memory = (
        f" ({row['kreg']['peak_mib']:.0f} / {row['keras']['peak_mib']:.0f} MiB)" if "peak_mib" in row["kreg"] else ""
    )
    goal = "-" if row["goal"] is None else f"{'<=' if row['better'] == 'lower' else '>='} {row['goal']}"
    met = {None: "-", True: "yes", False: "NO"}[row["met"]]
    return (
        f"| {row['group']} | {row['case']}{memory} | {row['kreg_label']} | {row['keras_label']} "
        f"| {value('kreg')} | {value('keras')} "
        f"| {row['ratio']:.2f} | {goal} | {met} |"
    )


_CLUSTER_INTRO = (
    "Steps/s of the chief after its first step, medians; `kreg train --workers 2` against `--workers 1` and "
    "no strategy, the same global batch, on the same machine. Two workers share its cores and add an all-reduce "
    "per step: no speed-up is expected, the ratio is the overhead."
)


def _cluster_line(row: dict) -> str:
    sides = row["sides"]
    speeds = " | ".join(f"{sides[label]['steps_per_second']:.1f}" for label in ("no strategy", "1 worker", "2 workers"))
    walls = " / ".join(f"{sides[label]['wall']:.0f}" for label in ("no strategy", "1 worker", "2 workers"))
    load = " to ".join(f"{value:.1f}" for value in row.get("load_average", []))
    return (
        f"| {row['case']} | {row['steps']} | {speeds} | {row['ratio']:.2f} | {row['ratio_to_plain']:.2f} "
        f"| {walls} | {load} |"
    )


def _list_growth(rows: list[dict]) -> str:
    points = sorted((row["plugins"], row["kreg"]["wall"]) for row in rows if "plugins" in row)
    if len(points) < 2:
        return ""
    (first_count, first_time), (last_count, last_time) = points[0], points[-1]
    per_plugin = (last_time - first_time) / (last_count - first_count) * 1000
    return f"From {first_count} to {last_count} plugins `kreg list` grows by {per_plugin:.2f} ms per plugin."


def _registry_section(rows: list[dict]) -> list[str]:
    """`kreg list` against the registry's size: growth exponents and the table's cost per row."""
    from bench_registry import growth_exponent

    listed = sorted((row for row in rows if row["group"] == "registry"), key=lambda row: row["architectures"])
    tables = [row for row in listed if "table_us_per_row" in row]
    if not tables:
        return []
    lines = ["", "## kreg list and the registry's size", ""]
    for label in ("kreg list", "kreg list --json"):
        cpu, wall = growth_exponent(listed, label, "cpu"), growth_exponent(listed, label)
        if cpu is not None and wall is not None:
            lines.append(f"- `{label}`: CPU time grows as architectures^{cpu:.2f}, wall time as ^{wall:.2f}.")
    lines.append(
        "- The table's own cost per row (`print_table` into a string, CPU): "
        + ", ".join(f"{row['table_us_per_row']:.1f} us at {row['architectures']:,}" for row in tables)
        + "."
    )
    loads = [value for row in listed for value in row.get("load_average", [])]
    if loads:
        lines.append(
            f"- Load average (1 minute) during these runs: {min(loads):.1f} to {max(loads):.1f} (the benchmark "
            "adds about 1; above that, other work shared the machine: compare the CPU figures)."
        )
    lines.append(
        "- CPU ratio kreg/Keras of `kreg list` (goal at 5,000: <= 0.1): "
        + ", ".join(f"{row['cpu_ratio']:.3f} at {row['architectures']:,}" for row in tables)
        + "; of `kreg list --json`: "
        + ", ".join(
            f"{row['cpu_ratio']:.3f} at {row['architectures']:,}"
            for row in listed
            if row["kreg_label"] == "kreg list --json"
        )
        + "."
    )
    return lines


def _diff_section(rows: list[dict]) -> list[str]:
    """How the structural diff's cost grows with the number of layer calls."""
    from bench_diff import growth_exponents

    exponents = growth_exponents([row for row in rows if row["group"] == "diff"])
    if not exponents:
        return []
    lines = ["", "## The diff and the number of layer calls", ""]
    lines += [f"- `{label}`: CPU time grows as calls^{value:.2f}." for label, value in exponents.items()]
    return lines


def _scale_section(rows: list[dict]) -> list[str]:
    """kreg's commands against depth (bench_scale.py): ratios and growth exponents."""
    from bench_scale import markdown as scale_markdown

    return scale_markdown(rows)


def _check_section(rows: list[dict]) -> list[str]:
    """What ``kreg check`` adds per architecture over the same checks in one process, children's CPU counted."""
    checked = [row for row in rows if row["group"] == "check" and "overhead_per_architecture" in row]
    lines = []
    for row in checked:
        overhead = row["overhead_per_architecture"]
        lines += [
            "",
            "## kreg check against the same checks in one process",
            "",
            f"- {row['architectures']} architectures; CPU of the whole process tree (kreg, its fork server and "
            f"every child, reaped by benchmarks/tree_cpu.py): {row['kreg']['cpu']:.1f} s against "
            f"{row['keras']['cpu']:.1f} s in one process; wall {row['kreg']['wall']:.1f} s against "
            f"{row['keras']['wall']:.1f} s.",
            f"- Per architecture: {overhead['cpu']:+.2f} s CPU, {overhead['wall']:+.2f} s wall "
            f"(goal <= {row['overhead_goal_seconds']:.0f} s: {'met' if row['overhead_met'] else 'NOT met'}).",
        ]
    return lines


def merged(old: dict, new: dict) -> dict:
    """``old`` with the rows and durations of the groups ``new`` ran replaced by ``new``'s.

    The page's machine stays the one of ``old``'s rows; a new row measured on
    another machine carries its own ``machine``.
    """
    groups = set(new["durations"])
    fresh = [{**row, "machine": new["machine"]} if new["machine"] != old["machine"] else row for row in new["rows"]]
    rows = [row for row in old["rows"] if row["group"] not in groups] + fresh
    return {**old, "durations": {**old["durations"], **new["durations"]}, "rows": rows}


def main() -> None:
    """Run, then write results.json, results.md and the list plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs and plugin counts (a smoke run of the benchmarks)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=list(PLANS), default=[group for group in PLANS if group not in SEPARATE]
    )
    parser.add_argument("--render", action="store_true", help="only rewrite results.md and the plot from results.json")
    parser.add_argument(
        "--merge", action="store_true", help="keep results.json's other groups; replace only the rows of the groups run"
    )
    args = parser.parse_args()
    if args.render:
        results = json.loads(RESULTS_JSON.read_text())
    else:
        results = run(args.only, args.quick)
        if args.merge and RESULTS_JSON.exists():
            results = merged(json.loads(RESULTS_JSON.read_text()), results)
        RESULTS_JSON.write_text(json.dumps(results, indent=2))
    plot_list_scaling(results["rows"], LIST_PLOT)
    RESULTS_MD.write_text(markdown(results))
    print(RESULTS_MD.read_text())


if __name__ == "__main__":
    main()
