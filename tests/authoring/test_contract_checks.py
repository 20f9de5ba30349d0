"""kreg.testing: each check passes a plugin that keeps the contract and names the phase of one that breaks it."""

from __future__ import annotations

import pytest

from kreg import testing
from kreg.testing import ContractError, check_architecture, check_light_import, check_registration, load_plugin
from tests.authoring.conftest import TINY_MODEL, plugin_source


def _entry(module: str, name: str):
    catalogue, record = load_plugin(module)
    assert not record.failures, record.failures
    return catalogue.get(name)


# -- registration ---------------------------------------------------------------


def test_registration_returns_what_the_plugin_registered(write_module):
    module = write_module(lambda m: plugin_source(m, "tiny-one"), TINY_MODEL)
    (entry,) = check_registration(module)
    assert entry.name == "tiny-one" and entry.plugin.name == module


def test_an_installed_plugin_is_found_by_its_entry_point_name():
    entries = check_registration("risk-factor")
    assert [entry.name for entry in entries] == ["risk-factor-autoencoder"]
    assert testing.plugin_module("risk-factor") == "kreg.plugins.risk_factor"


def test_a_hook_that_raises_fails_registration_with_the_cause(write_module):
    module = write_module(
        "import kreg\n\n@kreg.hookimpl\ndef kreg_register_architectures(register):\n    raise RuntimeError('boom')\n"
    )
    with pytest.raises(
        ContractError, match=r"registration failed: .*raised in kreg_register_architectures: RuntimeError: boom"
    ) as caught:
        check_registration(module)
    assert caught.value.phase == "registration"


def test_taking_a_builtin_name_fails_registration(write_module):
    module = write_module(lambda m: plugin_source(m, "risk-factor-autoencoder"), TINY_MODEL)
    with pytest.raises(ContractError, match="already registered by plugin 'risk-factor'"):
        check_registration(module)


def test_every_problem_is_listed(write_module):
    source = (
        "import kreg\n\n@kreg.hookimpl\ndef kreg_register_architectures(register):\n"
        "    register(kreg.Architecture(name='Bad Name', summary='x', builder='m:b'))\n"
        "    register(kreg.Architecture(name='lost', summary='x', builder='no_such_module_here:build'))\n"
    )
    module = write_module(source)
    with pytest.raises(ContractError) as caught:
        check_registration(module)
    problems = caught.value.problems
    assert len(problems) == 2
    assert "could not register 'Bad Name'" in problems[0]
    assert (
        "builder 'no_such_module_here:build' names module 'no_such_module_here', which cannot be found" in problems[1]
    )


def test_a_plugin_that_registers_nothing_fails(write_module):
    module = write_module("import kreg\n\n@kreg.hookimpl\ndef kreg_register_architectures(register):\n    pass\n")
    with pytest.raises(ContractError, match="registered no architecture"):
        check_registration(module)


def test_an_unimportable_module_fails_registration():
    with pytest.raises(ContractError, match="failed to import: ModuleNotFoundError"):
        check_registration("kreg_no_such_plugin_module")


# -- light import ---------------------------------------------------------------


def test_a_light_plugin_passes_the_import_check(write_module):
    module = write_module(lambda m: plugin_source(m, "tiny-light"), TINY_MODEL)
    check_light_import(module)


def test_a_heavy_import_is_reported_with_the_line_that_did_it(write_module, tmp_path):
    # A stand-in heavy module keeps the test fast; the mechanism is the one
    # that catches `import keras` (tensorflow and keras are the default names).
    (tmp_path / "modules" / "kreg_fake_heavy.py").write_text("VALUE = 1\n")
    module = write_module(lambda m: "import kreg_fake_heavy\n" + plugin_source(m, "tiny-heavy"), TINY_MODEL)
    with pytest.raises(ContractError, match="light-import failed") as caught:
        check_light_import(module, heavy=("kreg_fake_heavy",))
    assert (
        f"loading it imported kreg_fake_heavy ({tmp_path / 'modules' / module}.py:1: import kreg_fake_heavy)"
        in caught.value.problems[0]
    )


def test_an_import_inside_the_hook_is_caught_too(write_module, tmp_path):
    (tmp_path / "modules" / "kreg_fake_heavy_two.py").write_text("VALUE = 1\n")

    def source(m: str) -> str:
        return plugin_source(m, "tiny-hook").replace("    register(", "    import kreg_fake_heavy_two\n    register(")

    module = write_module(source, TINY_MODEL)
    with pytest.raises(ContractError, match="imported kreg_fake_heavy_two"):
        check_light_import(module, heavy=("kreg_fake_heavy_two",))


# -- architectures ------------------------------------------------------------


def test_a_builtin_architecture_passes_every_phase(kreg_check, tmp_path):
    report = kreg_check("risk-factor-autoencoder")
    assert report.preset == "smoke" and report.hyperparameters["n_tickers"] == 16
    assert report.params["model"]["total"] > 0 and report.dense["model"] == 3
    assert report.steps == 3 and set(report.metrics) == {"loss"}
    assert report.saved == str(tmp_path / "risk-factor-autoencoder.keras")


def test_declared_components_must_match_what_the_builder_returns(write_module):
    module = write_module(lambda m: plugin_source(m, "tiny-parts", components="('model', 'encoder')"), TINY_MODEL)
    with pytest.raises(
        ContractError, match=r"build failed: the builder returned components \['model'\], but the Architecture declares"
    ):
        check_architecture(_entry(module, "tiny-parts"))


def test_a_non_finite_metric_fails_the_train_phase(write_module):
    step = TINY_MODEL + "\n\ndef nan_step(model, batch):\n    return {'loss': tf.constant(float('nan'))}\n"
    module = write_module(lambda m: plugin_source(m, "tiny-nan", train_step=f"'{m}_model:nan_step'"), step)
    with pytest.raises(ContractError, match=r"'tiny-nan': train failed: .*loss") as caught:
        check_architecture(_entry(module, "tiny-nan"), steps=2)
    assert caught.value.phase == "train"


UNREGISTERED_LAYER = TINY_MODEL.replace(
    "def build(units=4):",
    """class Doubler(keras.layers.Layer):
    def call(self, x):
        return 2.0 * x


def build(units=4):""",
).replace('keras.layers.Dense(1, name="out")', 'keras.layers.Dense(1, name="out"), Doubler()')


def test_a_custom_layer_without_registration_fails_the_load_phase(write_module):
    module = write_module(lambda m: plugin_source(m, "tiny-unregistered"), UNREGISTERED_LAYER)
    with pytest.raises(ContractError, match=r"'tiny-unregistered': load failed: .*Doubler"):
        check_architecture(_entry(module, "tiny-unregistered"), steps=1)


# -- hyperparameters against the builder's signature -------------------------------


def test_hyperparameters_that_agree_with_the_builder_pass(write_module):
    module = write_module(lambda m: plugin_source(m, "tiny-agrees"), TINY_MODEL)
    testing.check_hyperparameters(_entry(module, "tiny-agrees"))  # units=4 both registered and in build(units=4)


def test_every_disagreement_with_the_builder_is_reported(write_module):
    builder = TINY_MODEL.replace("def build(units=4):", "def build(width, units=8, depth=2):")
    source = lambda m: plugin_source(m, "tiny-disagrees").replace("{'units': 4}", "{'units': 4, 'dropout': 0.5}")  # noqa: E731
    module = write_module(source, builder)
    with pytest.raises(ContractError) as caught:
        testing.check_hyperparameters(_entry(module, "tiny-disagrees"))
    assert caught.value.phase == "hyperparameters"
    assert caught.value.problems == [
        "hyperparameter 'units': registered default 4, builder default 8",
        "hyperparameter 'dropout' is registered but the builder has no parameter 'dropout'",
        "the builder's parameter 'width' has no default and is not a registered hyperparameter",
    ]


def test_a_builder_taking_keyword_arguments_accepts_every_key(write_module):
    builder = TINY_MODEL.replace("def build(units=4):", "def build(units=4, **extra):")
    source = lambda m: plugin_source(m, "tiny-open").replace("{'units': 4}", "{'units': 4, 'anything': [1, 2]}")  # noqa: E731
    module = write_module(source, builder)
    testing.check_hyperparameters(_entry(module, "tiny-open"))
