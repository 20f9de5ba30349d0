"""``make bench-table``'s pieces that need no measurement: the rank correlation and the rows."""

from __future__ import annotations

import pytest

from scripts.docgen.bench_table import page, row_of, spearman


def test_spearman_against_known_orderings():
    assert spearman([(1, 10), (2, 20), (3, 30), (4, 40)]) == pytest.approx(1.0)
    assert spearman([(1, 40), (2, 30), (3, 20), (4, 10)]) == pytest.approx(-1.0)
    # one swap among four: 1 - 6 * (1 + 1) / (4 * 15)
    assert spearman([(1, 10), (2, 30), (3, 20), (4, 40)]) == pytest.approx(0.8)
    assert spearman([(1, 2), (2, 3)]) is None


def test_a_row_carries_keras_io_beside_the_measurement_and_a_failure_in_words():
    measured = {
        "architecture": "resnet50",
        "status": "ok",
        "batch_size": 32,
        "inference": {"latency_s": 0.5, "examples_per_s": 64.0},
        "training": {"step_s": 2.0, "examples_per_s": 16.0},
        "memory": {"peak_bytes": 3_000_000_000, "estimate_bytes": 1_500_000_000, "ratio": 2.0},
    }
    row = row_of(measured)
    assert (row["inference_ms"], row["training_ms"], row["peak_mb"], row["ratio"]) == (500.0, 2000.0, 3000.0, 2.0)
    assert row["keras_io_cpu_ms"] == 58.2
    failed = row_of({"architecture": "vgg16", "status": "fail", "batch_size": 32, "phase": "data", "cause": "oom"})
    assert failed["failure"] == "data: oom" and failed["inference_ms"] == ""
    assert "FAIL" in page([row, failed], "a CPU")
