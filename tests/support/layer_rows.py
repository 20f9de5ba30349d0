"""``layers`` rows of ``kreg inspect`` made by hand: models of any depth for the diff, built without Keras."""

from __future__ import annotations

from kreg.inspect_tools.report_types import LayerRow
from tests.support.reports import layer_row


def row(path, cls="Dense", shape=(None, 8), out=None, params=0, macs=None) -> LayerRow:
    """One layer call's row: its path, class, input and output shapes, parameters and (optionally) MACs."""
    return layer_row(path, cls, shape, out, params, macs)


def block(index, width=8, named=False):
    """A residual MLP block of 4 calls (Dense, Dropout, Dense, Add), named by Keras (creation order) or by the user."""
    name = (lambda n: f"block{index}_{n}") if named else (lambda n: f"{n}_{index}" if index else n)
    return [
        row(
            name("dense") if not named else name("up"),
            "Dense",
            (None, width),
            (None, 2 * width),
            params=2 * width * width + 2 * width,
            macs=2 * width * width,
        ),
        row(name("dropout") if not named else name("drop"), "Dropout", (None, 2 * width), macs=0),
        row(
            name("dense_x") if not named else name("down"),
            "Dense",
            (None, 2 * width),
            (None, width),
            params=2 * width * width + width,
            macs=2 * width * width,
        ),
        row(name("add"), "Add", (None, width), macs=0),
    ]


def model_rows(blocks, width=8, named=False, head_name="logits"):
    """An input, the blocks numbered ``blocks`` and a Dense head: ``4 * len(blocks) + 2`` rows."""
    rows = [row("input_layer", "InputLayer", (None, width))]
    for index in blocks:
        rows += block(index, width, named)
    return [*rows, row(head_name, "Dense", (None, width), (None, 3), params=3 * width + 3, macs=3 * width)]
