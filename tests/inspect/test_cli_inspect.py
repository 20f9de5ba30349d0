"""``kreg inspect`` and ``kreg plot`` end to end on the built-in risk-factor autoencoder."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kreg.testing_plugin import run_kreg

NAME = "risk-factor-autoencoder"


@pytest.fixture(scope="module")
def inspect_json():
    result = run_kreg("inspect", NAME, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_inspect_json_has_the_structure_of_design_md(inspect_json):
    assert list(inspect_json) == ["architecture", "hyperparameters", "components"]
    assert inspect_json["architecture"] == NAME
    assert inspect_json["hyperparameters"] == {
        "n_tickers": 100,
        "n_characteristics": 20,
        "hidden_units": 8,
        "n_factors": 3,
    }
    assert list(inspect_json["components"]) == ["model"]
    model = inspect_json["components"]["model"]
    assert list(model) == ["class", "params", "layers", "dense", "compute", "memory", "repeats"]
    assert model["class"] == "Functional"
    assert model["params"] == {"total": 530, "trainable": 514, "non_trainable": 16}
    for row in model["layers"]:
        assert list(row) == [
            *("path", "class", "input_shape", "output_shape", "params", "macs", "backward_macs"),
            *("attributes", "inputs", "trainable", "macs_share", "params_share"),
        ]
    for entry in model["dense"]:
        assert list(entry) == ["path", "input_shape", "output_shape", "kernel_shape", "threaded_over", "params", "macs"]
    # The keys of DESIGN.md first, then those the compute issues add (23: backward; 24: exact and bounds).
    assert list(model["compute"])[:5] == ["macs", "macs_per_position", "input_shapes", "shape_source", "by_class"]
    assert list(model["compute"])[5:11] == [
        "backward_macs",
        "training_step_macs",
        "exact",
        "bounds",
        "uncounted",
        "activation_count",
    ]
    assert list(model["memory"])[:3] == ["parameter_bytes", "activation_bytes_per_example", "training_bytes"]


def test_inspect_json_compute_and_memory_match_a_hand_count(inspect_json):
    model = inspect_json["components"]["model"]
    # Dense(8) on 100 x 20, Dense(3) on 100 x 8, Dense(3) on 100, Dot of (100, 3) with (3,).
    dense, dot = 100 * 20 * 8 + 100 * 8 * 3 + 100 * 3, 100 * 3
    assert model["compute"]["exact"] is True and model["compute"]["bounds"] is None
    assert {key: model["compute"][key] for key in list(model["compute"])[:7]} == {
        "macs": dense + dot,
        "macs_per_position": None,
        "input_shapes": {"input_beta": [None, 100, 20], "input_factor": [None, 100]},
        "shape_source": "model",
        "by_class": {"Dense": dense, "Dot": dot},
        # First layers of each branch: weight gradients only; output_beta: weights and input; the Dot: both operands.
        "backward_macs": 100 * 20 * 8 + 2 * 100 * 8 * 3 + 100 * 3 + 2 * dot,
        "training_step_macs": dense + dot + 100 * 20 * 8 + 2 * 100 * 8 * 3 + 100 * 3 + 2 * dot,
    }
    assert sum(row["macs"] for row in model["layers"]) == dense + dot
    memory = model["memory"]
    assert memory["parameter_bytes"] == 530 * 4 and memory["parameter_bytes_by_dtype"] == {"float32": 530 * 4}
    # Outputs of hidden_layer, batch_norm (100 x 8 each), output_beta (100 x 3), output_factor (3), the Dot (100).
    assert memory["activation_bytes_per_example"] == (800 + 800 + 300 + 3 + 100) * 4
    # Adam keeps two slots per trainable weight (plus its iteration count and learning rate); batch size 32.
    training = memory["training"]
    assert training["batch_size"] == 32
    assert (training["parameters"], training["gradients"]) == (530 * 4, 514 * 4)
    assert 2 * 514 * 4 <= training["optimizer_state"] <= 2 * 514 * 4 + 16
    # The step keeps what its backward pass reads (tests/inspect/test_memory.py counts it by hand).
    assert training["activations"] == 32 * memory["saved_bytes_per_example"]
    assert (
        memory["training_bytes"]
        == training["total"]
        == sum(
            training[k] for k in ("parameters", "gradients", "optimizer_state", "activations", "activation_gradients")
        )
    )


def test_inspect_json_hidden_layer_matches_design_md(inspect_json):
    model = inspect_json["components"]["model"]
    assert model["dense"][0] == {
        "path": "hidden_layer",
        "input_shape": [None, 100, 20],
        "output_shape": [None, 100, 8],
        "kernel_shape": [20, 8],
        "threaded_over": [100],
        "params": 168,
        "macs": 16000,
    }
    hidden_row = next(row for row in model["layers"] if row["path"] == "hidden_layer")
    assert hidden_row == {
        "path": "hidden_layer",
        "class": "Dense",
        "input_shape": [None, 100, 20],
        "output_shape": [None, 100, 8],
        "params": 168,
        "macs": 16000,
        "backward_macs": 16000,  # the first layer: its weight gradient only
        "attributes": {"units": 8, "activation": "relu", "use_bias": True},
        "inputs": ["input_beta"],
        "trainable": True,
        "macs_share": round(16000 / 19000, 6),
        "params_share": round(168 / 530, 6),
    }
    assert [entry["path"] for entry in model["dense"]] == ["hidden_layer", "output_beta", "output_factor"]


def test_inspect_counts_agree_with_plain_keras(inspect_json):
    import keras

    from kreg.plugins.risk_factor.model import build

    model = build()
    trainable = sum(int(keras.ops.size(w)) for w in model.trainable_weights)
    params = inspect_json["components"]["model"]["params"]
    assert params["total"] == model.count_params() == 530
    assert params["trainable"] == trainable == 514
    assert params["non_trainable"] == 530 - trainable


def test_inspect_text_report_says_what_dense_threads_over(kreg_cli):
    result = kreg_cli("inspect", NAME, "--set", "n_tickers=50", env={"COLUMNS": "250"})  # wide: no wrapped cells

    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "n_tickers=50" in text
    assert "applies kernel (20, 8) at each of 50 positions" in text
    assert "applies kernel (50, 3) once per example" in text
    assert "non-trainable" in text and "364" in text  # 530 - 150 fewer weights in output_factor, 16 frozen
    assert "BatchNormalization" in text and "(None, 50, 20)" in text


def test_inspect_preset_and_set_change_the_model(kreg_cli):
    result = kreg_cli("inspect", NAME, "--preset", "smoke", "--set", "hidden_units=4", "--json")

    assert result.exit_code == 0, result.output
    hidden = json.loads(result.stdout)["components"]["model"]["dense"][0]
    assert hidden["kernel_shape"] == [6, 4] and hidden["threaded_over"] == [16] and hidden["macs"] == 16 * 6 * 4


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "n_tickers=many"], "'n_tickers'"),
        (["--set", "bogus=1"], "'bogus'"),
        (["--set", "n_tickers=0"], "'n_tickers': must be a positive integer"),
        (["--component", "encoder"], "no component 'encoder'"),
        (["--preset", "huge"], "no preset 'huge'"),
    ],
)
def test_inspect_usage_errors_exit_2_with_one_line(args, fragment, kreg_cli):
    result = kreg_cli("inspect", NAME, *args)

    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_unknown_architecture_suggests_a_name(kreg_cli):
    result = kreg_cli("inspect", "risk-factor-autoencodr")

    assert result.exit_code == 2 and "did you mean 'risk-factor-autoencoder'" in result.stderr


def test_plot_writes_png_with_real_dot_and_creates_the_folder(tmp_path, kreg_cli):
    target = tmp_path / "new" / "folder" / "rf.png"

    result = kreg_cli("plot", NAME, "-o", str(target), "--rankdir", "LR", "--dpi", "50")

    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG")
    assert str(target) in result.stdout


def test_plot_svg_shows_names_and_shapes(tmp_path, kreg_cli):
    target = tmp_path / "rf.svg"

    assert kreg_cli("plot", NAME, "-o", str(target)).exit_code == 0

    svg = target.read_text()
    for text in ("input_beta", "input_factor", "hidden_layer", "(None, 100, 20)", "at each of 100 positions"):
        assert text in svg


def test_plot_dot_source_without_graphviz(tmp_path, kreg_cli):
    target = tmp_path / "rf.dot"

    result = kreg_cli("plot", NAME, "-o", str(target), env={"PATH": str(tmp_path)})

    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("digraph")


def test_plot_default_file_name_in_the_current_folder(tmp_path, monkeypatch, kreg_cli):
    monkeypatch.chdir(tmp_path)

    assert kreg_cli("plot", NAME, "--dpi", "30").exit_code == 0
    assert (tmp_path / f"{NAME}.png").exists()


def test_plot_without_dot_says_how_to_install_it(tmp_path, kreg_cli):
    result = kreg_cli("plot", NAME, "-o", str(tmp_path / "x.png"), env={"PATH": str(tmp_path)})

    assert result.exit_code == 1
    assert "install graphviz" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_plot_without_pydot_says_how_to_install_it(tmp_path, monkeypatch, kreg_cli):
    monkeypatch.setitem(sys.modules, "pydot", None)  # makes `import pydot` raise ImportError

    result = kreg_cli("plot", NAME, "-o", str(tmp_path / "x.svg"))

    assert result.exit_code == 1
    assert "pip install pydot" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_plot_unknown_extension_is_a_usage_error(tmp_path, kreg_cli):
    result = kreg_cli("plot", NAME, "-o", str(tmp_path / "x.jpg"))

    assert result.exit_code == 2 and "'.jpg'" in result.stderr


def test_plot_output_folder_that_cannot_be_made_is_a_usage_error_before_building(tmp_path, kreg_cli):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    result = kreg_cli("plot", NAME, "-o", str(blocker / "x.dot"))

    assert result.exit_code == 2
    assert result.stderr.strip() == f"kreg: error: -o {str(blocker / 'x.dot')!r}: {str(blocker)!r} is not a folder"


def test_plot_replaces_a_previous_file_whole(tmp_path, kreg_cli):
    target = tmp_path / "graph.dot"
    target.write_text("previous")

    result = kreg_cli("plot", NAME, "-o", str(target))

    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("digraph") and [p.name for p in tmp_path.iterdir()] == ["graph.dot"]


def test_listing_commands_do_not_import_tensorflow_or_inspect_tools():
    heavy = ("tensorflow", "keras", "kreg.inspect_tools.report", "kreg.inspect_tools.graph")
    code = f"import sys, kreg.cli; print([m for m in {heavy!r} if m in sys.modules])"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert output.strip() == "[]"


def test_the_json_example_of_the_compute_docs_is_what_kreg_prints(inspect_json):
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "compute.md").read_text()
    example = page.split("## The JSON", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    documented = json.loads("{" + example + "}")
    model = inspect_json["components"]["model"]
    assert documented == {"compute": model["compute"], "memory": model["memory"]}
