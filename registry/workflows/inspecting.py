"""``kreg inspect``, ``kreg plot`` and the sides of ``kreg diff``: build, then look.

The report and the graph are pure analysis (:mod:`kreg.inspect_tools`); building
and the calls that run the plugin's layers go through :mod:`kreg.running`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kreg.catalogue import Entry
from kreg.errors import UnknownComponent
from kreg.files import write_atomically
from kreg.hyperparameters import resolve_hyperparameters
from kreg.running.building import BuiltArchitecture, build
from kreg.running.inspecting import draw_graph, inspect_built


def build_architecture(entry: Entry, assignments: Iterable[str] = (), preset: str | None = None) -> BuiltArchitecture:
    """Resolve ``entry``'s hyperparameters (defaults, preset, ``--set``) and build it.

    Raises:
        KregUsageError: unknown preset or hyperparameter, or the builder
            rejected a value (exit 2).
        ArchitectureFailure: the builder failed (exit 1).
    """
    return build(entry, resolve_hyperparameters(entry, assignments, preset))


def select_components(built: BuiltArchitecture, component: str | None) -> dict[str, Any]:
    """All components, or only ``component``.

    Raises:
        UnknownComponent: the architecture has no such component (exit 2).
    """
    if component is None:
        return dict(built.components)
    if component not in built.components:
        raise UnknownComponent(built.name, component, built.components)
    return {component: built.components[component]}


def inspect_architecture(
    entry: Entry,
    assignments: Iterable[str] = (),
    preset: str | None = None,
    component: str | None = None,
    input_shapes: Mapping[str, list[int]] | None = None,
) -> dict[str, Any]:
    """The ``kreg inspect --json`` report of ``entry`` (all components, or one).

    Args:
        entry: Entry. The architecture.
        assignments: Iterable[str]. ``--set`` values.
        preset: str or None. ``--preset``.
        component: str or None. Only this component.
        input_shapes: Mapping[str, list[int]] or None. ``--input-shape`` values
            (sizes after the batch axis by input name), checked against the
            components' inputs here.

    Raises:
        KregUsageError: a bad name, preset, hyperparameter, component or input shape.
        ArchitectureFailure: building or inspecting failed.
    """
    from kreg.inspect_tools.input_shapes import check_component_input_shapes

    built = build_architecture(entry, assignments, preset)
    components = select_components(built, component)
    check_component_input_shapes(input_shapes or {}, components)
    return inspect_built(built, components, input_shapes)


def plot_architecture(entry: Entry, component: str, options: Any, assignments: Iterable[str] = (), preset: str | None = None) -> Any:
    """The pydot graph of one component of ``entry``, titled ``NAME (COMPONENT)``.

    Raises:
        KregUsageError: a bad name, preset, hyperparameter or component.
        ArchitectureFailure: building or drawing failed.
    """
    built = build_architecture(entry, assignments, preset)
    select_components(built, component)
    return draw_graph(built, component, options, title=f"{built.name} ({component})")


def write_graph(graph: Any, path: str | Path) -> Path:
    """Write a pydot graph to ``path`` (png, svg, pdf or dot, by extension), whole or not at all.

    Returns:
        Path. The file written (missing folders are made).

    Raises:
        KregUsageError: unknown extension.
        KregError: a tool is missing, ``dot`` failed, or the file cannot be written.
    """
    from kreg.inspect_tools.plotting import graph_file

    return write_atomically(path, graph_file(graph, path))
