"""The family's registration: valid records, no heavy imports, samplers that match their options."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from kreg.references import resolve


def test_registration_imports_no_keras():
    code = "import sys, kreg.plugins.transformer; print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["transformer", "transformer-lm"])
def test_architecture_is_valid_and_smoke_preset_is_small(name, architectures):
    architecture = architectures[name]
    assert architecture.problems() == []
    assert architecture.source.startswith("seeds/")
    smoke = architecture.presets["smoke"]
    assert smoke["vocab_size"] < architecture.hyperparameters["vocab_size"]
    assert smoke["embed_dim"] < architecture.hyperparameters["embed_dim"]


@pytest.mark.parametrize("name", ["transformer", "transformer-lm"])
def test_sampler_defaults_match_sample_options(name, architectures):
    """kreg sample passes only the options given, so the sampler's own defaults must be the declared ones."""
    architecture = architectures[name]
    parameters = inspect.signature(resolve(architecture.sampler)).parameters
    assert list(parameters)[:3] == ["model", "hyperparameters", "output"]
    defaults = {key: p.default for key, p in parameters.items() if key not in ("model", "hyperparameters", "output")}
    assert {key: list(v) if isinstance(v, tuple) else v for key, v in defaults.items()} == architecture.sample_options
