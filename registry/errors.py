"""Every exception kreg raises on purpose.

The CLI turns these into one-line messages: subclasses of :class:`KregUsageError`
exit with status 2 (the user asked for something that does not exist or is
malformed), every other :class:`KregError` exits with status 1 (something was
tried and failed).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from kreg.phases import Phase

MESSAGE_LIMIT = 500
"""The most characters of an exception's message kreg shows on its one line."""

_TENSOR_VALUES = re.compile(r"(<tf\.(?:Tensor|Variable)\b[^<>]*?), numpy=(?:array\(.*?\)|[^>]*)>", re.DOTALL)


class KregError(Exception):
    """Base class of kreg's errors; its message is shown to the user as is."""


class KregUsageError(KregError):
    """The user asked for something malformed or unknown (exit status 2)."""


class UnknownArchitecture(KregUsageError):
    """No architecture of that name is registered."""

    def __init__(self, name: str, known: Iterable[str]):
        self.name = name
        self.suggestions = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
        message = f"unknown architecture {name!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        else:
            message += "; `kreg list` shows the registered ones"
        super().__init__(message)


class UnknownComponent(KregUsageError):
    """The architecture has no component of that name."""

    def __init__(self, architecture: str, component: str, known: Iterable[str]):
        known = sorted(known)
        super().__init__(
            f"architecture {architecture!r} has no component {component!r}; its components are {', '.join(known)}"
        )


class HyperparameterError(KregUsageError):
    """A ``--set key=value`` names an unknown key or gives a value of the wrong type."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(f"hyperparameter {key!r}: {message}")


class InvalidArchitecture(KregError):
    """An :class:`~kreg.Architecture` breaks the plugin contract."""


class DuplicateArchitecture(KregError):
    """A plugin registered a name that another plugin already took."""


class PluginLoadError(KregError):
    """At least one plugin failed to load while strict loading was asked for."""


class KerasIncompatible(KregError):
    """A Keras internal kreg relies on (:mod:`kreg.inspect_tools.keras_compat`) stopped working.

    Raised instead of returning an empty report, so that a Keras release that
    changes its internals fails loudly; the message names the Keras version.
    """


class ArchitectureFailure(KregError):
    """One phase (build, data, train, ...) of one architecture failed.

    Attributes:
        architecture: str. The architecture's name.
        phase: Phase. What was being done (:class:`kreg.phases.Phase`; a
            ``str``, so ``failure.phase == "build"`` holds).
        cause: BaseException or str. The original exception, or what went wrong.
    """

    def __init__(self, architecture: str, phase: Phase | str, cause: BaseException | str):
        self.architecture = architecture
        self.phase = Phase(phase)
        self.cause = cause
        super().__init__(f"{architecture}: {self.phase} failed: {describe_exception(cause)}")

    def __reduce__(self) -> tuple:
        # Exceptions pickle as cls(*args), and args holds only the message; a
        # failure crosses process boundaries (kreg check's workers).
        return (type(self), (self.architecture, self.phase.value, self.cause))


def abbreviate(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters with ``...`` at the end, so a huge value cannot flood a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_exception(error: BaseException | str) -> str:
    """Return ``"Type: message"`` for an exception (or the string itself), on one line.

    Args:
        error: BaseException or str. What went wrong.

    Returns:
        str. A single line fit for a terminal.
    """
    if isinstance(error, str):
        return shorten_message(error)
    message = shorten_message(str(error))
    if isinstance(error, KregError):
        return message
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def shorten_message(message: str) -> str:
    """Put a message on one line without data dumps, at most about :data:`MESSAGE_LIMIT` characters.

    TensorFlow writes a tensor's numbers into its messages (``<tf.Tensor:
    shape=(16, 16, 6), dtype=float32, numpy=array([[[0.89, ...``, thousands of
    characters for one batch): only the shape and dtype are kept. Keras writes
    whole configs (``config={'module': 'keras', ...}``): a ``{...}`` or ``[...]``
    of more than :data:`DUMP_LIMIT` characters is shown as ``{...}``. What is
    still too long keeps its start and its end, saying how much was cut
    (``--debug`` prints the whole traceback).
    """
    line = _collapse_dumps(" ".join(_TENSOR_VALUES.sub(r"\1>", message).split()))
    if len(line) <= MESSAGE_LIMIT:
        return line
    head = line[: MESSAGE_LIMIT - _TAIL].rsplit(" ", 1)[0]
    tail = line[-_TAIL:].split(" ", 1)[-1]
    return f"{head} ... ({len(line) - len(head) - len(tail)} characters cut; --debug shows them) ... {tail}"


DUMP_LIMIT = 60
"""The longest ``{...}`` or ``[...]`` a message keeps whole."""

_TAIL = 150
_CLOSERS = {"}": "{", "]": "["}


def _collapse_dumps(line: str) -> str:
    """Replace the inside of every ``{...}`` and ``[...]`` longer than DUMP_LIMIT with ``...``, innermost first."""
    out: list[str] = []
    openings: list[tuple[str, int]] = []
    for char in line:
        if char in "{[":
            openings.append((char, len(out)))
        elif char in _CLOSERS and openings and openings[-1][0] == _CLOSERS[char]:
            _, start = openings.pop()
            if len(out) - start > DUMP_LIMIT:
                del out[start + 1 :]
                out.append("...")
        out.append(char)
    return "".join(out)
