"""Do an architecture's registered hyperparameters agree with its builder's signature?

The defaults are declared twice: in ``Architecture.hyperparameters`` (what
``kreg info`` shows and ``--set`` parses against) and in the builder's keyword
defaults (what a direct call gets). Nothing else makes them agree.
"""

from __future__ import annotations

import inspect
from typing import Any

from kreg.catalogue import Entry
from kreg.running.calls import resolve_part


def builder_signature_problems(entry: Entry) -> list[str]:
    """Every way the builder's signature disagrees with the registered hyperparameters.

    Reported: a registered key the builder does not accept (and no
    ``**kwargs``); a builder default that differs from the registered one
    (lists and tuples with the same items agree); a builder parameter without
    a default that is not registered (kreg would never pass it). The
    ``data_state`` keyword of an architecture with a data-state step is kreg's,
    not a hyperparameter.

    Raises:
        ArchitectureFailure: the builder cannot be imported (phase ``resolve``).
    """
    builder = resolve_part(entry, "builder")
    try:
        parameters = inspect.signature(builder).parameters
    except (TypeError, ValueError):  # a builtin or C callable: nothing to compare
        return []
    registered = dict(entry.architecture.hyperparameters)
    reserved = {"data_state"} if entry.architecture.data_state is not None else set()
    named = {
        name: p
        for name, p in parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name not in reserved
    }
    open_ended = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    problems = []
    for key, default in registered.items():
        parameter = named.get(key)
        if parameter is None:
            if not open_ended:
                problems.append(f"hyperparameter {key!r} is registered but the builder has no parameter {key!r}")
        elif parameter.default is not parameter.empty and not _same(parameter.default, default):
            problems.append(
                f"hyperparameter {key!r}: registered default {default!r}, builder default {parameter.default!r}"
            )
    for name, parameter in named.items():
        if parameter.default is parameter.empty and name not in registered:
            problems.append(f"the builder's parameter {name!r} has no default and is not a registered hyperparameter")
    if entry.architecture.data_state is not None and "data_state" not in parameters and not open_ended:
        problems.append("the architecture has a data-state step but the builder takes no 'data_state' keyword")
    return problems


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    return type(left) is type(right) and left == right
