"""The terminal renderer: tables that fit without splitting words, escaped text, one number format."""

from __future__ import annotations

import pytest

from kreg.terminal import Column, format_count, format_metric, format_rate, print_table, printable

ROWS = [
    (
        "risk-factor-autoencoder",
        "Conditional autoencoder: threaded Dense betas from characteristics",
        "risk-factor",
        "finance, threaded-dense",
    ),
    (
        "wgan-gp",
        "WGAN-GP on 28x28x1 images: critic steps with a gradient penalty",
        "gan",
        "generative, gradient-penalty, custom-train-step",
    ),
]
COLUMNS = [Column("name", wrap=False), "summary", Column("plugin", wrap=False, optional=True), "tags"]


def render(capsys, monkeypatch, width: int) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    print_table("architectures", COLUMNS, ROWS)
    return capsys.readouterr().out


@pytest.mark.parametrize("width", [120, 80, 60, 40])
def test_every_word_stays_whole_at_any_width(capsys, monkeypatch, width):
    out = render(capsys, monkeypatch, width)
    assert max(len(line) for line in out.splitlines()) <= width
    for word in ("risk-factor-autoencoder", "characteristics", "custom-train-step", "gradient-penalty,", "28x28x1"):
        assert word in out, (width, word)


def test_optional_columns_go_first_then_rows_become_blocks(capsys, monkeypatch):
    assert "plugin" in render(capsys, monkeypatch, 120)
    narrow = render(capsys, monkeypatch, 70)
    assert "plugin" not in narrow and "┃ name" in narrow
    blocks = render(capsys, monkeypatch, 40)
    assert "┃" not in blocks and "summary: Conditional" in blocks and "tags: finance" in blocks


def test_control_characters_are_escaped():
    assert printable("a\x1b[2Jb\x07") == "a\\x1b[2Jb\\x07"
    assert printable("line one\nline two\tend", one_line=True) == "line one line two end"
    assert printable("kept\nnewline") == "kept\nnewline"


def test_numbers_have_one_format():
    assert format_count(26752) == "26,752" and format_count(None) == "-"
    assert format_rate(1.004) == "1.0" and format_rate(1234.56) == "1,234.6" and format_rate(None) == "-"
    assert format_metric(0.693912) == "0.6939" and format_metric(3) == "3"
