"""``kreg train NAME --workers N``: a multi-worker cluster of N processes on this machine.

Each worker is ``kreg train NAME ... --distribute multiworker --json`` with a
``TF_CONFIG`` naming all N (on free ports of 127.0.0.1) and its own index, so
what runs is exactly what runs on N machines. The chief's progress is relayed
on stderr; at the end comes one table (or one JSON object) for the cluster.
TensorFlow is imported only by the workers.
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING, Any

import click

from kreg.catalogue import Entry
from kreg.cli.session import emit_json, get_session
from kreg.cluster import PROGRESS_PREFIX, free_local_addresses, local_tf_configs
from kreg.errors import KregError, KregUsageError
from kreg.processes import Interrupted, kreg_command
from kreg.terminal import format_metric, print_fields, print_table

if TYPE_CHECKING:
    from kreg.workflows.launching import Worker

WORKER_OPTIONS = {  # TrainOptions field -> the option that passes it on
    "steps": "--steps",
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "source": "--data",
    "save": "--save",
    "logdir": "--logdir",
    "connect_timeout": "--connect-timeout",
    "seed": "--seed",
}
PATH_OPTIONS = ("source", "save", "logdir")


def train_on_local_cluster(
    entry: Entry, workers: int, assignments: tuple[str, ...], preset: str | None, as_json: bool, options: dict[str, Any]
) -> None:
    """Start ``workers`` local workers training ``entry`` together; report them as one.

    Raises:
        KregUsageError: ``--distribute mirrored`` or ``TF_CONFIG`` set (exit 2).
        KregError: a worker failed or died; the others were stopped (exit 1).
        click.exceptions.Exit: Ctrl-C or SIGTERM stopped every worker (130 or 143).
    """
    if options.get("distribute") not in (None, "multiworker"):
        raise KregUsageError(
            "--workers starts a multi-worker cluster; it cannot be combined with --distribute mirrored"
        )
    if os.environ.get("TF_CONFIG", "").strip():
        raise KregUsageError(
            "TF_CONFIG is set, but --workers starts a local cluster of its own: unset TF_CONFIG, or drop --workers"
        )
    from kreg.workflows.launching import run_workers

    addresses = free_local_addresses(workers)
    command = worker_command(entry.name, assignments, preset, options)
    environments = [
        {**os.environ, **plugin_environment(), "TF_CONFIG": config} for config in local_tf_configs(addresses)
    ]
    if not as_json:
        listed = ", ".join(f"{address}{' (chief)' if index == 0 else ''}" for index, address in enumerate(addresses))
        click.echo(f"kreg: starting {workers} local workers on {listed}", err=True)
    started = time.perf_counter()
    try:
        finished = run_workers(
            [command] * workers, environments, on_line=lambda worker, line: _relay(worker, line, as_json)
        )
    except Interrupted as interrupted:
        click.echo(f"kreg: interrupted: stopped {workers} workers", err=True)
        raise click.exceptions.Exit(interrupted.exit_status) from None
    report = cluster_report(entry.name, addresses, finished, time.perf_counter() - started)
    if report is not None and as_json:
        emit_json(report)
    elif report is not None:
        _print_report(report)
    _raise_failure(finished)
    if report is not None and not report["weights_identical"]:
        saved = report["results"][0]["saved"]
        click.echo(
            "kreg: warning: the workers ended with different weights: a layer keeps state it updates outside the "
            "gradients (a running sum, a counter) on each worker, and only batch normalisation's is averaged"
            + (f"; {saved} holds the chief's" if saved else ""),
            err=True,
        )


def worker_command(name: str, assignments: tuple[str, ...], preset: str | None, options: dict[str, Any]) -> list[str]:
    """``kreg train NAME ... --distribute multiworker --json --progress-lines`` (see ``kreg_command``)."""
    command = kreg_command("train", name)
    for field, flag in WORKER_OPTIONS.items():
        value = options.get(field)
        if value is not None:
            command += [flag, os.path.abspath(value) if field in PATH_OPTIONS else str(value)]
    if options.get("jit_compile") is not None:
        command.append("--jit-compile" if options["jit_compile"] else "--no-jit-compile")
    for assignment in assignments:
        command += ["--set", assignment]
    if preset is not None:
        command += ["--preset", preset]
    if get_session().debug:
        command.append("--debug")
    return [*command, "--distribute", "multiworker", "--json", "--progress-lines"]


def plugin_environment() -> dict[str, str]:
    """The plugin settings of this invocation (``--strict``, ``--disable-plugin``) for the workers."""
    session = get_session()
    environment = {"KREG_DISABLE_PLUGINS": ",".join(session.disabled)}
    if session.strict:
        environment["KREG_STRICT_PLUGINS"] = "1"
    return environment


def _relay(worker: Worker, line: str, as_json: bool) -> None:
    """The chief's progress (not with --json) and any worker's other lines, labelled.

    Not errors: they come summed up at the end.
    """
    if worker.stopped or line.startswith("kreg: error: "):
        return
    if line.startswith(PROGRESS_PREFIX):
        if worker.index == 0 and not as_json:
            click.echo(f"[worker 0] {line.removeprefix('kreg: ')}", err=True)
        return
    if line.strip():
        click.echo(f"[worker {worker.index}] {line}", err=True)


def cluster_report(name: str, addresses: list[str], workers: list[Worker], seconds: float) -> dict[str, Any] | None:
    """The combined JSON, when every worker printed its own; else None.

    Returns:
        dict or None. ``architecture``, ``workers``, ``addresses``, ``seconds``,
        ``weights_identical`` and ``results`` (each worker's ``kreg train
        --json`` object, worker 0, the chief, first).
    """
    try:
        results = [json.loads(worker.stdout) for worker in workers]
    except ValueError:
        return None
    digests = {(result.get("cluster") or {}).get("weights_sha256") for result in results}
    return {
        "architecture": name,
        "workers": len(workers),
        "addresses": addresses,
        "seconds": round(seconds, 3),
        "weights_identical": len(digests) == 1 and None not in digests,
        "results": results,
    }


def _raise_failure(workers: list[Worker]) -> None:
    failed = [worker for worker in workers if worker.failed]
    if not failed:
        return
    first = failed[0]
    stopped = [worker for worker in workers if worker.stopped]
    message = f"worker {first.index} (pid {first.pid}) {first.describe_exit()}"
    if stopped:
        message += f"; stopped {len(stopped)} other worker{'s' if len(stopped) > 1 else ''}"
    raise (KregUsageError if first.status == 2 else KregError)(message)


def _print_report(report: dict[str, Any]) -> None:
    chief = report["results"][0]
    rows = []
    for index, result in enumerate(report["results"]):
        speed = result["steps_per_second"]
        rows.append(
            (
                f"{index} (chief)" if index == 0 else str(index),
                report["addresses"][index],
                result["steps"],
                f"{speed:.1f}" if speed else "-",
                metric_change(result["metrics"]),
                result["saved"] or "-",
            )
        )
    print_table(
        f"{report['architecture']}: {report['workers']} local workers, {chief['replicas']} replicas",
        ["worker", "address", "steps", "steps/s", "metric first -> last", "saved"],
        rows,
    )
    digest = (chief.get("cluster") or {}).get("weights_sha256") or ""
    print_fields(
        [
            (
                "weights",
                f"identical on all {report['workers']} workers (sha256 {digest[:12]})"
                if report["weights_identical"]
                else "DIFFER between workers",
            ),
            ("logdir", chief["logdir"]),
            ("wall time", f"{report['seconds']:.1f} s (starting the workers included)"),
        ]
    )


def metric_change(metrics: dict[str, dict[str, object]]) -> str:
    """``loss 0.9 -> 0.4``: the loss when the train step returns one, else its first metric."""
    name = "loss" if "loss" in metrics else next(iter(metrics), None)
    if name is None:
        return "no metrics returned"
    return f"{name} {format_metric(metrics[name]['first'])} -> {format_metric(metrics[name]['last'])}"
