"""The two-sided grammar of ``kreg diff`` and its usage errors (exit 2, nothing built)."""

from __future__ import annotations

import click
import pytest

from kreg.cli.diff_arguments import SideSpec, parse_sides
from kreg.testing_plugin import run_kreg

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


@pytest.mark.parametrize("command", ["diff", "review"])
def test_the_help_examples_name_real_architectures_and_hyperparameters(command):
    # Resolving each side checks names, presets and --set keys and types without building anything.
    import shlex

    from kreg.loading import load_catalogue
    from kreg.workflows.subjects import is_model_file, resolve_subject

    result = run_kreg(command, "-h")
    assert result.exit_code == 0 and "--against" in result.output and "FILE.keras" in result.output
    examples = [
        line.split(None, 2)[2] for line in result.output.splitlines() if line.strip().startswith(f"kreg {command} ")
    ]
    assert len(examples) >= 2
    catalogue = load_catalogue()
    for example in examples:
        words = shlex.split(example)
        if "--input-shape" in words:  # the reviewed side's option and its NAME=DIMS, checked by a test of its own
            at = words.index("--input-shape")
            words = words[:at] + words[at + 2 :]
        words = [
            word
            for word in words
            if not word.startswith(("-o", "--json", "--train-steps"))
            and not word.endswith(".html")
            and not word.isdigit()
        ]
        left, right = parse_sides(words, against_required=command == "diff")
        for side in (left, right):
            if side is not None and not is_model_file(side.name):
                resolve_subject(catalogue, side.name, side.assignments, side.preset)


def test_the_command_reference_lists_the_sides():
    from scripts.docgen import commands

    page = commands.command_page()
    for command in ("diff", "review"):
        section = page[page.index(f"## kreg {command}\n") :]
        section = section[: section.index("\n## kreg ", 1)] if "\n## kreg " in section[1:] else section
        assert "**Sides**" in section and "| `--against [NAME]` |" in section and "| `FILE.keras` |" in section
