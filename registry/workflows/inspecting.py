"""``kreg inspect``, ``kreg plot`` and ``kreg.inspect``/``kreg.plot``: open a subject, then look.

A subject is a registered architecture, a saved ``.keras`` file or a Keras
model (:mod:`kreg.workflows.subjects`). The report and the graph are pure
analysis (:mod:`kreg.inspect_tools`); building, loading and the calls that run
the plugin's layers go through :mod:`kreg.running`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Catalogue
from kreg.defaults import COUNTS
from kreg.errors import KregUsageError
from kreg.files import write_atomically
from kreg.inspect_tools.report_types import Report
from kreg.running.inspecting import draw_graph, inspect_built, inspect_models
from kreg.running.keras_runtime import dtype_policy
from kreg.workflows.subjects import OpenedSubject, Subject, open_subject

if TYPE_CHECKING:
    from kreg.inspect_tools.graph_folding import FoldOptions


def inspect_subject(
    subject: Subject,
    catalogue: Catalogue,
    component: str | None = None,
    input_shapes: Mapping[str, Any] | Any = None,
    batch_size: int | None = None,
    dtype: str | None = None,
    *,
    opened: OpenedSubject | None = None,
    count: str = "macs",
) -> Report:
    """The ``kreg inspect`` report of a subject (all components, or one).

    Args:
        subject: Subject. From :func:`kreg.workflows.subjects.resolve_subject`.
        catalogue: Catalogue. Where a file's custom layers are looked for.
        component: str or None. Only this component.
        input_shapes: Mapping or sequence or None. Sizes after the batch axis
            by input name (``--input-shape`` values), or one shape for a model
            with one input; checked against the components' inputs here.
        batch_size: int or None. Estimate training memory at this batch size
            (an architecture's own by default; a file or a model has none).
        dtype: str or None. Build the architecture under this Keras dtype
            policy (``mixed_float16``: 16-bit activations, float32 variables):
            a what-if of its memory; None builds with the current policy.
        opened: OpenedSubject or None. The subject already built or loaded
            (a review draws it too); None opens it here.
        count: str. ``"macs"`` (the default), or ``"all"``: every operation's
            FLOPs too, by operation type (``compute.flops``, ``compute.by_op``).

    Raises:
        KregUsageError: a bad component, input shape or count, or ``dtype`` for a
            file or a model (or, before this, name, preset or hyperparameter).
        ArchitectureFailure: building or inspecting failed.
        KregError: the file could not be loaded.
    """
    if count not in COUNTS:
        raise KregUsageError(f"count must be one of {', '.join(COUNTS)}, not {count!r}")
    if dtype is not None and subject.entry is None:
        raise KregUsageError(
            "--dtype applies to a registered architecture: a saved or given model keeps the dtypes it was built with"
        )
    with dtype_policy(dtype):  # restored afterwards: the fresh session the build makes sets it
        if opened is None:
            opened = open_subject(subject, catalogue, dtype)
        components = opened.select(component)
        if opened.built is not None:
            return inspect_built(opened.built, components, input_shapes, batch_size, count)
        return inspect_models(subject.name, {}, components, input_shapes, batch_size, count)


def plot_subject(
    subject: Subject,
    catalogue: Catalogue,
    component: str,
    options: Any,
    view: FoldOptions | None = None,
    input_shapes: Mapping[str, Any] | Any = None,
) -> Any:
    """The pydot graph of one component of a subject, titled ``NAME (COMPONENT)``.

    Where the inspection report is made and counted compute at concrete sizes (the data adapter's, or
    ``input_shapes``), the nodes show the shapes at those sizes, pinned sizes marked ``*``.

    Args:
        subject: Subject. From :func:`kreg.workflows.subjects.resolve_subject`.
        catalogue: Catalogue. Where a file's custom layers are looked for.
        component: str. The component to draw (``"model"`` for a file or a model).
        options: GraphOptions. Nesting, direction, resolution.
        view: FoldOptions or None. Fold repeated blocks, close clusters below a depth, show attributes
            (:mod:`kreg.inspect_tools.graph_folding`); these read the component's inspection report,
            which is made only when one of them is asked for. None draws every layer as it is.
        input_shapes: Mapping or sequence or None. Sizes to count compute at, by input name (``kreg plot
            --input-shape``), or one shape for a model with one input (``kreg.plot``); the report is made for them.

    Raises:
        KregUsageError: no such component.
        ArchitectureFailure: building or drawing failed.
        KregError: the file could not be loaded.
    """
    opened = open_subject(subject, catalogue)
    model = opened.select(component)[component]
    title = f"{subject.name} ({component})"
    reshaped = view is not None and (view.fold or view.attributes or view.depth is not None)
    if not (reshaped or input_shapes):
        return draw_graph(subject.name, model, options, title=title)
    from kreg.inspect_tools.graph_folding import counted_by_path, reshape_graph

    rows = inspect_subject(subject, catalogue, component, input_shapes, opened=opened).components[component]
    graph = draw_graph(subject.name, model, options, title=title, counted=counted_by_path(rows.layers))
    if view is None or not reshaped:
        return graph
    return reshape_graph(graph, rows.layers, rows.repeats or (), view)


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
