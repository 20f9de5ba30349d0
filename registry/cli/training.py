"""Commands that train: ``kreg train`` (one smoke training) and ``kreg check``
(build, count and smoke-train every matching architecture).

TensorFlow and the training code are imported inside the commands.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from kreg.cli.render import print_fields, print_table
from kreg.cli.session import emit_json, get_session, json_option, plugin_options

if TYPE_CHECKING:
    from kreg.inspect_tools.checking import CheckResult
    from kreg.inspect_tools.training import TrainResult

DISTRIBUTE_HELP = (
    "Run under a tf.distribute strategy. 'mirrored': MirroredStrategy over every local GPU "
    "(or every logical CPU device). 'multiworker': MultiWorkerMirroredStrategy; start the "
    "same command on every worker, each with TF_CONFIG naming the cluster and its own task "
    "index (see docs/training.md). The batch size is global: it is split across replicas."
)


@click.command("train")
@click.argument("name")
@click.option("--steps", type=click.IntRange(min=1), default=20, show_default=True, help="Steps per epoch.")
@click.option("--epochs", type=click.IntRange(min=1), default=1, show_default=True, help="Epochs.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Batch size given to the data adapter [default: the architecture's].")
@click.option("--data", "source", metavar="PATH", default=None, help="Data the adapter loads (a file or directory); synthetic data without it.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="Override a hyperparameter (repeatable).")
@click.option("--preset", default=None, metavar="NAME", help="Start from one of the architecture's presets (e.g. smoke).")
@click.option("--save", metavar="FILE.keras", default=None, help="Save the trained model to this .keras file.")
@click.option("--logdir", metavar="DIR", default=None, help="Write each step's metrics as TensorBoard scalars under DIR/train.")
@click.option("--distribute", type=click.Choice(["mirrored", "multiworker"]), default=None, help=DISTRIBUTE_HELP)
@click.option("--jit-compile/--no-jit-compile", default=None, help="Force XLA on or off [default: as the builder compiled the model].")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for Python, NumPy and TensorFlow.")
@json_option
@plugin_options
def train_command(name: str, assignments: tuple[str, ...], preset: str | None, as_json: bool, **options: object) -> None:
    """Smoke-train one architecture inside Keras's fit.

    Builds NAME, feeds it batches from its data adapter (synthetic unless
    --data is given) and runs its train step (or the model's own) for
    --steps steps per epoch, with Keras's progress bar. Reports the first and
    last value of every metric the train step returns and the speed after the
    first (compiling) step. A non-finite metric stops the run: exit 1, naming
    the metric and the step. A builder, data adapter or train step that
    raises: exit 1, naming the phase.
    """
    from kreg.building import resolve_hyperparameters
    from kreg.inspect_tools.training import TrainOptions, check_options, train

    entry = get_session().entry(name)
    train_options = TrainOptions(quiet=as_json, **options)  # type: ignore[arg-type]
    hyperparameters = resolve_hyperparameters(entry, assignments, preset)
    check_options(train_options)
    result = train(entry, hyperparameters, train_options)
    if as_json:
        emit_json(result.to_json())
    else:
        _print_result(result)
    failure = result.failure()
    if failure is not None:
        raise failure


def _print_result(result: TrainResult) -> None:
    trace = result.trace
    print_table(
        f"{result.architecture}: {trace.steps} steps",
        ["metric", "first", "last"],
        [(name, _number(trace.first[name]), _number(trace.last[name])) for name in trace.first],
    )
    speed = trace.steps_per_second
    print_fields(
        [
            ("first step", f"{trace.first_step_seconds:.2f} s (includes tracing)" if trace.first_step_seconds is not None else None),
            ("speed", f"{speed:.1f} steps/s over the {trace.steps - 1} steps after the first" if speed else None),
            ("finite", "yes" if trace.finite else "no"),
            ("saved", result.saved),
            ("logdir", result.logdir),
        ]
    )


@click.command("check")
@click.argument("patterns", nargs=-1, metavar="[PATTERN]...")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only architectures with this tag (repeatable: all must match).")
@click.option(
    "--exclude-tag", "exclude_tags", multiple=True, metavar="TAG",
    help="Skip architectures with this tag (repeatable), e.g. keras-applications, the slowest to check.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Check architectures in this many worker processes.")
@click.option("--steps", type=click.IntRange(min=1), default=3, show_default=True, help="Smoke-training steps per architecture.")
@json_option
@plugin_options
def check_command(patterns: tuple[str, ...], tags: tuple[str, ...], exclude_tags: tuple[str, ...], jobs: int, steps: int, as_json: bool) -> None:
    """Build, count and smoke-train every matching architecture; a pass/fail table.

    PATTERN is a shell-style pattern on the name (all architectures without
    one); --tag and --exclude-tag filter by tag, as in `kreg list`. Each
    architecture is built with its `smoke` preset when it has one, its
    parameters are counted, and it trains for a few steps on a small batch of
    its adapter's synthetic data. One failure never stops the others; the
    exit status is 1 when any failed. The forty keras-applications models take
    most of the time (deep graphs to build and trace, even at the smoke size).
    """
    from kreg.errors import KregError, KregUsageError
    from kreg.inspect_tools.checking import check_all

    session = get_session()
    entries = session.catalogue.select(patterns, tags, exclude_tags)
    if not entries:
        wanted = [*(repr(p) for p in patterns), *(f"--tag {t}" for t in tags), *(f"--exclude-tag {t}" for t in exclude_tags)]
        raise KregUsageError("no architectures match " + " ".join(wanted) if wanted else "no architectures registered")

    def progress(result: CheckResult) -> None:
        if not as_json:
            click.echo(f"  {'pass' if result.passed else 'FAIL'}  {result.architecture} ({result.seconds:.1f} s)", err=True)

    started = time.perf_counter()
    results = check_all(entries, jobs=jobs, steps=steps, disabled=session.disabled, on_result=progress)
    failed = [r for r in results if not r.passed]
    if as_json:
        emit_json({"passed": not failed, "seconds": round(time.perf_counter() - started, 3), "results": [r.to_json() for r in results]})
    else:
        _print_check_table(results)
        click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed in {time.perf_counter() - started:.1f} s")
    if failed:
        names = ", ".join(r.architecture for r in failed)
        raise KregError(f"{len(failed)} of {len(results)} architectures failed the check: {names}")


def _print_check_table(results: list[CheckResult]) -> None:
    rows = []
    for result in results:
        params = result.params.get("model", {}).get("total")
        if result.passed:
            detail = _metric_change(result.metrics) if result.trained else "not trained (no data adapter)"
        else:
            detail = f"{result.phase}: {result.cause}"
        speed = f"{result.steps_per_second:.0f}" if result.steps_per_second else "-"
        rows.append((result.architecture, "pass" if result.passed else "FAIL", params if params is not None else "-", speed, detail))
    print_table(None, ["architecture", "result", "params", "steps/s", "metric first -> last / failure"], rows)


def _metric_change(metrics: dict[str, dict[str, object]]) -> str:
    """``loss 0.9 -> 0.4``: the loss when the train step returns one, else its first metric."""
    name = "loss" if "loss" in metrics else next(iter(metrics), None)
    if name is None:
        return "no metrics returned"
    return f"{name} {_number(metrics[name]['first'])} -> {_number(metrics[name]['last'])}"


def _number(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


COMMANDS = [train_command, check_command]
"""The commands this module contributes to ``kreg``."""
