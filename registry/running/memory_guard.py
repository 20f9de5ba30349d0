"""Builds and loads that would need more memory than allowed are refused before the weights are allocated.

While :func:`weights_within_memory` is active, every variable Keras creates
from an initializer (every weight of a layer) is counted before its value is
made (:func:`kreg.inspect_tools.keras_compat.variables_checked`); the one that
takes the total past the limit (:func:`kreg.memory.memory_limit`) is not
allocated, and the build is refused as a usage error naming that weight, its
shape and the total, whatever Keras made of the exception on its way out.
The weights are a lower bound of what training needs (the optimizer's slots
and the activations come on top), so a refusal is never a false alarm about
the weights themselves.
"""

from __future__ import annotations

import contextlib
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from kreg.errors import KregUsageError
from kreg.inspect_tools.keras_compat import variables_checked
from kreg.memory import format_size, memory_limit

_BITS = re.compile(r"(\d+)$")


@dataclass
class WeightBudget:
    """The weights created so far in one build, against a limit.

    Attributes:
        what: str. What is being built, for the message (``mlp``, ``model file 'x.keras'``).
        limit: int. Bytes.
        origin: str. Where the limit comes from (``this machine's memory``, ``--max-memory``).
        total: int. Bytes of the weights created so far.
        refusal: KregUsageError or None. Set once the limit was passed.
    """

    what: str
    limit: int
    origin: str
    total: int = 0
    refusal: KregUsageError | None = None

    def check(self, shape: tuple[int, ...], dtype: str, path: str) -> None:
        """Count a weight about to be allocated; refuse it when it takes the total past the limit."""
        if self.refusal is not None:  # Keras caught the refusal and tries to build again
            raise self.refusal
        size = math.prod(shape) * _itemsize(dtype)
        self.total += size
        if self.total > self.limit:
            self.refusal = KregUsageError(
                f"{self.what} needs more memory than allowed: its weights come to at least "
                f"{format_size(self.total)} with {path!r} of shape {shape} ({dtype}, {format_size(size)}), "
                f"more than the {format_size(self.limit)} of {self.origin} "
                "(--max-memory SIZE changes the limit; 0 removes it)"
            )
            raise self.refusal


@contextlib.contextmanager
def weights_within_memory(what: str) -> Iterator[WeightBudget | None]:
    """Refuse, as a usage error, a build or load whose weights pass the memory limit (none: nothing checked).

    Raises:
        KregUsageError: the limit was passed (raised in place of whatever the
            block raised, Keras's wrapping of the refusal included).
    """
    limit, origin = memory_limit()
    if limit is None:
        yield None
        return
    budget = WeightBudget(what, limit, origin)
    caught: list[warnings.WarningMessage] = []
    try:
        with variables_checked(budget.check), warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("default")
            try:
                yield budget
            finally:
                caught = list(recorded)
    except BaseException:
        if budget.refusal is not None:  # Keras's warnings about the layer it could not build are of no use
            raise budget.refusal from None
        raise
    finally:
        if budget.refusal is None:
            _warn_again(caught)  # once the recording has ended


def _warn_again(caught: list[warnings.WarningMessage]) -> None:
    """Show the warnings the block gave, as they would have been shown without :func:`weights_within_memory`."""
    for each in caught:
        warnings.warn_explicit(each.message, each.category, each.filename, each.lineno, source=each.source)


def _itemsize(dtype: str) -> int:
    """Bytes per element: ``float32`` 4, ``bfloat16`` 2, ``int8`` 1; 4 when the name says nothing."""
    if dtype == "bool":
        return 1
    bits = _BITS.search(dtype)
    return max(1, int(bits.group(1)) // 8) if bits else 4
