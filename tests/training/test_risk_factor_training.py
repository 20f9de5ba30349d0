"""The built-in risk-factor autoencoder, trained end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from kreg.hyperparameters import resolve_hyperparameters
from kreg.running.building import build
from kreg.running.model_files import load_saved_model
from kreg.running.training import TrainOptions
from kreg.workflows.training import train

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def entry():
    from kreg.loading import BUILTIN_DISTRIBUTION, discover_entry_points, load_catalogue

    points = [
        ep for ep in discover_entry_points() if ep.dist is not None and ep.dist.metadata["Name"] == BUILTIN_DISTRIBUTION
    ]
    return load_catalogue(entry_points=points).get("risk-factor-autoencoder")


# Slow: a training process of its own; tests/training/test_train_command.py covers kreg train --json.
@pytest.mark.slow
def test_kreg_train_json_from_the_command_line():
    command = [sys.executable, "-m", "kreg", "train", "risk-factor-autoencoder", "--steps", "5", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["architecture"], report["steps"], report["finite"]) == ("risk-factor-autoencoder", 5, True)
    assert set(report["metrics"]) == {"loss"} and report["steps_per_second"] > 0
    assert "\r" not in result.stdout  # --json is quiet: no progress bar mixed in


def test_loss_falls_over_thirty_steps(entry):
    result = train(entry, resolve_hyperparameters(entry), TrainOptions(steps=30, quiet=True))
    loss = result.trace
    assert result.finite and loss.last["loss"] < 0.8 * loss.first["loss"]


def test_saved_model_reloads_in_safe_mode(entry, tmp_path):
    hyperparameters = resolve_hyperparameters(entry, preset="smoke")
    path = str(tmp_path / "nested" / "risk.keras")
    result = train(entry, hyperparameters, TrainOptions(steps=3, quiet=True, save=path))
    assert result.saved == path
    loaded = load_saved_model(entry, path)
    from kreg.plugins.risk_factor.data import make_dataset

    ((inputs, _),) = make_dataset(hyperparameters, 4, None).take(1)
    assert loaded.name == "risk_factor_autoencoder"
    assert np.all(np.isfinite(loaded.predict(inputs, verbose=0)))
    keras.utils.set_random_seed(0)  # the seed train() built with: the same initial weights
    initial = build(entry, hyperparameters).model.get_weights()
    saved = loaded.get_weights()
    assert [w.shape for w in saved] == [w.shape for w in initial]
    assert not all(np.allclose(a, b) for a, b in zip(saved, initial))  # what was saved is the trained model
