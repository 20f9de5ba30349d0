"""Whether a count made with unknown sizes set to 1 means anything: per position, per example, or nothing.

An input size the model leaves unknown (an image's height and width, a
sequence length) is traced as 1 (:meth:`~kreg.inspect_tools.input_shapes.ResolvedInputs.for_trace`).
That count is a rate per unknown position only when the MACs grow in
proportion to the positions: a Dense over a sequence, a stride-1 convolution.
Strided convolutions and pooling (a ResNet50 at 1 x 1 gives 23.5 M, 305 x
its real rate at 224 x 224), reshapes and attention (quadratic in the
length) break that. :func:`scaling` traces once more with every unknown size
:data:`PROBE_SIZE` and compares:

- the same MACs: the given sizes determine the count (:data:`DETERMINED`), a count per example;
- :data:`PROBE_SIZE` to the power of the unknown sizes per input, times the
  MACs at 1, or more (attention, quadratic; with a note): a rate at one
  position (:data:`PER_POSITION`);
- less, or a trace that fails: no rate (:data:`NO_RATE`), and a note that
  says which inputs lack sizes and what to pin.
"""

from __future__ import annotations

from typing import Any

from kreg.inspect_tools.compute import TRACE_BATCH, count_macs
from kreg.inspect_tools.input_shapes import ResolvedInputs
from kreg.inspect_tools.report_types import ShapeNest, describe_shapes
from kreg.inspect_tools.tracing import short_error, trace_model

PROBE_SIZE = 3
"""The size every unknown size gets in the second trace."""

DETERMINED = "determined"
"""The unknown sizes do not change the count: it is per example."""

PER_POSITION = "per_position"
"""The count grows in proportion to the unknown positions: a rate per position."""

NO_RATE = "no_rate"
"""The count depends on the unknown sizes in another way: no figure without them."""


def scaling(model: Any, resolved: ResolvedInputs, macs_at_one: int) -> tuple[str, str | None]:
    """How the MACs of ``model`` depend on its unknown sizes, and the note to give.

    Args:
        model: keras.Model. A traceable model.
        resolved: ResolvedInputs. Its shapes, some sizes None.
        macs_at_one: int. The MACs per example with every unknown size 1.

    Returns:
        tuple. :data:`DETERMINED`, :data:`PER_POSITION` or :data:`NO_RATE`, and a note (None for a rate).
    """
    unknown = _unknown_counts(resolved.shapes)
    try:
        probe = trace_model(model, batch=TRACE_BATCH, input_shapes=_probe_shapes(resolved.shapes))
        macs = count_macs(probe).total
    except Exception as error:  # noqa: BLE001 - the model does not run at the probe sizes; the note says so
        return NO_RATE, _no_rate_note(
            resolved, f"it does not run with {PROBE_SIZE} in their place: {short_error(error, 100)}"
        )
    if macs == macs_at_one:
        missing = describe_shapes(_unknown_shapes(resolved))
        return DETERMINED, f"sizes unknown in {missing} do not change the MACs: counted per example"
    growth = PROBE_SIZE ** max(unknown.values())
    if macs == macs_at_one * growth:
        return PER_POSITION, None
    if macs > macs_at_one * growth:
        return PER_POSITION, (
            f"the MACs grow faster than the positions of {describe_shapes(_unknown_shapes(resolved))} "
            "(attention's products grow with the square of the length): the rate is at one position"
        )
    return NO_RATE, _no_rate_note(resolved, "the MACs grow slower than them (strides, pooling, reshapes)")


def _unknown_counts(shapes: dict[str, Any]) -> dict[str, int]:
    """Per input with unknown sizes, how many (after the batch axis)."""
    counts = {name: sum(size is None for size in shape[1:]) for name, shape in shapes.items()}
    return {name: count for name, count in counts.items() if count}


def _unknown_shapes(resolved: ResolvedInputs) -> dict[str, Any]:
    return {name: resolved.shapes[name] for name in _unknown_counts(resolved.shapes)}


def _probe_shapes(shapes: dict[str, Any]) -> dict[str, list[int | None]]:
    return {
        name: [shape[0], *(PROBE_SIZE if size is None else size for size in shape[1:])]
        for name, shape in shapes.items()
    }


def _no_rate_note(resolved: ResolvedInputs, why: str) -> str:
    """Which inputs lack sizes, why there is no rate, and what to pin."""
    unknown = _unknown_shapes(resolved)
    pins = " ".join(f"--input-shape {name}={_template(shape)}" for name, shape in unknown.items())
    return (
        f"no MACs per unknown position: {describe_shapes(unknown)} leave sizes unknown and {why}; "
        f"pin them: {pins} (or kreg.inspect(..., input_shapes=...))"
    )


def _template(shape: ShapeNest) -> str:
    """``N1,N2,3``: the sizes after the batch axis, each unknown one named."""
    sizes = list(shape or [])[1:]
    names = iter(f"N{index}" for index in range(1, len(sizes) + 1))
    return ",".join(next(names) if size is None else str(size) for size in sizes)
