"""docs/python-api.md runs as it is: its Python blocks in order, each printing the output shown under it.

The page walks through ``kreg.inspect(keras.applications.MobileNetV3Small(weights=None))``
as a notebook would: every ```` ```python ```` block runs in one namespace, in
page order, in a fresh Keras session and an empty folder; the ```` ```text ````
block right after a Python block is what it prints (a line ``...`` stands for
lines left out). The figures are checked against Keras's own count and the
MobileNetV3 paper, not only against kreg.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.docgen.model_table import CROSS_CHECK_TOLERANCE, PUBLISHED_MACS

PAGE = Path("docs") / "python-api.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
ELLIPSIS = "..."

# Saving a compiled model that never trained: Keras notes that its optimizer has no variables yet.
pytestmark = pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer:UserWarning")


@dataclass
class Example:
    """A Python block of the page and the output shown under it (None when the page shows none)."""

    code: str
    shown: str | None


def page_examples(text: str) -> list[Example]:
    """The page's Python blocks in order, each with the ``text`` block that follows it directly."""
    blocks = [(match.group(1), match.group(2), match.start(), match.end()) for match in FENCE.finditer(text)]
    examples = []
    for index, (language, code, _, end) in enumerate(blocks):
        if language != "python":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        directly_after = following is not None and following[0] == "text" and not text[end : following[2]].strip()
        examples.append(Example(code, following[1] if directly_after else None))
    return examples


def shows(printed: str, shown: str) -> bool:
    """Whether ``printed`` is what ``shown`` shows: equal, or each part between ``...`` lines in order."""
    if ELLIPSIS not in shown.splitlines():
        return printed == shown
    position = 0
    for part in re.split(rf"^{re.escape(ELLIPSIS)}\n", shown, flags=re.MULTILINE):
        found = printed.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


@pytest.fixture(scope="module")
def walkthrough(repository_root, tmp_path_factory):
    """Run the page: ``(examples, what each printed, the namespace, the folder it ran in)``."""
    import keras

    examples = page_examples((repository_root / PAGE).read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("notebook")
    namespace: dict = {"__name__": "__main__"}
    printed = []
    keras.utils.clear_session()  # a fresh kernel: Keras names the layers as a new notebook would
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.delenv("COLUMNS", raising=False)  # tables as wide as the page shows them
        for number, example in enumerate(examples, start=1):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(example.code, f"{PAGE}, Python block {number}", "exec"), namespace)
            printed.append(out.getvalue())
    return examples, printed, namespace, folder


def test_the_page_walks_through_every_function(repository_root):
    examples = page_examples((repository_root / PAGE).read_text(encoding="utf-8"))
    code = "\n".join(example.code for example in examples)
    assert len(examples) >= 8
    for call in (
        "kreg.inspect(model)",
        "input_shapes=",
        ".to_json()",
        "_repr_html_()",
        "kreg.plot(",
        "kreg.review(",
        'kreg.inspect("mobilenetv3small")',
        ".keras",
    ):
        assert call in code, call
    assert all(example.shown is not None for example in examples), "every block shows what it prints"


def test_every_block_prints_what_the_page_shows(walkthrough):
    examples, printed, _, _ = walkthrough
    for number, (example, output) in enumerate(zip(examples, printed), start=1):
        assert shows(output, example.shown), f"Python block {number} of {PAGE} printed:\n{output}"


def test_the_figures_are_keras_own_and_the_papers(walkthrough):
    _, _, namespace, _ = walkthrough
    model, report = namespace["model"], namespace["report"]
    assert report.params.total == model.count_params() == 2_554_968
    published = PUBLISHED_MACS["mobilenetv3small"].macs  # Howard et al. 2019, Table 3: 56 M
    assert report.macs == pytest.approx(published, rel=CROSS_CHECK_TOLERANCE)
    # A functional model calls each of its layers once: a row for each, the InputLayer included.
    assert len(report.components["model"].layers) == len(model.layers) == 164
    assert namespace["by_name"].macs == namespace["from_file"].macs == report.macs


def test_the_files_it_writes_open(walkthrough):
    *_, folder = walkthrough
    assert "<svg" in (folder / "mobilenetv3small.svg").read_text(encoding="utf-8")
    page = (folder / "mobilenetv3small-review.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "2,554,968" in page
    assert (folder / "mobilenetv3small.keras").stat().st_size > 2_554_968 * 4


@pytest.mark.parametrize(
    "printed, shown, expected",
    [
        ("a\nb\n", "a\nb\n", True),
        ("a\nb\n", "a\nc\n", False),
        ("a\nb\nc\nd\n", "a\n...\nc\n", True),
        ("a\nb\nc\nd\n", "c\n...\na\n", False),
    ],
)
def test_shown_output_may_leave_lines_out_only_where_it_says_so(printed, shown, expected):
    assert shows(printed, shown) is expected
