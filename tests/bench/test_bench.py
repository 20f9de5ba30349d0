"""``kreg bench``: real measurements in child processes, beside kreg's estimates; bad input in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.processes import alive, wait_for

FIELDS = {"inference": {"latency_s", "examples_per_s"}, "training": {"step_s", "examples_per_s"}}


def test_unknown_dtype_and_batch_size_zero_are_usage_errors(kreg_cli):
    for arguments in (["--dtype", "float64"], ["--batch-size", "0"]):
        result = kreg_cli("bench", "mlp", *arguments)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()[-1]) > 0


def test_an_unknown_name_is_one_line(kreg_cli):
    result = kreg_cli("bench", "no-such-architecture")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_figures_come_from_real_runs_at_each_batch_size(kreg_cli):
    result = kreg_cli("bench", "mlp", "--batch-size", "4", "--batch-size", "256", "--repeats", "2", "--json")
    assert result.exit_code == 0, result.output
    small, large = result.json()
    assert (small["batch_size"], large["batch_size"]) == (4, 256)
    for row in (small, large):
        assert row["status"] == "ok" and row["dtype"] == "float32" and row["device"]
        for part, keys in FIELDS.items():
            assert keys <= set(row[part]) and all(row[part][key] > 0 for key in keys)
        memory = row["memory"]
        assert memory["peak_bytes"] > 0 and memory["estimate_bytes"] > 0
        assert memory["ratio"] == pytest.approx(memory["peak_bytes"] / memory["estimate_bytes"])
        assert memory["peak_method"] in ("tensorflow-allocator", "resident") and memory["resident_peak_bytes"] > 0
        assert row["inference"]["examples_per_s"] == pytest.approx(row["batch_size"] / row["inference"]["latency_s"])
    # The estimate's activations grow with the batch; a batch of 256 is not timed as one of 4.
    assert large["memory"]["estimate_bytes"] > small["memory"]["estimate_bytes"]
    assert large["training"]["step_s"] != small["training"]["step_s"]
    assert "done  mlp batch 4" in result.stderr  # progress on stderr, JSON alone on stdout


def test_a_batch_that_does_not_fit_is_one_fail_row_naming_out_of_memory(kreg_cli):
    result = kreg_cli("bench", "mlp", "--batch-size", "100000000", "--json")
    assert result.exit_code == 1
    (row,) = result.json()
    assert row["status"] == "fail"
    assert "out of memory" in row["cause"]
    assert "Traceback" not in result.output
    # The fork server stays while kreg (here: the test's process) runs; what it forked must be gone.
    wait_for(lambda: not _children_of(_children_of([os.getpid()])), timeout=30, what="the measuring process ending")


def _children_of(parents: list[int]) -> list[int]:
    """The live processes whose parent is one of ``parents`` (a zombie is gone for our purposes)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[1]) in parents and alive(int(stat.parent.name)):
            children.append(int(stat.parent.name))
    return children


@pytest.mark.slow
def test_measured_peak_memory_is_within_a_quarter_of_the_estimate_on_two_small_models(kreg_cli):
    result = kreg_cli(
        "bench", "mobilenetv3small", "mobilenetv2", "--batch-size", "4", "--batch-size", "8", "--repeats", "1", "--json"
    )
    assert result.exit_code == 0, result.output
    rows = {(row["architecture"], row["batch_size"]): row["memory"] for row in result.json()}
    for name in ("mobilenetv3small", "mobilenetv2"):
        assert rows[name, 8]["peak_bytes"] > rows[name, 4]["peak_bytes"]  # real runs: the batch shows
    for memory in rows.values():
        # docs/bench.md: TensorFlow's allocator peak beside what the backward pass reads, plus the weights' state.
        assert memory["peak_method"] == "tensorflow-allocator"
        assert 0.75 <= memory["ratio"] <= 1.25, memory


@pytest.mark.slow
def test_latency_orders_the_applications_as_keras_io_does(kreg_cli):
    names = ["mobilenetv3small", "mobilenetv2", "resnet50", "vgg16"]
    result = kreg_cli("bench", *names, "--batch-size", "8", "--repeats", "3", "--json")
    assert result.exit_code == 0, result.output
    latency = {row["architecture"]: row["inference"]["latency_s"] for row in result.json()}
    assert latency["mobilenetv3small"] < latency["mobilenetv2"] < latency["resnet50"] < latency["vgg16"]


def test_a_model_without_call_is_trained_but_has_no_inference_row(kreg_cli):
    result = kreg_cli("bench", "vae", "--batch-size", "4", "--repeats", "1", "--json")
    assert result.exit_code == 0, result.output
    (row,) = result.json()
    assert row["status"] == "ok" and row["inference"] is None
    assert row["training"]["step_s"] > 0 and row["memory"]["peak_bytes"] > 0
