"""The two sides of a comparison (``kreg diff``, ``kreg review --against``), made into reports.

A side is a registered architecture (built in a fresh Keras session with its
hyperparameters) or a saved ``.keras`` file (loaded with ``safe_mode=True``,
its custom layers found by importing installed plugins' builders). Either way
it becomes a ``kreg inspect --json`` report, which
:func:`kreg.inspect_tools.diff.diff_reports` compares.

A saved file holds one model, so when either side is a file only the
``"model"`` component of each side is compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Catalogue, Entry
from kreg.errors import KregUsageError

if TYPE_CHECKING:
    from kreg.inspect_tools.diff import ArchitectureDiff

MODEL_COMPONENT = "model"


def is_model_file(name: str) -> bool:
    """True when a side names a file: architecture names never hold a dot or a slash."""
    return "." in name or "/" in name


@dataclass(frozen=True)
class ComparedSide:
    """One side, resolved: what to build or load (nothing is built yet).

    Attributes:
        entry: Entry or None. The architecture (None for a file).
        hyperparameters: dict[str, Any]. The values to build with (empty for a file).
        preset: str or None. The preset they started from.
        file: str or None. The ``.keras`` file to load.
    """

    entry: Entry | None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    preset: str | None = None
    file: str | None = None


def resolve_side(catalogue: Catalogue, name: str, assignments: list[str] | tuple[str, ...] = (), preset: str | None = None) -> ComparedSide:
    """Look a side up, so that usage errors come before anything is built.

    Args:
        catalogue: Catalogue. The registered architectures.
        name: str. An architecture's name, or the path of a ``.keras`` file.
        assignments: Sequence[str]. ``KEY=VALUE`` strings (architectures only).
        preset: str or None. A preset of the architecture (architectures only).

    Raises:
        KregUsageError: an unknown architecture, a bad ``--set`` or preset, a
            file given ``--set`` or ``--preset``, a file that does not exist
            or is not a ``.keras`` archive.
    """
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.model_archives import read_model_archive

    if not is_model_file(name):
        entry = catalogue.get(name)
        return ComparedSide(entry, resolve_hyperparameters(entry, assignments, preset), preset)
    if assignments or preset is not None:
        raise KregUsageError(f"{name} is a saved model: --set and --preset apply only to an architecture")
    read_model_archive(name)
    return ComparedSide(None, file=name)


def inspect_side(side: ComparedSide, other: ComparedSide, catalogue: Catalogue) -> dict[str, Any]:
    """Build or load one side and return its inspection report.

    Args:
        side: ComparedSide. The side to inspect.
        other: ComparedSide. The other side: when either is a file, only the
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
        model = _load(side.file, other, catalogue)
        return inspect_models(side.file, {}, {MODEL_COMPONENT: model})

    # A fresh session per side, so that two builds name their layers alike where they can.
    built = build_fresh(side.entry, side.hyperparameters, seed=None)
    return inspect_built(built, {MODEL_COMPONENT: built.model} if other.file is not None else None)


def compare_sides(left: ComparedSide, right: ComparedSide, catalogue: Catalogue, left_report: dict[str, Any] | None = None) -> ArchitectureDiff:
    """Inspect both sides (the left's report may be given) and compare them.

    Returns:
        ArchitectureDiff. From :func:`kreg.inspect_tools.diff.diff_reports`.
    """
    from kreg.inspect_tools.diff import diff_reports

    if left_report is None:
        left_report = inspect_side(left, right, catalogue)
    elif right.file is not None:
        left_report = {**left_report, "components": {MODEL_COMPONENT: left_report["components"][MODEL_COMPONENT]}}
    right_report = inspect_side(right, left, catalogue)
    return diff_reports(left_report, right_report, presets=(left.preset, right.preset), files=(left.file, right.file))


def _load(path: str, other: ComparedSide, catalogue: Catalogue) -> Any:
    from kreg.running.model_files import load_model_file
    from kreg.running.keras_runtime import require_keras

    require_keras()
    import keras

    keras.backend.clear_session()
    likeliest = [other.entry] if other.entry is not None else []
    return load_model_file(path, likeliest + [entry for entry in catalogue if entry is not other.entry])
