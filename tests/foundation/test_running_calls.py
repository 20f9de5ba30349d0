"""kreg.running.calls: the one way into plugin code names the architecture, the phase and the cause."""

from __future__ import annotations

import json

import pytest

import kreg
from kreg.errors import ArchitectureFailure, HyperparameterError
from kreg.phases import Phase
from kreg.running.calls import call_plugin, current_phase, in_phase, resolve_part


def _entry(**fields) -> kreg.Entry:
    catalogue = kreg.Catalogue()
    catalogue.add(
        kreg.Architecture(name="tiny", summary="s", **{"builder": "json:dumps", **fields}), kreg.PluginRecord(name="p")
    )
    return catalogue.get("tiny")


def test_a_failure_carries_the_architecture_the_phase_and_the_cause():
    with pytest.raises(ArchitectureFailure) as caught, in_phase("tiny", Phase.DATA):
        raise ZeroDivisionError("division by zero")
    failure = caught.value
    assert (failure.architecture, failure.phase, str(failure)) == (
        "tiny",
        Phase.DATA,
        "tiny: data failed: ZeroDivisionError: division by zero",
    )
    assert failure.phase == "data" and json.dumps(failure.phase) == '"data"'  # a str, for JSON and old comparisons


def test_usage_errors_and_inner_failures_pass_through_unchanged():
    with pytest.raises(HyperparameterError), in_phase("tiny", Phase.BUILD):
        raise HyperparameterError("units", "must be positive")
    inner = ArchitectureFailure("tiny", Phase.RESOLVE, "builder: no module")
    with pytest.raises(ArchitectureFailure) as caught, in_phase("tiny", Phase.BUILD):
        raise inner
    assert caught.value is inner


def test_the_running_phase_is_known_inside_and_forgotten_after():
    assert current_phase() is None
    with in_phase("tiny", Phase.TRAIN):
        assert (current_phase().architecture, current_phase().phase) == ("tiny", Phase.TRAIN)
        with in_phase("tiny", Phase.SAVE):
            assert current_phase().phase is Phase.SAVE
        assert current_phase().phase is Phase.TRAIN
    assert current_phase() is None


def test_plugin_code_is_resolved_and_called_in_its_phase():
    entry = _entry(data_adapter="json:loads", sampler="no_such_module_anywhere:sample")
    assert call_plugin(entry, "builder", Phase.BUILD, {"a": 1}) == '{"a": 1}'
    with pytest.raises(ArchitectureFailure, match="tiny: data failed: JSONDecodeError"):
        call_plugin(entry, "data_adapter", Phase.DATA, "not json")
    with pytest.raises(
        ArchitectureFailure, match="tiny: resolve failed: sampler: No module named 'no_such_module_anywhere'"
    ):
        resolve_part(entry, "sampler")
    assert resolve_part(entry, "train_step") is None
    with pytest.raises(ValueError, match="not one of"):
        resolve_part(entry, "summary")


def test_an_unknown_phase_name_is_refused():
    with pytest.raises(ValueError):
        ArchitectureFailure("tiny", "bogus", "x")
