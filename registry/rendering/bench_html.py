"""The review page's "Measured beside estimated" section, from ``kreg bench --json`` rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kreg.rendering.formatting import human_bytes
from kreg.rendering.html_parts import Cell, escape, html_table


def bench_section_body(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """A table of the measured rows (None without any): speed, peak memory measured and estimated, their ratio."""
    if not rows:
        return None
    table_rows: list[tuple[Sequence[Cell], str]] = [
        (_cells(row), "" if row.get("status") == "ok" else "problem") for row in rows
    ]
    columns = [
        "batch",
        "dtype",
        "inference per batch",
        "examples/s",
        "training step",
        "examples/s",
        "peak memory (measured)",
        "training memory (estimate)",
        "measured / estimate",
    ]
    devices = sorted({str(row["device"]) for row in rows if row.get("device")})
    note = (
        f'<p class="note">From <code>kreg bench</code> on {escape(", ".join(devices) or "another machine")}: '
        "medians after warm-up; the peak is TensorFlow's allocator peak (the resident one where it counts nothing), "
        "beside kreg's estimate at the same batch size and dtype (docs/bench.md says why they differ).</p>"
    )
    return note + html_table(columns, table_rows, numeric_columns={0, 2, 3, 4, 5, 6, 7, 8})


def _cells(row: Mapping[str, Any]) -> list[Cell]:
    head: list[Cell] = [row.get("batch_size"), row.get("dtype")]
    if row.get("status") != "ok":
        return [*head, f"failed: {row.get('phase')}: {row.get('cause')}", "", "", "", "", "", ""]
    inference, training, memory = row["inference"], row["training"], row["memory"]
    estimate, ratio = memory.get("estimate_bytes"), memory.get("ratio")
    return [
        *head,
        "no call()" if inference is None else f"{1000 * inference['latency_s']:.1f} ms",
        "" if inference is None else f"{inference['examples_per_s']:.1f}",
        f"{1000 * training['step_s']:.1f} ms",
        f"{training['examples_per_s']:.1f}",
        human_bytes(memory["peak_bytes"]),
        "" if estimate is None else human_bytes(estimate),
        "" if ratio is None else f"{ratio:.2f}",
    ]
