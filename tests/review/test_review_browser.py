"""The review page in a real browser: headless Chromium screenshots it, and the
pixels must show the graph (its node fills), which a copy of the page without
the SVG does not.

Chromium comes from Debian (``make chromium`` / scripts/install-chromium.sh);
run as root without it, the test installs it; otherwise it is skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kreg.inspect_tools.graph_labels import INPUT_COLOUR, LAYER_COLOUR, OUTPUT_COLOUR

WINDOW = (1400, 3000)  # tall enough for the whole risk-factor graph


@pytest.fixture(scope="session")
def chromium(repository_root: Path) -> str:
    """The path of Debian's chromium, installed with apt-get when missing and running as root."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("chromium is not installed (run `make chromium` or `apt-get install chromium` as root)")
    script = repository_root / "scripts" / "install-chromium.sh"
    subprocess.run(["sh", str(script)], check=False, timeout=900, capture_output=True)
    found = shutil.which("chromium")
    if not found:
        pytest.skip("chromium could not be installed with apt-get here (see scripts/install-chromium.sh)")
    return found


def screenshot(chromium: str, page: Path, png: Path, profile: Path) -> Image.Image:
    """Render ``page`` in headless Chromium, offline, and return the screenshot."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        page.resolve().as_uri(),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0 and png.exists(), completed.stderr[-2000:]
    return Image.open(png).convert("RGB")


def colour_mask(image: Image.Image, colour: str, tolerance: int = 3) -> np.ndarray:
    """A boolean (height, width) mask of the pixels within ``tolerance`` of a ``#rrggbb`` colour."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return (np.abs(np.asarray(image, dtype=np.int16) - target) <= tolerance).all(axis=2)


def filled_rows(image: Image.Image, colour: str, width: int = 60) -> np.ndarray:
    """The rows holding at least ``width`` pixels of ``colour``: graph nodes, not the legend's 14 px swatches."""
    return np.flatnonzero(colour_mask(image, colour).sum(axis=1) >= width)


@pytest.fixture(scope="module")
def screenshots(chromium, risk_review_page, tmp_path_factory):
    """Screenshots of the review page and of the same page with its graph's SVG removed."""
    folder = tmp_path_factory.mktemp("browser")
    path, text = risk_review_page
    without_graph = folder / "without-graph.html"
    without_graph.write_text(re.sub(r'<svg class="graph".*?</svg>', "", text, flags=re.DOTALL), encoding="utf-8")
    full = screenshot(chromium, path, folder / "page.png", folder / "profile")
    bare = screenshot(chromium, without_graph, folder / "without-graph.png", folder / "profile")
    return full, bare


def test_the_page_renders(screenshots):
    full, _ = screenshots
    assert full.size == WINDOW
    assert len(full.getcolors(maxcolors=1 << 20)) > 100  # text, tables and a graph, not a blank or error page
    assert colour_mask(full.crop((0, 0, WINDOW[0], 60)), "#1f3b5c").sum() > 10000  # the header band


def test_the_graph_is_drawn(screenshots):
    full, bare = screenshots
    # Node fills: five layer headers, two inputs, one output, each a band of
    # rows; without the SVG only the legend's small swatches have these colours.
    layer, input_, output = (filled_rows(full, colour) for colour in (LAYER_COLOUR, INPUT_COLOUR, OUTPUT_COLOUR))
    assert len(layer) > 60 and len(input_) > 15 and len(output) > 15, (len(layer), len(input_), len(output))
    assert colour_mask(full, LAYER_COLOUR).sum() > 5 * 2000
    for colour in (LAYER_COLOUR, INPUT_COLOUR, OUTPUT_COLOUR):
        assert len(filled_rows(bare, colour)) == 0
        assert colour_mask(bare, colour).sum() < 400
    # Laid out top to bottom: the inputs above the first layer, the output below the last.
    assert input_.min() < layer.min() and output.max() > layer.max()
    assert layer.max() - layer.min() > 300


REMOVED_ROW_COLOUR = "#fdecea"  # tr.removed in the page's style sheet


def test_the_diff_shows_its_removed_rows(chromium, vit_depth_review_page, tmp_path):
    path, text = vit_depth_review_page
    assert f"tr.removed td {{ background: {REMOVED_ROW_COLOUR}; }}" in text
    without_diff = tmp_path / "without-diff.html"
    without_diff.write_text(re.sub(r'<section id="diff">.*?</section>', "", text, flags=re.DOTALL), encoding="utf-8")
    full = screenshot(chromium, path, tmp_path / "diff.png", tmp_path / "profile")
    bare = screenshot(chromium, without_diff, tmp_path / "without-diff.png", tmp_path / "profile")
    # 30 shaded rows, a band of pixel rows each as wide as the table; none without the section.
    shaded = filled_rows(full, REMOVED_ROW_COLOUR, width=400)
    assert len(shaded) > 30 * 15, len(shaded)
    assert len(filled_rows(bare, REMOVED_ROW_COLOUR, width=400)) == 0
