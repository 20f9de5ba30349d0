"""Validation of kreg.Architecture when it is registered."""

from __future__ import annotations

import pytest

import kreg
from kreg.errors import InvalidArchitecture


def make(**changes) -> kreg.Architecture:
    fields = {"name": "tiny-mlp", "summary": "A tiny MLP", "builder": "pkg.model:build"}
    return kreg.Architecture(**{**fields, **changes})


def test_a_well_formed_architecture_has_no_problems():
    architecture = make(data_adapter="pkg.data:load", train_step=lambda model, batch: {}, hyperparameters={"units": 32})
    assert architecture.problems() == []
    architecture.validate()


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"name": "Tiny_MLP"}, "name 'Tiny_MLP' must match"),
        ({"name": "9lives"}, "must match"),
        ({"name": ""}, "must match"),
        ({"summary": "  "}, "summary must be a non-empty string"),
        ({"builder": "pkg.model.build"}, "builder 'pkg.model.build' is not of the form"),
        ({"builder": None}, "builder must be a 'module:attr' string or a callable"),
        ({"data_adapter": "pkg:"}, "data_adapter 'pkg:' is not of the form"),
        ({"train_step": 42}, "train_step must be a 'module:attr' string or a callable, not int"),
        ({"hyperparameters": {"units": object()}}, "hyperparameter 'units' default"),
        ({"hyperparameters": {"rate": float("nan")}}, "is not JSON-serialisable"),
        ({"hyperparameters": {"rate": -float("inf")}}, "is not JSON-serialisable"),
        ({"hyperparameters": {"rates": [0.1, float("nan")]}}, "is not JSON-serialisable"),
        ({"hyperparameters": {"not an identifier": 1}}, "must be a Python identifier"),
        ({"presets": {"smoke": {"layers": 2}}}, "preset 'smoke' sets unknown hyperparameters ['layers']"),
        ({"components": ("encoder",)}, "components must include 'model'"),
        ({"tags": ("ok", "")}, "tags must be a tuple of non-empty strings"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
    ],
)
def test_each_contract_violation_is_named(changes, problem):
    architecture = make(**changes)
    assert any(problem in found for found in architecture.problems()), architecture.problems()
    with pytest.raises(InvalidArchitecture, match="invalid architecture"):
        architecture.validate()


def test_lists_become_tuples_and_mappings_are_copied():
    defaults = {"units": 32}
    architecture = make(tags=["a", "b"], hyperparameters=defaults)
    defaults["units"] = 64
    assert architecture.tags == ("a", "b")
    assert architecture.hyperparameters == {"units": 32}


def test_describe_is_json_ready_and_names_types():
    described = make(hyperparameters={"units": 32, "rate": 0.5, "act": "relu", "sizes": [1, 2]}).describe()
    assert described["hyperparameter_types"] == {"units": "int", "rate": "float", "act": "str", "sizes": "list[int]"}
    assert described["builder"] == "pkg.model:build"
    assert described["components"] == ["model"]
