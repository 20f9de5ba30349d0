"""kreg's Python API for programs and notebooks: ``kreg.inspect``, ``kreg.plot``, ``kreg.review``.

What ``torchinfo.summary(model)`` is for PyTorch: give any Keras model, the
name of a registered architecture or the path of a saved ``.keras`` file, and
get back a report that prints as ``kreg inspect`` does, converts to the same
JSON, and shows itself in a notebook::

    import keras, kreg

    model = keras.applications.MobileNetV3Small(weights=None)
    report = kreg.inspect(model, input_shapes=(224, 224, 3))
    print(report)                 # kreg inspect's tables
    report.to_json()              # kreg inspect --json's object
    report                        # in a notebook: the review card

This module is an entry point, as the ``kreg`` command is: it resolves what it
is given and calls :mod:`kreg.workflows`, which it imports only when one of
the functions is called, so ``import kreg`` stays free of TensorFlow and Keras.
Errors are kreg's own (:class:`kreg.KregUsageError` for a bad name, value or
shape; :class:`kreg.ArchitectureFailure` when a builder or a layer fails;
:class:`kreg.KregError` for a file that cannot be loaded), each with a
one-line message.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Catalogue
from kreg.loading import load_catalogue

if TYPE_CHECKING:
    from kreg.workflows.reports import InspectionReport, ModelGraph
    from kreg.workflows.review import Review

_CATALOGUE: Catalogue | None = None


def inspect(
    model: Any,
    /,
    *,
    input_shapes: Mapping[str, Sequence[int]] | Sequence[int] | None = None,
    component: str | None = None,
    batch_size: int | None = None,
    preset: str | None = None,
    catalogue: Catalogue | None = None,
    count: str = "macs",
    **hyperparameters: Any,
) -> InspectionReport:
    """Inspect a model: parameters, MACs, memory, every layer call and every Dense call.

    The same report as ``kreg inspect`` (``kreg inspect --json`` is
    ``report.to_json()``; ``print(report)`` prints its text), for a Keras model
    in hand, a registered architecture or a saved file.

    Args:
        model: keras.Model, str or os.PathLike. A Keras model (used as it is,
            reported as the component ``"model"``); the name of a registered
            architecture (built at its defaults, with ``preset`` and
            ``hyperparameters`` applied); or the path of a ``.keras`` file
            (loaded with ``safe_mode=True``, its custom layers found in the
            installed plugins).
        input_shapes: Mapping[str, Sequence[int]] or Sequence[int] or None.
            Sizes after the batch axis for inputs the model leaves unknown, by
            input name (``{"encoder_inputs": [20]}``), or one shape
            (``(224, 224, 3)``) for a model with one input; an unbuilt model
            (a Sequential without ``Input``, a subclassed model never called)
            is built with that one shape first. Without it, an
            architecture's data adapter gives them, and a model or a file
            reports MACs per unknown position (none, with a note, when it
            cannot run at one position: a strided convolution).
        component: str or None. Only this component of an architecture.
        batch_size: int or None. Estimate training memory at this batch
            size (an architecture's own by default; a model or a file needs it
            and a compiled optimizer for the estimate).
        preset: str or None. Start an architecture from one of its presets.
        catalogue: Catalogue or None. Where names and a file's custom layers
            are looked up; None loads the installed plugins (once per process).
        count: str. ``"macs"`` (the default); ``"all"`` also counts the FLOPs of
            every operation, element-wise ones included, by operation type
            (``compute.flops``, ``compute.by_op``), as ``kreg inspect --count all``.
        **hyperparameters: Any. Values for the architecture's hyperparameters,
            as Python values (``kreg.inspect("transformer", num_heads=4)``).

    Returns:
        InspectionReport. ``to_json()``, ``print()``, ``params``, ``macs``,
        ``components``; a notebook shows its card.

    Raises:
        KregUsageError: an unknown architecture, preset, hyperparameter or
            component; hyperparameters given for a model or a file; a bad input
            shape or count; a file that does not exist.
        ArchitectureFailure: the builder or a layer failed while tracing.
        KregError: the file could not be loaded.

    Examples:
        ``kreg.inspect(model)``, ``kreg.inspect("resnet50").params.total``,
        ``kreg.inspect(model).components["model"].compute.macs``,
        ``kreg.inspect("transformer", input_shapes={"encoder_inputs": [40], "decoder_inputs": [40]})``,
        ``kreg.inspect("mlp.keras", batch_size=64).to_json()``.
    """
    from kreg.workflows.inspecting import inspect_subject
    from kreg.workflows.reports import InspectionReport
    from kreg.workflows.subjects import resolve_subject

    found = catalogue or _installed_catalogue()
    subject = resolve_subject(found, model, preset=preset, values=hyperparameters)
    report = inspect_subject(subject, found, component, input_shapes, batch_size, count=count)
    return InspectionReport(report, subject)


def plot(
    model: Any,
    /,
    *,
    component: str = "model",
    expand_nested: bool = False,
    expand_layers: bool = False,
    rankdir: str = "TB",
    dpi: int = 96,
    fold: bool = True,
    depth: int | None = None,
    attributes: bool = False,
    input_shapes: Mapping[str, Sequence[int]] | Sequence[int] | None = None,
    preset: str | None = None,
    catalogue: Catalogue | None = None,
    **hyperparameters: Any,
) -> ModelGraph:
    """Draw a model's graph as ``kreg plot`` does; a notebook shows it, ``save()`` writes it.

    Args:
        model: keras.Model, str or os.PathLike. As for :func:`inspect`.
        component: str. The component to draw (``"model"`` for a model or a file).
        expand_nested: bool. Open nested models into clusters.
        expand_layers: bool. Open custom layers into their traced inner layers.
        rankdir: str. ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        dpi: int. Resolution of png output.
        fold: bool. Draw repeated blocks as one "block x N" node (``--no-fold`` is False).
        depth: int or None. Open nested models and custom layers down to this depth; deeper ones are one node.
        attributes: bool. Show each layer's attributes on its node.
        input_shapes: Mapping[str, Sequence[int]] or Sequence[int] or None.
            Sizes for unknown input dimensions, as for :func:`inspect` (``kreg plot --input-shape``): the nodes
            show their shapes at these sizes, each size the model leaves unknown marked ``*``
            (``kreg.plot("transformer", input_shapes={"encoder_inputs": [40], "decoder_inputs": [40]})``);
            an unbuilt model is built with the one shape given. Without it, an architecture's nodes show its
            data adapter's sizes where the report counts at them.
        preset: str or None. Start an architecture from one of its presets.
        catalogue: Catalogue or None. As for :func:`inspect`.
        **hyperparameters: Any. Values for the architecture's hyperparameters.

    Returns:
        ModelGraph. ``save(path)`` (png, svg, pdf or dot), ``to_svg()``,
        ``to_dot()``; a notebook shows the SVG (needs Graphviz's ``dot``).

    Raises:
        KregUsageError: as :func:`inspect` (a bad input shape among them), or a bad ``rankdir``, ``dpi`` or
            ``depth``.
        ArchitectureFailure: building or drawing failed.
        KregError: the file could not be loaded.
    """
    from kreg.errors import KregUsageError
    from kreg.inspect_tools.graph import GraphOptions
    from kreg.inspect_tools.graph_folding import FoldOptions
    from kreg.workflows.inspecting import plot_subject
    from kreg.workflows.reports import ModelGraph
    from kreg.workflows.subjects import resolve_subject

    if str(rankdir).upper() not in ("TB", "LR"):
        raise KregUsageError(f"rankdir must be 'TB' or 'LR', got {rankdir!r}")
    if not isinstance(dpi, int) or dpi < 1:
        raise KregUsageError(f"dpi must be a positive integer, got {dpi!r}")
    if depth is not None and (not isinstance(depth, int) or depth < 1):
        raise KregUsageError(f"depth must be a positive integer, got {depth!r}")
    found = catalogue or _installed_catalogue()
    subject = resolve_subject(found, model, preset=preset, values=hyperparameters)
    opens = depth is not None and depth > 1  # as kreg plot --depth: open above the depth, close below
    options = GraphOptions(
        expand_nested=expand_nested or opens,
        expand_layers=expand_layers or opens,
        rankdir=str(rankdir).upper(),
        dpi=dpi,
    )
    view = FoldOptions(fold=fold, depth=depth, attributes=attributes)
    graph = plot_subject(subject, found, component, options, view, input_shapes=input_shapes)
    return ModelGraph(graph, subject.name, component)


def review(
    model: Any,
    /,
    *,
    train_steps: int | None = None,
    input_shapes: Mapping[str, Sequence[int]] | Sequence[int] | None = None,
    batch_size: int | None = None,
    expand_layers: bool = False,
    preset: str | None = None,
    seed: int | None = 0,
    catalogue: Catalogue | None = None,
    **hyperparameters: Any,
) -> Review:
    """Review a model as ``kreg review`` does: a notebook shows the card, ``save()`` writes the page.

    Args:
        model: keras.Model, str or os.PathLike. As for :func:`inspect`.
        train_steps: int or None. Also smoke-train an architecture this many
            steps on its synthetic data, keeping every metric's curve (a model
            or a file has no data adapter to train on).
        input_shapes: Mapping[str, Sequence[int]] or Sequence[int] or None.
            Sizes for unknown input dimensions, as for :func:`inspect`
            (``kreg.review(model, input_shapes=(224, 224, 3))``).
        batch_size: int or None. Estimate training memory at this batch size, as for :func:`inspect`.
        expand_layers: bool. Also open custom layers in the graph.
        preset: str or None. Start an architecture from one of its presets.
        seed: int or None. Seed Python, NumPy and TensorFlow before building an architecture.
        catalogue: Catalogue or None. As for :func:`inspect`.
        **hyperparameters: Any. Values for the architecture's hyperparameters.

    Returns:
        Review. ``save(path)`` writes the self-contained page, ``html()`` is
        its text, ``to_json()`` its data (``inspection`` is ``kreg inspect
        --json``'s object), ``print()`` the text report, ``failure()`` a failed
        smoke training; a notebook shows the card.

    Raises:
        KregUsageError: as :func:`inspect`, or ``train_steps`` for a model, a
            file or an architecture without a data adapter.
        ArchitectureFailure: building or inspecting failed (a failed smoke
            training does not raise: the review says why).
        KregError: the file could not be loaded.
    """
    from kreg.errors import KregUsageError
    from kreg.workflows.review import ReviewOptions, review_subject
    from kreg.workflows.subjects import resolve_subject

    if train_steps is not None and (not isinstance(train_steps, int) or train_steps < 1):
        raise KregUsageError(f"train_steps must be a positive integer, got {train_steps!r}")
    found = catalogue or _installed_catalogue()
    subject = resolve_subject(found, model, preset=preset, values=hyperparameters)
    options = ReviewOptions(train_steps, expand_layers, seed, input_shapes, batch_size)  # the fields' order
    return review_subject(subject, found, options)


def _installed_catalogue() -> Catalogue:
    """The installed plugins' catalogue, loaded on first use; each plugin failure is a warning."""
    global _CATALOGUE
    if _CATALOGUE is None:
        catalogue = load_catalogue()
        for failure in catalogue.failures:
            warnings.warn(failure.message(), RuntimeWarning, stacklevel=3)
        _CATALOGUE = catalogue
    return _CATALOGUE
