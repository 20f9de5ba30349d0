"""Entry-point discovery and plugin faults, with real pip-installed plugin packages."""

from __future__ import annotations

import json

import pytest

GOOD = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="tiny-mlp",
        summary="Two Dense layers on 16 features",
        builder="kreg_test_good_model:build",
        hyperparameters={"units": 32},
        tags=("demo",),
    ))
"""

IMPORT_ERROR = """
raise ImportError("this plugin needs a package that is not installed")
"""

HOOK_ERROR = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(name="before-the-crash", summary="registered first", builder="x:y"))
    raise RuntimeError("boom in the hook")
"""

INVALID = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(name="Bad_Name", summary="", builder="not a reference"))
    register(kreg.Architecture(name="valid-sibling", summary="still registered", builder="x:y"))
"""

DUPLICATE = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(name="risk-factor-autoencoder", summary="an impostor", builder="x:y"))
"""

FAULTY = {
    "kreg-test-import-error": IMPORT_ERROR,
    "kreg-test-hook-error": HOOK_ERROR,
    "kreg-test-invalid": INVALID,
    "kreg-test-duplicate": DUPLICATE,
}


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """One venv with a good plugin and four faulty ones, really pip-installed."""
    from tests.support.plugin_packages import make_plugin_environment, write_plugin_package

    root = tmp_path_factory.mktemp("entry-points")
    env = make_plugin_environment(root / "venv")
    packages = {"kreg-test-good": GOOD, **FAULTY}
    env.install(*(write_plugin_package(root / "src", name, source) for name, source in packages.items()))
    return env


def listed_names(result) -> list[str]:
    return [row["name"] for row in json.loads(result.stdout)]


def test_installed_plugin_appears_in_list(environment):
    result = environment.kreg("list", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["tiny-mlp"]["plugin"] == "good"
    assert rows["tiny-mlp"]["distribution"] == "kreg-test-good"
    assert rows["tiny-mlp"]["tags"] == ["demo"]
    assert rows["risk-factor-autoencoder"]["plugin"] == "risk-factor"


def test_faulty_plugins_leave_the_others_loaded_with_one_line_each(environment):
    result = environment.kreg("list", "--json")
    assert result.returncode == 0
    names = listed_names(result)
    assert {"tiny-mlp", "risk-factor-autoencoder", "before-the-crash", "valid-sibling"} <= set(names)
    assert "Bad_Name" not in names
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, result.stderr
    assert all(line.startswith("kreg: plugin ") for line in lines)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "plugin, phase, cause",
    [
        ("import-error", "import", "ImportError: this plugin needs a package"),
        ("hook-error", "hook", "RuntimeError: boom in the hook"),
        ("invalid", "architecture", "name 'Bad_Name' must match"),
        ("duplicate", "architecture", "already registered by plugin 'risk-factor'"),
    ],
)
def test_plugins_command_shows_each_cause(environment, plugin, phase, cause):
    result = environment.kreg("plugins", "--json")
    records = {record["name"]: record for record in json.loads(result.stdout)}
    failures = records[plugin]["failures"]
    assert [f["phase"] for f in failures] == [phase]
    assert cause in failures[0]["cause"]
    assert records[plugin]["distribution"] == f"kreg-test-{plugin}"
    assert records[plugin]["version"] == "1.0.0"


def test_builtin_name_cannot_be_taken(environment):
    result = environment.kreg("info", "risk-factor-autoencoder", "--json")
    assert json.loads(result.stdout)["plugin"]["name"] == "risk-factor"


def test_plugins_table_lists_failures(environment):
    result = environment.kreg("plugins")
    assert result.returncode == 0
    assert "boom in the hook" in result.stdout and "kreg-test-good" in result.stdout


@pytest.mark.parametrize("how", ["option", "environment"])
def test_strict_loading_fails_on_any_failure(environment, how):
    result = (
        environment.kreg("list", "--strict")
        if how == "option"
        else environment.kreg("list", env={"KREG_STRICT_PLUGINS": "1"})
    )
    assert result.returncode == 1
    assert "4 plugin failures" in result.stderr


def test_disabling_the_faulty_plugins_silences_them(environment):
    names = ",".join(("import-error", "hook-error", "invalid"))
    result = environment.kreg(
        "list", "--json", "--disable-plugin", "duplicate", "--strict", env={"KREG_DISABLE_PLUGINS": names}
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "before-the-crash" not in listed_names(result)
    plugins = {
        r["name"]: r["status"]
        for r in json.loads(environment.kreg("plugins", "--json", env={"KREG_DISABLE_PLUGINS": names}).stdout)
    }
    assert plugins["hook-error"] == "disabled" and plugins["good"] == "loaded"


def test_builtins_can_be_disabled_too(environment):
    result = environment.kreg("list", "--json", "--disable-plugin", "risk-factor,duplicate")
    assert "risk-factor-autoencoder" not in listed_names(result)
    # With the built-in out of the way, the third-party plugin's registration is the one that stands.
    result = environment.kreg("list", "--json", "--disable-plugin", "risk-factor")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["risk-factor-autoencoder"]["plugin"] == "duplicate"
