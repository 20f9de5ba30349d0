"""kreg's commands against depth: inspect, plot, review and diff of a chain of 100 to 10,000 layers beside plain Keras.

For each depth and command two fresh processes run alternately; each imports
Keras and kreg before the clock starts, then builds a chain of Dense(32)
layers (on kreg's deep stack: plain Keras cannot build 1,000 layers without
it) and does the command's work. The figure is the CPU seconds of that work
(build included, imports not; Graphviz's ``dot`` counted where it runs); the
plain-Keras counterparts:

- inspect: build + ``kreg.inspect(model)`` (trace, parameters, MACs forward
  and backward, memory) against build + ``summary()``;
- plot: build + ``kreg.plot(model).to_dot()`` against build +
  ``keras.utils.model_to_dot(model, show_shapes=True).to_string()``;
- review: build + ``kreg.review(model).html()`` (the report, and the graph
  laid out by Graphviz as SVG) against build + ``summary()`` +
  ``model_to_dot(...).create(format="svg")``;
- diff: two builds (widths 32 and 33), both inspected, ``diff_reports``,
  against two builds and two ``summary()``.

Reported per command: the ratio kreg/plain at each depth and the growth
exponent of each side's CPU between the smallest and the largest depth (1.0
is linear). `kreg list` against the registry's size is bench_registry.py's
(`make bench-scale` runs both). A 10,000-layer side takes minutes: the full
group is `make bench-scale`, not part of `make bench`.

    .venv/bin/python benchmarks/bench_scale.py [--depths 100 1000 10000] [--commands inspect plot] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import QUIET_ENV, log_slope

DEPTHS = (100, 1_000, 3_000, 10_000)
COMMANDS = ("inspect", "plot", "review", "diff")
RATIO_GOAL = {"inspect": 1.2}  # issue 26: inspect at most 1.2x of build + summary() at any depth

CHILD = r"""
import json, os, resource, sys
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import kreg
from kreg.running.deep_stack import run_with_deep_stack

command, depth, side = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def chain(width):
    inputs = x = keras.Input((32,))
    for _ in range(depth):
        x = keras.layers.Dense(width)(x)
    return keras.Model(inputs, x)


def summary(model):
    run_with_deep_stack(model.summary, print_fn=lambda *args, **kwargs: None)


def keras_dot(model):
    return run_with_deep_stack(keras.utils.model_to_dot, model, show_shapes=True)


def plain():
    model = run_with_deep_stack(chain, 32)
    if command in ("inspect", "review", "diff"):
        summary(model)
    if command == "plot":
        keras_dot(model).to_string()
    if command == "review":
        keras_dot(model).create(format="svg")
    if command == "diff":
        summary(run_with_deep_stack(chain, 33))


def with_kreg():
    model = run_with_deep_stack(chain, 32)
    if command == "inspect":
        kreg.inspect(model)
    elif command == "plot":
        kreg.plot(model).to_dot()
    elif command == "review":
        kreg.review(model).html()
    else:
        from kreg.inspect_tools.diff import diff_reports
        from kreg.running.inspecting import inspect_models

        wider = run_with_deep_stack(chain, 33)
        reports = [inspect_models(name, {}, {"model": m}) for name, m in (("left", model), ("right", wider))]
        diff_reports(*reports)


def cpu():  # this process and the programs it ran and waited for (Graphviz's dot)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


start = cpu()
plain() if side == "plain" else with_kreg()
print(json.dumps({"cpu": cpu() - start}))
"""


def measure(command: str, depth: int, side: str) -> float:
    """CPU seconds of one fresh process's work (imports excluded)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, command, str(depth), side],
        capture_output=True,
        text=True,
        env={**os.environ, **QUIET_ENV, "TF_CPP_MIN_LOG_LEVEL": "3"},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command} at {depth} ({side}) failed: {done.stderr[-2000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["cpu"])


def collect(runs: int = 1, depths: tuple[int, ...] = DEPTHS, commands: tuple[str, ...] = COMMANDS) -> list[dict]:
    """One row per command and depth: each side's CPU seconds (best of ``runs``, alternating) and the ratio."""
    rows = []
    for command in commands:
        for depth in depths:
            samples: dict[str, list[float]] = {"plain": [], "kreg": []}
            for run in range(runs):
                order = ["plain", "kreg"] if run % 2 == 0 else ["kreg", "plain"]
                for side in order:
                    samples[side].append(measure(command, depth, side))
            plain, kreg = min(samples["plain"]), min(samples["kreg"])
            goal = RATIO_GOAL.get(command)
            ratio = kreg / plain
            rows.append(
                {
                    "group": "scale",
                    "command": command,
                    "depth": depth,
                    "kreg_cpu": kreg,
                    "plain_cpu": plain,
                    "ratio": ratio,
                    "goal": goal,
                    "met": None if goal is None else ratio <= goal,
                    "runs": runs,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def growth(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per command, the growth exponent of each side's CPU from the smallest to the largest depth measured."""
    exponents: dict[str, dict[str, float]] = {}
    for command in dict.fromkeys(row["command"] for row in rows):
        points = sorted((row["depth"], row) for row in rows if row["command"] == command)
        if len(points) < 2:
            continue
        (first, low), (last, high) = points[0], points[-1]
        exponents[command] = {
            side: log_slope((first, low[f"{side}_cpu"]), (last, high[f"{side}_cpu"])) for side in ("kreg", "plain")
        }
    return exponents


def markdown(rows: list[dict]) -> list[str]:
    """The scale section of results.md: the table of ratios and the growth exponents."""
    scale = [row for row in rows if row["group"] == "scale"]
    if not scale:
        return []
    lines = [
        "",
        "## kreg against depth (a chain of Dense layers, CPU seconds of the work, imports excluded)",
        "",
        "| command | layers | kreg CPU s | plain Keras CPU s | ratio | goal | met |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in scale:
        goal = "-" if row["goal"] is None else f"<= {row['goal']}"
        met = {None: "-", True: "yes", False: "NO"}[row["met"]]
        lines.append(
            f"| {row['command']} | {row['depth']:,} | {row['kreg_cpu']:.2f} | {row['plain_cpu']:.2f} "
            f"| {row['ratio']:.2f} | {goal} | {met} |"
        )
    lines.append("")
    for command, sides in growth(scale).items():
        lines.append(
            f"- `{command}`: CPU grows as layers^{sides['kreg']:.2f} with kreg, layers^{sides['plain']:.2f} "
            "with plain Keras."
        )
    return lines


def main() -> None:
    """Print one JSON line per command and depth, then the growth exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=list(DEPTHS))
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    rows = collect(args.runs, tuple(args.depths), tuple(args.commands))
    print(json.dumps(growth(rows)))


if __name__ == "__main__":
    main()
