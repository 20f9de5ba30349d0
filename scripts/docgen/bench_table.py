"""The bench table: measured inference and training speed and peak memory of every built-in architecture.

Each architecture is measured as ``kreg bench NAME --batch-size 32`` does (a
process of its own, after warm-up, median over repeats; docs/bench.md), on this
machine. keras.io's applications table publishes a CPU time per inference step
(batch 32) for some of the applications: it is put beside ours, and the
Spearman rank correlation of the two orderings says whether the method orders
models as keras.io's does (a sanity check, not a race: their CPU is another).

Measuring every architecture takes long, so the table is not part of ``make
docs``: ``make bench-table`` writes ``docs/reference/bench-table.csv`` (the data)
and ``docs/reference/bench-table.md`` (the page).

    python -m scripts.docgen.bench_table [--output docs/reference] [--only PATTERN]... [--names A,B]
        [--keras-io] [--batch-size N] [--repeats R] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scripts.docgen.markdown import table

PAGE = "bench-table.md"
DATA = "bench-table.csv"
REFERENCE = Path("docs/reference")
BATCH_SIZE = 32

KERAS_IO_CPU_MS = {
    "xception": 109.4,
    "vgg16": 69.5,
    "vgg19": 84.8,
    "resnet50": 58.2,
    "resnet50v2": 45.6,
    "resnet101": 89.6,
    "resnet101v2": 72.7,
    "resnet152": 127.4,
    "resnet152v2": 107.5,
    "inceptionv3": 42.2,
    "inceptionresnetv2": 130.2,
    "mobilenet": 22.6,
    "mobilenetv2": 25.9,
    "densenet121": 77.1,
    "densenet169": 96.4,
    "densenet201": 127.2,
    "nasnetmobile": 27.0,
    "nasnetlarge": 344.5,
    "efficientnetb0": 46.0,
    "efficientnetb1": 60.2,
    "efficientnetb2": 80.8,
    "efficientnetb3": 140.0,
    "efficientnetb4": 308.3,
    "efficientnetb5": 579.2,
    "efficientnetb6": 958.1,
    "efficientnetb7": 1578.9,
}
"""keras.io/api/applications, "Time (ms) per inference step (CPU)": every row with a CPU time.

The page's source is keras-team/keras-io, templates/api/applications/index.md:
"Time per inference step is the average of 30 batches and 10 repetitions",
on an "AMD EPYC Processor (with IBPB) (92 core)", batch size 32. The
EfficientNetV2, ConvNeXt and MobileNetV3 rows have no time ("-").
"""

KERAS_IO_SOURCE = (
    "[keras.io/api/applications](https://keras.io/api/applications/) (source: keras-team/keras-io, "
    "`templates/api/applications/index.md`): average of 30 batches and 10 repetitions, batch size 32, "
    "AMD EPYC Processor (with IBPB) (92 core)"
)
QUICK_BATCH_SIZE = 4
QUICK_REPEATS = 2

COLUMNS = [
    "architecture",
    "batch_size",
    "inference_ms",
    "inference_examples_per_s",
    "training_ms",
    "training_examples_per_s",
    "peak_mb",
    "estimate_mb",
    "ratio",
    "keras_io_cpu_ms",
    "failure",
]


def spearman(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Spearman's rank correlation of paired values (ties get their average rank); None under three pairs."""
    if len(pairs) < 3:
        return None
    first, second = _ranks([a for a, _ in pairs]), _ranks([b for _, b in pairs])
    mean = (len(pairs) + 1) / 2
    covariance = sum((x - mean) * (y - mean) for x, y in zip(first, second))
    spread = (sum((x - mean) ** 2 for x in first) * sum((y - mean) ** 2 for y in second)) ** 0.5
    return covariance / spread if spread else None


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def row_of(result: dict[str, Any]) -> dict[str, Any]:
    """One CSV row of a ``kreg bench --json`` object."""
    name = result["architecture"]
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(architecture=name, batch_size=result["batch_size"], keras_io_cpu_ms=KERAS_IO_CPU_MS.get(name, ""))
    if result["status"] != "ok":
        row["failure"] = f"{result['phase']}: {result['cause']}"
        return row
    inference, training, memory = result["inference"], result["training"], result["memory"]
    if inference is not None:  # a model without its own call() is only trained
        row.update(
            inference_ms=round(1000 * inference["latency_s"], 1),
            inference_examples_per_s=round(inference["examples_per_s"], 1),
        )
    row.update(
        training_ms=round(1000 * training["step_s"], 1),
        training_examples_per_s=round(training["examples_per_s"], 1),
        peak_mb=round(memory["peak_bytes"] / 1e6, 1),
        estimate_mb="" if memory["estimate_bytes"] is None else round(memory["estimate_bytes"] / 1e6, 1),
        ratio="" if memory["ratio"] is None else round(memory["ratio"], 2),
    )
    return row


def page(
    rows: list[dict[str, Any]],
    device: str,
    measured_on: str = "",
    command: str = "make bench-table",
    unmeasured: Sequence[str] = (),
) -> str:
    """The Markdown page of the rows.

    Args:
        rows: list[dict]. :func:`row_of`'s rows.
        device: str. The machine the rows were measured on.
        measured_on: str. When (a date), shown with the machine.
        command: str. The command that measured them.
        unmeasured: Sequence[str]. Architectures the run was stopped before (Ctrl-C).
    """
    pairs = [
        (float(row["inference_ms"]), float(row["keras_io_cpu_ms"]))
        for row in rows
        if row["inference_ms"] != "" and row["keras_io_cpu_ms"] != ""
    ]
    rho = spearman(pairs)
    agreement = "n/a (fewer than 3 rows with both)" if rho is None else f"{rho:.2f} over {len(pairs)} architectures"
    batches = sorted({int(row["batch_size"]) for row in rows})
    body = table(
        [
            "architecture",
            "batch",
            "inference ms / batch",
            "examples/s",
            "training ms / step",
            "examples/s",
            "peak MB",
            "estimate MB",
            "peak / estimate",
            "keras.io CPU ms (batch 32)",
        ],
        [
            [
                row["architecture"],
                row["batch_size"],
                row["inference_ms"] or ("FAIL: " + row["failure"] if row["failure"] else "-"),
                row["inference_examples_per_s"],
                row["training_ms"],
                row["training_examples_per_s"],
                row["peak_mb"],
                row["estimate_mb"],
                row["ratio"],
                row["keras_io_cpu_ms"],
            ]
            for row in rows
        ],
    )
    when = f" on {measured_on}" if measured_on else ""
    stopped = f"The run was stopped before {len(unmeasured)} more: {', '.join(unmeasured)}.\n\n" if unmeasured else ""
    return (
        "# Bench table (generated)\n\n"
        f"`{command}`: `kreg bench NAME --batch-size {', '.join(map(str, batches))}` for each architecture "
        f"below, measured{when} on {device}, float32, one process at a time. Peak memory and the estimate are "
        "as [kreg bench](../bench.md) measures them. "
        f"keras.io's CPU ms per inference step is from {KERAS_IO_SOURCE}: another machine and batch size, so "
        "only the orderings are compared. Spearman's rank correlation of our inference latency with "
        f"keras.io's: **{agreement}**.\n\n{stopped}{body}\n"
    )


def write_table(
    output: Path,
    rows: list[dict[str, Any]],
    device: str,
    measured_on: str = "",
    command: str = "make bench-table",
    unmeasured: Sequence[str] = (),
) -> list[Path]:
    """Write the CSV and the page; return their paths."""
    from kreg.files import write_atomically

    data = io.StringIO()
    writer = csv.DictWriter(data, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    output.mkdir(parents=True, exist_ok=True)
    written = [output / DATA, output / PAGE]
    write_atomically(written[0], data.getvalue())
    write_atomically(written[1], page(rows, device, measured_on, command, unmeasured))
    return written


def main(argv: list[str] | None = None) -> int:
    """Measure the built-in architectures (every one, or those named) and write the table."""
    parser = argparse.ArgumentParser(prog="python -m scripts.docgen.bench_table", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=REFERENCE, help="folder for bench-table.md and bench-table.csv")
    parser.add_argument("--only", action="append", default=[], metavar="PATTERN", help="only these architectures")
    parser.add_argument(
        "--names", default="", metavar="A,B,...", help="only these architectures, comma-separated (exact names)"
    )
    parser.add_argument("--keras-io", action="store_true", help="only the architectures keras.io times on CPU")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="examples per batch (default 32)")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per measurement")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"batch {QUICK_BATCH_SIZE} and {QUICK_REPEATS} repeats: minutes instead of hours on a small CPU",
    )
    options = parser.parse_args(argv)
    if options.quick:
        options.batch_size, options.repeats = QUICK_BATCH_SIZE, QUICK_REPEATS
    if options.batch_size < 1 or options.repeats < 1:
        parser.error("--batch-size and --repeats must be at least 1")
    entries = _selected(options)
    from kreg.workflows.benchmarking import bench_all

    print(f"bench-table: measuring {len(entries)} architectures at batch {options.batch_size}", file=sys.stderr)
    run = bench_all(
        entries,
        [options.batch_size],
        repeats=options.repeats,
        on_result=lambda result: print(
            f"  {result.architecture}: {'ok' if result.passed else 'FAIL'}", file=sys.stderr, flush=True
        ),
    )
    rows = [row_of(result.to_json()) for result in run.results]
    device = next((r.measurement.device for r in run.results if r.measurement is not None), "this machine")
    command = "python -m scripts.docgen.bench_table " + " ".join(argv if argv is not None else sys.argv[1:])
    measured = {row["architecture"] for row in rows}
    unmeasured = [entry.name for entry in entries if entry.name not in measured]
    today = datetime.date.today().isoformat()
    written = write_table(options.output, rows, device, today, command.strip(), unmeasured)
    print(f"bench-table: wrote {', '.join(map(str, written))}", file=sys.stderr)
    return 130 if run.interrupted is not None else 0


def _selected(options: argparse.Namespace) -> list[Any]:
    """The catalogue entries the options name (every built-in architecture when none)."""
    from scripts.docgen.gallery import builtin_catalogue

    catalogue = builtin_catalogue()
    names = [name.strip() for name in options.names.split(",") if name.strip()]
    if options.keras_io:
        names += [name for name in KERAS_IO_CPU_MS if name not in names]
    if not names:
        return list(catalogue.select(options.only))
    unknown = [name for name in names if name not in catalogue]
    if unknown:
        raise SystemExit(f"bench-table: no architecture named {', '.join(unknown)}")
    return [catalogue.get(name) for name in names]


if __name__ == "__main__":
    sys.exit(main())
