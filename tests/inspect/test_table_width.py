"""The layer table keeps its right edge at 100 columns: rich's layout can draw a table wider than the console
(it shrinks the widest columns, then gives each its minimum back) and the console then cuts the edge off;
kreg lays such a table out for a narrower width until it fits."""

from __future__ import annotations

import io

import pytest

from kreg.terminal import Column, print_table

RESNET_ROWS = [
    ["conv5_block3_3_conv", "BatchNormalization", "(None, 230, 230, 3)", "(None, 112, 112, 64)", "9,472"],
    ["conv2_block1..3", "block x 3", "(None, 56, 56, 64)", "(None, 56, 56, 256)", "220,032"],
]


def _printed(width: int, rows: list[list[str]]) -> list[str]:
    from rich.console import Console

    out = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    columns = ["path", "class", "input", "output", "params", "MACs", Column("attributes", optional=True)]
    print_table("model: layers", columns, rows, out=out)
    return out.file.getvalue().splitlines()


def test_the_layer_table_keeps_its_right_edge_at_100_columns():
    rows = [[*row, "118,013,952", "7x7/2 valid, 64"] for row in RESNET_ROWS]
    lines = _printed(100, rows)
    assert max(map(len, lines)) <= 100
    assert all(line.endswith(("┓", "┃", "┩", "│", "┘")) for line in lines[1:])  # every line has its right edge
    assert "118,013,952" in "\n".join(lines)  # the MACs whole


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet50", "transformer"])
def test_kreg_inspect_fits_100_columns(kreg_cli, name):
    result = kreg_cli("inspect", name, env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    table = result.stdout[result.stdout.index("layers (traced calls") :].splitlines()
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    body = [line for line in table[1:] if line.startswith(("┃", "│"))]
    assert body and all(line.endswith(("┃", "│")) for line in body)
