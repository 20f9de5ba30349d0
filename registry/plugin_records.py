"""What kreg knows about each plugin: where it came from, what it registered,
and how it failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PluginFailure:
    """One failure of one plugin.

    Attributes:
        plugin: str. The plugin's (entry-point) name.
        phase: str. ``"import"`` (loading the entry point raised), ``"register"``
            (pluggy rejected the plugin), ``"hook"`` (its hook raised) or
            ``"architecture"`` (one architecture it registered was refused).
        cause: str. What went wrong, on one line.
        architecture: str or None. The refused architecture, for that phase.
    """

    plugin: str
    phase: str
    cause: str
    architecture: str | None = None

    def message(self) -> str:
        """Return the one line kreg prints on stderr for this failure."""
        what = {
            "import": "failed to import",
            "register": "was rejected",
            "hook": "raised in kreg_register_architectures",
            "architecture": f"could not register {self.architecture!r}",
        }.get(self.phase, f"failed ({self.phase})")
        return f"kreg: plugin {self.plugin!r} {what}: {self.cause}"

    def to_json(self) -> dict[str, Any]:
        """Return the failure as a JSON-ready dict."""
        return {"plugin": self.plugin, "phase": self.phase, "architecture": self.architecture, "cause": self.cause}


@dataclass
class PluginRecord:
    """A plugin kreg tried to load.

    Attributes:
        name: str. Entry-point name (``KREG_DISABLE_PLUGINS`` uses it).
        module: str or None. What the entry point points at.
        distribution: str or None. The installed distribution providing it.
        version: str or None. That distribution's version.
        builtin: bool. True for the plugins shipped inside kreg.
        status: str. ``"loaded"``, ``"failed"`` (it registered nothing because
            it could not be imported, registered or run) or ``"disabled"``.
        architectures: list[str]. Names it registered.
        hooks: list[str]. Hooks it implements.
        failures: list[PluginFailure]. Everything that went wrong.
    """

    name: str
    module: str | None = None
    distribution: str | None = None
    version: str | None = None
    builtin: bool = False
    status: str = "loaded"
    architectures: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    failures: list[PluginFailure] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict."""
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "builtin": self.builtin,
            "status": self.status,
            "hooks": list(self.hooks),
            "architectures": list(self.architectures),
            "failures": [failure.to_json() for failure in self.failures],
        }
