"""``"module:attr"`` references: how plugins name code without importing it.

A reference is either a string ``"package.module:attribute"`` (the attribute may
be dotted, ``"module:Class.method"``) or a callable. Strings are imported only by
:func:`resolve`, which kreg calls when an architecture is built, never when it is
listed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

Reference = str | Callable[..., Any]
"""A ``"module:attr"`` string or a callable."""

_REFERENCE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def reference_problem(reference: object) -> str | None:
    """Say what is wrong with a reference, or return None when it is well formed.

    Args:
        reference: object. The value a plugin gave for a builder, adapter, ...

    Returns:
        str or None. A description of the problem, fit to follow a field name.
    """
    if callable(reference):
        return None
    if not isinstance(reference, str):
        return f"must be a 'module:attr' string or a callable, not {type(reference).__name__}"
    if not _REFERENCE.match(reference):
        return f"{reference!r} is not of the form 'package.module:attribute'"
    return None


def describe_reference(reference: Reference | None) -> str | None:
    """Return a reference as text: the string itself, or ``module:qualname`` of a callable."""
    if reference is None or isinstance(reference, str):
        return reference
    module = getattr(reference, "__module__", None) or "?"
    name = getattr(reference, "__qualname__", None) or type(reference).__name__
    return f"{module}:{name}"


def resolve(reference: Reference) -> Callable[..., Any]:
    """Import what a reference names and return it.

    Args:
        reference: str or callable. A ``"module:attr"`` string or a callable,
            which is returned as is.

    Returns:
        Callable. The object the reference names.

    Raises:
        ImportError: the module cannot be imported.
        AttributeError: the module has no such attribute.
    """
    if callable(reference):
        return reference
    problem = reference_problem(reference)
    if problem:
        raise ValueError(problem)
    module_name, _, attribute_path = reference.partition(":")
    target: Any = importlib.import_module(module_name)
    for attribute in attribute_path.split("."):
        try:
            target = getattr(target, attribute)
        except AttributeError:
            raise AttributeError(f"{reference!r}: module {module_name!r} has no attribute {attribute_path!r}") from None
    return target
