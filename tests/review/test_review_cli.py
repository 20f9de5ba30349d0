"""``kreg review`` options and failures, and the training chart."""

from __future__ import annotations

import math
import re

import pytest

from kreg.inspect_tools.review_figures import inline_svg
from kreg.rendering.charts import metrics_chart_svg

RISK = "risk-factor-autoencoder"


def test_without_dot_the_page_is_written_with_the_reason(kreg_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no Graphviz `dot` on it
    result = kreg_cli("review", RISK, "--preset", "smoke")
    assert result.exit_code == 0, result.output
    page = tmp_path / f"{RISK}-review.html"  # the default name, in the working directory
    assert f"wrote {page.name}" in result.stdout
    text = page.read_text(encoding="utf-8")
    assert "No graph:" in text and "Graphviz" in text and "<svg" not in text
    assert "warning: the page has no graph" in result.stderr
    assert "hidden_layer" in text  # the tables are still there


@pytest.mark.parametrize(
    "args, message",
    [
        (["no-such-thing"], "unknown architecture 'no-such-thing'"),
        ([RISK, "--set", "n_tickers=lots"], "'lots' is not an integer"),
        ([RISK, "--preset", "giant"], "has no preset 'giant'"),
        ([RISK, "--train-steps", "0"], "--train-steps"),
    ],
)
def test_usage_errors_exit_2(kreg_cli, tmp_path, args, message):
    result = kreg_cli("review", *args, "-o", str(tmp_path / "page.html"))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "page.html").exists()


def test_an_unwritable_output_is_a_usage_error_before_building(kreg_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = kreg_cli("review", RISK, "--preset", "smoke", "-o", str(blocker / "page.html"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"kreg: error: -o {str(blocker / 'page.html')!r}: {str(blocker)!r} is not a folder"


def test_smoke_training_curves_are_on_the_page(kreg_cli, tmp_path):
    pytest.importorskip("kreg.running.training", reason="the training module is not on this branch yet")
    path = tmp_path / "trained.html"
    result = kreg_cli("review", RISK, "--preset", "smoke", "--train-steps", "6", "-o", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    training = re.search(r'<section id="training">.*?</section>', text, re.DOTALL).group(0)
    assert '<svg class="chart"' in training
    assert training.count('id="axes_') == 1  # one panel: the compiled loss
    assert '<td class="code">loss</td>' in training
    assert "<th>steps</th><td>6</td>" in training
    assert 'href="#training"' in text
    assert "http://" not in training.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )


def test_chart_has_a_panel_per_metric_and_leaves_out_non_finite_values():
    curves = {
        "loss": [(1, 2.0), (2, 1.5), (3, 1.2), (4, math.nan)],
        "accuracy": [(1, 0.1), (2, 0.4), (3, 0.6), (4, 0.7)],
    }
    svg = metrics_chart_svg(curves)
    assert svg.startswith('<svg class="chart"') and svg.endswith("</svg>")
    assert svg.count('id="axes_') == 2
    assert "<?xml" not in svg and "DOCTYPE" not in svg and "<metadata" not in svg
    assert ".chart *{" in svg  # matplotlib's catch-all style rule no longer restyles the page
    # Each panel's curve is one polyline: 3 finite points for loss, 4 for accuracy.
    lines = re.findall(r'<g id="line2d_\d+">\s*<path d="([^"]*)"[^>]*style="fill: none; stroke: #3b6ea8', svg)
    assert sorted(len(re.findall(r"[ML] ", d)) for d in lines) == [3, 4]


def test_inline_svg_drops_the_prolog_and_scopes_styles():
    document = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<!-- made by a tool, see http://example.org -->\n<svg xmlns="http://www.w3.org/2000/svg" width="1pt">'
        "<metadata><rdf:RDF>http://purl.org/dc</rdf:RDF></metadata><style>*{stroke: red}</style></svg>"
    )
    assert (
        inline_svg(document, "g")
        == '<svg class="g" xmlns="http://www.w3.org/2000/svg" width="1pt"><style>.g *{stroke: red}</style></svg>'
    )


def test_the_command_module_imports_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys, kreg.cli.reviewing, kreg.cli.diff_arguments\n"
        "heavy = sorted(m for m in ('tensorflow', 'keras', 'matplotlib', 'pydot', 'PIL') if m in sys.modules)\n"
        "print(','.join(heavy))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == ""


def test_a_value_the_builder_rejects_is_a_usage_error(kreg_cli, tmp_path):
    result = kreg_cli("review", RISK, "--set", "n_tickers=0", "-o", str(tmp_path / "page.html"))
    assert result.exit_code == 2, result.output
    assert "hyperparameter 'n_tickers'" in result.stderr and not (tmp_path / "page.html").exists()


def test_a_saved_model_is_counted_at_the_input_shape_given(kreg_cli, tmp_path):
    import keras

    inputs = keras.Input((None, None, 3), name="image")
    model = keras.Model(inputs, keras.layers.Conv2D(4, 3, strides=2, name="stem")(inputs), name="strided")
    saved = tmp_path / "strided.keras"
    model.save(saved)
    page = tmp_path / "page.html"
    result = kreg_cli("review", str(saved), "--input-shape", "image=9,9,3", "--batch-size", "8", "-o", str(page))
    assert result.exit_code == 0, result.output
    # By hand: a 3 x 3 x 3 kernel per output channel (4) at each of the 4 x 4 positions of a 9 x 9 image.
    assert "1,728" in page.read_text(encoding="utf-8")
    bad = kreg_cli("review", str(saved), "--input-shape", "picture=9,9,3", "-o", str(page))
    assert bad.exit_code == 2 and "picture" in bad.output


# Slow: builds and counts two transformers; tests/review/test_review_diff.py covers --against on the page.
@pytest.mark.slow
def test_with_against_the_diff_compares_each_side_at_its_own_sizes(kreg_cli, tmp_path):
    page = tmp_path / "page.html"
    result = kreg_cli(
        "review",
        "transformer",
        "--preset",
        "smoke",
        "--input-shape",
        "encoder_inputs=4",
        "--input-shape",
        "decoder_inputs=4",
        "--against",
        "transformer",
        "--preset",
        "smoke",
        "-o",
        str(page),
    )
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    # The same configuration on both sides: no compute delta from the lengths the reviewed side was counted at.
    diff = text.split('<section id="diff">')[1].split("</section>")[0]
    macs = re.findall(r"<td>MACs per example</td><td>([^<]*)</td><td>([^<]*)</td>", diff)
    assert len(macs) == 3 and all(left == right for left, right in macs), macs  # model, encoder, decoder
