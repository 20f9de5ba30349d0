"""Two real ``kreg train --distribute multiworker --json`` processes on 127.0.0.1, each
with its own TF_CONFIG, folder and TMPDIR, train one model together.

The run covers one pass over the adapter's 64 numbered examples (8 steps of a
global batch of 8), and the train step writes down the ids each replica trained
on: together the workers must see every example exactly once.
"""

from __future__ import annotations

import json
import re

import pytest

from kreg.cluster import free_local_addresses, local_tf_configs
from tests.cluster.conftest import start_worker
from tests.cluster.plugin_source import BATCH, EXAMPLES

STEPS = EXAMPLES // BATCH


@pytest.fixture(scope="module")
def run(cluster_env, tmp_path_factory):
    """Both workers' (exit status, JSON, stderr) and folders, after one training together."""
    root = tmp_path_factory.mktemp("two-workers")
    args = [
        "train",
        "test-sharded",
        "--steps",
        str(STEPS),
        "--distribute",
        "multiworker",
        "--save",
        "model.keras",
        "--logdir",
        "logs",
        "--json",
    ]
    workers = [
        start_worker(
            cluster_env.python,
            index,
            root / f"w{index}",
            args,
            {"TF_CONFIG": tf_config, "KREG_TEST_SEEN": str(root / f"seen{index}.txt")},
        )
        for index, tf_config in enumerate(local_tf_configs(free_local_addresses(2)))
    ]
    finished = [worker.finish() for worker in workers]
    for (status, _, stderr), worker in zip(finished, workers):
        assert status == 0, f"worker {worker.index}: {stderr[-3000:]}"
    reports = [json.loads(stdout) for _, stdout, _ in finished]
    seen = [_read_ids(root / f"seen{index}.txt") for index in range(2)]
    return {"reports": reports, "workers": workers, "seen": seen, "stderr": [stderr for _, _, stderr in finished]}


def _read_ids(path) -> list[list[int]]:
    """One list of ids per step, as tf.print wrote them (``[3 41 7 22]``)."""
    return [
        [int(number) for number in re.findall(r"\d+", line)] for line in path.read_text().splitlines() if line.strip()
    ]


def test_both_report_their_task_and_the_cluster(run):
    for index, report in enumerate(run["reports"]):
        cluster = report["cluster"]
        assert cluster["task"] == {"type": "worker", "index": index}
        assert (cluster["workers"], cluster["chief"]) == (2, index == 0)
        assert (report["replicas"], report["steps"], report["finite"], report["distribute"]) == (
            2,
            STEPS,
            True,
            "multiworker",
        )


def test_the_workers_end_with_identical_weights_and_metrics(run):
    chief, other = run["reports"]
    assert chief["cluster"]["weights_sha256"] == other["cluster"]["weights_sha256"]
    assert chief["metrics"] == other["metrics"]
    assert chief["metrics"]["loss"]["last"] < chief["metrics"]["loss"]["first"]


def test_each_worker_trains_on_its_own_half_of_every_batch(run):
    first, second = run["seen"]
    assert len(first) == len(second) == STEPS
    assert all(len(ids) == BATCH // 2 for ids in first + second)
    mine, theirs = ({i for ids in seen for i in ids} for seen in run["seen"])
    assert not mine & theirs, f"both workers trained on {sorted(mine & theirs)}"
    assert sorted(mine | theirs) == list(range(EXAMPLES))  # one pass: every example once


def test_only_the_chief_writes_the_model_and_the_scalars(run):
    chief, other = run["workers"]
    # Made absolute before any plugin code ran (a plugin changing the working folder cannot move them).
    assert run["reports"][0]["saved"] == str(chief.folder / "model.keras")
    assert run["reports"][0]["logdir"] == str(chief.folder / "logs")
    assert run["reports"][1]["saved"] is None and run["reports"][1]["logdir"] is None
    assert sorted(path.name for path in chief.folder.iterdir()) == ["logs", "model.keras", "tmp"]
    assert sorted(path.name for path in other.folder.iterdir()) == ["tmp"]
    assert list((chief.folder / "logs" / "train").glob("events.out.tfevents.*"))


def test_the_other_worker_cleans_up_what_it_saved(run):
    for worker in run["workers"]:
        leftovers = [
            path for path in worker.scratch.rglob("*") if "kreg-worker-" in str(path) or path.suffix == ".keras"
        ]
        assert leftovers == [], f"worker {worker.index} left {leftovers}"


def test_the_saved_model_holds_the_weights_the_workers_agree_on(run, cluster_env):
    import keras

    from kreg.running.multiworker import weights_digest

    model = keras.models.load_model(run["workers"][0].folder / "model.keras")
    assert weights_digest(model) == run["reports"][0]["cluster"]["weights_sha256"]


@pytest.mark.slow
def test_two_workers_compute_what_one_process_computes_on_the_same_global_batches(cluster_env, tmp_path):
    """The reference: one process, no strategy, the same global batches of 8 (no batch norm, whose
    per-replica statistics differ by design; no shuffle, whose order differs between the two)."""
    args = [
        "train",
        "test-sharded",
        "--set",
        "norm=false",
        "--set",
        "shuffle=false",
        "--steps",
        str(STEPS),
        "--save",
        "model.keras",
        "--json",
    ]
    single = start_worker(cluster_env.python, 0, tmp_path / "single", args, {})
    status, stdout, stderr = single.finish()
    assert status == 0, stderr
    workers = [
        start_worker(
            cluster_env.python,
            index,
            tmp_path / f"w{index}",
            [*args, "--distribute", "multiworker"],
            {"TF_CONFIG": config},
        )
        for index, config in enumerate(local_tf_configs(free_local_addresses(2)))
    ]
    finished = [worker.finish() for worker in workers]
    assert all(status == 0 for status, _, _ in finished), [stderr[-2000:] for _, _, stderr in finished]
    one, two = json.loads(stdout), json.loads(finished[0][1])
    assert two["metrics"]["loss"]["first"] == pytest.approx(one["metrics"]["loss"]["first"], rel=1e-5)
    assert two["metrics"]["loss"]["last"] == pytest.approx(one["metrics"]["loss"]["last"], rel=1e-4)

    import keras
    import numpy as np

    reference = keras.models.load_model(tmp_path / "single" / "model.keras").get_weights()
    trained = keras.models.load_model(tmp_path / "w0" / "model.keras").get_weights()
    for expected, actual in zip(reference, trained, strict=True):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-6)
