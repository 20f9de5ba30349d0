"""Fixtures of the inspection tests: the toy models module, loaded by path."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _load_toy_models() -> ModuleType:
    # Test folders are not packages (pytest runs with --import-mode=importlib),
    # so the shared model builders are loaded from their path.
    spec = importlib.util.spec_from_file_location("kreg_inspect_toy_models", Path(__file__).with_name("toy_models.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def toy() -> ModuleType:
    """The module of small test models (``toy.threaded_model()``, ``toy.seq2seq_transformer()``...)."""
    return _load_toy_models()


@pytest.fixture(scope="session")
def vgg16_component():
    """``component_report`` of keras.applications.VGG16 at 224 x 224 with its classifier (built once: ~5 s)."""
    import keras

    from kreg.inspect_tools.report import component_report

    return component_report(keras.applications.VGG16(weights=None))
