"""``kreg inspect`` and ``kreg plot --expand-nested --expand-layers`` on every built-in architecture."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.catalogues import builtin_catalogue

CATALOGUE = builtin_catalogue()  # loading plugins imports no TensorFlow: cheap at collection


def _preset(name: str) -> list[str]:
    return ["--preset", "smoke"] if "smoke" in CATALOGUE.get(name).architecture.presets else []


def _keras_total(model) -> int:
    from kreg.inspect_tools.params import count_variables, is_container_model, submodels

    if is_container_model(model):  # Keras refuses: not built
        return count_variables(w for sub in submodels(model) for w in sub.weights)
    return model.count_params()


@pytest.mark.slow
@pytest.mark.parametrize("name", CATALOGUE.names())
def test_every_builtin_is_inspected_and_plotted(name, tmp_path, kreg_cli):
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running.building import build

    result = kreg_cli("inspect", name, *_preset(name), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    entry = CATALOGUE.get(name)
    built = build(entry, resolve_hyperparameters(entry, (), "smoke" if _preset(name) else None))
    assert list(report["components"]) == list(built.components)
    for component, model in built.components.items():
        record = report["components"][component]
        assert "note" not in record, record["note"]
        assert record["layers"], f"{component}: no traced layers"
        assert record["params"]["total"] == _keras_total(model)

        target = tmp_path / f"{component}.dot"
        args = ["plot", name, *_preset(name), "--component", component, "--expand-nested", "--expand-layers"]
        plotted = kreg_cli(*args, "-o", str(target))
        assert plotted.exit_code == 0, plotted.output
        subprocess.run(["dot", "-Tplain", str(target)], check=True, capture_output=True)
