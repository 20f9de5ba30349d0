"""The keras-hub worked example (docs/wrapping-other-libraries.md, examples/kreg-hub-bert) really runs.

The slow tests install keras-hub from PyPI into a temporary venv the way the
page says (``--no-deps`` plus what it imports), install the example plugin,
and run ``kreg check`` and ``kreg inspect`` on it; one asks pip's resolver
whether a plain ``pip install keras-hub`` would pull the full ``tensorflow``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.plugin_packages import PluginEnvironment, make_plugin_environment

EXAMPLE_FILES = (
    "pyproject.toml",
    "kreg_hub_bert/__init__.py",
    "kreg_hub_bert/model.py",
    "kreg_hub_bert/data.py",
    "kreg_hub_bert/train.py",
)
KERAS_HUB_IMPORTS = ("regex", "tokenizers", "kagglehub")


def test_the_page_shows_the_example_files_as_they_are(repository_root):
    page = (repository_root / "docs" / "wrapping-other-libraries.md").read_text()
    for name in EXAMPLE_FILES:
        text = (repository_root / "examples" / "kreg-hub-bert" / name).read_text().rstrip()
        assert f"`{name}`:\n\n```" in page and text in page, f"{name} differs from its copy in the page"
    assert "pip install --no-deps keras-hub\npip install " + " ".join(KERAS_HUB_IMPORTS) in page


def pip(environment: PluginEnvironment, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", "--python", str(environment.python), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def hub_environment(tmp_path_factory, repository_root) -> PluginEnvironment:
    """A venv seeing kreg and tensorflow-cpu, with keras-hub installed as the page says, and the example plugin."""
    environment = make_plugin_environment(tmp_path_factory.mktemp("hub") / "venv")
    installed = pip(environment, "install", "--quiet", "--no-deps", "keras-hub")
    if installed.returncode != 0:
        pytest.skip(f"cannot install keras-hub from PyPI here: {installed.stderr.strip().splitlines()[-1:]}")
    for args in (
        ("install", "--quiet", *KERAS_HUB_IMPORTS),
        (
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            str(repository_root / "examples" / "kreg-hub-bert"),
        ),
    ):
        result = pip(environment, *args)
        assert result.returncode == 0, result.stderr[-2000:]
    return environment


def bert_parameters(vocabulary: int, hidden: int, intermediate: int, length: int, layers: int) -> int:
    """BERT's parameter count by hand: embeddings, transformer layers, pooler."""
    embeddings = (
        vocabulary * hidden + length * hidden + 2 * hidden + 2 * hidden
    )  # token, position, 2 segments, LayerNorm
    attention = 4 * (hidden * hidden + hidden) + 2 * hidden  # query, key, value, output; LayerNorm
    feedforward = hidden * intermediate + intermediate + intermediate * hidden + hidden + 2 * hidden
    return embeddings + layers * (attention + feedforward) + hidden * hidden + hidden


@pytest.mark.slow
def test_installed_the_pages_way_keras_hub_brings_no_second_tensorflow(hub_environment):
    listed = json.loads(pip(hub_environment, "list", "--format", "json").stdout)
    names = {item["name"].lower().replace("_", "-") for item in listed}
    assert "keras-hub" in names and "kreg-hub-bert" in names
    assert "tensorflow" not in names and "tensorflow-text" not in names


@pytest.mark.slow
def test_a_plain_install_would_pull_the_full_tensorflow(hub_environment):
    result = pip(hub_environment, "install", "--dry-run", "--quiet", "--report", "-", "keras-hub")
    if result.returncode != 0:
        pytest.skip(f"pip could not resolve keras-hub here: {result.stderr.strip().splitlines()[-1:]}")
    wanted = {item["metadata"]["name"].lower() for item in json.loads(result.stdout)["install"]}
    assert {"tensorflow", "tensorflow-text"} <= wanted


@pytest.mark.slow
def test_kreg_checks_and_inspects_the_keras_hub_backbone(hub_environment):
    checked = hub_environment.kreg("check", "hub-bert-mlm", "--json", timeout=900)
    assert checked.returncode == 0, checked.stderr[-3000:]
    row = json.loads(checked.stdout)["results"][0]
    assert row["passed"] and row["preset"] == "smoke" and row["steps"] == 3 and set(row["metrics"]) == {"loss"}
    # The smoke preset: vocabulary 64, hidden 16, intermediate 32, 16 positions, 2 layers.
    assert row["params"]["model"]["total"] == bert_parameters(64, 16, 32, 16, 2) == 6_064
    inspected = hub_environment.kreg("inspect", "hub-bert-mlm", "--json", timeout=900)
    assert inspected.returncode == 0, inspected.stderr[-3000:]
    model = json.loads(inspected.stdout)["components"]["model"]
    assert model["class"] == "BertBackbone"
    assert model["params"]["total"] == bert_parameters(1000, 64, 128, 32, 2)
    assert {"token_ids", "segment_ids", "padding_mask"} <= {layer["path"] for layer in model["layers"]}
    assert model["dense"], "the attention and feed-forward Dense layers are traced"
