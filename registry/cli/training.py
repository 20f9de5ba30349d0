"""Commands that train: ``kreg train`` (one smoke training) and ``kreg check``
(build, count and smoke-train every matching architecture).

TensorFlow and the training code are imported inside the commands.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from kreg.cli.local_cluster import metric_change, train_on_local_cluster
from kreg.cli.options import (
    check_steps_option,
    json_option,
    plugin_options,
    preset_option,
    seconds_option,
    set_option,
    steps_range,
    train_steps_option,
)
from kreg.cli.session import emit_json, get_session
from kreg.cluster import DEFAULT_CONNECT_TIMEOUT
from kreg.defaults import CHECK_TIMEOUT
from kreg.processes import Interrupted
from kreg.terminal import Column, format_count, format_metric, format_rate, print_fields, print_table

if TYPE_CHECKING:
    from kreg.sharding import Shard
    from kreg.workflows.pipeline import PipelineResult
    from kreg.workflows.training import TrainResult

DISTRIBUTE_HELP = (
    "Run under a tf.distribute strategy. 'mirrored': MirroredStrategy over every local GPU "
    "(or every logical CPU device). 'multiworker': MultiWorkerMirroredStrategy; start the "
    "same command on every worker, each with TF_CONFIG naming the cluster and its own task "
    "(see docs/multi-worker.md); only the chief writes --save and --logdir. The batch size "
    "is global: it is split across replicas."
)


@click.command("train")
@click.argument("name")
@train_steps_option
@click.option("--epochs", type=steps_range, default=1, show_default=True, help="Epochs.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Batch size given to the data adapter [default: the architecture's].",
)
@click.option(
    "--data",
    "source",
    metavar="PATH",
    default=None,
    help="Data the adapter loads (a file or directory); synthetic data without it.",
)
@set_option
@preset_option
@click.option(
    "--save",
    metavar="FILE.keras",
    default=None,
    help=(
        "Save the trained model to this .keras file (checked first; written whole or not at all, "
        "replacing any previous file)."
    ),
)
@click.option(
    "--logdir",
    metavar="DIR",
    default=None,
    help="Write each step's metrics as TensorBoard scalars under DIR/train (checked first, like --save).",
)
@click.option("--distribute", type=click.Choice(["mirrored", "multiworker"]), default=None, help=DISTRIBUTE_HELP)
@seconds_option(
    "--connect-timeout",
    default=DEFAULT_CONNECT_TIMEOUT,
    minimum=1,
    help=(
        "With --distribute multiworker: give up when the other workers have not all answered within this time, "
        "naming those that did not."
    ),
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help=(
        "Start N local worker processes training together (MultiWorkerMirroredStrategy, each with its own "
        "TF_CONFIG on a free port of 127.0.0.1): the chief's progress, then one table or JSON for the cluster. "
        "Ctrl-C stops every worker."
    ),
)
# What --workers asks of each worker: progress as plain lines on stderr beside the JSON on stdout.
@click.option("--progress-lines", is_flag=True, hidden=True)
@click.option(
    "--jit-compile/--no-jit-compile",
    default=None,
    help="Force XLA on or off [default: as the builder compiled the model].",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for Python, NumPy and TensorFlow.")
@json_option
@plugin_options
def train_command(
    name: str, assignments: tuple[str, ...], preset: str | None, as_json: bool, **options: object
) -> None:
    """Smoke-train one architecture inside Keras's fit.

    Builds NAME, feeds it batches from its data adapter (synthetic unless
    --data is given) and runs its train step (or the model's own) for
    --steps steps per epoch, with Keras's progress bar. Reports the first and
    last value of every metric the train step returns and the speed after the
    first (compiling) step. A non-finite metric stops the run: exit 1, naming
    the metric and the step. A builder, data adapter or train step that
    raises (or calls sys.exit): exit 1, naming the phase. Ctrl-C stops after
    the step under way, prints the metrics so far and exits 130 without
    saving (Ctrl-C again stops at once). --save is checked before anything
    is built, and written to a temporary file renamed over the target, so a
    previous file survives any crash.

    Multi-worker: with --distribute multiworker and TF_CONFIG this process is
    one worker of a cluster (a malformed TF_CONFIG exits 2; a worker that
    cannot reach the others in --connect-timeout, or loses one, exits 1
    naming it). --workers N starts N such workers on this machine.
    """
    from kreg.cluster import read_tf_config
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.workflows.training import TrainOptions, check_options, train

    workers = options.pop("workers")
    # Before any plugin code runs (loading the catalogue imports the plugins), and before any worker starts.
    train_options = check_options(TrainOptions(quiet=as_json, **options))  # type: ignore[arg-type]
    options.update(source=train_options.source, save=train_options.save, logdir=train_options.logdir)
    entry = get_session().entry(name)
    hyperparameters = resolve_hyperparameters(entry, assignments, preset)
    if workers is not None:
        train_on_local_cluster(entry, workers, assignments, preset, as_json, options)
        return
    if options["distribute"] == "multiworker":
        read_tf_config()  # a malformed TF_CONFIG is a usage error, before TensorFlow starts
    result = train(entry, hyperparameters, train_options, checked=True)
    if as_json:
        emit_json(result.to_json())
    else:
        _print_result(result)
    interruption = result.interruption(train_options.steps * train_options.epochs, train_options.save)
    if interruption is not None:
        raise interruption
    failure = result.failure()
    if failure is not None:
        raise failure


def _print_result(result: TrainResult) -> None:
    trace = result.trace
    print_table(
        f"{result.architecture}: {trace.steps} steps",
        ["metric", "first", "last"],
        [(name, format_metric(trace.first[name]), format_metric(trace.last[name])) for name in trace.first],
    )
    speed = trace.steps_per_second
    print_fields(
        [
            (
                "first step",
                f"{trace.first_step_seconds:.2f} s (includes tracing)"
                if trace.first_step_seconds is not None
                else None,
            ),
            (
                "speed",
                f"{format_rate(speed)} steps/s over the {trace.steps - 1} steps after the first" if speed else None,
            ),
            ("finite", "yes" if trace.finite else "no"),
            ("saved", result.saved),
            ("logdir", result.logdir),
        ]
    )


class ShardParameter(click.ParamType):
    """``K/N`` on the command line, a :class:`~kreg.sharding.Shard` in the command."""

    name = "K/N"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        """Parse ``K/N``; a malformed one is a usage error (exit 2)."""
        from kreg.errors import KregUsageError
        from kreg.sharding import Shard

        if isinstance(value, Shard):
            return value
        try:
            return Shard.parse(str(value))
        except KregUsageError as error:
            self.fail(str(error), param, ctx)


@click.command("check")
@click.argument("patterns", nargs=-1, metavar="[PATTERN]...")
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="Only architectures with this tag (repeatable: all must match)."
)
@click.option(
    "--exclude-tag",
    "exclude_tags",
    multiple=True,
    metavar="TAG",
    help="Skip architectures with this tag (repeatable), e.g. keras-applications, the slowest to check.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Check this many architectures at once, each in its own process.",
)
@check_steps_option
@seconds_option(
    "--timeout",
    default=CHECK_TIMEOUT,
    minimum=0,
    help=(
        "Fail an architecture whose check takes longer than this (its process is killed), naming what it was "
        "doing; 0 for no limit."
    ),
)
@click.option(
    "--shard",
    type=ShardParameter(),
    default=None,
    help=(
        "Check only shard K of N (counted from 1) of the matching architectures: their names, sorted, are dealt "
        "out in turn, so N jobs (a CI matrix) check disjoint sets that together are all of them."
    ),
)
@click.option(
    "--junit-xml",
    "junit_xml",
    metavar="FILE",
    default=None,
    help=(
        "Also write the results to FILE as JUnit XML (one testcase per architecture, as pytest --junit-xml "
        "writes it), for CI."
    ),
)
@click.option(
    "--require-learning",
    is_flag=True,
    help="Fail an architecture whose smoke training did not lower its loss from the first step to the last "
    "(each row reports it as `learned`, in JSON and JUnit XML too).",
)
@json_option
@plugin_options
def check_command(
    patterns: tuple[str, ...],
    tags: tuple[str, ...],
    exclude_tags: tuple[str, ...],
    jobs: int,
    steps: int,
    timeout: float,
    shard: Shard | None,
    junit_xml: str | None,
    require_learning: bool,
    as_json: bool,
) -> None:
    """Build, count and smoke-train every matching architecture; a pass/fail table.

    PATTERN is a shell-style pattern on the name (all architectures without
    one); --tag and --exclude-tag filter by tag, as in `kreg list`. Each
    architecture is built with its `smoke` preset when it has one, its
    parameters are counted, and it trains for a few steps on a small batch of
    its adapter's synthetic data. The forty keras-applications models take
    most of the time (deep graphs to build and trace, even at the smoke size).

    Each architecture runs in a process of its own: a plugin that raises,
    calls sys.exit or os._exit, crashes (SIGSEGV) or runs past --timeout fails
    only its own row, naming the phase, and the others are checked as usual.
    Exit status: 0 all passed, 1 any failed, 2 a usage error, 130 Ctrl-C
    (the rows that finished are printed, the rest marked interrupted, and no
    process is left running).
    """
    from kreg.errors import KregError, KregUsageError
    from kreg.files import check_destination
    from kreg.workflows.checking import check_all

    if junit_xml is not None:
        junit_xml = str(check_destination(junit_xml, "--junit-xml"))  # before the plugins are imported
    session = get_session()
    entries = session.catalogue.select(patterns, tags, exclude_tags)
    if not entries:
        wanted = [
            *(repr(p) for p in patterns),
            *(f"--tag {t}" for t in tags),
            *(f"--exclude-tag {t}" for t in exclude_tags),
        ]
        raise KregUsageError("no architectures match " + " ".join(wanted) if wanted else "no architectures registered")
    matching = len(entries)
    if shard is not None:
        entries = shard.select(entries)
        if not as_json:
            click.echo(f"shard {shard}: {len(entries)} of {matching} architectures", err=True)

    def progress(result: PipelineResult) -> None:
        if not as_json:
            click.echo(
                f"  {'pass' if result.passed else 'FAIL'}  {result.architecture} ({result.seconds:.1f} s)", err=True
            )

    started = time.perf_counter()
    run = check_all(
        entries,
        jobs=jobs,
        steps=steps,
        timeout=timeout or None,
        disabled=session.disabled,
        on_result=progress,
        require_learning=require_learning,
    )
    seconds = time.perf_counter() - started
    results, failed = run.results, run.failed
    if as_json:
        report = {
            "passed": not failed and run.interrupted is None,
            "interrupted": run.interrupted is not None,
            "seconds": round(seconds, 3),
            "results": [r.to_json() for r in results],
        }
        if shard is not None:
            report["shard"] = {**shard.to_json(), "architectures": len(results), "matching": matching}
        emit_json(report)
    elif results:
        _print_check_table(results)
        click.echo(_check_summary(results, seconds))
    if junit_xml is not None:
        from kreg.rendering.junit import write_junit_xml

        write_junit_xml(junit_xml, results, seconds)
    if run.interrupted is not None:
        finished = sum(1 for r in results if not r.interrupted)
        raise Interrupted(run.interrupted.signal_number, f"after {finished} of {len(results)} architectures")
    if failed:
        names = ", ".join(r.architecture for r in failed)
        raise KregError(f"{len(failed)} of {len(results)} architectures failed the check: {names}")


def _check_summary(results: list[PipelineResult], seconds: float) -> str:
    counts = {status: sum(1 for r in results if r.status == status) for status in ("pass", "fail", "interrupted")}
    summary = f"{counts['pass']} passed, {counts['fail']} failed"
    if counts["interrupted"]:
        summary += f", {counts['interrupted']} interrupted"
    return f"{summary} in {seconds:.1f} s"


_STATUS_WORDS = {"pass": "pass", "fail": "FAIL", "interrupted": "interrupted"}


def _print_check_table(results: list[PipelineResult]) -> None:
    rows = []
    for result in results:
        params = result.params.get("model", {}).get("total")
        if result.passed:
            detail = metric_change(result.metrics) if result.trained else "not trained (no data adapter)"
            if result.learned is False:
                detail += " (did not fall)"
        elif result.interrupted:
            detail = result.cause
        else:
            detail = f"{result.phase}: {result.cause}"
        rows.append(
            (
                result.architecture,
                _STATUS_WORDS[result.status],
                format_count(params),
                format_rate(result.steps_per_second),
                detail,
            )
        )
    columns = [
        Column("architecture", wrap=False),
        Column("result", wrap=False),
        Column("params", wrap=False, numeric=True),
        Column("steps/s", wrap=False, numeric=True, optional=True),
        "metric first -> last / failure",
    ]
    print_table(None, columns, rows)


COMMANDS = [train_command, check_command]
"""The commands this module contributes to ``kreg``."""
