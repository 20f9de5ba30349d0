"""The review page's size against depth: bytes in all and by part, for a chain of Dense layers.

``kreg review`` of a chain of ``depth`` Dense(2) layers (the smallest layer a
row can describe, so the page's size is kreg's own, not the model's) is
written in this process, and the page is cut into its parts: the graph's SVG,
the graph view's per-node rows (JSON), the layers table, the Dense table and
the rest. Goal (issue 26): a 10,000-layer model's page under 10 MB.

    .venv/bin/python benchmarks/page_size.py [--depths 100 1000 10000]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.support

GOAL_BYTES = 10 * 10**6
PARTS = {  # part: the pattern of its text in the page
    "svg": r"<svg\b.*?</svg>",
    "graph rows (JSON)": r'<script type="application/json" class="graph-rows">.*?</script>',
    "layers table": r'<table class="layers">.*?</table>',
    "dense table": r'<section id="dense">.*?</section>',
}


def page_parts(html: str) -> dict[str, int]:
    """Bytes (UTF-8) of each part of a review page, ``rest`` being what no part matched, and ``total``."""
    sizes: dict[str, int] = {}
    rest = html
    for part, pattern in PARTS.items():
        found = re.findall(pattern, rest, flags=re.S)
        sizes[part] = sum(len(text.encode()) for text in found)
        rest = re.sub(pattern, "", rest, flags=re.S)
    sizes["rest"] = len(rest.encode())
    sizes["total"] = len(html.encode())
    return sizes


def review_page(depth: int) -> str:
    """The review page of a ``depth``-layer chain, as ``kreg review`` writes it."""
    from kreg.testing_plugin import run_kreg
    from tests.support.catalogues import deep_chain_catalogue  # the chain the deep-model tests review

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "deep.html"
        result = run_kreg(
            "review", "deep-chain", "--set", f"depth={depth}", "-o", str(page), catalogue=deep_chain_catalogue()
        )
        if result.exit_code != 0:
            raise RuntimeError(result.output[-2000:])
        return page.read_text()


def main() -> None:
    """Print one JSON line per depth: the page's bytes by part and whether it is under the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[100, 1_000, 10_000])
    for depth in parser.parse_args().depths:
        sizes = page_parts(review_page(depth))
        print(json.dumps({"depth": depth, **sizes, "met": sizes["total"] <= GOAL_BYTES}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
