"""``kreg bench``: measured inference and training speed and peak memory, beside kreg's estimates.

Nothing heavy is imported here: the workflow (and TensorFlow, in the child
processes) is imported inside the command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kreg.cli.options import json_option, plugin_options
from kreg.cli.session import emit_json, get_session
from kreg.defaults import DTYPE_POLICIES
from kreg.processes import Interrupted
from kreg.terminal import Column, print_table

if TYPE_CHECKING:
    from kreg.workflows.benchmarking import BenchResult


DEFAULT_BATCH_SIZE = 32
"""The batch size without ``--batch-size``: keras.io's applications table times batches of 32."""

DEFAULT_REPEATS = 5


@click.command("bench")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option(
    "--batch-size",
    "batch_sizes",
    type=click.IntRange(min=1),
    multiple=True,
    metavar="N",
    help=f"Examples per batch (repeatable: each measured in a process of its own); default {DEFAULT_BATCH_SIZE}.",
)
@click.option(
    "--dtype",
    type=click.Choice(DTYPE_POLICIES),
    default="float32",
    show_default=True,
    help="Keras dtype policy to build with: mixed precision computes in 16 bits and keeps float32 weights.",
)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=DEFAULT_REPEATS,
    show_default=True,
    help="Timed calls after the warm-up; the median and the spread (max - min) are reported.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=900.0,
    show_default=True,
    metavar="SECONDS",
    help="Fail an architecture and batch size that takes longer than this (its process is killed); 0 for no limit.",
)
@json_option
@plugin_options
def bench_command(
    names: tuple[str, ...],
    batch_sizes: tuple[int, ...],
    dtype: str,
    repeats: int,
    timeout: float,
    as_json: bool,
) -> None:
    """Measure inference and training speed and peak memory of each NAME, beside kreg's estimates.

    Each architecture is built with its defaults and measured at each batch
    size in a process of its own (kreg check's isolation): after a warm-up,
    the latency of predict_on_batch and the time of a training step
    (train_on_batch: the architecture's own loss, train step and optimizer),
    median and spread over --repeats; MAC/s achieved from kreg's counts; and
    the peak memory measured (TensorFlow's allocator peak; the process's
    resident high-water mark above its idle baseline beside it) next to kreg's
    training-memory estimate at the same batch size and dtype, with their ratio. Progress goes to stderr; --json
    prints one object per architecture and batch size (docs/bench.md).
    Exit status: 0 all measured, 1 any failed (a batch that does not fit
    memory fails naming out-of-memory), 2 a usage error, 130 Ctrl-C.
    """
    from kreg.errors import KregError
    from kreg.workflows.benchmarking import bench_all

    session = get_session()
    entries = [session.entry(name) for name in dict.fromkeys(names)]

    def progress(result: BenchResult) -> None:
        click.echo(f"  {_status_line(result)}", err=True)

    run = bench_all(
        entries,
        batch_sizes or (DEFAULT_BATCH_SIZE,),
        dtype=dtype,
        repeats=repeats,
        timeout=timeout or None,
        disabled=session.disabled,
        on_result=progress,
    )
    if as_json:
        emit_json([result.to_json() for result in run.results])
    elif run.results:
        _print_bench_table(run.results)
    if run.interrupted is not None:
        raise Interrupted(run.interrupted.signal_number, f"after {len(run.results)} measurements")
    if run.failed:
        failed = ", ".join(f"{r.architecture} (batch {r.batch_size})" for r in run.failed)
        raise KregError(f"{len(run.failed)} of {len(run.results)} measurements failed: {failed}")


def _status_line(result: BenchResult) -> str:
    where = f"{result.architecture} batch {result.batch_size} {result.dtype}"
    if result.measurement is None:
        return f"FAIL  {where}: {result.phase}: {result.cause}"
    return f"done  {where}: {result.measurement.training.median_s:.3f} s per training step"


def _print_bench_table(results: list[BenchResult]) -> None:
    rows = []
    for result in results:
        record = result.to_json()
        if result.measurement is None:
            rows.append(
                (result.architecture, str(result.batch_size), "FAIL", "", "", "", f"{result.phase}: {result.cause}")
            )
            continue
        inference, training, memory = record["inference"], record["training"], record["memory"]
        ratio = "" if memory["ratio"] is None else f"{memory['ratio']:.2f}"
        estimate = memory["estimate_bytes"]
        rows.append(
            (
                result.architecture,
                str(result.batch_size),
                "no call()"
                if inference is None
                else f"{1000 * inference['latency_s']:.1f} ms ({inference['examples_per_s']:.1f}/s)",
                f"{1000 * training['step_s']:.1f} ms ({training['examples_per_s']:.1f}/s)",
                _megabytes(memory["peak_bytes"]),
                "" if estimate is None else _megabytes(estimate),
                ratio,
            )
        )
    columns: list[str | Column] = [
        Column("architecture", wrap=False),
        Column("batch", wrap=False, numeric=True),
        Column("inference per batch", wrap=False),
        Column("training step", wrap=False),
        Column("peak memory", wrap=False, numeric=True),
        Column("estimate", wrap=False, numeric=True),
        "measured / estimate",
    ]
    device = next((r.measurement.device for r in results if r.measurement is not None), "")
    print_table(f"{results[0].dtype} on {device}" if device else None, columns, rows)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


COMMANDS = [bench_command]
"""The commands this module contributes to ``kreg``."""
