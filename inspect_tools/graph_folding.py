"""A model graph as a reviewer reads it: repeated blocks folded into "block x N" nodes, clusters below a depth
closed into one node, and each layer's attributes on its node.

The graph is :func:`kreg.inspect_tools.graph.model_graph`'s pydot graph; what
to fold comes from the inspection report's rows and ``repeats`` (the blocks
``kreg inspect`` folds, :mod:`kreg.inspect_tools.folding`). A node is matched
to its row by the path it carries (:func:`~kreg.inspect_tools.graph_labels.node_path`), never by the name
its label shows alone: ``dense`` and ``inner/dense`` are two rows.
Folding changes the graph in place: member nodes go, one node stands for
them, and every edge that crossed the group's border now ends at that node.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kreg.inspect_tools.graph_labels import (
    CountedShape,
    block_node_label,
    label_name,
    layer_label,
    node_path,
    path_class,
    with_line,
)
from kreg.inspect_tools.layer_attributes import compact_attributes
from kreg.inspect_tools.report_types import LayerRow, RepeatedBlock


@dataclass(frozen=True)
class FoldOptions:
    """What to do to a drawn graph.

    Attributes:
        fold: bool. Fold repeated blocks into "block x N" nodes.
        depth: int or None. Close every cluster nested deeper than this (1: the model's own layers only).
        attributes: bool. Add each layer's attributes (``3x3/2 same, 64, relu``) to its node.
    """

    fold: bool = True
    depth: int | None = None
    attributes: bool = False


def reshape_graph(dot: Any, rows: Sequence[LayerRow], repeats: Sequence[RepeatedBlock], options: FoldOptions) -> Any:
    """Apply ``options`` to ``dot`` (in place) and return it.

    Args:
        dot: pydot.Dot. A model's graph.
        rows: Sequence[LayerRow]. The component's layer rows (what the nodes show).
        repeats: Sequence[RepeatedBlock]. Its repeated blocks (the report's ``repeats``).
        options: FoldOptions. Folding, depth and attributes.
    """
    by_path = {row.path: row for row in rows}
    if options.attributes:
        for _, node in _nodes(dot):
            row = by_path.get(node_path(node) or "")
            text = compact_attributes(row.attributes) if row is not None else ""
            if text:
                node.set("label", with_line(node.get("label"), text))
    if options.depth is not None:
        _close_clusters(dot, dot, by_path, options.depth, 1)
    if options.fold:
        for block in repeats:
            if options.depth is None or block.first.count("/") < options.depth:
                fold_block(dot, rows, block)
    return dot


def counted_by_path(rows: Sequence[LayerRow]) -> dict[str, tuple[Any, Any]]:
    """``(counted input shape, counted output shape)`` by path, for the rows that have them.

    What :func:`~kreg.inspect_tools.graph.model_graph` takes as ``counted``: rows are matched to nodes by their
    whole path, never by a layer's name alone.
    """
    return {
        row.path: (row.counted_input_shape, row.counted_output_shape)
        for row in rows
        if row.counted_input_shape is not None or row.counted_output_shape is not None
    }


def row_shapes(row: LayerRow) -> tuple[Any, Any]:
    """A row's ``(input, output)`` shapes as a node draws them: at the counted sizes where it has them."""
    if row.counted_input_shape is None and row.counted_output_shape is None:
        return row.input_shape, row.output_shape
    return CountedShape(row.input_shape, row.counted_input_shape), CountedShape(
        row.output_shape, row.counted_output_shape
    )


def fold_block(dot: Any, rows: Sequence[LayerRow], block: RepeatedBlock) -> str | None:
    """Fold the nodes of one repeated block into one "block x N" node; return its id (None if none was drawn).

    The block's calls are looked for where its rows sit: at the top of the graph, or inside the cluster of
    the model or layer that encloses them (``decoder`` for ``decoder/block_1...``); a block whose enclosing
    call is drawn closed (one node) stays as it is.
    """
    paths = [row.path for row in rows]
    if block.first not in paths or block.last not in paths:
        return None
    scope = _scope(dot, block.first.split("/")[:-1])
    if scope is None:
        return None
    span = rows[paths.index(block.first) : paths.index(block.last) + 1]
    depth = block.first.count("/")
    own = {row.path for row in span if row.path.count("/") == depth}
    names = {path.rsplit("/", 1)[-1] for path in own}
    members = [(scope, node) for node in _own_nodes(scope) if _stands_for(node, own)]
    for cluster in scope.get_subgraph_list():
        if _cluster_name(cluster)[0] in names:
            members += list(_nodes(cluster))
    if not members:
        return None
    macs = "MACs not counted" if block.mac_count is None else f"{block.mac_count:,} MACs"
    label = block_node_label(
        block.label, block.count, (row_shapes(span[0])[0], row_shapes(span[-1])[1]), f"{block.params:,} params, {macs}"
    )
    node_id = _merge(dot, members, scope, label, block.label)
    for cluster in list(scope.get_subgraph_list()):
        if _cluster_name(cluster)[0] in names:
            _drop_cluster(scope, cluster)
    return node_id


def _drop_cluster(parent: Any, cluster: Any) -> None:
    """Remove a cluster from its parent (pydot has no method for it)."""
    parent.obj_dict["subgraphs"].pop(cluster.get_name(), None)


def _scope(dot: Any, parents: list[str]) -> Any:
    """The graph or cluster that holds the calls under ``parents`` (path parts); None where one is drawn closed."""
    scope = dot
    for name in parents:
        scope = next((c for c in scope.get_subgraph_list() if _cluster_name(c)[0] == name), None)
        if scope is None:
            return None
    return scope


def _close_clusters(
    dot: Any, parent: Any, by_path: dict[str, LayerRow], depth: int, level: int, prefix: str = ""
) -> None:
    """Replace each cluster at ``level`` > ``depth`` by one node labelled as its layer's row (the cluster's
    path is ``prefix`` and its name)."""
    for cluster in list(parent.get_subgraph_list()):
        name, class_name = _cluster_name(cluster)
        if level < depth:
            _close_clusters(dot, cluster, by_path, depth, level + 1, f"{prefix}{name}/")
            continue
        row = by_path.get(prefix + name)
        shapes = [] if row is None else [row_shapes(row)]
        _merge(dot, list(_nodes(cluster)), parent, layer_label(name, class_name, shapes), prefix + name)
        _drop_cluster(parent, cluster)


def _cluster_name(cluster: Any) -> tuple[str, str]:
    """``(name, class)`` of a cluster labelled ``"name (Class)"``."""
    text = str(cluster.get("label") or "").strip('"').replace('\\"', '"').replace("\\\\", "\\")
    name, _, class_name = text.rpartition(" (")
    return (name, class_name.removesuffix(")")) if name else (text, "")


def _merge(dot: Any, members: list[tuple[Any, Any]], parent: Any, label: str, path: str) -> str | None:
    """Remove ``members`` (``(parent, node)`` pairs), add one node with ``label`` standing for ``path`` (a layer's
    or a folded block's) to ``parent``, re-route edges."""
    import pydot

    if not members:
        return None
    gone = {node.get_name() for _, node in members}
    node_id = f"{sorted(gone)[0]}_folded"
    for owner, node in members:
        owner.del_node(node.get_name())
    merged = pydot.Node(node_id, label=label)
    merged.set("class", path_class(path))
    parent.add_node(merged)
    edges = dot.get_edge_list()
    dot.obj_dict["edges"] = {}
    seen: set[tuple[str, str]] = set()
    for edge in edges:
        source = node_id if edge.get_source() in gone else edge.get_source()
        destination = node_id if edge.get_destination() in gone else edge.get_destination()
        if source == destination or (source, destination) in seen:
            continue
        seen.add((source, destination))
        attributes = {key: value for key, value in edge.get_attributes().items() if key != "lhead"}
        dot.add_edge(pydot.Edge(source, destination, **attributes))
    return node_id


def _own_nodes(graph: Any) -> list[Any]:
    """The nodes directly in ``graph`` (pydot's default-attribute nodes left out)."""
    return [node for node in graph.get_node_list() if node.get_name() not in ("node", "edge", "graph")]


def _nodes(graph: Any) -> Iterator[tuple[Any, Any]]:
    """``(owner, node)`` of every node in ``graph`` and its clusters."""
    for node in _own_nodes(graph):
        yield graph, node
    for cluster in graph.get_subgraph_list():
        yield from _nodes(cluster)


def _stands_for(node: Any, paths: set[str]) -> bool:
    """Whether ``node`` is drawn for one of ``paths``: by the path it carries, else (a node drawn without one) by
    the name its label shows."""
    path = node_path(node)
    if path is not None:
        return path in paths
    return label_name(node.get("label")) in {one.rsplit("/", 1)[-1] for one in paths}
