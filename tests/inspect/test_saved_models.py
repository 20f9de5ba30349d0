"""``kreg inspect``, ``kreg plot`` and ``kreg review`` given a saved ``.keras`` file instead of NAME.

Each model is saved by a real ``kreg train --save`` in its own process (so
its layers are named as a fresh process names them), then reported by kreg
from the file and compared with the report of the architecture it was saved
from, and with Keras's own count of the loaded file.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.html_page import read_page

# The seeds' Transformer decoder drops its inputs' mask; Keras warns each time it is traced.
pytestmark = pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")

SMOKE_LENGTH = 10
"""The transformer's sequence length at its smoke preset (its data adapter's batches)."""


def _start_saving(folder, name: str, *options: str) -> tuple[str, subprocess.Popen]:
    path = folder / f"{name}.keras"
    command = [sys.executable, "-m", "kreg", "train", name, "--steps", "1", *options, "--save", str(path)]
    return str(path), subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _finish(path: str, process: subprocess.Popen) -> str:
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-2000:]
    return path


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """``{architecture: path}``: a functional, a subclassed and a custom-layer model, each saved by kreg train.

    The three processes run at once: most of each is importing TensorFlow.
    """
    folder = tmp_path_factory.mktemp("saved")
    started = {
        "risk-factor-autoencoder": _start_saving(folder, "risk-factor-autoencoder"),
        "mlp": _start_saving(folder, "mlp"),
        "transformer": _start_saving(folder, "transformer", "--preset", "smoke"),
    }
    return {name: _finish(*process) for name, process in started.items()}


def _model(result) -> dict:
    assert result.exit_code == 0, result.output
    return result.json()["components"]["model"]


def test_a_saved_functional_model_gives_its_architectures_report(kreg_cli, saved):
    import keras

    path = saved["risk-factor-autoencoder"]
    from_file = kreg_cli("inspect", path, "--batch-size", "32", "--json")
    assert from_file.json()["architecture"] == path and from_file.json()["hyperparameters"] == {}
    assert list(from_file.json()["components"]) == ["model"]
    architecture = _model(kreg_cli("inspect", "risk-factor-autoencoder", "--json"))
    assert _model(from_file) == architecture  # every figure: params, layer rows, Dense calls, compute, memory
    assert architecture["params"]["total"] == keras.models.load_model(path).count_params() == 530


def test_a_saved_model_with_custom_layers_counts_as_its_architecture_at_the_same_lengths(kreg_cli, saved):
    lengths = ["--input-shape", f"encoder_inputs={SMOKE_LENGTH}", "--input-shape", f"decoder_inputs={SMOKE_LENGTH}"]
    from_file = _model(kreg_cli("inspect", saved["transformer"], *lengths, "--batch-size", "64", "--json"))
    architecture = _model(kreg_cli("inspect", "transformer", "--preset", "smoke", "--json"))
    for key in ("class", "params", "layers", "dense", "memory"):
        assert from_file[key] == architecture[key], key
    assert from_file["compute"]["shape_source"] == "option" and architecture["compute"]["shape_source"] == "adapter"
    assert {**from_file["compute"], "shape_source": "adapter"} == architecture["compute"]


def test_a_saved_model_without_input_shapes_counts_per_unknown_position(kreg_cli, saved):
    compute = _model(kreg_cli("inspect", saved["transformer"], "--json"))["compute"]
    assert compute["macs"] is None and compute["macs_per_position"] > 0
    assert compute["shape_source"] == "model"


def test_a_saved_subclassed_model_differs_only_in_its_inputs_name(kreg_cli, saved):
    from_file = _model(kreg_cli("inspect", saved["mlp"], "--batch-size", "64", "--json"))
    architecture = _model(kreg_cli("inspect", "mlp", "--json"))
    for key in ("class", "params", "dense", "memory"):
        assert from_file[key] == architecture[key], key
    # A subclassed model's file keeps its input shape, not its input's name ("features" when built).
    assert [row["path"] for row in from_file["layers"]] == [
        "input",
        *(row["path"] for row in architecture["layers"][1:]),
    ]
    renamed = [  # the rows fed by the input name it
        {**row, "inputs": ["features" if name == "input" else name for name in row["inputs"]]}
        for row in from_file["layers"][1:]
    ]
    assert renamed == architecture["layers"][1:]
    assert from_file["compute"]["macs"] == architecture["compute"]["macs"] == 784 * 32 + 32 * 32 + 32 * 10


def test_the_text_report_of_a_file_names_it_and_has_no_hyperparameters(kreg_cli, saved):
    result = kreg_cli("inspect", saved["risk-factor-autoencoder"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == ["architecture:", saved["risk-factor-autoencoder"]]
    assert "hyperparameters:" not in result.stdout
    assert "530" in result.stdout


def test_plot_draws_a_saved_model(kreg_cli, saved, tmp_path):
    path = tmp_path / "risk.dot"
    result = kreg_cli("plot", saved["risk-factor-autoencoder"], "-o", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert f"{saved['risk-factor-autoencoder']} (model)" in text
    assert "input_beta" in text and "input_factor" in text


def test_review_writes_a_page_for_a_saved_model(kreg_cli, saved, tmp_path):
    path = tmp_path / "page.html"
    result = kreg_cli("review", saved["mlp"], "-o", str(path))
    assert result.exit_code == 0, result.output
    html = path.read_text(encoding="utf-8")
    page = read_page(html)
    assert list(page.sections) == ["summary", "plugin", "components", "graph", "layers", "dense"]
    assert "kreg model inspection" in html and f"saved model {saved['mlp']}" in html
    fields = dict(page.tables["plugin"][0])
    assert fields["class"] == "MLPClassifier" and "safe_mode=True" in fields["loaded"]
    assert page.tables["components"][0][1][:3] == ["model", "MLPClassifier", "26,506"]


def test_review_compares_a_saved_model_with_its_architecture(kreg_cli, saved, tmp_path):
    path = tmp_path / "page.html"
    result = kreg_cli(
        "review", saved["risk-factor-autoencoder"], "--against", "risk-factor-autoencoder", "-o", str(path)
    )
    assert result.exit_code == 0, result.output
    diff = read_page(path.read_text(encoding="utf-8")).sections["diff"]
    assert "No differences in parameters, layers, shapes or Dense calls." in diff


def test_review_names_its_page_after_the_file(kreg_cli, saved, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = kreg_cli("review", saved["mlp"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mlp-review.html").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["inspect", "{mlp}", "--set", "units=3"],
            "is a saved model: --set and --preset apply only to an architecture",
        ),
        (
            ["inspect", "{mlp}", "--preset", "smoke"],
            "is a saved model: --set and --preset apply only to an architecture",
        ),
        (["inspect", "{mlp}", "--component", "encoder"], "has no component 'encoder'; its components are model"),
        (["inspect", "missing.keras"], "model file 'missing.keras' does not exist"),
        (["inspect", "model.h5"], "is not a .keras file"),
        (["inspect", "{mlp}", "--input-shape", "nothing=3"], "no input named 'nothing'"),
        (["plot", "{mlp}", "--set", "units=3", "-o", "x.dot"], "is a saved model"),
        (["review", "{mlp}", "--train-steps", "2"], "has no data adapter to smoke-train on"),
    ],
)
def test_usage_errors_with_a_file_are_one_line_and_exit_2(kreg_cli, saved, args, message):
    result = kreg_cli(*(arg.format(mlp=saved["mlp"]) for arg in args))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("content", [b"", b"not a zip archive at all", b"PK\x03\x04 truncated"])
def test_a_file_that_is_not_a_keras_archive_is_one_line(kreg_cli, tmp_path, content):
    path = tmp_path / "broken.keras"
    path.write_bytes(content)
    result = kreg_cli("inspect", str(path))
    assert result.exit_code == 2, result.output  # checked before Keras is imported: a usage error
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kreg: error:") and "broken.keras" in lines[0]
