"""The family's registration: valid records, no heavy imports, small smoke presets."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_registration_imports_no_keras():
    code = "import sys, kreg.plugins.transformer; print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["transformer", "transformer-lm"])
def test_architecture_is_valid_and_smoke_preset_is_small(name, architectures):
    architecture = architectures[name]
    assert architecture.problems() == []
    smoke = architecture.presets["smoke"]
    assert smoke["vocab_size"] < architecture.hyperparameters["vocab_size"]
    assert smoke["embed_dim"] < architecture.hyperparameters["embed_dim"]
