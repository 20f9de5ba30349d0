"""``kreg check --shard K/N``: a stable split of architectures between N jobs.

The names are sorted (by code point, so the same on every machine and in
every locale) and dealt out in turn: shard K of N takes the K-th, the
(K+N)-th, ... name. The N shards are disjoint, together hold every name, and
differ in size by one at most. Jobs that see the same architectures (the same
plugins installed, the same patterns) get the same split on every run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from kreg.errors import KregUsageError

T = TypeVar("T")

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based, as CI matrices count) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Read ``K/N`` with 1 <= K <= N.

        Raises:
            KregUsageError: not of that form, or K out of range.
        """
        match = _SHARD.fullmatch(text)
        if match is None:
            raise KregUsageError(f"{text!r} is not K/N (e.g. 2/4: the second of four shards)")
        index, count = int(match.group(1)), int(match.group(2))
        if count < 1 or not 1 <= index <= count:
            raise KregUsageError(f"{text!r}: K must be from 1 to N, and N at least 1 (shards are counted from 1)")
        return cls(index, count)

    def select(self, items: Sequence[T], name: Any = lambda item: item.name) -> list[T]:
        """The items of this shard, in name order.

        Args:
            items: Sequence. Things with a name (catalogue entries by default).
            name: callable. Gives an item's name.
        """
        ordered = sorted(items, key=name)
        return [item for position, item in enumerate(ordered) if position % self.count == self.index - 1]

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def to_json(self) -> dict[str, int]:
        """``{"index": K, "count": N}``."""
        return {"index": self.index, "count": self.count}
