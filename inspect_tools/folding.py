"""Repeated blocks among a component's layer rows: a component's ``repeats``.

A reviewer reads ResNet50 as four stages of 3, 4, 6 and 3 bottleneck blocks,
not as 177 rows. Two kinds of repeat are found, among the calls under the
same enclosing call (the top level included):

- **names**: blocks named in a numbered series (``conv2_block1_*``,
  ``conv2_block2_*`` ...; ``block_1_*``, ``block_2_*``; ``block2a_*``,
  ``block2b_*``), as TensorBoard groups a series of numbered names. The blocks
  of a stage need not be identical: ResNet's first block of each stage has a
  projection shortcut the others lack.
- **structure**: the same calls, shapes and figures back to back
  (:func:`kreg.inspect_tools.repeats.find_repeats`, which the diff uses too),
  where no name series covers them: auto-named transformer blocks.

Everything here reads :class:`~kreg.inspect_tools.report_types.LayerRow`
values; nothing imports Keras.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kreg.inspect_tools.alignment import call_features
from kreg.inspect_tools.repeats import find_repeats
from kreg.inspect_tools.report_types import LayerRow, RepeatedBlock

MIN_FOLDED_ROWS = 3
"""A structural repeat covering fewer rows is not worth folding (two Dropouts in a row)."""

_NUMBERED = re.compile(r"[A-Za-z]+\d+[a-z]?")
_COUNTER = re.compile(r"(\d+|(?<=\d)[a-z])$")


def repeated_blocks(rows: Sequence[LayerRow]) -> tuple[RepeatedBlock, ...]:
    """The repeated blocks of a component's rows, in row order; a row is in at most one.

    Name series come first; a structural repeat is kept where it overlaps none.
    """
    taken: list[range] = []
    blocks: list[tuple[int, RepeatedBlock]] = []
    for found in (*_name_series(rows), *_structural_repeats(rows)):
        span, block = found
        if any(span.start < other.stop and other.start < span.stop for other in taken):
            continue
        taken.append(span)
        blocks.append((span.start, block))
    return tuple(block for _, block in sorted(blocks, key=lambda item: item[0]))


def block_label(name: str) -> str | None:
    """The block a layer name says it belongs to: ``conv2_block1`` of ``conv2_block1_1_conv``; None if none.

    The label ends at the last numbered part before the layer's own name: a
    word ending in a number (``block1``, ``block2a``), or a number after a word
    (``block_1``).
    """
    tokens = name.split("_")
    end = None
    for index, token in enumerate(tokens[:-1]):
        if _NUMBERED.fullmatch(token) or (token.isdigit() and index > 0 and tokens[index - 1].isalpha()):
            end = index
    return None if end is None else "_".join(tokens[: end + 1])


def _split_counter(label: str) -> tuple[str, str]:
    """``("conv2_block", "1")`` of ``conv2_block1``; ``("block2", "a")`` of ``block2a``."""
    match = _COUNTER.search(label)
    if match is None:
        return label, ""
    return label[: match.start()], match.group()


def _siblings(rows: Sequence[LayerRow]) -> dict[str, list[int]]:
    """Row indices by the path of their enclosing call (``""`` for the top level), in row order."""
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        parent = row.path.rsplit("/", 1)[0] if "/" in row.path else ""
        groups.setdefault(parent, []).append(index)
    return groups


def _subtree_end(rows: Sequence[LayerRow], index: int) -> int:
    """The index just past the last inner call of row ``index`` (inner calls follow it directly)."""
    prefix = rows[index].path + "/"
    end = index + 1
    while end < len(rows) and rows[end].path.startswith(prefix):
        end += 1
    return end


@dataclass
class _Block:
    label: str
    members: list[int]


def _name_series(rows: Sequence[LayerRow]) -> list[tuple[range, RepeatedBlock]]:
    found = []
    for siblings in _siblings(rows).values():
        blocks: list[_Block | None] = []
        for index in siblings:
            label = block_label(rows[index].path.rsplit("/", 1)[-1])
            last = blocks[-1] if blocks else None
            if label is not None and last is not None and last.label == label:
                last.members.append(index)
            else:
                blocks.append(None if label is None else _Block(label, [index]))
        found += [_series_block(rows, series) for series in _series(rows, blocks)]
    return found


def _series(rows: Sequence[LayerRow], blocks: list[_Block | None]) -> list[list[_Block]]:
    """Runs of two or more consecutive blocks whose labels differ only in their counter (see :func:`_continues`).

    A stage of MobileNetV2 (``block_3`` to ``block_5``, 32 channels) ends where
    the next block widens its output, though the names run on.
    """
    runs: list[list[_Block]] = []
    current: list[_Block] = []
    for block in [*blocks, None]:
        if block is not None and current and _continues(rows, current[-1], block):
            current.append(block)
            continue
        if len(current) >= 2:
            runs.append(current)
        current = [] if block is None else [block]
    return runs


def _continues(rows: Sequence[LayerRow], previous: _Block, block: _Block) -> bool:
    """Whether ``block`` continues the series of ``previous``.

    Names with a stage number of their own (``conv2_block``, ``block2``) say
    where a stage ends; a bare series (``block_``) ends where a block returns
    another shape than the one before.
    """
    template = _split_counter(block.label)[0]
    if template != _split_counter(previous.label)[0]:
        return False
    if any(character.isdigit() for character in template):
        return True
    return rows[block.members[-1]].output_shape == rows[previous.members[-1]].output_shape


def _series_block(rows: Sequence[LayerRow], series: list[_Block]) -> tuple[range, RepeatedBlock]:
    members = [index for block in series for index in block.members]
    span = range(members[0], _subtree_end(rows, members[-1]))
    template, first = _split_counter(series[0].label)
    last = _split_counter(series[-1].label)[1]
    prefix = rows[members[0]].path[: -len(rows[members[0]].path.rsplit("/", 1)[-1])]
    return span, _block(rows, members, span, f"{prefix}{template}{first}..{last}", series, "names")


def _structural_repeats(rows: Sequence[LayerRow]) -> list[tuple[range, RepeatedBlock]]:
    found = []
    for repeat in find_repeats(call_features(rows)):
        if len(repeat.rows) < MIN_FOLDED_ROWS or "InputLayer" in repeat.classes:
            continue
        members = [index for roots in repeat.roots for index in roots]
        first, last = rows[repeat.units[0].start].path, rows[repeat.units[-1].start].path
        label = f"{first}..{last.rsplit('/', 1)[-1]}"
        units = [_Block(rows[unit.start].path, [unit.start]) for unit in repeat.units]
        found.append((repeat.rows, _block(rows, members, repeat.rows, label, units, "structure")))
    return found


def _block(
    rows: Sequence[LayerRow], members: list[int], span: range, label: str, units: list[_Block], found_by: str
) -> RepeatedBlock:
    """The folded block: its figures are those of its top-level rows (which include their inner calls')."""
    macs = [rows[index].mac_count for index in members]
    return RepeatedBlock(
        label=label,
        count=len(units),
        units=tuple(rows[unit.members[0]].path for unit in units),
        first=rows[span.start].path,
        last=rows[span.stop - 1].path,
        params=sum(rows[index].params for index in members),
        mac_count=None if any(value is None for value in macs) else sum(value or 0 for value in macs),
        found_by=found_by,
    )
