"""The operations a trace ran that no MAC formula covers: ``compute.uncounted``, so a "0" is never silent.

kreg counts multiply-accumulates (:mod:`kreg.inspect_tools.op_costs`). Every
other operation it saw is listed by type, with how often it runs per call of
the model and the layer call that made it, except those in :data:`FREE_OPS`:
operations that do no arithmetic at all (graph plumbing, shape queries, views
and copies of data). What is left (bias adds, activations, normalisation,
pooling, softmax, reductions, embedding lookups, custom ops) is what fvcore
would list as "unsupported operators".
"""

from __future__ import annotations

from collections import Counter

FREE_OPS = frozenset(
    {
        # graph plumbing and variables
        "Identity", "IdentityN", "Const", "Placeholder", "PlaceholderWithDefault", "NoOp", "StopGradient",
        "ReadVariableOp", "VarHandleOp", "VarIsInitializedOp", "AssignVariableOp", "AssignAddVariableOp",
        "PreventGradient", "EnsureShape", "CheckNumerics", "Assert",
        # shape queries
        "Shape", "ShapeN", "Size", "Rank", "BroadcastArgs", "BroadcastGradientArgs",
        # views and copies: no arithmetic
        "Reshape", "Squeeze", "ExpandDims", "StridedSlice", "Slice", "Transpose", "ConcatV2", "Concat",
        "Pack", "Unpack", "Split", "SplitV", "Tile", "BroadcastTo", "Fill", "ZerosLike", "OnesLike", "Range",
        "Pad", "PadV2", "MirrorPad", "Cast", "Bitcast", "GatherV2", "ResourceGather", "GatherNd", "Select",
        "SelectV2", "TensorListFromTensor", "TensorListGetItem", "TensorListSetItem", "TensorListReserve",
        "TensorListStack", "TensorListElementShape", "TensorListLength",
    }
)  # fmt: skip
"""Operation types that do no arithmetic; never listed as uncounted."""


def is_free(kind: str) -> bool:
    """True for an operation type that does no arithmetic (:data:`FREE_OPS`)."""
    return kind in FREE_OPS


def uncounted_by_path(skipped: Counter[tuple[str, int]], paths: list[str]) -> dict[tuple[str, str], int]:
    """``(op type, call path) -> runs per model call`` of the operations left uncounted, free ones left out.

    Args:
        skipped: Counter. ``(op type, call index) -> runs``, as the count walked the graphs.
        paths: list[str]. The path of each call index.
    """
    found: Counter[tuple[str, str]] = Counter()
    for (kind, owner), runs in skipped.items():
        if not is_free(kind):
            found[kind, paths[owner]] += runs
    return dict(found)
