"""Checks builders use to reject bad hyperparameters with a message naming them.

Raising :class:`~kreg.errors.HyperparameterError` from a builder makes kreg exit
with status 2 (a usage error) and print ``hyperparameter 'n_tickers': ...``.
"""

from __future__ import annotations

from typing import Any

from kreg.errors import HyperparameterError


def require_positive_int(**values: Any) -> None:
    """Raise unless every value is an int greater than zero.

    Example: ``require_positive_int(n_tickers=n_tickers, n_factors=n_factors)``.

    Raises:
        HyperparameterError: naming the first offending hyperparameter.
    """
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise HyperparameterError(name, f"must be a positive integer, got {value!r}")


def require_in_range(name: str, value: float, low: float, high: float) -> None:
    """Raise unless ``low <= value <= high``.

    Raises:
        HyperparameterError: naming ``name``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise HyperparameterError(name, f"must be between {low} and {high}, got {value!r}")
