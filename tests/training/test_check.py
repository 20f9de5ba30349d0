"""``kreg check``'s pipeline for one architecture, in this process (what each child process runs).

``kreg check`` itself runs every architecture in a child process, which
imports the plugin by name: its tests use pip-installed plugins
(test_installed_plugins.py, tests/reliability/).
"""

from __future__ import annotations

import kreg
from kreg.workflows.checking import check_one


def test_each_architecture_gets_its_own_result(test_catalogue):
    results = {entry.name: check_one(entry) for entry in test_catalogue.select()}
    assert [name for name, r in results.items() if r.passed] == ["test-mlp", "test-weighted"]
    assert (results["test-broken"].phase, results["test-broken"].cause) == (
        "build",
        "RuntimeError: this builder is broken on purpose",
    )
    assert (results["test-nan"].phase, results["test-nan"].cause) == ("train", "metric 'loss' is nan at step 3")


def test_check_uses_the_smoke_preset_a_small_batch_and_counts_params(test_catalogue):
    result = check_one(test_catalogue.get("test-mlp"), steps=2)
    assert result.preset == "smoke"
    assert result.params == {
        "model": {"total": 8 * 4 + 4 + 4 + 1, "trainable": 41, "non_trainable": 0}
    }  # units=4 from the preset
    assert result.trained and result.steps == 2 and "loss" in result.metrics


def test_builder_usage_error_under_the_preset_is_a_build_failure():
    class Plugin:
        @staticmethod
        @kreg.hookimpl
        def kreg_register_architectures(register):
            register(
                kreg.Architecture(
                    name="picky",
                    summary="s",
                    builder=_reject,
                    presets={"smoke": {"units": 0}},
                    hyperparameters={"units": 3},
                )
            )

    catalogue = kreg.Catalogue()
    catalogue.add_plugin(Plugin, kreg.PluginRecord(name="picky"))
    result = check_one(catalogue.get("picky"))
    assert (result.passed, result.phase) == (False, "build") and "hyperparameter 'units'" in result.cause


def _reject(units):
    from kreg.validation import require_positive_int

    require_positive_int(units=units)


def test_no_match_is_a_usage_error(test_catalogue, kreg_cli):
    result = kreg_cli("check", "nothing-*", catalogue=test_catalogue)
    assert result.exit_code == 2 and "no architectures match 'nothing-*'" in result.stderr


def test_a_result_crosses_a_process_boundary(test_catalogue):
    """What kreg check --jobs N sends back from a worker: picklable, without the models."""
    import pickle

    failed = pickle.loads(pickle.dumps(check_one(test_catalogue.get("test-broken")).detached()))
    assert (failed.passed, failed.phase, failed.cause) == (
        False,
        "build",
        "RuntimeError: this builder is broken on purpose",
    )
    assert str(failed.failure) == "test-broken: build failed: RuntimeError: this builder is broken on purpose"
    passed = check_one(test_catalogue.get("test-mlp"), steps=2).detached()
    assert passed.built is None and passed.training is None
    assert pickle.loads(pickle.dumps(passed)).to_json() == passed.to_json()


def _tiny_model():
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_cli_selects_by_tag_and_excludes_tags(kreg_cli):
    class Plugin:
        @staticmethod
        @kreg.hookimpl
        def kreg_register_architectures(register):
            register(kreg.Architecture(name="fine", summary="s", builder=_tiny_model, tags=("small",)))
            register(
                kreg.Architecture(
                    name="slow-one", summary="s", builder=_reject, hyperparameters={"units": 0}, tags=("small", "slow")
                )
            )

    catalogue = kreg.Catalogue()
    catalogue.add_plugin(Plugin, kreg.PluginRecord(name="tagged"))
    report = kreg_cli("check", "--tag", "small", "--exclude-tag", "slow", "--json", catalogue=catalogue).json()
    assert [row["architecture"] for row in report["results"]] == ["fine"] and report["passed"]
    assert [
        row["architecture"]
        for row in kreg_cli("check", "--tag", "slow", "--json", catalogue=catalogue).json()["results"]
    ] == ["slow-one"]
    result = kreg_cli("check", "--tag", "small", "--exclude-tag", "small", catalogue=catalogue)
    assert result.exit_code == 2 and "no architectures match --tag small --exclude-tag small" in result.stderr
