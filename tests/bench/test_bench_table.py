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


MEASURED = {
    "architecture": "resnet50",
    "status": "ok",
    "batch_size": 32,
    "inference": {"latency_s": 0.5, "examples_per_s": 64.0},
    "training": {"step_s": 2.0, "examples_per_s": 16.0},
    "memory": {"peak_bytes": 3_000_000_000, "estimate_bytes": 1_500_000_000, "ratio": 2.0},
}


def test_a_row_carries_keras_io_beside_the_measurement_and_a_failure_in_words():
    row = row_of(MEASURED)
    assert (row["inference_ms"], row["training_ms"], row["peak_mb"], row["ratio"]) == (500.0, 2000.0, 3000.0, 2.0)
    assert row["keras_io_cpu_ms"] == 58.2
    failed = row_of({"architecture": "vgg16", "status": "fail", "batch_size": 32, "phase": "data", "cause": "oom"})
    assert failed["failure"] == "data: oom" and failed["inference_ms"] == ""
    assert "FAIL" in page([row, failed], "a CPU")


def test_every_keras_io_row_names_a_built_in_architecture(builtin_catalogue):
    from scripts.docgen.bench_table import KERAS_IO_CPU_MS

    assert len(KERAS_IO_CPU_MS) == 26  # every keras.io row with a CPU time
    assert [name for name in KERAS_IO_CPU_MS if name not in builtin_catalogue] == []


def test_the_page_names_the_date_the_machine_and_the_correlation():
    rows = [
        row_of({**MEASURED, "architecture": name, "inference": {"latency_s": seconds, "examples_per_s": 1.0}})
        for name, seconds in (("mobilenet", 0.1), ("resnet50", 0.3), ("vgg16", 0.2))
    ]
    text = page(rows, "a CPU (2 cores)", "2026-12-06", "make bench-table")
    # keras.io: mobilenet 22.6 < resnet50 58.2 < vgg16 69.5; ours swaps the last two: 1 - 6 * 2 / (3 * 8)
    assert "2026-12-06" in text and "a CPU (2 cores)" in text and "**0.50 over 3 architectures**" in text
    assert "stopped" not in text
    assert "The run was stopped before 1 more: vgg19." in page(rows, "a CPU", unmeasured=["vgg19"])


def test_an_unknown_name_is_refused_before_measuring():
    from scripts.docgen.bench_table import main

    with pytest.raises(SystemExit, match="no architecture named no-such"):
        main(["--names", "mobilenet,no-such", "--output", "/nonexistent"])
