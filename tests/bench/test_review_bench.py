"""``kreg review NAME --bench FILE``: the page shows ``kreg bench --json``'s measurements beside the estimates."""

from __future__ import annotations

import json

# What `kreg bench mlp --batch-size 64 --json` printed on this machine (one row of its list).
MLP_ROW = {
    "architecture": "mlp",
    "status": "ok",
    "batch_size": 64,
    "dtype": "float32",
    "device": "Intel(R) Xeon(R) Processor (2 cores)",
    "inference": {"latency_s": 0.0146, "examples_per_s": 4374.9, "spread_s": 0.0141, "repeats": 3},
    "training": {"step_s": 0.0238, "examples_per_s": 2694.4, "spread_s": 0.0123, "repeats": 3},
    "memory": {"peak_bytes": 39407616, "estimate_bytes": 443052, "ratio": 88.9},
    "compute": {"macs": 26432, "training_step_macs": 54208},
}


def test_the_page_shows_the_measured_rows_of_its_architecture(kreg_cli, tmp_path):
    bench = tmp_path / "bench.json"
    other = {**MLP_ROW, "architecture": "vae"}
    bench.write_text(json.dumps([MLP_ROW, other]))
    page = tmp_path / "mlp.html"
    result = kreg_cli("review", "mlp", "--bench", str(bench), "-o", str(page))
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "Measured beside estimated" in html
    assert "23.8 ms" in html and "2694.4" in html and "88.90" in html  # the training step, throughput, ratio
    assert "Intel(R) Xeon(R) Processor" in html


def test_a_bad_or_unrelated_bench_file_is_a_usage_error(kreg_cli, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("not json")
    unrelated = tmp_path / "vae.json"
    unrelated.write_text(json.dumps([{**MLP_ROW, "architecture": "vae"}]))
    for path, words in ((broken, "cannot read"), (unrelated, "no row for 'mlp'")):
        result = kreg_cli("review", "mlp", "--bench", str(path), "-o", str(tmp_path / "x.html"))
        assert result.exit_code == 2, result.output
        assert words in result.stderr
        assert not (tmp_path / "x.html").exists()
