"""kreg train and kreg check on real plugin packages, pip-installed into a temporary venv."""

from __future__ import annotations

import json

import pytest

from tests.training.plugin_sources import CRASH, SOURCES


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """One venv with the test plugins (default step, weighted step, NaN, broken builder, crash)."""
    from tests.support.plugin_packages import make_plugin_environment, write_plugin_package

    root = tmp_path_factory.mktemp("training-plugins")
    env = make_plugin_environment(root / "venv")
    packages = {**SOURCES, "kreg-test-crash": CRASH}
    # Entry-point names as the distributions: "mlp" is a built-in plugin's name.
    env.install(
        *(write_plugin_package(root / "src", name, source, entry_point=name) for name, source in packages.items())
    )
    return env


def test_custom_weighted_step_loss_falls(environment):
    result = environment.kreg("train", "test-weighted", "--steps", "40", "--json")
    assert result.returncode == 0, result.stderr
    loss = json.loads(result.stdout)["metrics"]["loss"]
    assert 0.0 < loss["last"] < loss["first"] / 3


def test_nan_loss_exits_1_naming_metric_and_step(environment):
    result = environment.kreg("train", "test-nan")
    assert result.returncode == 1
    assert (
        result.stderr.strip().splitlines()[-1] == "kreg: error: test-nan: train failed: metric 'loss' is nan at step 3"
    )
    assert "Traceback" not in result.stderr


def test_raising_builder_exits_1_naming_the_phase(environment):
    result = environment.kreg("train", "test-broken", "--json")
    assert result.returncode == 1 and result.stdout == ""
    assert (
        result.stderr.strip().splitlines()[-1]
        == "kreg: error: test-broken: build failed: RuntimeError: this builder is broken on purpose"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "assignment, message", [("units=lots", "hyperparameter 'units'"), ("colour=red", "unknown key")]
)
def test_bad_set_exits_2(environment, assignment, message):
    result = environment.kreg("train", "test-mlp", "--set", assignment)
    assert result.returncode == 2 and message in result.stderr


def test_check_reports_every_test_plugin(environment):
    result = environment.kreg("check", "test-*", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["passed"], report["interrupted"]) == (False, False)
    rows = {row["architecture"]: row for row in report["results"]}
    assert {name: row["status"] for name, row in rows.items()} == {
        "test-broken": "fail",
        "test-mlp": "pass",
        "test-nan": "fail",
        "test-weighted": "pass",
    }
    assert (rows["test-broken"]["phase"], rows["test-broken"]["cause"]) == (
        "build",
        "RuntimeError: this builder is broken on purpose",
    )
    assert (rows["test-nan"]["phase"], rows["test-nan"]["cause"]) == ("train", "metric 'loss' is nan at step 3")
    assert rows["test-mlp"]["preset"] == "smoke" and rows["test-mlp"]["steps"] == 3
    assert {"architecture", "passed", "phase", "cause", "params", "steps", "metrics"} <= set(rows["test-mlp"])
    assert (
        result.stderr.strip().splitlines()[-1]
        == "kreg: error: 2 of 4 architectures failed the check: test-broken, test-nan"
    )


# Slow (10 s); the default suite checks the same plugins with --json (above) and reads the table in tests/reliability.
@pytest.mark.slow
def test_check_table_and_patterns(environment):
    result = environment.kreg("check", "test-m*", "test-b*")
    assert result.returncode == 1
    assert "1 passed, 1 failed" in result.stdout
    assert "build: RuntimeError: this builder is broken on purpose" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_check_in_parallel_processes_gives_the_same_results(environment):
    result = environment.kreg("check", "test-*", "risk-*", "--jobs", "2", "--json")
    assert result.returncode == 1
    rows = json.loads(result.stdout)["results"]
    assert [(row["architecture"], row["passed"], row["phase"]) for row in rows] == [
        ("risk-factor-autoencoder", True, None),
        ("test-broken", False, "build"),
        ("test-mlp", True, None),
        ("test-nan", False, "train"),
        ("test-weighted", True, None),
    ]


@pytest.mark.slow
def test_a_worker_that_dies_fails_only_its_architecture(environment):
    result = environment.kreg("check", "crash-test", "test-m*", "test-w*", "--jobs", "2", "--json")
    assert result.returncode == 1
    rows = {row["architecture"]: row for row in json.loads(result.stdout)["results"]}
    assert (rows["crash-test"]["status"], rows["crash-test"]["phase"]) == ("fail", "build")
    assert rows["crash-test"]["cause"].startswith("the process checking it exited with status 70 without a result")
    assert rows["crash-test"]["cause"].endswith("while building")
    assert rows["test-mlp"]["passed"] and rows["test-weighted"]["passed"]
