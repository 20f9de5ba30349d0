"""The review page's interactive graph in a real browser, offline: search, click, the panel, zoom, folded blocks.

Debian's chromium and chromedriver are driven through WebDriver
(tests/support/webdriver.py) with the network cut; skipped where they are not installed.
"""

from __future__ import annotations

import shutil

import pytest

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
