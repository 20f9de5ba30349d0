"""The review page's content, read back with an HTML parser: sections, tables,
the inline graph, escaping, and nothing that reaches outside the file."""

from __future__ import annotations

import re

import pytest

import kreg
from kreg.inspect_tools.graph_labels import INPUT_COLOUR, LAYER_COLOUR, OUTPUT_COLOUR
from kreg.testing_plugin import run_kreg
from tests.support.html_page import read_page, without_own_scripts


@pytest.fixture(scope="module")
def page(risk_review_page):
    return read_page(risk_review_page[1])


def _rows_by_first_cell(table):
    return {row[0]: row for row in table[1:]}


def test_sections_in_order(page):
    assert list(page.sections) == ["summary", "plugin", "hyperparameters", "components", "graph", "layers", "dense"]


def test_nothing_is_fetched_or_run(risk_review_page):
    text = without_own_scripts(risk_review_page[1])  # the graph view's code and rows: checked by their own tests
    reader = read_page(text)
    tags = {tag for tag, _ in reader.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base", "audio", "video", "source"}
    for tag, attributes in reader.tags:
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "src", tag
            if name in ("href", "xlink:href"):
                assert value.startswith("#"), (tag, name, value)
    # The only URLs are SVG namespace names, which no browser fetches.
    for match in re.finditer(r"https?://", text):
        before = text[max(0, match.start() - 40) : match.start()]
        assert re.search(r'xmlns(:\w+)?="$', before), text[match.start() - 40 : match.start() + 60]
    assert "@import" not in text and "@font-face" not in text
    assert all(ref.startswith("url(#") for ref in re.findall(r"url\([^)]*\)", text))
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text


def test_summary_and_plugin(page, risk_review_page):
    summary = page.sections["summary"]
    # Every multiply-accumulate, not only the Dense ones: 18,700 in Dense layers + 300 in the Dot.
    assert "530" in summary and "19,000" in summary and "MACs per example" in summary
    assert "Dense MACs" not in summary
    assert "2.1 kB" in summary and "parameter memory" in summary  # 530 float32 weights
    assert "training memory, batch 32" in summary
    plugin = _rows_by_first_cell([["", ""], *page.tables["plugin"][0]])
    assert plugin["plugin"][1] == "risk-factor (built in)"
    assert plugin["builder"][1] == "kreg.plugins.risk_factor.model:build"
    assert "Machine Learning for Algorithmic Trading" in plugin["source"][1]
    assert "<title>kreg review: risk-factor-autoencoder</title>" in risk_review_page[1]


def test_hyperparameters_and_components(page):
    hyperparameters = _rows_by_first_cell(page.tables["hyperparameters"][0])
    assert hyperparameters["n_tickers"] == ["n_tickers", "100", "100", "int"]
    components = page.tables["components"][0]
    assert components[0][:7] == [
        "component",
        "class",
        "total",
        "trainable",
        "non-trainable",
        "MACs",
        "parameter memory",
    ]
    assert components[1][:7] == ["model", "Functional", "530", "514", "16", "19,000 (per example)", "2.1 kB"]


def test_layer_table_has_every_traced_call(page):
    table = page.tables["layers"][0]
    assert table[0] == ["path", "class", "input", "output", "params", "MACs", "attributes"]
    rows = _rows_by_first_cell(table)
    assert list(rows) == [
        "input_beta",
        "input_factor",
        "hidden_layer",
        "batch_norm",
        "output_beta",
        "output_factor",
        "output_layer",
    ]
    assert rows["hidden_layer"] == [
        *("hidden_layer", "Dense", "(None, 100, 20)", "(None, 100, 8)", "168", "16,000", "8, relu")
    ]
    assert rows["output_layer"][5] == "300"
    assert rows["output_layer"][2] == "[(None, 100, 3), (None, 3)]"


def test_dense_table_has_kernels_threading_and_macs(page):
    table = page.tables["dense"][0]
    assert table[0] == ["path", "input \u2192 output", "kernel", "threaded over", "params", "MACs", "what it does"]
    rows = _rows_by_first_cell(table)
    assert rows["hidden_layer"][1:] == [
        "(None, 100, 20) \u2192 (None, 100, 8)",
        "(20, 8)",
        "100",
        "168",
        "16,000",
        "applies kernel (20, 8) at each of 100 positions",
    ]
    assert rows["output_factor"][2:6] == ["(100, 3)", "\u2014", "303", "300"]


def test_graph_is_inline_svg_of_kreg_graph(risk_review_page):
    text = risk_review_page[1]
    graph = re.search(r'<section id="graph">.*?</section>', text, re.DOTALL).group(0)
    assert graph.count('<svg class="graph"') == 1
    assert len(re.findall(r'class="node[ "]', graph)) == 8  # two inputs, five layers, one output
    assert graph.count('class="node path:') == 5  # each layer's node carries its path, for the node panel
    for colour in (INPUT_COLOUR, LAYER_COLOUR, OUTPUT_COLOUR):
        assert f'fill="{colour}"' in graph
    assert "applies kernel (20, 8) at each of 100 positions" in graph
    assert 'transform="scale(1 1)' in graph  # drawn at 72 dpi: Graphviz's viewBox matches the drawing


# Escaping, on an architecture whose texts are HTML ------------------------------------

EVIL = '<script>alert("x")</script>'


def _tiny_builder(label: str = EVIL, units: int = 2):
    import keras

    inputs = keras.Input((3, 4), name="features")
    outputs = keras.layers.Dense(units, name="project")(inputs)
    model = keras.Model(inputs, outputs, name="tiny")
    model.compile(optimizer="sgd", loss="mse")
    return model


def _catalogue_with(architecture: kreg.Architecture, plugin: str) -> kreg.Catalogue:
    catalogue = kreg.Catalogue()
    catalogue.add(architecture, kreg.PluginRecord(name=plugin))
    return catalogue


def test_every_text_is_escaped(tmp_path, kreg_cli):
    architecture = kreg.Architecture(
        name="tiny-evil",
        summary=f"summary {EVIL}",
        description=f"description {EVIL} & more",
        source=f"source {EVIL}",
        builder=_tiny_builder,
        hyperparameters={"label": EVIL, "units": 2},
        tags=("a<b",),
    )
    path = tmp_path / "evil.html"
    result = kreg_cli(
        "review",
        "tiny-evil",
        "-o",
        str(path),
        "--set",
        "units=5",
        catalogue=_catalogue_with(architecture, f"plugin{EVIL}"),
    )
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "<script" not in without_own_scripts(text)
    assert text.count("&lt;script&gt;") >= 5  # summary, description, source, plugin, hyperparameter
    assert "a&lt;b" in text
    reader = read_page(text)
    hyperparameters = _rows_by_first_cell(reader.tables["hyperparameters"][0])
    assert hyperparameters["units"] == ["units", "5", "2", "int"]
    assert ('<tr class="changed"><td class="code">units</td>') in text
    assert "--set units=5" in reader.sections["hyperparameters"]
    dense = _rows_by_first_cell(reader.tables["dense"][0])
    assert dense["project"][2:6] == ["(4, 5)", "3", "25", "60"]


def test_training_without_a_data_adapter_is_a_usage_error(tmp_path, kreg_cli):
    architecture = kreg.Architecture(name="tiny", summary="tiny", builder=_tiny_builder, hyperparameters={"units": 2})
    result = kreg_cli(
        "review",
        "tiny",
        "-o",
        str(tmp_path / "t.html"),
        "--train-steps",
        "3",
        catalogue=_catalogue_with(architecture, "p"),
    )
    assert result.exit_code == 2
    assert "has no data adapter" in result.output
    assert not (tmp_path / "t.html").exists()


def _nan_data(hyperparameters, batch_size, source):
    import tensorflow as tf

    features = tf.fill((8, 3, 4), float("nan"))
    targets = tf.zeros((8, 3, hyperparameters["units"]))
    return tf.data.Dataset.from_tensor_slices((features, targets)).batch(batch_size).repeat()


def test_a_failed_smoke_training_is_on_the_page_and_exits_1(tmp_path, kreg_cli):
    pytest.importorskip("kreg.running.training", reason="the training module is not on this branch yet")
    architecture = kreg.Architecture(
        name="tiny-nan",
        summary="tiny",
        builder=_tiny_builder,
        data_adapter=_nan_data,
        hyperparameters={"units": 2},
        batch_size=4,
    )
    path = tmp_path / "nan.html"
    result = kreg_cli(
        "review", "tiny-nan", "-o", str(path), "--train-steps", "5", catalogue=_catalogue_with(architecture, "p")
    )
    assert result.exit_code == 1, result.output
    assert "tiny-nan: train failed: metric 'loss' is nan at step 1" in result.output
    training = read_page(path.read_text(encoding="utf-8")).sections["training"]
    assert "Stopped: metric 'loss' is nan at step 1" in training
    assert "all metrics finite" in training


def _ones_data(hyperparameters, batch_size, source):
    import tensorflow as tf

    features = tf.ones((16, 3, 4))
    targets = tf.ones((16, 3, hyperparameters["units"]))
    return tf.data.Dataset.from_tensor_slices((features, targets)).batch(batch_size).repeat()


def test_curves_hold_every_step_and_agree_with_the_training_summary():
    pytest.importorskip("kreg.running.training", reason="the training module is not on this branch yet")
    from kreg.workflows.review import ReviewOptions, make_review

    architecture = kreg.Architecture(
        name="tiny-ones",
        summary="tiny",
        builder=_tiny_builder,
        data_adapter=_ones_data,
        hyperparameters={"units": 2},
        batch_size=4,
    )
    catalogue = kreg.Catalogue()
    catalogue.add(architecture, kreg.PluginRecord(name="p"))
    review = make_review(catalogue.get("tiny-ones"), {"units": 2}, ReviewOptions(train_steps=7))
    training = review.training
    assert review.failure() is None and training.finite
    assert [step for step, _ in training.curves["loss"]] == list(range(1, 8))
    metrics = training.summary["metrics"]["loss"]
    assert (training.curves["loss"][0][1], training.curves["loss"][-1][1]) == (metrics["first"], metrics["last"])
    assert training.summary["steps"] == 7


@pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")
def test_transformer_headline_and_dense_cells_are_numbers_not_question_marks(tmp_path):
    # The issue: "Dense MACs per example" read "0+?" and every MACs cell "?" because the
    # inputs' sequence length is unknown; the data adapter's batches say it is sequence_length.
    path = tmp_path / "transformer.html"
    result = run_kreg("review", "transformer", "--preset", "smoke", "-o", str(path))
    assert result.exit_code == 0, result.output
    reader = read_page(path.read_text(encoding="utf-8"))
    summary = reader.sections["summary"]
    assert "MACs per example" in summary and "+?" not in summary
    dense = reader.tables["dense"][0]
    macs = [row[5] for row in dense[1:]]
    assert macs and not [cell for cell in macs if "?" in cell]
    # encoder query projection at the adapter's 10 tokens: 10 x 32 x (2 heads x 32)
    query = _rows_by_first_cell(dense)["transformer_encoder/attention/query"]
    assert query[5] == f"{10 * 32 * 64:,} at the data adapter's sizes"
    components = _rows_by_first_cell(reader.tables["components"][0])
    assert components["model"][7] == "encoder_inputs (None, 10), decoder_inputs (None, 10) (from the data adapter)"
