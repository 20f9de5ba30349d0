"""The graph of a model as a pydot graph (pure: nothing is written to disk).

Functional and Sequential models are drawn from Keras's own graph of layer
calls, one node per layer, with named input and output nodes. Beyond what
``keras.utils.plot_model`` does:

- ``expand_nested`` opens nested models into clusters by following tensors,
  which also works where Keras 3.15's ``plot_model(expand_nested=True)``
  raises IndexError (the seeds' seq2seq Transformer).
- ``expand_layers`` opens custom layers (a TransformerEncoder, a
  MultiHeadAttention) into the layer calls traced inside them.
- A subclassed model with ``call()`` is drawn from a trace of one call; a
  ``Model`` subclass without ``call()`` (VAE, GAN) is drawn as one cluster per
  sub-model instead of a single box or a "not built" error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kreg.errors import KerasIncompatible
from kreg.inspect_tools import keras_compat
from kreg.inspect_tools.dataflow import TensorSources
from kreg.inspect_tools.dense import dense_entry, is_dense, threading_phrase
from kreg.inspect_tools.graph_labels import (
    CUSTOM_COLOUR,
    OPERATION_COLOUR,
    CountedShape,
    cluster_label,
    io_label,
    layer_label,
    path_class,
)
from kreg.inspect_tools.params import is_container_model, submodels
from kreg.inspect_tools.shapes import is_shape, shape_of
from kreg.inspect_tools.tracing import Call, Trace, output_names, short_error, trace_call, trace_model


@dataclass(frozen=True)
class GraphOptions:
    """How to draw a model.

    Attributes:
        expand_nested: bool. Open nested models into clusters.
        expand_layers: bool. Open custom layers into their traced inner layers.
        rankdir: str. ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        dpi: int. Resolution of raster output.
        dense_notes: bool or None. Say in each Dense layer's node what its
            kernel threads over (``applies kernel (2, 2) once per example``);
            None: when the model has at most :data:`DENSE_NOTES_UP_TO` layers.
    """

    expand_nested: bool = False
    expand_layers: bool = False
    rankdir: str = "TB"
    dpi: int = 96
    dense_notes: bool | None = None


DENSE_NOTES_UP_TO = 1_000
"""Layers up to which a graph says in each Dense node what it threads over. Past it the notes are left out:
the review page's Threaded Dense table says it for every call, and on a 10,000-layer chain the notes alone
were 2.5 MB of its graph's SVG."""


@dataclass
class Box:
    """What a layer became in the graph: the nodes that edges attach to.

    A plain layer is one node for every input and output; a cluster (an
    opened model or custom layer) has, for input ``i``, the inner nodes that
    consume it and, for output ``j``, the inner nodes that produce it.

    Attributes:
        entries: list[list[str]]. Per input index, the nodes it feeds.
        exits: list[list[str]]. Per output index, the nodes that produce it.
        cluster: str or None. The cluster's name, for edges that can only
            point at the cluster as a whole (a mask Keras passes to a nested model).
    """

    entries: list[list[str]] = field(default_factory=list)
    exits: list[list[str]] = field(default_factory=list)
    cluster: str | None = None

    @classmethod
    def single(cls, node_id: str) -> Box:
        """A box that is one node."""
        return cls(entries=[[node_id]], exits=[[node_id]])

    def entry(self, index: int) -> list[str]:
        """Nodes fed by input ``index`` (empty when the box has no such input)."""
        return _pick(self.entries, index)

    def exit(self, index: int) -> list[str]:
        """Nodes producing output ``index`` (all exit nodes when out of range)."""
        return _pick(self.exits, index) or [node for group in self.exits for node in group]

    def any_node(self) -> str | None:
        """Some node inside the box (the anchor of an edge to the whole cluster)."""
        return next((node for group in self.entries + self.exits for node in group), None)


def _pick(groups: list[list[str]], index: int) -> list[str]:
    if len(groups) == 1:
        return groups[0]
    return groups[index] if 0 <= index < len(groups) else []


def model_graph(
    model: Any,
    options: GraphOptions = GraphOptions(),
    title: str | None = None,
    counted: Mapping[str, tuple[Any, Any]] | None = None,
) -> Any:
    """Build the graph of a model.

    Args:
        model: keras.Model. Functional, Sequential, subclassed, or a ``Model``
            subclass without ``call()`` (drawn as its sub-models).
        options: GraphOptions. Nesting, direction and resolution.
        title: str or None. A label for the whole graph.
        counted: Mapping or None. ``(input shape, output shape)`` by layer path where compute was counted at
            concrete sizes (the report rows' ``counted_*_shape``,
            :func:`~kreg.inspect_tools.graph_folding.counted_by_path`): those nodes show them, pinned sizes
            marked ``*``. None: every node shows the model's own shapes.

    Returns:
        pydot.Dot. Nodes ``n0, n1, ...`` with HTML labels, clusters for opened
        models and layers.
    """
    if options.dense_notes is None:
        options = replace(options, dense_notes=len(model.layers) <= DENSE_NOTES_UP_TO)
    builder = GraphBuilder(options, title, counted)
    if is_container_model(model):
        for sub in (layer for layer in submodels(model) if _is_model(layer)):
            cluster = builder.cluster(builder.dot, cluster_label(sub.name, type(sub).__name__))
            builder.add_component(sub, cluster, f"{sub.name}/")
    else:
        builder.add_component(model, builder.dot)
    return builder.dot


class GraphBuilder:
    """Adds nodes, clusters and edges to one pydot graph."""

    def __init__(
        self, options: GraphOptions, title: str | None = None, counted: Mapping[str, tuple[Any, Any]] | None = None
    ):
        import pydot

        self.options = options
        self.counted = dict(counted or {})
        self._outputs: dict[str, tuple[Any, Any]] = {}
        """The own and counted output shape of each node drawn at counted sizes, for the output nodes it feeds."""
        self.dot = pydot.Dot(graph_type="digraph", rankdir=options.rankdir, dpi=str(options.dpi))
        self.dot.set_node_defaults(shape="plaintext", fontname="Helvetica", fontsize="11", margin="0")
        self.dot.set_graph_defaults(fontname="Helvetica", fontsize="12")
        if title:
            self.dot.set("label", title)
            self.dot.set("labelloc", "t")
        self._count = 0
        self._edges: set[tuple[str, str]] = set()

    def node(self, parent: Any, label: str, path: str | None = None) -> str:
        """Add a node with an HTML label to ``parent``; return its id. A layer's node carries its path as its
        class (:func:`~kreg.inspect_tools.graph_labels.path_class`)."""
        import pydot

        node_id = f"n{self._count}"
        self._count += 1
        node = pydot.Node(node_id, label=label)
        if path is not None:
            node.set("class", path_class(path))
        parent.add_node(node)
        return node_id

    def cluster(self, parent: Any, label: str) -> Any:
        """Add a dashed cluster to ``parent`` and return it (its name is ``cluster_c<N>``)."""
        import pydot

        cluster = pydot.Cluster(f"c{self._count}", label=f'"{label}"', style="dashed", labeljust="l")
        self._count += 1
        parent.add_subgraph(cluster)
        return cluster

    def edge(self, sources: list[str], destinations: list[str], **attributes: str) -> None:
        """Connect every source to every destination, once."""
        import pydot

        for source in sources:
            for destination in destinations:
                if source != destination and (source, destination) not in self._edges:
                    self._edges.add((source, destination))
                    self.dot.add_edge(pydot.Edge(source, destination, None, **attributes))

    def connect(self, sources: list[str], box: Box, index: int) -> None:
        """Connect ``sources`` to input ``index`` of ``box``.

        An input a cluster has no node for (the mask Keras adds to a nested
        model's call) gets a dashed edge to the cluster's border.
        """
        targets, border = box.entry(index), box.any_node()
        if targets:
            self.edge(sources, targets)
        elif box.cluster and border:
            self.dot.set("compound", "true")
            self.edge(sources, [border], lhead=box.cluster, style="dashed")

    def add_component(self, model: Any, parent: Any, prefix: str = "") -> None:
        """Draw a whole model with its named input and output nodes (its layers' paths under ``prefix``)."""
        functional = keras_compat.functional_of(model)
        if functional is not None:
            box = self.add_functional(functional, parent, prefix)
            outputs = functional.outputs
            names = output_names(functional.output, getattr(functional, "output_names", None))
        else:
            try:
                trace = trace_model(model)
            except KerasIncompatible:
                raise
            except Exception as error:  # noqa: BLE001 - plugin layers raise anything; drawn as one box that says why
                self.node(
                    parent, layer_label(model.name, type(model).__name__, [], [f"not traced: {short_error(error)}"])
                )
                return
            box = self.add_traced_root(trace, parent, prefix)
            outputs, names = trace.root.outputs, trace.output_names
        for index, (name, tensor) in enumerate(zip(names, outputs)):
            shape = self._output_shape(box.exit(index), index, shape_of(tensor))
            self.edge(box.exit(index), [self.node(parent, io_label("output", name, shape))])

    def _output_shape(self, sources: list[str], index: int, shape: Any) -> Any:
        """An output node's shape: at the counted sizes of the one node that produces it, where it has them."""
        own, counted = self._outputs.get(sources[0], (None, None)) if len(sources) == 1 else (None, None)
        if counted is None:
            return shape
        if own == shape:
            return CountedShape(shape, counted)
        if not (isinstance(own, list) and isinstance(counted, list)) or is_shape(own):
            return shape
        return (
            CountedShape(shape, counted[index])
            if index < min(len(own), len(counted)) and own[index] == shape
            else shape
        )

    def _at_counted(self, path: str, shapes: tuple[Any, Any]) -> tuple[Any, Any]:
        """``(input, output)`` of the call at ``path`` at the sizes compute was counted at, where they were."""
        counted = self.counted.get(path)
        if counted is None:
            return shapes
        return CountedShape(shapes[0], counted[0]), CountedShape(shapes[1], counted[1])

    # Functional models: Keras's graph of layer calls.

    def add_functional(self, model: Any, parent: Any, prefix: str = "") -> Box:
        """Draw a functional model's layers into ``parent`` (their paths under ``prefix``); return its box."""
        operations = keras_compat.operations(model)
        boxes: dict[int, Box] = {}
        for op in operations:
            if not _is_layer(op):
                self._count_as_source(model, op, prefix, boxes)
            boxes[id(op)] = self.functional_layer(model, op, parent, prefix)
        for op in operations:
            for node in keras_compat.graph_nodes(model, op):
                for arg_index, tensor in enumerate(keras_compat.node_input_tensors(node)):
                    source, tensor_index = keras_compat.producer(tensor)
                    if id(source) in boxes:
                        self.connect(boxes[id(source)].exit(tensor_index), boxes[id(op)], arg_index)
        entries = [boxes[id(keras_compat.producer(t)[0])].exit(0) for t in model.inputs]
        exits = [boxes[id(source)].exit(index) for source, index in map(keras_compat.producer, model.outputs)]
        return Box(entries, exits)

    def functional_layer(self, model: Any, op: Any, parent: Any, prefix: str = "") -> Box:
        """The box of one layer of a functional model: a node, or a cluster when opened."""
        import keras

        if isinstance(op, keras.layers.InputLayer):
            shape = self._input_shape(model, op, prefix)
            node_id = self.node(parent, io_label("input", op.name, shape))
            if isinstance(shape, CountedShape):
                self._outputs[node_id] = shape
            return Box.single(node_id)
        if self.options.expand_nested and keras_compat.functional_of(op) is not None:
            cluster = self.cluster(parent, cluster_label(op.name, type(op).__name__))
            inner = self.add_functional(keras_compat.functional_of(op), cluster, f"{prefix}{op.name}/")
            return _in_cluster(inner, cluster)
        nodes = keras_compat.graph_nodes(model, op)
        notes = []
        if nodes and self._opens(op):
            try:
                return self._traced_layer(op, nodes[0], parent, prefix)
            except KerasIncompatible:
                raise
            except Exception as error:  # noqa: BLE001 - plugin layers raise anything; drawn closed, with the reason
                notes.append(f"not opened: {short_error(error)}")
        paths = [prefix + op.name if index == 0 else f"{prefix}{op.name}#{index + 1}" for index in range(len(nodes))]
        shapes = _distinct(
            [self._at_counted(path, (_node_shape(n, "in"), _node_shape(n, "out"))) for path, n in zip(paths, nodes)]
        )
        return Box.single(self._layer_node(parent, op, paths[0] if paths else prefix + op.name, shapes, notes))

    def _count_as_source(self, model: Any, op: Any, prefix: str, boxes: dict[int, Box]) -> None:
        """A ``keras.ops`` call has no row: one that keeps the shape of its one input (the padding mask's
        ``not_equal``) is drawn at the counted size of the node that feeds it."""
        nodes = keras_compat.graph_nodes(model, op)
        tensors = keras_compat.node_input_tensors(nodes[0]) if len(nodes) == 1 else []
        if len(tensors) != 1 or prefix + op.name in self.counted:
            return
        source, index = keras_compat.producer(tensors[0])
        feeding = boxes[id(source)].exit(index) if id(source) in boxes else []
        own, counted = self._outputs.get(feeding[0], (None, None)) if len(feeding) == 1 else (None, None)
        kept = own == shape_of(tensors[0]) == _node_shape(nodes[0], "in") == _node_shape(nodes[0], "out")
        if counted is not None and kept:
            self.counted[prefix + op.name] = (counted, counted)

    def _input_shape(self, model: Any, op: Any, prefix: str) -> Any:
        """A functional model's input at its counted size: its own row's, or, nested, the enclosing call's input."""
        own = shape_of(op.output)
        if prefix + op.name in self.counted:
            return CountedShape(own, self.counted[prefix + op.name][1])
        enclosing = self.counted.get(prefix.removesuffix("/")) if prefix else None
        if enclosing is None:
            return own
        producers = [keras_compat.producer(tensor)[0] for tensor in model.inputs]
        index = next((i for i, producer in enumerate(producers) if producer is op), None)
        if index is None:
            return own
        if len(producers) == 1:
            return CountedShape(own, enclosing[0])
        several = isinstance(enclosing[0], list) and not is_shape(enclosing[0])
        return CountedShape(own, enclosing[0][index]) if several and index < len(enclosing[0]) else own

    def _opens(self, layer: Any) -> bool:
        import keras

        if isinstance(layer, keras.Model):
            return self.options.expand_nested
        return self.options.expand_layers and keras_compat.has_sublayers(layer)

    def _traced_layer(self, layer: Any, node: Any, parent: Any, prefix: str = "") -> Box:
        trace = trace_call(layer, *keras_compat.node_arguments(node))
        if not trace.root.children:
            raise ValueError("no layer calls inside")
        cluster = self.cluster(parent, cluster_label(layer.name, type(layer).__name__))
        return _in_cluster(self.add_traced(trace, trace.root, cluster, f"{prefix}{layer.name}/"), cluster)

    # Traced calls: subclassed models and opened custom layers.

    def add_traced_root(self, trace: Trace, parent: Any, prefix: str = "") -> Box:
        """Draw a traced model with input nodes named after its inputs."""
        box = self.add_traced(trace, trace.root, parent, prefix)
        for index, (name, tensor) in enumerate(zip(trace.input_names, trace.root.inputs)):
            shape = self._at_counted(prefix + name, (shape_of(tensor), shape_of(tensor)))[1]
            self.edge([self.node(parent, io_label("input", name, shape))], box.entry(index))
        return box

    def add_traced(self, trace: Trace, call: Call, parent: Any, prefix: str = "") -> Box:
        """Draw the calls made inside ``call`` into ``parent`` (their paths under ``prefix``), connected by the
        tensors between them."""
        flow = TensorSources(call, trace.loop_of)
        entries: list[list[str]] = [[] for _ in call.inputs]
        boxes: dict[int, Box] = {}
        for child in trace.children(call):
            boxes[child.index] = box = self.traced_child(trace, child, parent, prefix)
            for arg_index, tensor in enumerate(child.inputs):
                for kind, index, output_index in flow.sources(tensor):
                    if kind == "input":
                        entries[index].extend(box.entry(arg_index))
                    else:
                        self.connect(boxes[index].exit(output_index), box, arg_index)
            flow.add_outputs(child)
        exits = [
            [node for kind, index, j in flow.sources(tensor) if kind == "call" for node in boxes[index].exit(j)]
            for tensor in call.outputs
        ]
        return Box(entries, exits)

    def traced_child(self, trace: Trace, call: Call, parent: Any, prefix: str = "") -> Box:
        """The box of one traced call: a node, or a cluster of its own inner calls when opened."""
        if call.children and self._opens(call.layer):
            cluster = self.cluster(parent, cluster_label(call.layer.name, type(call.layer).__name__))
            return _in_cluster(self.add_traced(trace, call, cluster, prefix), cluster)
        shapes = self._at_counted(prefix + call.path, (call.input_shape, call.output_shape))
        return Box.single(self._layer_node(parent, call.layer, prefix + call.path, [shapes]))

    def _layer_node(
        self, parent: Any, layer: Any, path: str, shapes: list[tuple[Any, Any]], notes: Sequence[str] = ()
    ) -> str:
        """The node of the layer called at ``path``, labelled with its name (the path's last part)."""
        name = path.rsplit("/", 1)[-1]
        notes = list(notes)
        if is_dense(layer) and self.options.dense_notes:
            for input_shape, output_shape in shapes:
                call = Call(
                    index=0,
                    path=name,
                    layer=layer,
                    parent=None,
                    input_shape=_sized(input_shape),
                    output_shape=_sized(output_shape),
                )
                notes.append(threading_phrase(dense_entry(call)))
        class_name, colour = type(layer).__name__, CUSTOM_COLOUR if keras_compat.has_sublayers(layer) else None
        if not _is_layer(layer):  # a keras.ops call in a functional graph, e.g. the padding mask's not_equal
            class_name, colour = f"{class_name} op", OPERATION_COLOUR
        label = layer_label(name, class_name, shapes, list(dict.fromkeys(notes)), colour)
        node_id = self.node(parent, label, path)
        if len(shapes) == 1 and isinstance(shapes[0][1], CountedShape):
            self._outputs[node_id] = shapes[0][1]
        return node_id


def _sized(shape: Any) -> Any:
    """The shape a Dense note counts positions over: the counted one where there is one."""
    return shape.counted if isinstance(shape, CountedShape) else shape


def _in_cluster(box: Box, cluster: Any) -> Box:
    box.cluster = cluster.get_name()
    return box


def _is_layer(operation: Any) -> bool:
    import keras

    return isinstance(operation, keras.layers.Layer)


def _is_model(layer: Any) -> bool:
    import keras

    return isinstance(layer, keras.Model)


def _distinct(pairs: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Drop repeated (input, output) shape pairs, keeping the first of each."""
    seen: dict[str, tuple[Any, Any]] = {}
    for pair in pairs:
        seen.setdefault(repr(pair), pair)
    return list(seen.values())


def _node_shape(node: Any, side: str) -> Any:
    if side == "out":
        outputs = keras_compat.node_outputs(node)
        return shape_of(outputs[0] if len(outputs) == 1 else outputs)
    args, _ = keras_compat.node_arguments(node)
    return shape_of(args[0] if args else keras_compat.node_input_tensors(node))
