"""The terminal renderer: tables that fit without splitting words, escaped text, one number format."""

from __future__ import annotations

import io
import random
import sys
import time

import pytest

from kreg import table_layout, terminal
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


# The table drawn without rich's Table, against rich's Table -------------------------------

WORDS = ["a", "bb", "risk-factor-autoencoder", "the", "quick", "brown", "fox", "1,234", "2.5", "end ", "[bold]"]
WORDS += ["supercalifragilisticexpialidocious", "naïve", "élan", "—", "×", "   "]


def _random_table(rng):
    columns = [
        Column(rng.choice(["name", "summary", "plugin", "tags", "import", "long header text"]), wrap=rng.random() < 0.6)
        for _ in range(rng.randint(1, 5))
    ]
    columns = [Column(c.header, wrap=c.wrap, numeric=rng.random() < 0.3) for c in columns]
    rows = [
        [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6))) for _ in columns]
        for _ in range(rng.randint(0, 5))
    ]
    return columns, rows


def _console(width):
    from rich.console import Console

    return Console(file=io.StringIO(), width=width, highlight=False, color_system=None, force_terminal=False)


def test_tables_drawn_without_rich_match_riches_character_for_character():
    # terminal.py draws tables of one-cell characters itself (kreg.table_layout), rich's layout rules included.
    rng = random.Random(0)
    compared = 0
    for _ in range(1_500):
        columns, rows = _random_table(rng)
        width = rng.randint(12, 120)
        minimum = [terminal._min_width(column, [row[i] for row in rows]) for i, column in enumerate(columns)]
        if terminal._fitting_columns(columns, minimum, width) is None:
            continue
        by_rich, drawn = _console(width), _console(width)
        terminal._print_rich_table(by_rich, columns, rows, minimum)
        terminal._draw_table(drawn, columns, rows, minimum)
        assert drawn.file.getvalue() == by_rich.file.getvalue(), (width, columns, rows)
        compared += 1
    assert compared > 500


def test_blocks_drawn_without_rich_match_riches_character_for_character():
    rng = random.Random(1)
    for _ in range(1_000):
        columns, rows = _random_table(rng)
        width = rng.randint(table_layout.MIN_BLOCK_WIDTH, 60)
        by_rich, drawn = _console(width), _console(width)
        terminal._print_rich_blocks(by_rich, columns, rows)
        table_layout.draw_blocks(drawn, [column.header for column in columns], rows)
        assert drawn.file.getvalue() == by_rich.file.getvalue(), (width, columns, rows)


def test_wide_characters_are_left_to_rich_and_stay_whole(capsys, monkeypatch):
    assert not table_layout.is_simple("模型") and not table_layout.is_simple("a\u2028b")
    assert table_layout.is_simple("naïve — ×")
    monkeypatch.setenv("COLUMNS", "40")
    print_table(None, COLUMNS, [("模型", "一个很小的模型 with words", "plugin", "tags")])
    out = capsys.readouterr().out
    assert "模型" in out and max(len(line) for line in out.splitlines()) <= 40


def test_a_terminal_sees_the_header_in_bold_and_the_body_plain():
    from rich.console import Console

    out = Console(file=io.StringIO(), width=120, force_terminal=True, color_system="standard", highlight=False)
    print_table(None, COLUMNS, ROWS, out=out)
    lines = out.file.getvalue().splitlines()
    assert "\x1b[1m" in lines[1] and "name" in lines[1] and "\x1b" not in "".join(lines[3:])


def test_twenty_thousand_rows_take_a_fraction_of_a_second():
    # rich's Table took 0.36 ms a row (7 s here); the layout here about 12 us.
    rows = [
        (f"arch-{index}", f"Generated architecture number {index}", "bench", "bench, generated")
        for index in range(20_000)
    ]
    out = _console(200)
    start = time.process_time()
    print_table(None, COLUMNS, rows, out=out)
    assert time.process_time() - start < 2.0
    lines = out.file.getvalue().splitlines()
    assert len(lines) == 20_004 and lines[-2].startswith("│ arch-19999 ")


# The console kreg prints tables on without importing rich -----------------------------------

ENVIRONMENTS = [
    {},
    {"COLUMNS": "77"},
    {"COLUMNS": "0"},
    {"COLUMNS": "wide"},
    {"COLUMNS": "90", "LINES": "30"},
    {"FORCE_COLOR": "1"},
    {"FORCE_COLOR": ""},
    {"TTY_COMPATIBLE": "1", "COLUMNS": "64"},
    {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
    {"TERM": "dumb", "FORCE_COLOR": "1"},
    {"TERM": "dumb", "FORCE_COLOR": "1", "COLUMNS": "70"},
    {"TERM": "dumb", "FORCE_COLOR": "1", "COLUMNS": "70", "LINES": "20"},
    {"TERM": "xterm-256color", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"},
]


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("environ", ENVIRONMENTS)
@pytest.mark.parametrize("tty", [False, True])
def test_the_plain_console_is_as_wide_and_as_styled_as_riches(monkeypatch, environ, tty):
    # kreg.terminal.plain_console repeats rich's decisions (width, styles) for the console kreg prints on.
    stream = _Stream(tty)
    monkeypatch.setattr(sys, "stdout", stream)
    for name in ("COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "TERM", "NO_COLOR", "COLORTERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    by_rich = terminal.console()
    plain = terminal.plain_console()
    if plain is None:  # left to rich: a width of 0
        assert by_rich.width < 1
        return
    assert (plain.width, plain.color_system is None) == (by_rich.width, by_rich.color_system is None)
    print_table("a title", COLUMNS, ROWS, out=plain)
    print_table("a title", COLUMNS, ROWS, out=by_rich)
    drawn = stream.getvalue()
    half = len(drawn) // 2
    assert drawn[:half] == drawn[half:]


def test_the_box_and_styles_are_riches():
    from rich import box
    from rich.color import ColorSystem
    from rich.style import Style

    frame, widths = table_layout.HeavyHead(), [3, 1, 7]
    assert frame.get_top(widths) == box.HEAVY_HEAD.get_top(widths)
    assert frame.get_row(widths, "head", edge=True) == box.HEAVY_HEAD.get_row(widths, "head", edge=True)
    assert frame.get_bottom(widths) == box.HEAVY_HEAD.get_bottom(widths)
    for name in ("head_left", "head_vertical", "head_right", "mid_left", "mid_vertical", "mid_right"):
        assert getattr(frame, name) == getattr(box.HEAVY_HEAD, name)
    for name in ("foot_left", "foot_vertical", "foot_right"):
        assert getattr(frame, name) == getattr(box.HEAVY_HEAD, name)
    for style, codes in table_layout.STYLE_CODES.items():
        for system in ColorSystem:
            assert Style.parse(style).render("\0", color_system=system).split("\0") == list(codes)


def test_titles_and_blocks_the_plain_console_cannot_draw_go_to_rich(monkeypatch):
    stream = _Stream(False)
    monkeypatch.setattr(sys, "stdout", stream)
    monkeypatch.setenv("COLUMNS", "40")
    for title in ("warnings", "a: title with :smile: codes", "模型 title"):
        print_table(
            title, COLUMNS, [("模型", "一个很小的模型 with words", "plugin", "tags")], out=terminal.plain_console()
        )
        print_table(title, COLUMNS, [("模型", "一个很小的模型 with words", "plugin", "tags")], out=terminal.console())
        drawn = stream.getvalue()
        assert drawn[: len(drawn) // 2] == drawn[len(drawn) // 2 :] and "模型" in drawn
        stream.seek(0)
        stream.truncate()


def test_single_spaced_text_wraps_as_the_general_rule_does():
    # The usual cell (words one space apart) is wrapped without the regular expression: the same line breaks.
    rng = random.Random(2)
    words = ["a", "bb", "risk-factor-autoencoder", "x" * 30, "1,234", "quick"]
    for _ in range(20_000):
        text, width = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12))), rng.randint(1, 60)
        fast = table_layout._single_spaced_breaks(text, width)
        assert fast is None or fast == table_layout._breaks(text, width), (text, width)
    assert table_layout._single_spaced_breaks("two  spaces", 5) is None
