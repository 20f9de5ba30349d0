"""Parsing --set key=value to the type of each default."""

from __future__ import annotations

import pytest

from kreg.errors import HyperparameterError, KregUsageError
from kreg.hyperparameters import parse_assignments

DEFAULTS = {"units": 8, "rate": 0.5, "name": "relu", "flag": False, "sizes": [64, 32], "anything": None}


@pytest.mark.parametrize(
    "assignment, expected",
    [
        ("units=16", {"units": 16}),
        ("rate=1e-3", {"rate": 0.001}),
        ("rate=2", {"rate": 2.0}),
        ("name=gelu", {"name": "gelu"}),
        ("name=a=b", {"name": "a=b"}),
        ("flag=true", {"flag": True}),
        ("flag=No", {"flag": False}),
        ("sizes=8,4", {"sizes": [8, 4]}),
        ("sizes=[1, 2, 3]", {"sizes": [1, 2, 3]}),
        ("anything=[1, 2]", {"anything": [1, 2]}),
        ("anything=plain text", {"anything": "plain text"}),
    ],
)
def test_values_take_the_type_of_the_default(assignment, expected):
    parsed = parse_assignments([assignment], DEFAULTS)
    assert parsed == expected
    assert type(parsed[next(iter(expected))]) is type(next(iter(expected.values())))


@pytest.mark.parametrize(
    "assignment, message",
    [
        ("units=3.5", "hyperparameter 'units': '3.5' is not an integer"),
        ("units=many", "is not an integer"),
        ("rate=fast", "is not a number"),
        ("flag=maybe", "is not a boolean"),
        ("sizes=a,b", "is not a list"),
        ("layers=3", "hyperparameter 'layers': unknown key; known keys: anything, flag, name, rate, sizes, units"),
        ("units", "expected key=value"),
    ],
)
def test_bad_values_name_the_key(assignment, message):
    with pytest.raises(HyperparameterError) as caught:
        parse_assignments([assignment], DEFAULTS)
    assert message in str(caught.value)
    assert isinstance(caught.value, KregUsageError)  # exit status 2
