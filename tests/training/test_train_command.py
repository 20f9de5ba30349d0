"""``kreg train`` on the test plugins, in process: metrics, failures, usage errors, outputs."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

DESIGN_KEYS = {"architecture", "steps", "seconds", "steps_per_second", "finite", "metrics"}


def test_default_train_step_reports_the_compiled_loss(test_catalogue, kreg_cli):
    result = kreg_cli("train", "test-mlp", "--steps", "12", "--json", catalogue=test_catalogue)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert set(report) >= DESIGN_KEYS
    assert (report["architecture"], report["steps"], report["finite"], report["train_step"]) == (
        "test-mlp",
        12,
        True,
        None,
    )
    assert report["batch_size"] == 16  # the Architecture's own
    loss = report["metrics"]["loss"]
    assert loss["last"] < loss["first"]
    assert report["steps_per_second"] == pytest.approx(11 / report["seconds"], rel=1e-3)
    assert report["first_step_seconds"] > 0


def test_custom_train_step_with_weights_reports_its_own_loss(test_catalogue, kreg_cli):
    result = kreg_cli("train", "test-weighted", "--steps", "40", "--json", catalogue=test_catalogue)
    report = result.json()
    loss = report["metrics"]["loss"]
    # The model is compiled without a loss: fit's own "loss" would read 0.0.
    assert loss["first"] > 0.5 and 0.0 < loss["last"] < loss["first"] / 3
    assert report["train_step"] == "kreg_test_weighted:weighted_step"
    assert report["metrics"]["weight_mean"]["first"] == pytest.approx(1.05, abs=0.2)


def test_epochs_multiply_the_steps_and_batch_size_reaches_the_adapter(test_catalogue, kreg_cli):
    report = kreg_cli(
        "train", "test-mlp", "--steps", "3", "--epochs", "2", "--batch-size", "5", "--json", catalogue=test_catalogue
    ).json()
    assert (report["steps"], report["epochs"], report["batch_size"]) == (6, 2, 5)


def test_non_finite_loss_stops_at_its_step_with_one_line(test_catalogue, kreg_cli):
    result = kreg_cli("train", "test-nan", "--steps", "10", "--json", catalogue=test_catalogue)
    assert result.exit_code == 1
    assert result.stderr.strip() == "kreg: error: test-nan: train failed: metric 'loss' is nan at step 3"
    report = result.json()
    assert (report["finite"], report["steps"]) == (False, 3)
    assert report["metrics"]["loss"]["last"] == "nan" and math.isfinite(report["metrics"]["loss"]["first"])


def test_builder_failure_names_the_phase_without_traceback(test_catalogue, kreg_cli):
    result = kreg_cli("train", "test-broken", catalogue=test_catalogue)
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "kreg: error: test-broken: build failed: RuntimeError: this builder is broken on purpose"
    )


def test_debug_shows_the_traceback(test_catalogue, kreg_cli):
    result = kreg_cli("--debug", "train", "test-broken", catalogue=test_catalogue)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "broken on purpose" in result.stderr
    assert "KREG_DEBUG" not in os.environ  # the in-process run left the test process as it found it


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "units=many"], "hyperparameter 'units'"),
        (["--set", "depth=3"], "hyperparameter 'depth': unknown key"),
        (["--set", "units=0"], "hyperparameter 'units': must be a positive integer"),
        (["--preset", "huge"], "has no preset 'huge'"),
        (["--data", "/no/such/file.npz"], "--data path '/no/such/file.npz' does not exist"),
        (["--save", "model.h5"], "must end in .keras"),
        (["--steps", "0"], "--steps"),
        (["--distribute", "tpu"], "--distribute"),
    ],
)
def test_usage_errors_exit_2(test_catalogue, kreg_cli, args, message):
    result = kreg_cli("train", "test-mlp", *args, catalogue=test_catalogue)
    assert result.exit_code == 2
    assert message in result.stderr


def test_unknown_architecture_suggests_a_name(test_catalogue, kreg_cli):
    result = kreg_cli("train", "test-mpl", catalogue=test_catalogue)
    assert result.exit_code == 2 and "did you mean 'test-mlp'" in result.stderr


def test_data_path_reaches_the_adapter(test_catalogue, kreg_cli, tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros((40, 8)), y=np.full((40, 1), 3.0))
    report = kreg_cli(
        "train", "test-mlp", "--data", str(path), "--steps", "4", "--json", catalogue=test_catalogue
    ).json()
    assert report["metrics"]["loss"]["first"] == pytest.approx(9.0, rel=0.05)  # (0 - 3)^2 on zero inputs


def test_preset_and_set_reach_the_builder(test_catalogue, kreg_cli):
    report = kreg_cli(
        "train",
        "test-mlp",
        "--preset",
        "smoke",
        "--set",
        "features=3",
        "--steps",
        "2",
        "--json",
        catalogue=test_catalogue,
    ).json()
    assert report["hyperparameters"] == {"features": 3, "units": 4, "learning_rate": 0.01}


def test_logdir_holds_a_scalar_per_step(test_catalogue, kreg_cli, tmp_path):
    import tensorflow as tf

    report = kreg_cli(
        "train", "test-weighted", "--steps", "5", "--logdir", str(tmp_path), "--json", catalogue=test_catalogue
    ).json()
    scalars: dict[str, dict[int, float]] = {}
    for path in (tmp_path / "train").glob("events.out.tfevents.*"):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                assert value.metadata.plugin_data.plugin_name == "scalars"
                scalars.setdefault(value.tag, {})[event.step] = float(tf.make_ndarray(value.tensor))
    assert set(scalars) == {"loss", "weight_mean"}
    assert sorted(scalars["loss"]) == [1, 2, 3, 4, 5]
    assert scalars["loss"][1] == pytest.approx(report["metrics"]["loss"]["first"])
    assert scalars["loss"][5] == pytest.approx(report["metrics"]["loss"]["last"])


def test_table_output_shows_metrics_and_speed(test_catalogue, kreg_cli):
    result = kreg_cli("train", "test-mlp", "--steps", "3", catalogue=test_catalogue)
    assert result.exit_code == 0
    assert "loss" in result.stdout and "steps/s" in result.stdout and "finite" in result.stdout


def test_the_options_are_checked_once_per_run(test_catalogue, kreg_cli, monkeypatch):
    from kreg.workflows import training

    calls = []
    original = training.check_options
    monkeypatch.setattr(training, "check_options", lambda options: calls.append(options) or original(options))
    result = kreg_cli("train", "test-mlp", "--steps", "1", "--json", catalogue=test_catalogue)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
