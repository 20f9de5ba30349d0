"""The review page's screenshots in docs/images, taken in headless Chromium (offline) as the tests drive it.

    .venv/bin/python -m scripts.review_screenshots RESNET50.html VIT-DIFF.html

RESNET50.html is ``kreg review resnet50 -o ...``; VIT-DIFF.html a page with ``--against`` (the tests' ViT at
two depths, or any). Each PNG is the graph section, palette-quantised to stay small (< 200 kB).
"""

from __future__ import annotations

import base64
import io
import shutil
import sys
from pathlib import Path

from PIL import Image

from tests.support.webdriver import Browser, offline_chromium

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def save_section(browser: Browser, css: str, name: str) -> Path:
    """Screenshot the element ``css`` into docs/images/NAME, quantised to 256 colours."""
    browser.run("document.querySelector(arguments[0]).scrollIntoView()", css)
    element = browser.find(css)
    png = base64.b64decode(browser.command("GET", f"/element/{element}/screenshot"))
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
    path = IMAGES / name
    image.save(path, optimize=True)
    return path


def main(resnet50: Path, diff: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (make chromium)")
    with offline_chromium(chromium, 1300, 900) as browser:
        browser.open(resnet50.resolve().as_uri())
        browser.dispatch_click('g.node[data-name="conv4_block1..6"] text')
        print(save_section(browser, "#graph", "review-folded.png"))
        browser.type(browser.find("#graph-search"), "conv5_block3_3_conv\ue007")
        print(save_section(browser, "#graph", "review-graph.png"))
        browser.click(browser.find("#graph-fold"))
        browser.click(browser.find("#graph-fit"))
        browser.click(browser.find("#graph-colour"))
        browser.dispatch_click('g.node[data-name="conv1_conv"] text')
        print(save_section(browser, "#graph", "review-macs.png"))
        browser.open(diff.resolve().as_uri())
        browser.click(browser.find("#graph-fold"))
        browser.click(browser.find("#graph-fit"))
        print(save_section(browser, "#graph", "review-diff.png"))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
