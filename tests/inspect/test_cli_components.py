"""``kreg inspect`` / ``kreg plot`` on architectures with several components, a
Model subclass without call(), and the seq2seq Transformer, registered in a
catalogue made by the test."""

from __future__ import annotations

import functools
import json

import pytest

from kreg import Architecture, Catalogue, PluginRecord


@pytest.fixture(scope="module")
def catalogue(toy):
    """A catalogue with a VAE-like architecture, the seq2seq Transformer and a broken builder."""

    def build_vae(latent_dim: int = 2):
        vae = toy.toy_vae(features=6, latent_dim=latent_dim)
        return {"model": vae, "encoder": vae.encoder, "decoder": vae.decoder}

    def build_transformer(embed_dim: int = 8):
        return toy.seq2seq_transformer(embed_dim=embed_dim)

    def build_broken():
        raise RuntimeError("no GPU kernel for this op")

    catalogue = Catalogue()
    record = PluginRecord("toys")
    catalogue.add(
        Architecture(
            name="toy-vae",
            summary="VAE",
            builder=build_vae,
            hyperparameters={"latent_dim": 2},
            components=("model", "encoder", "decoder"),
        ),
        record,
    )
    catalogue.add(
        Architecture(
            name="toy-transformer", summary="seq2seq", builder=build_transformer, hyperparameters={"embed_dim": 8}
        ),
        record,
    )
    catalogue.add(Architecture(name="toy-broken", summary="raises", builder=build_broken), record)
    return catalogue


@pytest.fixture
def kreg(catalogue, kreg_cli):
    """``kreg_cli`` on the toy catalogue."""
    return functools.partial(kreg_cli, catalogue=catalogue)


def test_inspect_reports_every_component_and_sums_the_container(kreg):
    result = kreg("inspect", "toy-vae", "--json")

    assert result.exit_code == 0, result.output
    components = json.loads(result.stdout)["components"]
    assert list(components) == ["model", "encoder", "decoder"]
    model, encoder, decoder = components["model"], components["encoder"], components["decoder"]
    assert model["class"] == "ToyVAE" and encoder["class"] == "Functional"
    for key in ("total", "trainable", "non_trainable"):
        assert model["params"][key] == encoder["params"][key] + decoder["params"][key]
    assert [e["path"] for e in model["dense"]] == [f"encoder/{e['path']}" for e in encoder["dense"]] + [
        f"decoder/{e['path']}" for e in decoder["dense"]
    ]


def test_inspect_one_component(kreg):
    result = kreg("inspect", "toy-vae", "--component", "decoder", "--set", "latent_dim=3", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report["components"]) == ["decoder"]
    assert report["components"]["decoder"]["dense"][0]["kernel_shape"] == [3, 6]


def test_plot_model_subclass_as_clusters_of_its_submodels(kreg, tmp_path):
    target = tmp_path / "vae.dot"

    result = kreg("plot", "toy-vae", "-o", str(target))

    assert result.exit_code == 0, result.output
    source = target.read_text()
    assert "subgraph cluster_" in source
    assert 'label="encoder (Functional)"' in source and 'label="decoder (Functional)"' in source


def test_plot_component_default_file_name(kreg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = kreg("plot", "toy-vae", "--component", "encoder", "--dpi", "30")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "toy-vae-encoder.png").read_bytes().startswith(b"\x89PNG")


def test_plot_transformer_expand_nested_and_layers_with_real_dot(kreg, tmp_path):
    target = tmp_path / "transformer.svg"

    result = kreg("plot", "toy-transformer", "-o", str(target), "--expand-nested", "--expand-layers", "--no-fold")

    assert result.exit_code == 0, result.output
    svg = target.read_text()
    for text in (
        "encoder_inputs",
        "decoder_state_inputs",
        "decoder (Functional)",
        "attention_2 (MultiHeadAttention)",
        "proj_hidden",
    ):
        assert text in svg


def test_transformer_inspect_threads_over_unknown_sequence_length(kreg):
    result = kreg("inspect", "toy-transformer", "--json")

    assert result.exit_code == 0, result.output
    dense = json.loads(result.stdout)["components"]["model"]["dense"]
    query = next(e for e in dense if e["path"] == "transformer_encoder/attention/query")
    assert query["threaded_over"] == [None] and query["macs"] is None and query["kernel_shape"] == [8, 2, 8]


@pytest.mark.parametrize("command", ["inspect", "plot"])
def test_builder_failure_is_one_line_exit_1(kreg, command, tmp_path):
    args = ["-o", str(tmp_path / "x.dot")] if command == "plot" else []

    result = kreg(command, "toy-broken", *args)

    assert result.exit_code == 1
    assert result.stderr.strip() == "kreg: error: toy-broken: build failed: RuntimeError: no GPU kernel for this op"
