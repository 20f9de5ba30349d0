"""Where samplers write their files, and checks of their options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kreg.errors import KregUsageError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def output_file(output: str | Path | None, default_name: str) -> Path:
    """Where a sampler writes its image.

    Args:
        output: str, Path or None. An image file path (by its extension), a
            folder, or None for the working directory.
        default_name: str. The file name used in a folder or the working directory.

    Returns:
        Path. ``output`` itself, ``output/default_name`` or ``./default_name``.
    """
    if output is None:
        return Path.cwd() / default_name
    output = Path(output)
    return output if output.suffix.lower() in IMAGE_SUFFIXES else output / default_name


def require_positive_options(**options: Any) -> None:
    """Raise a usage error (exit 2) naming the first sampler option that is not an int >= 1."""
    for name, value in options.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise KregUsageError(f"sample option {name!r} must be a positive integer, got {value!r}")
