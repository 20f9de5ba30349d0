"""``kreg review NAME --against ...``: the diff on the review page."""

from __future__ import annotations

import re

import pytest

from kreg.testing_plugin import run_kreg
from tests.review.vit_plugin import BLOCK_MACS
from tests.support.html_page import read_page, without_own_scripts

NAME = "test-vit"


@pytest.fixture(scope="module")
def page(vit_depth_review_page):
    return read_page(vit_depth_review_page[1])


def _section_html(text: str, key: str) -> str:
    return re.search(rf'<section id="{key}">.*?</section>', text, re.DOTALL).group(0)


def test_the_diff_section_follows_the_components(page, vit_depth_review_page):
    assert list(page.sections) == [
        "summary",
        "plugin",
        "hyperparameters",
        "components",
        "diff",
        "graph",
        "layers",
        "dense",
    ]
    assert 'href="#diff"' in vit_depth_review_page[1]


def test_the_diff_shows_two_blocks_removed_and_only_removals(page, vit_depth_review_page):
    tables = page.tables["diff"]
    sides, hyperparameters, components, compute, blocks, layers = tables[:6]
    assert sides[0][0] == "left" and "transformer_layers=4" in sides[0][1]
    assert sides[1][0] == "right" and "transformer_layers=2" in sides[1][1]
    assert hyperparameters[1:] == [["transformer_layers", "4", "2"]]
    assert components[1][:5] == ["model", "changed", "33,114", "26,522", "-6,592"]
    assert compute[1][:2] == ["model", "MACs per example"] and compute[1][-1] == f"{-2 * BLOCK_MACS:,}"
    assert blocks[0][:4] == ["group", "what", "calls", "params"]
    assert blocks[1][:4] == ["1", "2 \u00d7 block of 9 layers removed (repeated 4 \u2192 2 times)", "30", "-6,592"]
    assert len(layers) == 1 + 30 and {row[1] for row in layers[1:]} == {"removed"}
    section = _section_html(vit_depth_review_page[1], "diff")
    assert section.count('<tr class="removed">') == 30
    assert '<tr class="added">' not in section
    assert section.count('<tr class="changed">') == 1  # the model's row in the components table
    assert "<details><summary>model: Dense calls added, removed or changed (12)</summary>" in section


@pytest.mark.slow
def test_a_trained_model_reviewed_against_its_architecture(vit_catalogue, tmp_path):
    from kreg.running.building import build_fresh

    entry = vit_catalogue.get(NAME)
    saved = tmp_path / "vit.keras"
    build_fresh(entry, entry.architecture.hyperparameters).model.save(saved)
    path = tmp_path / "page.html"
    result = run_kreg("review", NAME, "--against", str(saved), "-o", str(path), catalogue=vit_catalogue)
    assert result.exit_code == 0, result.output
    diff = read_page(path.read_text(encoding="utf-8")).sections["diff"]
    assert f"file {saved}" in diff
    assert "No differences in parameters, layers, shapes or Dense calls." in diff


@pytest.mark.parametrize(
    "args, message",
    [
        (["vit.keras"], "model file 'vit.keras' does not exist"),
        ([NAME, "--against", "missing.keras"], "model file 'missing.keras' does not exist"),
        ([NAME, "--against", "no-such-thing"], "unknown architecture 'no-such-thing'"),
        ([NAME, "--against", "--set", "transformer_layers=many"], "'many' is not an integer"),
    ],
)
def test_usage_errors_exit_2_before_anything_is_written(vit_catalogue, tmp_path, args, message):
    path = tmp_path / "page.html"
    result = run_kreg("review", *args, "-o", str(path), catalogue=vit_catalogue)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not path.exists()


EVIL = '<script>alert("x")</script>'


def _tiny_builder(label: str = EVIL, units: int = 2):
    import keras

    inputs = keras.Input((3, 4), name="features")
    outputs = keras.layers.Dense(units, name="project")(inputs)
    return keras.Model(inputs, outputs, name="tiny")


def test_the_diff_section_escapes_every_text(tmp_path):
    import kreg

    catalogue = kreg.Catalogue()
    architecture = kreg.Architecture(
        name="tiny-evil", summary="s", builder=_tiny_builder, hyperparameters={"label": EVIL, "units": 2}
    )
    catalogue.add(architecture, kreg.PluginRecord(name="p"))
    path = tmp_path / "evil.html"
    args = ["review", "tiny-evil", "--against", "--set", f"label={EVIL}x", "--set", "units=5", "-o", str(path)]
    result = run_kreg(*args, catalogue=catalogue)
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "<script" not in without_own_scripts(text)
    section = _section_html(text, "diff")
    assert section.count("&lt;script&gt;") >= 4  # both sides' hyperparameters, the changed value on each side
    rows = {row[2]: row for row in read_page(text).tables["diff"][-2][1:]}  # the layer calls that differ
    assert rows["project"][1] == "changed" and rows["project"][5] == "+15"  # (4*5 + 5) - (4*2 + 2)
