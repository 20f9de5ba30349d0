"""Each layer row's share of its component: ``macs_share`` and ``params_share``.

Rows nest (a custom layer's row counts its inner calls too), so the shares of
a component's rows add up to more than 1; those of the rows at one depth do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from kreg.inspect_tools.report_types import ComputeReport, LayerRow

SHARE_DIGITS = 6
"""Shares are rounded to this many decimals, so the JSON stays short and stable."""


def with_shares(rows: Iterable[LayerRow], params_total: int, compute: ComputeReport) -> tuple[LayerRow, ...]:
    """The rows with their ``macs_share`` and ``params_share`` of the component.

    Args:
        rows: Iterable[LayerRow]. The component's rows.
        params_total: int. The component's parameters.
        compute: ComputeReport. Its MACs (per example, or per position when sizes were unknown).

    Returns:
        tuple[LayerRow, ...]. A share is None where the row's or the component's figure is not counted or 0.
    """
    macs_total = compute.macs_per_position if compute.per_position else compute.macs
    return tuple(
        replace(row, macs_share=_share(row.mac_count, macs_total), params_share=_share(row.params, params_total))
        for row in rows
    )


def _share(part: int | None, total: int | None) -> float | None:
    if part is None or not total:
        return None
    return round(part / total, SHARE_DIGITS)
