"""Layer names with control characters (ESC, BEL) are escaped in Graphviz labels and in the review page.

The issue: they made Graphviz fail (``kreg plot`` exit 1, the review page
without its graph) and were written raw into the HTML.
"""

from __future__ import annotations

import re

import kreg
from tests.support.catalogues import catalogue_of

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _named_with_controls():
    import keras

    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, name='bell\x07"quoted"')], name="inner\x1b[2J")
    inputs = keras.Input((3,), name="in\x1b[31m")
    hidden = keras.layers.Dense(4, name="evil\x1b[31mred\x1b[0m")(inputs)
    outputs = keras.layers.Dense(1, name="tab\tand\\back")(inner(hidden))
    model = keras.Model(inputs, outputs, name="controls")
    model.compile(optimizer="sgd", loss="mse")
    return model


def _catalogue() -> kreg.Catalogue:
    return catalogue_of(kreg.Architecture(name="controls", summary="s", builder=_named_with_controls), plugin="ctl")


def test_plot_draws_names_with_control_characters_as_visible_escapes(kreg_cli, tmp_path):
    for suffix in ("svg", "dot"):
        output = tmp_path / f"graph.{suffix}"
        result = kreg_cli("plot", "controls", "--expand-nested", "-o", str(output), catalogue=_catalogue())
        assert result.exit_code == 0, result.output
        text = output.read_text(encoding="utf-8")
        assert not CONTROL.search(text), [m.group() for m in CONTROL.finditer(text)]
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    for visible in (r"evil\x1b[31mred\x1b[0m", r"in\x1b[31m", r"inner\x1b[2J", r"bell\x07&quot;quoted&quot;"):
        assert visible in svg, visible


def test_the_review_page_has_its_graph_and_no_raw_control_character(kreg_cli, tmp_path):
    page = tmp_path / "review.html"
    result = kreg_cli("review", "controls", "-o", str(page), catalogue=_catalogue())
    assert result.exit_code == 0, result.output
    assert "no graph" not in result.stderr
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text
    assert not CONTROL.search(text), sorted({m.group() for m in CONTROL.finditer(text)})
    assert r"evil\x1b[31mred\x1b[0m" in text
