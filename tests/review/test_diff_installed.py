"""``kreg diff`` with a saved model in a fresh process: the ViT plugin pip-installed for real.

Loading the file needs the plugin's custom layers (Patches, PatchEncoder):
kreg finds them by importing the installed plugins' builders, and says in one
line why the file cannot load when no installed plugin defines them.
"""

from __future__ import annotations

import json

import pytest

from tests.review.vit_plugin import DISTRIBUTION, NAME, write_package

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    from tests.support.plugin_packages import make_plugin_environment

    root = tmp_path_factory.mktemp("vit-plugin")
    env = make_plugin_environment(root / "venv")
    env.install(write_package(root / "src"))
    return env


@pytest.fixture(scope="module")
def saved(environment, tmp_path_factory):
    """The ViT at its defaults saved by a process of the plugin's venv."""
    path = tmp_path_factory.mktemp("saved") / "vit.keras"
    code = (
        "import kreg, keras; from kreg.running.building import build_fresh\n"
        f"entry = kreg.load_catalogue().get({NAME!r})\n"
        f"build_fresh(entry, entry.architecture.hyperparameters).model.save({str(path)!r})\n"
    )
    import subprocess

    completed = subprocess.run([str(environment.python), "-c", code], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return path


def test_a_saved_model_loads_in_a_fresh_process_and_matches_its_architecture(environment, saved):
    result = environment.kreg("diff", str(saved), "--against", NAME, "--json")
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)
    assert diff["identical"] is True and diff["left"]["file"] == str(saved)


def test_without_the_plugin_the_file_cannot_load_and_says_why(environment, saved):
    result = environment.kreg(
        "diff", "risk-factor-autoencoder", "--against", str(saved), "--disable-plugin", DISTRIBUTION
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"kreg: error: cannot load {str(saved)!r}: ")
    assert "Patches" in last or "PatchEncoder" in last
    assert "Traceback" not in result.stderr and len(last) < 400
