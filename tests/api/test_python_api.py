"""``kreg.inspect``, ``kreg.plot`` and ``kreg.review``: the same reports as the commands, for any model.

Each result is checked against what the ``kreg`` command prints for the same
subject (its ``--json`` object, its text, its files) and against hand counts.
"""

from __future__ import annotations

import re

import pytest

import kreg
from kreg.inspect_tools.report_types import ParamCounts

RISK = "risk-factor-autoencoder"


def _risk_model():
    """The risk-factor autoencoder built by its own builder, outside kreg, at its defaults."""
    from kreg.plugins.risk_factor.model import build

    return build()


def _cli_model(kreg_cli, *args):
    result = kreg_cli("inspect", *args, "--json")
    assert result.exit_code == 0, result.output
    return result.json()["components"]["model"]


def test_inspecting_a_keras_model_gives_the_report_of_its_architecture(kreg_cli):
    report = kreg.inspect(_risk_model(), batch_size=32)
    assert list(report.components) == ["model"]
    assert report.to_json()["components"]["model"] == _cli_model(kreg_cli, RISK)
    # By hand: Dense 20->8 (168) + BatchNorm(8) 32 + Dense 8->3 (27) + Dense 100->3 (303).
    assert report.params == ParamCounts(total=168 + 32 + 27 + 303, trainable=514, non_trainable=16)
    # Per example: 100 tickers x (20 x 8 + 8 x 3) + 100 x 3 + the dot product 100 x 3.
    assert report.macs == 100 * (20 * 8 + 8 * 3) + 100 * 3 + 100 * 3 == 19_000


# Saving a compiled model that never trained: Keras notes that its optimizer has no variables yet.
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer:UserWarning")
def test_inspecting_by_name_or_file_gives_the_commands_report(kreg_cli, tmp_path):
    path = tmp_path / "risk.keras"
    _risk_model().save(path)
    assert kreg.inspect(RISK).to_json() == kreg_cli("inspect", RISK, "--json").json()
    assert (
        kreg.inspect(str(path), batch_size=32).to_json()
        == kreg_cli("inspect", str(path), "--batch-size", "32", "--json").json()
    )
    assert kreg.inspect(path).name == str(path)  # a pathlib.Path works too


def test_the_text_is_what_the_command_prints(kreg_cli):
    report = kreg.inspect("mlp")
    printed = kreg_cli("inspect", "mlp")
    assert printed.exit_code == 0, printed.output
    assert str(report) == printed.stdout
    assert repr(report) == "<kreg InspectionReport mlp: 26,506 parameters, 26,432 MACs per example>"


def test_hyperparameters_and_presets_are_keyword_arguments(kreg_cli):
    report = kreg.inspect("transformer", preset="smoke", num_heads=4)
    assert (
        report.to_json()
        == kreg_cli("inspect", "transformer", "--preset", "smoke", "--set", "num_heads=4", "--json").json()
    )
    assert report.to_json()["hyperparameters"]["num_heads"] == 4


def test_input_shapes_fill_the_sizes_a_model_leaves_unknown():
    import keras

    inputs = keras.Input((None, 8), name="tokens")
    model = keras.Model(inputs, keras.layers.Dense(4, name="project")(inputs))
    per_position = kreg.inspect(model)
    assert per_position.macs is None and per_position.components["model"].compute.macs_per_position == 8 * 4
    for shapes in [(5, 8), {"tokens": [5, 8]}, {"tokens": (5, 8)}]:
        report = kreg.inspect(model, input_shapes=shapes)
        assert report.macs == 5 * 8 * 4, shapes
        assert report.components["model"].compute.input_shapes == {"tokens": [None, 5, 8]}


def test_a_convolution_that_cannot_run_at_one_position_says_how_to_give_the_sizes():
    import keras

    inputs = keras.Input((None, None, 3), name="image")
    model = keras.Model(inputs, keras.layers.Conv2D(4, 3, strides=2, name="stem")(inputs), name="strided")
    unknown = kreg.inspect(model)
    assert unknown.macs is None and unknown.components["model"].compute.macs_per_position is None
    note = unknown.components["model"].compute.note
    assert note.startswith("compute not counted: image (None, None, None, 3) has sizes the model leaves unknown")
    assert "give them to kreg inspect --input-shape or kreg.inspect(..., input_shapes=...)" in note
    assert repr(unknown) == f"<kreg InspectionReport strided: {3 * 3 * 3 * 4 + 4} parameters, MACs not counted>"
    # By hand: a 3 x 3 x 3 kernel per output channel (4) at each of the 4 x 4 positions of a 9 x 9 image.
    assert kreg.inspect(model, input_shapes=(9, 9, 3)).macs == 4 * 4 * 4 * 27


def _strided_model():
    import keras

    inputs = keras.Input((None, None, 3), name="image")
    return keras.Model(inputs, keras.layers.Conv2D(4, 3, strides=2, name="stem")(inputs), name="strided")


def test_review_counts_a_model_at_the_sizes_given(tmp_path):
    # The same strided convolution as above: not countable at unknown sizes, 4 x 4 x 4 x 27 MACs at 9 x 9.
    model = _strided_model()
    assert kreg.review(model).report.components["model"].compute.macs is None
    review = kreg.review(model, input_shapes=(9, 9, 3), batch_size=8)
    compute = review.to_json()["inspection"]["components"]["model"]["compute"]
    assert compute["macs"] == 4 * 4 * 4 * 27 and compute["shape_source"] == "option"
    assert review.to_json()["inspection"] == kreg.inspect(model, input_shapes=(9, 9, 3), batch_size=8).to_json()
    assert "1,728" in review.html()


def test_review_of_an_architecture_counts_at_the_sizes_given():
    # The transformer's compute grows with its sequence lengths; its adapter's 10 tokens (smoke) unless told.
    lengths = {"encoder_inputs": [4], "decoder_inputs": [4]}
    review = kreg.review("transformer", preset="smoke", input_shapes=lengths)
    inspected = kreg.inspect("transformer", preset="smoke", input_shapes=lengths)
    assert (
        review.to_json()["inspection"]["components"]["model"]["compute"]
        == inspected.to_json()["components"]["model"]["compute"]
    )
    assert review.report.components["model"].compute.shape_source == "option"
    with pytest.raises(kreg.KregUsageError, match="no_such_input"):
        kreg.review("transformer", preset="smoke", input_shapes={"no_such_input": [4]})


def test_the_card_is_the_review_pages_pieces_scoped_to_itself():
    import keras

    inputs = keras.Input((3,), name="features")
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(inputs), name="evil<img src=x onerror=alert(1)>")
    card = kreg.inspect(model)._repr_html_()
    assert card.startswith('<div class="kreg-card">') and card.endswith("</div>")
    assert "<img" not in card and "evil&lt;img src=x onerror=alert(1)&gt;" in card
    # The only scripts: the graph view's, and the JSON it reads.
    assert set(re.findall(r"<script[^>]*>", card)) == {
        '<script type="application/json" class="graph-rows">',
        "<script>",
    }
    style = re.search(r"<style>(.*?)</style>", card, re.DOTALL).group(1)
    selectors = [rule.split("{")[0] for rule in style.split("}") if "{" in rule]
    assert selectors and all(part.strip().startswith(".kreg-card") for sel in selectors for part in sel.split(","))
    assert " id=" not in card  # many cards may share a notebook
    assert re.search(r'<div class="value">8</div><div class="label">parameters \(model\)</div>', card)
    assert list(re.findall(r"<h2>(.*?)</h2>", card)) == ["Summary", "Components", "Graph"]  # the graph open
    assert re.findall(r"<summary>(Layers|Threaded Dense)</summary>", card) == ["Layers", "Threaded Dense"]


def test_plot_draws_what_the_command_draws(kreg_cli, tmp_path):
    graph = kreg.plot(RISK)
    assert repr(graph) == f"<kreg ModelGraph {RISK} (model)>"
    command = tmp_path / "command.dot"
    assert kreg_cli("plot", RISK, "-o", str(command)).exit_code == 0
    assert graph.to_dot() == str(graph) == command.read_text()
    svg = graph._repr_svg_()
    assert "<svg" in svg and "input_beta" in svg
    written = graph.save(tmp_path / "graphs" / "risk.png")
    assert written.read_bytes().startswith(b"\x89PNG")


def test_plot_draws_the_nodes_at_the_input_shapes_given_as_kreg_plot_input_shape_does(kreg_cli, tmp_path):
    import keras

    inputs = keras.Input((None, 8), name="tokens")
    model = keras.Model(inputs, keras.layers.Dense(4, name="project")(inputs))
    for shapes in [(5, 8), {"tokens": [5, 8]}]:
        dot = kreg.plot(model, input_shapes=shapes).to_dot()
        assert "(None, 5*, 8) &#8594; (None, 5*, 4)" in dot, shapes
    assert "5*" not in kreg.plot(model).to_dot()
    lengths = {"encoder_inputs": [7], "decoder_inputs": [7]}
    command = tmp_path / "command.dot"
    args = ["--input-shape", "encoder_inputs=7", "--input-shape", "decoder_inputs=7", "--preset", "smoke"]
    assert kreg_cli("plot", "transformer", *args, "-o", str(command)).exit_code == 0
    graph = kreg.plot("transformer", preset="smoke", input_shapes=lengths)
    assert graph.to_dot() == command.read_text() and "(None, 7*)" in graph.to_dot()


def test_plot_builds_an_unbuilt_model_from_the_input_shape():
    import keras

    model = keras.Sequential([keras.layers.Dense(4, name="a"), keras.layers.Dense(2, name="b")])  # no Input
    dot = kreg.plot(model, input_shapes=(20,)).to_dot()
    assert "(None, 20) &#8594; (None, 4)" in dot and model.built


def test_review_of_an_architecture_holds_the_inspection_and_writes_the_page(kreg_cli, tmp_path):
    review = kreg.review(RISK, train_steps=2)
    data = review.to_json()
    assert data["inspection"] == kreg_cli("inspect", RISK, "--json").json()
    assert data["training"]["steps"] == 2 and set(data["training"]["metrics"]) >= {"loss"}
    assert data["graph"] == {"drawn": True, "problem": None} and data["diff"] is None
    page = review.save(tmp_path / "risk.html").read_text(encoding="utf-8")
    assert page == review.html() and 'id="training"' in page
    card = review._repr_html_()
    assert "<h2>Graph</h2>" in card and 'class="kreg-graph"' in card and "<summary>Smoke training</summary>" in card
    assert "smoke training: metrics" in str(review)


def test_review_of_a_keras_model_says_what_it_reviewed():
    review = kreg.review(_risk_model())
    assert review.entry is None and review.source.startswith("Keras model ") and review.source.endswith("(Functional)")
    data = review.to_json()
    assert data["inspection"]["components"]["model"]["params"]["total"] == 530
    data["inspection"]["components"].clear()  # a copy, as InspectionReport.to_json() is
    assert review.to_json()["inspection"]["components"]["model"]["params"]["total"] == 530
    card = review._repr_html_()
    assert "kreg model inspection" in card and "<h2>Hyperparameters</h2>" not in card
    assert "Plugin and source" not in card
    assert "threaded Dense calls (of 3)" in card  # its hidden layer applies its kernel at 100 positions


def test_the_card_of_a_cnn_has_no_threaded_dense_tile():
    import keras

    inputs = keras.Input((8, 8, 3))
    features = keras.layers.Flatten()(keras.layers.Conv2D(4, 3, name="conv")(inputs))
    card = kreg.review(keras.Model(inputs, keras.layers.Dense(2, name="head")(features)))._repr_html_()
    assert "kreg model inspection" in card
    assert "threaded Dense calls" not in card and "Plugin and source" not in card


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: kreg.inspect("no-such-architecture"),
            kreg.KregUsageError,
            "unknown architecture 'no-such-architecture'",
        ),
        (lambda: kreg.inspect("mlp", width=3), kreg.KregUsageError, "hyperparameter 'width': unknown key"),
        (lambda: kreg.inspect("mlp", preset="giant"), kreg.KregUsageError, "has no preset 'giant'"),
        (lambda: kreg.inspect("mlp", component="encoder"), kreg.KregUsageError, "has no component 'encoder'"),
        (lambda: kreg.inspect("missing.keras"), kreg.KregUsageError, "model file 'missing.keras' does not exist"),
        (
            lambda: kreg.inspect(3),
            kreg.KregUsageError,
            "expected an architecture's name, a .keras file or a keras.Model, got int",
        ),
        (
            lambda: kreg.inspect(_risk_model(), n_tickers=5),
            kreg.KregUsageError,
            "is a Keras model: hyperparameters (n_tickers) apply only to an architecture",
        ),
        (lambda: kreg.inspect(RISK, input_shapes=(3,)), kreg.KregUsageError, "give a shape per input name"),
        (
            lambda: kreg.inspect(RISK, input_shapes={"input_beta": [0, 20]}),
            kreg.KregUsageError,
            "sizes must be positive integers",
        ),
        (lambda: kreg.plot(RISK, rankdir="RL"), kreg.KregUsageError, "rankdir must be 'TB' or 'LR'"),
        (lambda: kreg.plot(RISK, input_shapes=(3,)), kreg.KregUsageError, "give a shape per input name"),
        (
            lambda: kreg.plot(RISK, input_shapes={"input_beta": [0, 20]}),
            kreg.KregUsageError,
            "sizes must be positive integers",
        ),
        (
            lambda: kreg.plot("transformer", preset="smoke", input_shapes={"no_such_input": [4]}),
            kreg.KregUsageError,
            "no_such_input",
        ),
        (
            lambda: kreg.review(_risk_model(), train_steps=3),
            kreg.KregUsageError,
            "has no data adapter to smoke-train on",
        ),
        (lambda: kreg.review(RISK, train_steps=0), kreg.KregUsageError, "train_steps must be a positive integer"),
    ],
)
def test_bad_calls_raise_kregs_usage_errors(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
