"""The review page's interactive graph in a real browser, offline: search, click, the panel, zoom, folded blocks
in the table and in the graph, the minimap, MAC colours, the diff on the graph, and the notebook card.

Debian's chromium and chromedriver are driven through WebDriver
(tests/support/webdriver.py) with the network cut; skipped where they are not installed.
"""

from __future__ import annotations

import shutil

import pytest

from kreg.rendering.graph_view import DIFF_COLOURS
from tests.support.small_models import shadowed_dense_model, stages_model
from tests.support.webdriver import offline_chromium

pytestmark = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("chromedriver")), reason="chromium and chromedriver not installed"
)


@pytest.fixture(scope="module")
def resnet50_page(tmp_path_factory):
    import keras

    import kreg

    review = kreg.review(keras.applications.ResNet50(weights=None))
    return review.save(tmp_path_factory.mktemp("page") / "resnet50.html")


@pytest.fixture(scope="module")
def browser(resnet50_page):
    with offline_chromium(shutil.which("chromium")) as browser:
        browser.open(resnet50_page.resolve().as_uri())
        yield browser


def test_search_then_click_shows_the_layers_kernel_strides_and_macs(browser):
    browser.type(browser.find("#graph-search"), "conv5_block3_3_conv\ue007")
    assert browser.text("#graph-status") == "conv5_block3_3_conv"
    browser.click(browser.find("#graph-fit"))
    browser.type(browser.find("#graph-search"), "\ue007")
    browser.dispatch_click('g.node[data-name="conv5_block3_3_conv"] text')
    assert browser.text("#panel-name") == "conv5_block3_3_conv"
    assert browser.text('dd[data-field="kernel_size"]') == "[1,1]"
    assert browser.text('dd[data-field="strides"]') == "[1,1]"
    assert browser.text('dd[data-field="MACs"]') == "51,380,224"  # 7 x 7 positions x 512 x 2048
    assert browser.text('dd[data-field="inputs"]') == "conv5_block3_2_relu"


def test_zoom_and_fit(browser):
    browser.click(browser.find("#graph-fit"))
    zoom = "return document.getElementById('graph-view').dataset.zoom"
    assert browser.run(zoom) == "1.000"
    browser.click(browser.find("#graph-zoom-in"))
    assert browser.run(zoom) == "1.500"
    browser.click(browser.find("#graph-fit"))
    assert browser.run(zoom) == "1.000"


def test_a_folded_block_expands_and_collapses(browser):
    visible = (
        "return Array.from(document.querySelectorAll('tr.in-block[data-block=\"0\"]'))"
        ".filter(function (row) { return row.offsetParent !== null; }).length"
    )
    assert browser.run(visible) == 0
    button = browser.find('tr.block-row[data-block="0"] button')
    browser.click(button)
    assert browser.run(visible) > 30  # conv2's three bottlenecks, row by row
    browser.click(button)
    assert browser.run(visible) == 0


def test_colouring_by_mac_share_and_nothing_loaded(browser):
    fill = "return document.querySelector('g.node[data-name=\"conv1_conv\"] polygon[fill]').getAttribute('fill')"
    before = browser.run(fill)
    browser.click(browser.find("#graph-colour"))
    assert browser.run(fill).startswith("rgb(255,") and browser.run(fill) != before
    browser.click(browser.find("#graph-colour"))
    assert browser.run(fill) == before
    assert browser.run("return performance.getEntriesByType('resource').length") == 0


FOLDED = "var v = document.getElementById('graph-view'); return [v.dataset.folded, v.querySelectorAll('g.node').length]"


def test_a_folded_block_in_the_graph_expands_and_collapses(browser, resnet50_page):
    browser.open(resnet50_page.resolve().as_uri())
    folded, count = browser.run(FOLDED)
    assert folded == "true" and count < 20  # the stem, four stages folded, the head
    browser.dispatch_click('g.node[data-name="conv4_block1..6"] text')
    assert browser.text("#panel-name") == "conv4_block1..6"
    assert browser.text('dd[data-field="class"]') == "block x 6"
    assert browser.text('dd[data-field="params"]') == "7,129,088"
    browser.click(browser.find("#graph-panel .graph-expand"))
    folded, count = browser.run(FOLDED)
    assert folded == "false" and count > 170  # every layer call of ResNet50
    hits = browser.run("return Array.from(document.querySelectorAll('g.node.hit')).map(g => g.dataset.name)")
    assert "conv4_block1_1_conv" in hits and "conv4_block6_out" in hits and "conv3_block4_out" not in hits
    assert browser.text("#graph-fold") == "fold blocks"
    browser.dispatch_click('g.node[data-name="conv4_block3_2_conv"] text')
    browser.click(browser.find("#graph-panel .graph-collapse"))
    assert browser.run(FOLDED)[0] == "true"
    assert browser.text("#panel-name") == "conv4_block1..6"
    assert browser.text("#graph-fold") == "unfold blocks"


def test_the_minimap_shows_the_whole_graph_and_moves_the_view(browser, resnet50_page):
    browser.open(resnet50_page.resolve().as_uri())
    browser.click(browser.find("#graph-fold"))  # every layer: a graph taller than the view
    painted = (
        "var c = document.querySelector('.graph-minimap'); var d = c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data; var n = 0;"
        "for (var i = 3; i < d.length; i += 4) if (d[i]) n++; return [c.width, c.height, n]"
    )
    width, height, pixels = browser.run(painted)
    assert height == 200 and 0 < width < 160 and pixels > 0.2 * width * height
    browser.click(browser.find("#graph-zoom-in"))
    browser.click(browser.find("#graph-zoom-in"))
    top = "return document.querySelector('#graph-view svg').viewBox.baseVal.y"
    before = browser.run(top)
    browser.run(
        "var c = document.querySelector('.graph-minimap'); var r = c.getBoundingClientRect();"
        "c.dispatchEvent(new MouseEvent('click', {clientX: r.left + r.width / 2, clientY: r.bottom - 2}))"
    )
    assert browser.run(top) > before + 1000  # near the foot of a graph several thousand points tall
    assert browser.run("return document.getElementById('graph-view').dataset.zoom") == "2.250"


def test_the_diff_is_drawn_on_the_graph(vit_depth_review_page):
    path, text = vit_depth_review_page
    assert 'class="legend graph-diff-legend"' in text
    with offline_chromium(shutil.which("chromium")) as browser:
        browser.open(path.resolve().as_uri())
        assert browser.run("return document.getElementById('graph-view').dataset.mode") == "diff"
        fills = (
            "return Array.from(document.querySelectorAll('#graph-view g.node polygon[fill]'))"
            ".map(p => p.getAttribute('fill'))"
        )
        assert DIFF_COLOURS["changed"] in browser.run(fills)  # the folded transformer blocks: 4 here, 2 there
        browser.click(browser.find("#graph-diff"))
        assert not set(DIFF_COLOURS.values()) & set(browser.run(fills))
        browser.click(browser.find("#graph-fold"))
        browser.click(browser.find("#graph-diff"))
        coloured = browser.run(
            "return Array.from(document.querySelectorAll('#graph-view g.node')).filter(g => "
            f"g.querySelector('polygon[fill=\"{DIFF_COLOURS['removed']}\"]')).map(g => g.dataset.name)"
        )
        assert "multi_head_attention_3" in coloured and "multi_head_attention" not in coloured
        assert browser.run("return performance.getEntriesByType('resource').length") == 0


def test_the_notebook_card_shows_the_graph_explorable_and_worded_for_a_model(tmp_path):
    import kreg

    card = kreg.inspect(stages_model())._repr_html_()
    assert "kreg model inspection" in card and "model review" not in card.lower()
    assert "<h2>Graph</h2>" in card and "<summary>Graph</summary>" not in card  # open, not folded away
    assert "Plugin and source" not in card and "threaded Dense calls" not in card
    assert "architecture's batch size" not in card and " id=" not in card
    page = tmp_path / "notebook.html"
    page.write_text(f"<!DOCTYPE html><html><body>{card}{card}</body></html>", encoding="utf-8")
    with offline_chromium(shutil.which("chromium")) as browser:
        browser.open(page.as_uri())
        ready = (
            "return Array.from(document.querySelectorAll('.graph-view'))"
            ".map(v => [v.dataset.ready > 0, v.dataset.folded])"
        )
        assert browser.run(ready) == [[True, "true"], [True, "true"]]  # both cards, each set up once
        second = ".kreg-card:nth-of-type(2) "
        browser.type(browser.find(second + ".graph-search"), "stage2_block2_conv\ue007")
        assert browser.text(second + ".graph-status") == "stage2_block2_conv"
        assert browser.text(second + 'dd[data-field="attributes"]') == "3x3 same, 8"
        assert browser.run("return document.querySelector('.kreg-card .graph-view').dataset.folded") == "true"


CLICK_NTH_DENSE = (
    "document.querySelectorAll('#graph-view g.node[data-name=\"dense\"]')[arguments[0]].querySelector('text')"
    ".dispatchEvent(new MouseEvent('click', {bubbles: true}))"
)


def test_two_layers_of_one_name_each_show_their_own_row(tmp_path):
    import kreg

    review = kreg.review(shadowed_dense_model())
    rows = {row["path"]: row for row in review.to_json()["inspection"]["components"]["model"]["layers"]}
    assert rows["dense"]["params"] != rows["inner/dense"]["params"]
    page = review.save(tmp_path / "shadowed.html")
    with offline_chromium(shutil.which("chromium")) as browser:
        browser.open(page.resolve().as_uri())
        assert browser.run("return document.querySelectorAll('#graph-view g.node[data-name=\"dense\"]').length") == 2
        shown = {}
        for index in (0, 1):
            browser.run(CLICK_NTH_DENSE, index)
            shown[browser.text("#panel-name")] = (
                browser.text('dd[data-field="params"]'),
                browser.text('dd[data-field="MACs"]'),
            )
        assert shown == {
            path: (f"{rows[path]['params']:,}", f"{rows[path]['macs']:,}") for path in rows if path.endswith("dense")
        }
