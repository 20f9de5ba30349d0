"""What kreg knows about each plugin: where it came from, what it registered,
and how it failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kreg.errors import abbreviate
from kreg.json_fields import attribute_fields, rounded


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
            "architecture": f"could not register {abbreviate(repr(self.architecture))}",
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
        import_seconds: float or None. Time to import the entry point and run
            its registration hook (None when it was not loaded).
        warnings: list[str]. Problems that do not stop the plugin, such as an
            import of TensorFlow that every kreg command then pays for.
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
    import_seconds: float | None = None
    warnings: list[str] = field(default_factory=list)

    def warning_messages(self) -> list[str]:
        """The lines kreg prints on stderr for this plugin's warnings."""
        return [f"kreg: warning: plugin {self.name!r} {warning}" for warning in self.warnings]

    def to_json(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict."""
        return {
            **attribute_fields(self, ("name", "module", "distribution", "version", "builtin", "status")),
            "hooks": list(self.hooks),
            "architectures": list(self.architectures),
            "failures": [failure.to_json() for failure in self.failures],
            "import_seconds": rounded(self.import_seconds, 4),
            "warnings": list(self.warnings),
        }
