"""Which layer rows a report shows: ``kreg inspect --depth N --sort macs --top K --no-fold``.

:func:`viewed` returns the report with each component's rows cut to a depth,
sorted or limited to the costliest, and its repeated blocks
(:mod:`kreg.inspect_tools.folding`) found again among the rows left, or
dropped. The counts of the component never change: a row's MACs and params
already include those of the calls inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kreg.inspect_tools.folding import repeated_blocks
from kreg.inspect_tools.report_types import ComponentReport, LayerRow, Report

SORT_KEYS = ("macs", "params")
"""What ``--sort`` orders rows by (largest first)."""


@dataclass(frozen=True)
class LayerView:
    """How to show a component's layer rows.

    Attributes:
        depth: int or None. Keep rows at most this deep (1: the model's own
            layers; a custom layer's inner calls are at 2); None keeps all.
        sort: str or None. One of :data:`SORT_KEYS`: rows largest first; None keeps call order.
        top: int or None. Keep only the K largest rows (by ``sort``, else by MACs).
        fold: bool. Fold repeated blocks ("block x N"); False unfolds them and
            leaves ``repeats`` out of the JSON. Sorted or cut rows are never folded.
    """

    depth: int | None = None
    sort: str | None = None
    top: int | None = None
    fold: bool = True

    @property
    def is_default(self) -> bool:
        """True when the view changes nothing."""
        return self == LayerView()


def viewed(report: Report, view: LayerView) -> Report:
    """The report with each component's rows and repeats as ``view`` says."""
    if view.is_default:
        return report
    components = {name: viewed_component(component, view) for name, component in report.components.items()}
    return replace(report, components=components)


def viewed_component(component: ComponentReport, view: LayerView) -> ComponentReport:
    """One component's rows cut to ``view.depth``, sorted, limited; its repeats found again or dropped."""
    rows = [row for row in component.layers if view.depth is None or row_depth(row) <= view.depth]
    key = view.sort or ("macs" if view.top is not None else None)
    if key is not None:
        rows.sort(key=lambda row: _size(row, key), reverse=True)
    if view.top is not None:
        rows = rows[: view.top]
    folds = view.fold and key is None
    repeats = repeated_blocks(rows) if folds and view.depth is not None else component.repeats if folds else None
    return replace(component, layers=tuple(rows), repeats=repeats)


def row_depth(row: LayerRow) -> int:
    """1 for a layer of the component itself, 2 for a call inside it, and so on."""
    return row.path.count("/") + 1


def _size(row: LayerRow, key: str) -> int:
    if key == "params":
        return row.params
    return -1 if row.mac_count is None else row.mac_count
