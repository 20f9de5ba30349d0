"""The two sides of a comparison (``kreg diff``, ``kreg review --against``), made into reports.

A side is a :class:`~kreg.workflows.subjects.Subject`: a registered
architecture (built in a fresh Keras session with its hyperparameters) or a
saved ``.keras`` file (loaded with ``safe_mode=True``, its custom layers found
by importing installed plugins' builders). Either way it becomes an
inspection report, which :func:`kreg.inspect_tools.diff.diff_reports` compares.

A saved file holds one model, so when either side is a file only the
``"model"`` component of each side is compared.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kreg.catalogue import Catalogue
from kreg.inspect_tools.report_types import Report
from kreg.workflows.subjects import MODEL_COMPONENT, Subject, load_file

if TYPE_CHECKING:
    from kreg.inspect_tools.diff import ArchitectureDiff


def inspect_side(side: Subject, other: Subject, catalogue: Catalogue) -> Report:
    """Build or load one side (from :func:`~kreg.workflows.subjects.resolve_subject`) and return its inspection report.

    Args:
        side: Subject. The side to inspect: an architecture or a file.
        other: Subject. The other side: when either is a file, only the
            ``"model"`` component is reported; a file's custom layers are
            looked for first in the other side's plugin.
        catalogue: Catalogue. Where a file's plugins are looked for.

    Raises:
        ArchitectureFailure: the build or the inspection failed.
        KregError: the file could not be loaded.
    """
    from kreg.running.building import build_fresh
    from kreg.running.inspecting import inspect_built, inspect_models

    if side.file is not None:
        model = load_file(side.file, catalogue, likeliest=other.entry)
        return inspect_models(side.file, {}, {MODEL_COMPONENT: model})

    # A fresh session per side, so that two builds name their layers alike where they can.
    built = build_fresh(side.entry, side.hyperparameters, seed=None)
    return inspect_built(built, {MODEL_COMPONENT: built.model} if other.file is not None else None)


def compare_sides(
    left: Subject, right: Subject, catalogue: Catalogue, left_report: Report | None = None
) -> ArchitectureDiff:
    """Inspect both sides (the left's report may be given) and compare them.

    Returns:
        ArchitectureDiff. From :func:`kreg.inspect_tools.diff.diff_reports`.
    """
    from kreg.inspect_tools.diff import diff_reports

    if left_report is None:
        left_report = inspect_side(left, right, catalogue)
    elif right.file is not None:
        left_report = replace(left_report, components={MODEL_COMPONENT: left_report.components[MODEL_COMPONENT]})
    right_report = inspect_side(right, left, catalogue)
    return diff_reports(left_report, right_report, presets=(left.preset, right.preset), files=(left.file, right.file))
