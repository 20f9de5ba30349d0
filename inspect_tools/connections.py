"""Which calls feed each traced call: a layer row's ``inputs``.

Keras's ``model.summary()`` shows a "Connected to" column for the layers of a
functional model; kreg's rows also cover the calls inside custom layers. Each
call's inputs are followed back (:class:`~kreg.inspect_tools.dataflow.TensorSources`,
through plain ops such as ``x + y``) to the calls that returned them, or to
the enclosing call's inputs, which are followed further out to what fed the
enclosing call, up to the model's inputs (named as their input rows are).
"""

from __future__ import annotations

from kreg.inspect_tools.dataflow import TensorSources
from kreg.inspect_tools.tracing import Trace


def call_inputs(trace: Trace) -> dict[int, tuple[str, ...]]:
    """For each inner call's index, the paths of the calls (or model inputs) that feed it, in argument order.

    A path appears once however many of the call's arguments it feeds.
    """
    feeds: dict[int, list[tuple[str, ...]]] = {trace.root.index: [(name,) for name in trace.input_names]}
    inputs: dict[int, tuple[str, ...]] = {}
    for parent in trace.calls:
        if not parent.children:
            continue
        flow = TensorSources(parent, trace.loop_of)
        for child in trace.children(parent):
            per_argument = [_sources_of(trace, flow, tensor, feeds.get(parent.index, [])) for tensor in child.inputs]
            feeds[child.index] = per_argument
            inputs[child.index] = tuple(dict.fromkeys(path for paths in per_argument for path in paths))
            flow.add_outputs(child)
    return inputs


def _sources_of(
    trace: Trace, flow: TensorSources, tensor: object, parent_feeds: list[tuple[str, ...]]
) -> tuple[str, ...]:
    """The paths ``tensor`` comes from: a sibling call's path, or what fed the enclosing call's argument."""
    paths: list[str] = []
    for kind, index, _ in sorted(flow.sources(tensor)):
        if kind == "call":
            paths.append(trace.calls[index].path)
        elif index < len(parent_feeds):
            paths.extend(parent_feeds[index])
    return tuple(dict.fromkeys(paths))
