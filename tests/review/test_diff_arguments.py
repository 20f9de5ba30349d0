"""The two-sided grammar of ``kreg diff`` and its usage errors (exit 2, nothing built)."""

from __future__ import annotations

import click
import pytest

from kreg.cli.diff_arguments import SideSpec, parse_sides

RISK = "risk-factor-autoencoder"


@pytest.mark.parametrize(
    "args, left, right",
    [
        (
            [RISK, "--against", "--set", "n_tickers=50"],
            SideSpec(RISK),
            SideSpec(RISK, ["n_tickers=50"]),
        ),
        (
            [RISK, "--set", "n_tickers=10", "--preset", "smoke", "--against", "autoencoder", "--set=encoding_dim=4"],
            SideSpec(RISK, ["n_tickers=10"], "smoke"),
            SideSpec("autoencoder", ["encoding_dim=4"]),
        ),
        (
            ["--set", "a=1", RISK, "--set=b=2", "--against=vae", "--preset=smoke", "--set", "c=3"],
            SideSpec(RISK, ["a=1", "b=2"]),
            SideSpec("vae", ["c=3"], "smoke"),
        ),
        ([RISK, "--against"], SideSpec(RISK), SideSpec(RISK)),
        ([RISK, "--against", "--set", "x=-1"], SideSpec(RISK), SideSpec(RISK, ["x=-1"])),
    ],
)
def test_options_belong_to_the_side_they_follow(args, left, right):
    assert parse_sides(args) == (left, right)


@pytest.mark.parametrize(
    "args, message",
    [
        ([RISK, "--set", "n_tickers=50"], "missing --against"),
        ([RISK, "--against", "--against"], "only once"),
        (["--against", RISK], "missing the architecture NAME before --against"),
        ([RISK, "vae", "--against"], "one architecture NAME before --against"),
        ([RISK, "--against", "vae", "gan"], "one architecture NAME after --against"),
        ([RISK, "--set", "--against"], "--set before --against needs a value"),
        ([RISK, "--against", "--preset"], "--preset after --against needs a value"),
        ([RISK, "--against", "--preset", "a", "--preset", "b"], "--preset given twice after --against"),
        ([RISK, "--frobnicate", "--against"], "no such option before --against: --frobnicate"),
    ],
)
def test_malformed_sides_are_usage_errors(args, message):
    with pytest.raises(click.UsageError, match=message):
        parse_sides(args)


@pytest.mark.parametrize(
    "args, message",
    [
        ([RISK, "--set", "n_tickers=50"], "missing --against"),
        ([RISK, "--against", "--bogus"], "no such option after --against: --bogus"),
        ([RISK, "--against", "no-such-architecture"], "unknown architecture 'no-such-architecture'"),
        ([RISK, "--against", "--set", "n_tickerz=5"], "hyperparameter 'n_tickerz': unknown key"),
        ([RISK, "--against", "--set", "n_tickers=many"], "'many' is not an integer"),
        ([RISK, "--against", "--preset", "huge"], "has no preset 'huge'"),
        (["nope", "--against", RISK], "unknown architecture 'nope'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(kreg_cli, args, message):
    result = kreg_cli("diff", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_help_shows_both_sides(kreg_cli):
    result = kreg_cli("diff", "--help")
    assert result.exit_code == 0
    assert "--against [NAME]" in result.output
    assert "--set KEY=VALUE" in result.output
    assert "--json" in result.output


def test_json_and_plugin_options_are_accepted_anywhere(kreg_cli):
    result = kreg_cli("diff", "--json", RISK, "--preset", "smoke", "--against", "--preset", "smoke", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("{")
