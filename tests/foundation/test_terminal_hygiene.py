"""What a hostile or careless plugin must not do to the user's terminal, JSON or time.

Real pip-installed plugin packages: one that prints on stdout (at import and in
its builder), carries ANSI escapes in its summary and registers a 300-character
name; one that imports TensorFlow when loaded.
"""

from __future__ import annotations

import json
import subprocess

import pytest

NOISY = """
import kreg

print("hello from the noisy plugin")

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="noisy",
        summary="clears your screen \\x1b[2J\\x1b[H and rings \\x07",
        builder="kreg_test_noisy:build",
        hyperparameters={"units": 4},
    ))
    register(kreg.Architecture(name="x" * 300, summary="a name far too long", builder="kreg_test_noisy:build"))


def build(units):
    import keras

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(units)(inputs))
    print("the builder talks")
    model.summary()
    return model
"""

HEAVY = """
import kreg
import tensorflow  # the mistake: every kreg command now imports TensorFlow

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(name="heavy", summary="imports TensorFlow at load", builder="kreg_test_heavy:build"))
"""


@pytest.fixture(scope="module")
def noisy(tmp_path_factory):
    from tests.support.plugin_packages import make_plugin_environment, write_plugin_package

    root = tmp_path_factory.mktemp("noisy")
    environment = make_plugin_environment(root / "venv")
    environment.install(write_plugin_package(root / "src", "kreg-test-noisy", NOISY))
    return environment


def test_json_stays_parseable_when_plugin_code_prints(noisy):
    result = noisy.kreg("list", "--json")
    assert result.returncode == 0, result.stderr
    names = [row["name"] for row in json.loads(result.stdout)]
    assert "noisy" in names and "risk-factor-autoencoder" in names
    assert "hello from the noisy plugin" in result.stderr


def test_inspect_json_parses_when_the_builder_prints_a_summary(noisy):
    result = noisy.kreg("inspect", "noisy", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["components"]["model"]["params"]["total"] == 3 * 4 + 4
    assert "the builder talks" in result.stderr and "Total params" in result.stderr


def test_control_characters_from_plugins_are_shown_not_obeyed(noisy):
    result = noisy.kreg("list", "noisy")
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[2J" in result.stdout and "\\x07" in result.stdout


def test_overlong_name_is_refused_in_one_short_line(noisy):
    result = noisy.kreg("list", "--json")
    assert "x" * 300 not in [row["name"] for row in json.loads(result.stdout)]
    lines = [line for line in result.stderr.splitlines() if "limit is 64" in line]
    assert len(lines) == 1 and len(lines[0]) < 200, result.stderr


def test_tables_fit_80_columns_without_splitting_words(noisy):
    result = noisy.kreg("list", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for word in (
        "risk-factor-autoencoder",
        "custom-train-step",
        "gradient-penalty,",
        "Imbalanced-class",
        "characteristics,",
    ):
        assert word in result.stdout, word


def test_plugins_reports_every_import_time(noisy):
    result = noisy.kreg("plugins", "--json")
    records = {record["name"]: record for record in json.loads(result.stdout)}
    assert all(isinstance(record["import_seconds"], float) for record in records.values())
    assert records["noisy"]["warnings"] == []


def test_a_closed_stdout_ends_quietly(noisy):
    command = f"'{noisy.python}' -m kreg list >&-"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "Error" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("variable", ["KREG_STRICT_PLUGINS", "KREG_DEBUG"])
def test_a_malformed_environment_variable_is_named(noisy, variable):
    result = noisy.kreg("list", env={variable: "banana"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(f"kreg: error: environment variable {variable}='banana'")


def test_a_plugin_importing_tensorflow_is_named_with_its_import_time(plugin_environment_factory):
    environment = plugin_environment_factory({"kreg-test-heavy": HEAVY})
    result = environment.kreg("plugins", "--json")
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "plugin 'heavy'" in line]
    assert len(warning) == 1 and "imports tensorflow" in warning[0], result.stderr
    record = {r["name"]: r for r in json.loads(result.stdout)}["heavy"]
    assert record["import_seconds"] > 0.2
    assert "imports tensorflow" in record["warnings"][0]
