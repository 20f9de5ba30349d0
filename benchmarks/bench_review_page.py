"""The review page's budget (issue 22): EfficientNetV2L's page, its size, how soon it is interactive, and
`kreg review`'s time beside an older checkout's.

- size: `kreg review efficientnetv2l -o page.html`; goal: under 5 MB.
- interactive: headless Chromium (Debian's, through chromedriver, network cut) opens the page; the time from
  navigation start until the graph view's script has run (``data-ready`` on the view), from the page's own
  clock; goal: within 3 s.
- review time: CPU seconds of `kreg review efficientnetv2l` here beside the same command run from the
  commit before the interactive page (:data:`BEFORE`, extracted with ``git archive``; or ``--before DIR``,
  another checkout), run alternately; goal: at most 1.3x. Skipped when neither is at hand.

    .venv/bin/python benchmarks/bench_review_page.py [--runs 3] [--before /tmp/kreg-before]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Sample, alternate, comparison, figure, kreg_command, run_command

MODEL = "efficientnetv2l"
SIZE_GOAL_MB = 5.0
INTERACTIVE_GOAL_S = 3.0
TIME_GOAL = 1.3
BEFORE = "32e2937^"
"""The commit before the interactive review page (32e2937): `kreg review`'s time is compared with it."""

_FROM_CHECKOUT = (
    "import sys, __editable___kreg_0_1_0_finder as finder; root = sys.argv.pop(1); "
    "finder.MAPPING.update({'kreg': root + '/registry', 'kreg.inspect_tools': root + '/inspect_tools', "
    "'kreg.plugins': root + '/plugins'}); from kreg.cli import main; sys.exit(main())"
)
"""Run ``kreg`` from another checkout with this venv: the editable install's finder pointed at it."""


def review_command(page: Path, checkout: Path | None = None) -> list[str]:
    """``kreg review MODEL -o page`` from this checkout, or from ``checkout``."""
    args = ["review", MODEL, "-o", str(page)]
    if checkout is None:
        return kreg_command(*args)
    return [sys.executable, "-c", _FROM_CHECKOUT, str(checkout), *args]


def seconds_to_interactive(page: Path) -> float:
    """Seconds from navigation start until the graph view says it is ready, in headless Chromium offline."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.webdriver import offline_chromium

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise FileNotFoundError("chromium is not installed (make chromium)")
    with offline_chromium(chromium) as browser:
        browser.open(page.resolve().as_uri())
        ready = browser.run("var v = document.querySelector('.graph-view'); return v ? v.dataset.ready : null")
        if ready is None:
            raise RuntimeError("the graph view never said it was ready")
        return float(ready) / 1000


def checkout_before(work: Path) -> Path | None:
    """:data:`BEFORE`'s tree under ``work`` (``git archive``); None where git or the commit is not at hand."""
    root = Path(__file__).resolve().parents[1]
    target = work / "before"
    target.mkdir()
    try:
        archive = subprocess.run(["git", "-C", str(root), "archive", BEFORE], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return target


def collect(runs: int = 3, before: Path | None = None) -> list[dict]:
    """Rows for the bench runner: how soon the page is interactive and its size, and `kreg review`'s time."""
    work = Path(tempfile.mkdtemp(prefix="kreg-bench-review-"))
    page, old_page = work / "page.html", work / "before.html"
    before = before or checkout_before(work)
    rows = []
    if before is not None:
        pair = alternate(
            lambda: run_command(review_command(page)), lambda: run_command(review_command(old_page, before)), runs
        )
        label = f"kreg review at {BEFORE if before.parent == work else before}"
        rows.append(comparison("review", MODEL, "kreg review (CPU)", label, pair, goal=TIME_GOAL, measure="cpu"))
    else:
        run_command(review_command(page))
    size = page.stat().st_size / 1e6
    ready = min(seconds_to_interactive(page) for _ in range(max(1, runs)))
    case = f"{MODEL} page, {size:.2f} MB (goal < {SIZE_GOAL_MB:.0f} MB): interactive in chromium"
    sample = Sample(ready, 0.0, 0.0)
    met = ready < INTERACTIVE_GOAL_S and size < SIZE_GOAL_MB
    rows.append(figure("review", case, "interactive", [sample], goal_seconds=INTERACTIVE_GOAL_S, met=met, size_mb=size))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout of kreg to compare `kreg review`'s time with")
    args = parser.parse_args()
    print(json.dumps(collect(args.runs, args.before), indent=2))


if __name__ == "__main__":
    main()
