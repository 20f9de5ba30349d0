"""kreg list / plugins / info and the CLI's error handling, through click's runner."""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest


@pytest.fixture
def run(kreg_cli):
    """``kreg_cli`` with every plugin enabled and a wide terminal."""
    return functools.partial(kreg_cli, env={"KREG_DISABLE_PLUGINS": "", "COLUMNS": "200"})


def test_list_shows_the_builtin_in_a_table(run):
    result = run("list")
    assert result.exit_code == 0
    assert "risk-factor-autoencoder" in result.output and "risk-factor" in result.output


def test_list_json_has_the_contract_keys(run):
    rows = json.loads(run("list", "--json").output)
    row = next(r for r in rows if r["name"] == "risk-factor-autoencoder")
    assert {"name", "summary", "plugin", "tags"} <= row.keys()
    assert row["plugin"] == "risk-factor" and "threaded-dense" in row["tags"]


def test_list_filters_by_pattern_and_tag(run):
    assert [r["name"] for r in json.loads(run("list", "risk*", "--json").output)] == ["risk-factor-autoencoder"]
    assert json.loads(run("list", "nomatch*", "--json").output) == []
    assert json.loads(run("list", "--tag", "no-such-tag", "--json").output) == []
    assert "no architectures match" in run("list", "nomatch*").output


def test_info_shows_hyperparameters_with_types(run):
    result = run("info", "risk-factor-autoencoder")
    assert result.exit_code == 0
    for text in ("n_tickers", "100", "int", "kreg.plugins.risk_factor.model:build", "smoke"):
        assert text in result.output
    described = json.loads(run("info", "risk-factor-autoencoder", "--json").output)
    assert described["hyperparameters"] == {
        "n_tickers": 100,
        "n_characteristics": 20,
        "hidden_units": 8,
        "n_factors": 3,
    }
    assert described["hyperparameter_types"]["n_factors"] == "int"
    assert described["plugin"]["distribution"] == "kreg"
    assert described["components"] == ["model"]


def test_unknown_name_exits_2_with_a_suggestion(run):
    result = run("info", "risk-factor-autoencoer")
    assert result.exit_code == 2
    assert "did you mean 'risk-factor-autoencoder'" in result.output  # other close names (autoencoder) may follow
    assert "Traceback" not in result.output


def test_unknown_option_and_command_exit_2(run):
    assert run("list", "--frobnicate").exit_code == 2
    assert run("frobnicate").exit_code == 2


@pytest.mark.parametrize("command", [[], ["list"], ["plugins"], ["info"]])
def test_every_command_explains_itself_with_h(run, command):
    result = run(*command, "-h")
    assert result.exit_code == 0 and "Usage:" in result.output and "--strict" in result.output


def test_plugins_json_describes_the_builtin(run):
    records = {r["name"]: r for r in json.loads(run("plugins", "--json").output)}
    assert records["risk-factor"]["architectures"] == ["risk-factor-autoencoder"]
    assert records["risk-factor"]["builtin"] is True and records["risk-factor"]["hooks"] == [
        "kreg_register_architectures"
    ]


def test_python_dash_m_kreg_works():
    result = subprocess.run([sys.executable, "-m", "kreg", "list", "--json"], capture_output=True, text=True)
    assert result.returncode == 0 and "risk-factor-autoencoder" in result.stdout
    result = subprocess.run([sys.executable, "-m", "kreg", "--version"], capture_output=True, text=True)
    assert result.stdout.startswith("kreg, version ")


def test_info_names_the_data_state_step(run):
    assert "kreg.plugins.transformer.data:lm_data_state" in run("info", "transformer-lm").output
    assert (
        json.loads(run("info", "transformer-lm", "--json").output)["data_state"]
        == "kreg.plugins.transformer.data:lm_data_state"
    )
    assert "data state" not in run("info", "risk-factor-autoencoder").output  # no such step: no line


def test_twenty_thousand_architectures_are_listed_one_row_each(kreg_cli):
    import kreg
    from tests.support.catalogues import catalogue_of

    architectures = [
        kreg.Architecture(
            name=f"arch-{index}",
            summary=f"Generated architecture number {index} of a large registry",
            builder="kreg_bench:build",
            tags=("generated", f"family-{index % 8}"),
        )
        for index in range(20_000)
    ]
    result = kreg_cli("list", catalogue=catalogue_of(*architectures, plugin="big"), env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 20_000 + 4 and max(len(line) for line in lines) <= 120
    assert {line.split("│")[1].strip() for line in lines[3:-1]} == {a.name for a in architectures}
    narrow = kreg_cli("list", catalogue=catalogue_of(*architectures[:50], plugin="big"), env={"COLUMNS": "30"})
    assert "tags: generated, family-0" in narrow.stdout  # too narrow for a table: one block per architecture
