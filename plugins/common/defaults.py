"""Builder and sampler defaults taken from the family's declaration, so each default is written once.

A family declares what ``kreg info`` shows in ``<family>/defaults.py``, a module
without Keras (the registration imports it, and ``kreg list`` imports the
registration). The builder and the sampler take those names as keyword-only
parameters without defaults of their own, and :func:`defaults_from` gives them
the declared ones: ``kreg`` (which passes every hyperparameter, and only the
sample options the user gave) and a direct ``build()`` from Python get the same
values, and the two cannot drift apart.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

Function = TypeVar("Function", bound=Callable[..., Any])


def defaults_from(declared: Mapping[str, Any]) -> Callable[[Function], Function]:
    """Give the decorated function's keyword-only parameters the declared defaults.

    The function is returned as it is, with ``__kwdefaults__`` set, so
    ``inspect.signature`` and ``help()`` show the defaults. A list becomes a
    tuple: a default is shared by every call, so it must not be mutable.

    Args:
        declared: Mapping[str, Any]. The family's declaration, e.g. ``{"latent_dim": 2}``.

    Returns:
        A decorator.

    Raises:
        TypeError: at import, when the function's keyword-only parameters
            without a default are not exactly the declared names (a declared
            name is missing, is not keyword-only, or has a default of its own;
            or a parameter kreg would never pass has no default).
    """

    def decorate(function: Function) -> Function:
        problems = declaration_problems(function, declared)
        if problems:
            raise TypeError(f"{function.__qualname__}: {'; '.join(problems)}")
        own = function.__kwdefaults__ or {}
        function.__kwdefaults__ = {**own, **{name: _frozen(value) for name, value in declared.items()}}
        return function

    return decorate


def declaration_problems(function: Callable[..., Any], declared: Mapping[str, Any]) -> list[str]:
    """Every way ``function``'s parameters disagree with the declared names (empty when they agree)."""
    parameters = inspect.signature(function).parameters
    problems = []
    for name in declared:
        parameter = parameters.get(name)
        if parameter is None:
            problems.append(f"no parameter {name!r} for the declared default")
        elif parameter.kind is not parameter.KEYWORD_ONLY:
            problems.append(f"parameter {name!r} must be keyword-only (after *)")
        elif parameter.default is not parameter.empty:
            problems.append(f"parameter {name!r} has a default of its own; the declaration gives it")
    for name, parameter in parameters.items():
        if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty and name not in declared:
            problems.append(f"keyword-only parameter {name!r} is not declared and has no default")
    return problems


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
