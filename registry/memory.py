"""How much memory kreg lets one model's weights take, and sizes said in bytes.

A builder given ``--set units=10000000000``, or a saved file declaring an
input of 100 million features, asks for weights no machine holds: TensorFlow
then fails deep inside Keras, or the process is killed for its memory after
minutes. kreg counts the bytes of the weights as Keras creates them and
refuses the build (exit 2) as soon as they pass the limit, before allocating
the one that passes it (:mod:`kreg.running.memory_guard`). The limit is this
machine's memory unless ``--max-memory`` (``KREG_MAX_MEMORY``) says otherwise.
Importing this module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import os
import re

from kreg.errors import KregUsageError

MAX_MEMORY_VARIABLE = "KREG_MAX_MEMORY"
"""The environment variable ``--max-memory`` sets (inherited by kreg check's children and the workers)."""

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>[kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
NO_LIMIT = ("0", "none", "off")


def parse_size(text: str, option: str = "--max-memory") -> int | None:
    """``8G``, ``512MiB``, ``1.5T``, ``1000000`` (bytes) as bytes; ``0``, ``none`` or ``off`` as None (no limit).

    Raises:
        KregUsageError: anything else (exit 2, naming the option).
    """
    if text.strip().lower() in NO_LIMIT:
        return None
    match = _SIZE.match(text)
    if match is None:
        raise KregUsageError(f"{option} {text!r} is not a size: give bytes or a number with K, M, G or T (8G), or 0")
    size = int(float(match["number"]) * _UNITS[match["unit"].lower()])
    if size <= 0:
        raise KregUsageError(f"{option} {text!r} is not a size: give bytes or a number with K, M, G or T (8G), or 0")
    return size


def machine_memory() -> int | None:
    """This machine's physical memory in bytes; None where the system does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_limit() -> tuple[int | None, str]:
    """The most bytes one model's weights may take, and where that figure comes from (for a message).

    Raises:
        KregUsageError: ``KREG_MAX_MEMORY`` holds no size.
    """
    given = os.environ.get(MAX_MEMORY_VARIABLE, "").strip()
    if given:
        return parse_size(given), "--max-memory"
    return machine_memory(), "this machine's memory"


def format_size(size: float) -> str:
    """``31.4 TiB``, ``512.0 MiB``, ``900 B``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
