"""The inspection report as types: what ``kreg inspect`` finds, before it is written out.

:func:`kreg.inspect_tools.report.architecture_report` makes an
:class:`Report`; the workflows, the command line, the Python API
and :mod:`kreg.rendering` read its attributes. Each type writes its part of
the documented JSON (DESIGN.md, docs/compute.md) with ``to_json()``, the one
place where field names become strings: ``kreg inspect --json`` prints
``Report.to_json()``.

Every type is a frozen dataclass; the figures later issues add (a row's
attributes, inputs, shares; compute's bounds ...) are new fields with
defaults, written by ``to_json`` where they are set. Nothing here imports
Keras: the module is safe to import from anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeAlias

from kreg.inspect_tools.shapes import format_shape

JsonValue: TypeAlias = bool | int | float | str | Sequence["JsonValue"] | Mapping[str, "JsonValue"] | None
"""What ``json.dumps`` writes: the values of a ``to_json()`` object."""

JsonObject: TypeAlias = dict[str, JsonValue]
"""A JSON object, as every ``to_json()`` returns it."""

ShapeNest: TypeAlias = list[int | None] | list["ShapeNest"] | dict[str, "ShapeNest"] | None
"""A shape (sizes, ``None`` where unknown), a list or dict of shapes for a nest of tensors, or None."""

SHAPE_SOURCES = ("model", "adapter", "option")
"""Where compute's input sizes came from, weakest first: the model's own, the data adapter, ``--input-shape``."""


def describe_shapes(shapes: Mapping[str, ShapeNest]) -> str:
    """``encoder_inputs (None, 20), decoder_inputs (None, 20)``: shapes by input name, as text."""
    return ", ".join(f"{name} {format_shape(shape)}" for name, shape in shapes.items())


@dataclass(frozen=True)
class ParamCounts:
    """Parameter counts of a model or layer.

    Attributes:
        total: int. All weights.
        trainable: int. Weights the optimizer updates.
        non_trainable: int. Frozen weights and statistics (BatchNorm moving mean/variance).
    """

    total: int
    trainable: int
    non_trainable: int

    def minus(self, other: ParamCounts) -> ParamCounts:
        """Each count of this one less the other's (a diff's delta: right minus left)."""
        return ParamCounts(
            self.total - other.total, self.trainable - other.trainable, self.non_trainable - other.non_trainable
        )

    def to_json(self) -> dict[str, int]:
        """``{"total": ..., "trainable": ..., "non_trainable": ...}``."""
        return {"total": self.total, "trainable": self.trainable, "non_trainable": self.non_trainable}


@dataclass(frozen=True)
class LayerRow:
    """One traced layer call: a row of a component's ``layers``.

    Attributes:
        path: str. Layer names from the component down, joined by ``/``.
        layer_class: str. The layer's class (JSON ``class``).
        input_shape: ShapeNest. The shape of its first argument.
        output_shape: ShapeNest. The shape of what it returned.
        params: int. The layer's parameters.
        mac_count: int or None. Its MACs (its inner calls included), per
            example or, when ``per_position``, per unknown position; None when not counted.
        per_position: bool. Input sizes were unknown: the count is per position
            (JSON: ``macs`` null and ``macs_per_position``).
        backward_mac_count: int or None. The MACs of its backward pass (its
            inner calls included), counted as ``mac_count`` is.
        receptive_field: Mapping or None. On a convolutional path, per
            spatial axis ``size``, ``stride`` and ``padding`` (an int when the
            axes agree), or ``whole_input`` for a layer that mixes every
            position (:mod:`kreg.inspect_tools.receptive_field`); None elsewhere.
        attributes: Mapping[str, JsonValue]. The config fields that define
            what the layer computes (kernel size, strides, units ...).
        inputs: tuple[str, ...]. Paths of the calls (or input rows) that feed it.
        trainable: bool or None. The layer's ``trainable`` flag (None for a model input).
        macs_share: float or None. Its MACs over the component's (None when either is not counted).
        params_share: float or None. Its params over the component's (None when the component has none).
        counted_input_shape: ShapeNest. Its input shape where compute was
            counted at sizes the model leaves unknown (None otherwise: then
            the counted shapes are ``input_shape`` and ``output_shape``).
        counted_output_shape: ShapeNest. Its output shape there.
    """

    path: str
    layer_class: str
    input_shape: ShapeNest
    output_shape: ShapeNest
    params: int
    mac_count: int | None = None
    per_position: bool = False
    backward_mac_count: int | None = None
    receptive_field: Mapping[str, JsonValue] | None = None
    attributes: Mapping[str, JsonValue] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    trainable: bool | None = None
    macs_share: float | None = None
    params_share: float | None = None
    counted_input_shape: ShapeNest = None
    counted_output_shape: ShapeNest = None

    @property
    def macs(self) -> int | None:
        """MACs per example; None when not counted or counted per position."""
        return None if self.per_position else self.mac_count

    @property
    def macs_per_position(self) -> int | None:
        """MACs per unknown position; None when counted per example or not at all."""
        return self.mac_count if self.per_position else None

    @property
    def backward_macs(self) -> int | None:
        """Backward MACs per example; None when not counted or counted per position."""
        return None if self.per_position else self.backward_mac_count

    def to_json(self) -> JsonObject:
        """``path``, ``class``, shapes, ``params``, ``macs`` [, ``macs_per_position``], ``backward_macs``,
        ``receptive_field``, attributes, inputs, shares."""
        record: JsonObject = {
            "path": self.path,
            "class": self.layer_class,
            "input_shape": self.input_shape,
            "output_shape": self.output_shape,
            "params": self.params,
            "macs": self.macs,
        }
        if self.per_position:
            record["macs_per_position"] = self.macs_per_position
        record["backward_macs"] = self.backward_macs
        if self.receptive_field is not None:
            record["receptive_field"] = dict(self.receptive_field)
        record["attributes"] = dict(self.attributes)
        record["inputs"] = list(self.inputs)
        record["trainable"] = self.trainable
        record["macs_share"] = self.macs_share
        record["params_share"] = self.params_share
        if self.counted_input_shape is not None or self.counted_output_shape is not None:
            record["counted_input_shape"] = self.counted_input_shape
            record["counted_output_shape"] = self.counted_output_shape
        return record


@dataclass(frozen=True)
class DenseEntry:
    """One traced Dense or EinsumDense call: what it contracts and what it threads over.

    Attributes:
        path: str. The call's path, as in ``layers``.
        input_shape: ShapeNest. Its input shape.
        output_shape: ShapeNest. Its output shape.
        kernel_shape: list[int]. The kernel's shape.
        threaded_over: list[int or None] or None. The sizes it applies the
            kernel at each position of (``None`` for a size unknown; the whole
            list None when the input shape is unknown).
        params: int. The layer's parameters.
        macs: int or None. MACs per example; None when a threaded size is unknown.
        counted_input_shape: ShapeNest. Its input shape where compute was counted at sizes the model leaves
            unknown (None otherwise), as its layer row's.
        counted_output_shape: ShapeNest. Its output shape there.
        counted_threaded_over: list[int or None] or None. The sizes it threads over there.
    """

    path: str
    input_shape: ShapeNest
    output_shape: ShapeNest
    kernel_shape: list[int]
    threaded_over: list[int | None] | None
    params: int
    macs: int | None
    counted_input_shape: ShapeNest = None
    counted_output_shape: ShapeNest = None
    counted_threaded_over: list[int | None] | None = None

    @property
    def counted(self) -> bool:
        """Whether compute was counted at sizes other than the model's own (the ``counted_*`` fields are set)."""
        return self.counted_input_shape is not None or self.counted_output_shape is not None

    def at_counted_sizes(self) -> DenseEntry:
        """The entry as it was counted: its shapes and threaded sizes at the counted sizes, where there are some."""
        if not self.counted:
            return self
        return replace(
            self,
            input_shape=self.counted_input_shape,
            output_shape=self.counted_output_shape,
            threaded_over=self.counted_threaded_over,
        )

    def to_json(self) -> JsonObject:
        """The ``dense`` record of DESIGN.md; ``counted_input_shape``, ``counted_output_shape`` and
        ``counted_threaded_over`` after it where compute was counted at other sizes."""
        record: JsonObject = {
            "path": self.path,
            "input_shape": self.input_shape,
            "output_shape": self.output_shape,
            "kernel_shape": self.kernel_shape,
            "threaded_over": self.threaded_over,
            "params": self.params,
            "macs": self.macs,
        }
        if self.counted:
            record["counted_input_shape"] = self.counted_input_shape
            record["counted_output_shape"] = self.counted_output_shape
            record["counted_threaded_over"] = self.counted_threaded_over
        return record


@dataclass(frozen=True)
class UncountedOp:
    """Operations of one type one layer call ran that are not MACs and not free (``compute.uncounted``).

    Attributes:
        op: str. The TensorFlow operation type (``BiasAdd``, ``Relu``, ``FusedBatchNormV3`` ...).
        count: int. How many of them run per call of the model (a loop body's once per iteration).
        path: str. The layer call that made them (``""``: the model itself, between its layers).
    """

    op: str
    count: int
    path: str

    def to_json(self) -> JsonObject:
        """``{"op": ..., "count": ..., "path": ...}``."""
        return {"op": self.op, "count": self.count, "path": self.path}


@dataclass(frozen=True)
class ComputeReport:
    """A component's compute: MACs per example (or per unknown position), where they were counted, by class.

    Attributes:
        macs: int or None. Per example; None when a size was unknown or nothing was counted.
        macs_per_position: int or None. Per unknown position, when sizes were unknown.
        input_shapes: Mapping[str, ShapeNest]. The shapes counted at, by input name.
        shape_source: str. One of :data:`SHAPE_SOURCES`.
        by_class: Mapping[str, int]. MACs by layer class, largest first.
        note: str or None. What was not counted, and why.
        backward_macs: int or None. MACs per example of the backward pass
            (:mod:`kreg.inspect_tools.backward`); None where ``macs`` is None or it was not counted.
        training_step_macs: int or None. ``macs`` + ``backward_macs``.
        exact: bool. The figure is what the model runs (False: a bound, or nothing counted).
        bounds: str or None. ``"upper"`` (a costlier branch, a loop counted at
            its ``maximum_iterations``) or ``"lower"`` (a loop counted once,
            operations sized only at run time) when not exact; None when exact
            or when bounds of both kinds mix.
        uncounted: tuple[UncountedOp, ...]. Every operation seen and not
            counted, by type and call, in the order they were made.
        activation_count: int or None. Output elements per example of the
            convolutions and matrix products, as fvcore and timm count
            activations; None when a size was unknown or nothing was counted.
        count: str. What was asked for: ``"macs"``, or ``"all"`` (``kreg inspect
            --count all``), which writes ``flops`` and ``by_op`` to the JSON.
        by_op: Mapping[str, int] or None. With ``count="all"``, FLOPs per
            example by TensorFlow operation type, largest first (products at
            2 x MACs, element-wise operations by :mod:`kreg.inspect_tools.flops`);
            None otherwise, or when a size was unknown.
    """

    macs: int | None
    macs_per_position: int | None
    input_shapes: Mapping[str, ShapeNest]
    shape_source: str
    by_class: Mapping[str, int]
    note: str | None = None
    backward_macs: int | None = None
    training_step_macs: int | None = None
    exact: bool = True
    bounds: str | None = None
    uncounted: tuple[UncountedOp, ...] = ()
    activation_count: int | None = None
    count: str = "macs"
    by_op: Mapping[str, int] | None = None

    @property
    def flops(self) -> int | None:
        """FLOPs per example of every operation counted in :attr:`by_op`; None without it."""
        return None if self.by_op is None else sum(self.by_op.values())

    @property
    def per_position(self) -> bool:
        """True when the counts are per unknown position (the layer rows' too)."""
        return self.macs_per_position is not None

    def to_json(self) -> JsonObject:
        """The ``compute`` object of DESIGN.md, with ``note`` when there is one."""
        record: JsonObject = {
            "macs": self.macs,
            "macs_per_position": self.macs_per_position,
            "input_shapes": dict(self.input_shapes),
            "shape_source": self.shape_source,
            "by_class": dict(self.by_class),
        }
        if self.note is not None:
            record["note"] = self.note
        record["backward_macs"] = self.backward_macs
        record["training_step_macs"] = self.training_step_macs
        record["exact"] = self.exact
        record["bounds"] = self.bounds
        record["uncounted"] = [entry.to_json() for entry in self.uncounted]
        record["activation_count"] = self.activation_count
        if self.count == "all":
            record["flops"] = self.flops
            record["by_op"] = None if self.by_op is None else dict(self.by_op)
        return record


@dataclass(frozen=True)
class TrainingEstimate:
    """Memory to train a model at one batch size, in bytes.

    Attributes:
        batch_size: int. Examples per step.
        parameters: int. All weights.
        gradients: int. One gradient per trainable weight.
        optimizer_state: int. The optimizer's slots and counters.
        activations: int. What a step keeps for its backward pass, per example, times the batch size.
        activation_gradients: int. The activation gradients of the backward
            pass's widest operation, per example, times the batch size.
    """

    batch_size: int
    parameters: int
    gradients: int
    optimizer_state: int
    activations: int
    activation_gradients: int = 0

    @property
    def total(self) -> int:
        """The sum of the parts."""
        return self.parameters + self.gradients + self.optimizer_state + self.activations + self.activation_gradients

    def to_json(self) -> dict[str, int]:
        """The parts, the batch size and the total."""
        return {
            "batch_size": self.batch_size,
            "parameters": self.parameters,
            "gradients": self.gradients,
            "optimizer_state": self.optimizer_state,
            "activations": self.activations,
            "total": self.total,
            "activation_gradients": self.activation_gradients,
        }


@dataclass(frozen=True)
class MemoryReport:
    """A component's memory: parameters by dtype, activations per example, and the training estimate.

    Attributes:
        parameter_bytes_by_dtype: Mapping[str, int]. Bytes of distinct weights, by dtype name.
        activation_bytes_per_example: int or None. None when a size was unknown.
        training: TrainingEstimate or None. For the trained component, when its optimizer can be sized.
        saved_bytes_per_example: int or None. Bytes per example of the forward
            tensors the backward pass reads (what a training step keeps for it);
            None when the backward pass was not counted.
    """

    parameter_bytes_by_dtype: Mapping[str, int]
    activation_bytes_per_example: int | None
    training: TrainingEstimate | None = None
    saved_bytes_per_example: int | None = None

    @property
    def parameter_bytes(self) -> int:
        """Bytes of every distinct weight."""
        return sum(self.parameter_bytes_by_dtype.values())

    @property
    def training_bytes(self) -> int | None:
        """The training estimate's total; None without one."""
        return None if self.training is None else self.training.total

    def to_json(self) -> JsonObject:
        """The ``memory`` object of DESIGN.md, with the bytes by dtype and the training breakdown."""
        return {
            "parameter_bytes": self.parameter_bytes,
            "activation_bytes_per_example": self.activation_bytes_per_example,
            "training_bytes": self.training_bytes,
            "parameter_bytes_by_dtype": dict(self.parameter_bytes_by_dtype),
            "training": None if self.training is None else self.training.to_json(),
            "saved_bytes_per_example": self.saved_bytes_per_example,
        }


@dataclass(frozen=True)
class RepeatedBlock:
    """Consecutive blocks of one kind among a component's rows, folded as "block x N".

    Attributes:
        label: str. How tables show it: ``conv2_block1..3`` (blocks named in a
            series), or the first block's first path and the last one's name
            (``block5_conv1..block5_conv4``).
        count: int. How many blocks.
        units: tuple[str, ...]. The path of each block's first row.
        first: str. The path of the first row it covers.
        last: str. The path of the last row it covers (inner calls included).
        params: int. The blocks' parameters, summed.
        mac_count: int or None. Their MACs (per position when the component's
            are), summed; None when a block's are not counted.
        found_by: str. ``"names"`` (a numbered series of layer names:
            ``conv2_block1``, ``conv2_block2`` ...) or ``"structure"`` (the
            same calls, shapes and figures repeated).
    """

    label: str
    count: int
    units: tuple[str, ...]
    first: str
    last: str
    params: int
    mac_count: int | None
    found_by: str

    def to_json(self) -> JsonObject:
        """``label``, ``count``, ``units``, ``first``, ``last``, ``params``, ``macs``, ``found_by``."""
        return {
            "label": self.label,
            "count": self.count,
            "units": list(self.units),
            "first": self.first,
            "last": self.last,
            "params": self.params,
            "macs": self.mac_count,
            "found_by": self.found_by,
        }


@dataclass(frozen=True)
class ComponentReport:
    """The report of one component (``model``, ``encoder`` ...).

    Attributes:
        model_class: str. The model's class (JSON ``class``).
        params: ParamCounts. Its parameters.
        layers: tuple[LayerRow, ...]. One row per traced layer call, inputs first.
        dense: tuple[DenseEntry, ...]. Every traced Dense and EinsumDense call, in call order.
        compute: ComputeReport. Its MACs.
        memory: MemoryReport. Its bytes.
        note: str or None. Why a model could not be traced (it has no rows then).
        repeats: tuple[RepeatedBlock, ...] or None. Its repeated blocks, in row
            order; None when not looked for (``--no-fold``: no ``repeats`` key).
    """

    model_class: str
    params: ParamCounts
    layers: tuple[LayerRow, ...]
    dense: tuple[DenseEntry, ...]
    compute: ComputeReport
    memory: MemoryReport
    note: str | None = None
    repeats: tuple[RepeatedBlock, ...] | None = None

    @property
    def threaded(self) -> list[DenseEntry]:
        """The Dense calls that apply their kernel at more than one place per example."""
        return [entry for entry in self.dense if entry.threaded_over]

    def row_at(self, path: str) -> LayerRow | None:
        """The first layer row with this path, if any."""
        return next((row for row in self.layers if row.path == path), None)

    def to_json(self) -> JsonObject:
        """``class``, ``params``, ``layers``, ``dense``, ``compute``, ``memory`` [, ``note``] [, ``repeats``]."""
        record: JsonObject = {
            "class": self.model_class,
            "params": self.params.to_json(),
            "layers": [row.to_json() for row in self.layers],
            "dense": [entry.to_json() for entry in self.dense],
            "compute": self.compute.to_json(),
            "memory": self.memory.to_json(),
        }
        if self.note is not None:
            record["note"] = self.note
        if self.repeats is not None:
            record["repeats"] = [block.to_json() for block in self.repeats]
        return record


@dataclass(frozen=True)
class Report:
    """The ``kreg inspect`` report of an architecture, a saved file or a model.

    Attributes:
        architecture: str. The architecture's name (a file's path, a model's name).
        hyperparameters: Mapping[str, JsonValue]. The values it was built with.
        components: Mapping[str, ComponentReport]. By name; ``"model"`` (the trained one) first when present.
    """

    architecture: str
    hyperparameters: Mapping[str, JsonValue]
    components: Mapping[str, ComponentReport] = field(default_factory=dict)

    @property
    def model(self) -> ComponentReport:
        """The ``"model"`` component, else the first one."""
        return self.components.get("model") or next(iter(self.components.values()))

    def to_json(self) -> JsonObject:
        """The ``kreg inspect --json`` object: ``architecture``, ``hyperparameters``, ``components``."""
        return {
            "architecture": self.architecture,
            "hyperparameters": dict(self.hyperparameters),
            "components": {name: component.to_json() for name, component in self.components.items()},
        }
