"""`kreg train --workers 2` against `--workers 1` and against no strategy, on one machine.

Each run is a fresh `kreg train NAME --steps S --json` process: plain (no
strategy), `--workers 1` (MultiWorkerMirroredStrategy, a cluster of one) and
`--workers 2` (two local worker processes), in turn (A B C, then C B A, ...),
always with the architecture's global batch. The figure is the chief's
steps/s after the first step (`steps_per_second` in its JSON), so starting
processes and importing TensorFlow do not count; the wall time of the whole
command is recorded beside it. No speed-up is expected from two workers on one
machine: they share its cores and every step adds an all-reduce over gRPC, so
the ratio 2 workers / 1 worker is the overhead of the set-up. Usage:

    .venv/bin/python benchmarks/bench_cluster.py [--runs 3] [--steps 300] [--models risk-factor-autoencoder ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import QUIET_ENV, WORK, kreg_command

MODELS = {  # name: preset (None: the architecture's defaults)
    "risk-factor-autoencoder": None,
    "transformer": "smoke",
}
SIDES = {  # label: extra kreg train arguments
    "no strategy": [],
    "1 worker": ["--workers", "1"],
    "2 workers": ["--workers", "2"],
}


def train_once(name: str, preset: str | None, steps: int, extra: list[str]) -> dict[str, float]:
    """One `kreg train --json` process: the chief's steps/s and the command's wall seconds."""
    command = kreg_command(
        "train", name, "--steps", str(steps), "--json", *(["--preset", preset] if preset else []), *extra
    )
    environment = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    environment.update(QUIET_ENV)
    WORK.mkdir(exist_ok=True)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=WORK, timeout=900)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    chief = report["results"][0] if "results" in report else report
    return {"steps_per_second": chief["steps_per_second"], "wall": wall}


def compare(name: str, preset: str | None, steps: int, runs: int) -> dict:
    """Every side ``runs`` times, alternating the order; medians per side and the ratios."""
    samples: dict[str, list[dict[str, float]]] = {label: [] for label in SIDES}
    load_before = os.getloadavg()[0]
    for run in range(runs):
        order = list(SIDES.items()) if run % 2 == 0 else list(reversed(SIDES.items()))
        for label, extra in order:
            samples[label].append(train_once(name, preset, steps, extra))
            print(f"  {name} {label}: {samples[label][-1]['steps_per_second']:.1f} steps/s", flush=True)
    sides = {
        label: {key: statistics.median(sample[key] for sample in values) for key in ("steps_per_second", "wall")}
        | {"runs": len(values)}
        for label, values in samples.items()
    }
    two, one, plain = (sides[label]["steps_per_second"] for label in ("2 workers", "1 worker", "no strategy"))
    return {
        "group": "cluster",
        "case": f"{name} ({preset} preset)" if preset else name,
        "steps": steps,
        "sides": sides,
        "ratio": two / one,
        "ratio_to_plain": two / plain,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "samples": samples,
    }


def collect(runs: int, steps: int = 300, models: tuple[str, ...] = tuple(MODELS)) -> list[dict]:
    """Rows for run_all.py: one per model."""
    return [compare(name, MODELS[name], steps, runs) for name in models]


def main() -> None:
    """Run the comparison and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    args = parser.parse_args()
    rows = collect(args.runs, args.steps, tuple(args.models))
    print(f"{'model':<34}" + "".join(f"{label + ' steps/s':>22}" for label in SIDES) + f"{'2w / 1w':>10}")
    for row in rows:
        cells = "".join(f"{row['sides'][label]['steps_per_second']:>22.1f}" for label in SIDES)
        print(f"{row['case']:<34}{cells}{row['ratio']:>10.2f}")


if __name__ == "__main__":
    main()
