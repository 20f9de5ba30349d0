"""Writing a new plugin package: what ``kreg new-plugin`` does, without the CLI.

The names of a new plugin all follow from its distribution name: for
``kreg-tiny-mlp`` the module is ``kreg_tiny_mlp``, the entry point (the
plugin's name in ``kreg plugins``) is ``tiny-mlp`` and so, unless chosen, is
the architecture.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from kreg import __version__
from kreg.architecture import NAME_PATTERN
from kreg.errors import KregUsageError
from kreg.plugin_template import FILES

DISTRIBUTION_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
"""Distribution names ``kreg new-plugin`` accepts: lower case words joined by single dashes."""


@dataclass(frozen=True)
class PluginNames:
    """The names of a new plugin package.

    Attributes:
        distribution: str. The package name on PyPI, e.g. ``"kreg-tiny-mlp"``.
        module: str. The import name, e.g. ``"kreg_tiny_mlp"``.
        entry_point: str. The entry-point name in the ``kreg`` group, e.g. ``"tiny-mlp"``.
        architecture: str. The name the skeleton's architecture registers.
    """

    distribution: str
    module: str
    entry_point: str
    architecture: str

    @property
    def title(self) -> str:
        """A human title: ``"Tiny Mlp"``."""
        return " ".join(word.capitalize() for word in self.entry_point.split("-"))


def plugin_names(distribution: str, architecture: str | None = None) -> PluginNames:
    """Derive the module, entry-point and architecture names from a distribution name.

    Args:
        distribution: str. Lower case words joined by dashes; a ``kreg-``
            prefix is recommended and left out of the entry-point name.
        architecture: str or None. The architecture's name; None uses the
            entry-point name.

    Returns:
        PluginNames.

    Raises:
        KregUsageError: a name kreg, Python or pip would refuse.
    """
    if not DISTRIBUTION_PATTERN.match(distribution):
        raise KregUsageError(
            f"plugin name {distribution!r} must be lower case letters and digits in words joined by dashes, "
            "e.g. 'kreg-tiny-mlp'"
        )
    module = distribution.replace("-", "_")
    if distribution == "kreg" or keyword.iskeyword(module):
        raise KregUsageError(
            f"plugin name {distribution!r} cannot be used as a Python module name; try 'kreg-{distribution}'"
        )
    entry_point = distribution.removeprefix("kreg-")
    architecture = architecture or entry_point
    if not NAME_PATTERN.match(architecture):
        raise KregUsageError(
            f"architecture name {architecture!r} must match [a-z][a-z0-9-]* (lower case, digits, dashes)"
        )
    return PluginNames(distribution, module, entry_point, architecture)


def render_plugin(names: PluginNames) -> dict[str, str]:
    """Return the skeleton's files: relative path -> text."""
    values = {
        "distribution": names.distribution,
        "module": names.module,
        "entry_point": names.entry_point,
        "architecture": names.architecture,
        "title": names.title,
        "kreg_version": __version__,
    }
    return {path.replace("${module}", names.module): template.substitute(values) for path, template in FILES.items()}


def write_plugin(names: PluginNames, directory: str | Path) -> list[Path]:
    """Write the skeleton into ``directory/<distribution>``.

    Args:
        names: PluginNames. From :func:`plugin_names`.
        directory: str or Path. The folder to create the package folder in.

    Returns:
        list[Path]. The files written.

    Raises:
        KregUsageError: the package folder exists and is not empty (nothing is
            overwritten), or ``directory`` is a file.
    """
    target = Path(directory) / names.distribution
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KregUsageError(
            f"{str(target)!r} already exists; pick another name or --directory (nothing was overwritten)"
        )
    if Path(directory).exists() and not Path(directory).is_dir():
        raise KregUsageError(f"--directory {str(directory)!r} is a file")
    written = []
    for relative, text in render_plugin(names).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written
