"""kreg's own plugins keep the contract kreg.testing checks third-party plugins against, and write each default once."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kreg import load_catalogue
from kreg.loading import BUILTIN_DISTRIBUTION, discover_entry_points
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.common.registration import Family
from kreg.references import resolve
from kreg.testing import (
    check_architecture,
    check_hyperparameters,
    check_light_import,
    check_registration,
    registered_names,
)

BUILTIN_PLUGINS = sorted(
    ep.name
    for ep in discover_entry_points()
    if ep.dist is not None and ep.dist.metadata["Name"] == BUILTIN_DISTRIBUTION
)


@pytest.mark.parametrize("plugin", BUILTIN_PLUGINS)
def test_every_builtin_plugin_registers_cleanly(plugin):
    assert check_registration(plugin)


APPLICATIONS_CHECKED_WHOLE = {"mobilenetv3small", "resnet50", "densenet121", "efficientnetv2b0"}
"""The keras.applications models whose whole contract (save and reload included) is checked here:
one per preprocessing mode. All forty share one builder and adapter, and
tests/applications/test_sweep.py runs ``kreg check`` and the published counts on every one;
saving all forty here would write gigabytes (ConvNeXtXLarge alone is 1.4 GB)."""


@pytest.mark.slow
@pytest.mark.parametrize("plugin", BUILTIN_PLUGINS)
def test_every_builtin_plugin_keeps_the_whole_contract(plugin, tmp_path):
    entries = check_registration(plugin)
    check_light_import(plugin)
    if plugin == "applications":
        entries = [entry for entry in entries if entry.name in APPLICATIONS_CHECKED_WHOLE]
        assert len(entries) == len(APPLICATIONS_CHECKED_WHOLE)
    for entry in entries:
        report = check_architecture(entry, workdir=tmp_path)
        assert report.steps == 3 or entry.architecture.data_adapter is None


BUILTIN_ARCHITECTURES = sorted(name for plugin in BUILTIN_PLUGINS for name in registered_names(plugin))


@pytest.mark.parametrize("architecture", BUILTIN_ARCHITECTURES)
def test_every_builtin_registers_the_defaults_its_builder_has(architecture):
    check_hyperparameters(architecture)


def _builtin_entries():
    return [entry for entry in load_catalogue() if entry.plugin.builtin]


def _declared_parts(entry):
    """The builder and the sampler of ``entry``, each with the defaults the registration declares for it."""
    architecture = entry.architecture
    yield "builder", resolve(architecture.builder), dict(architecture.hyperparameters)
    if architecture.sampler is not None:
        yield "sampler", resolve(architecture.sampler), dict(architecture.sample_options)


def _own_defaults(function) -> set[str]:
    """The parameters that have a default written in the function's own ``def``."""
    function = getattr(function, "func", function)  # a functools.partial: the function it binds
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    definition = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    arguments = definition.args
    positional = [*arguments.posonlyargs, *arguments.args]
    with_default = positional[len(positional) - len(arguments.defaults) :]
    keyword = [arg for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults) if default is not None]
    return {arg.arg for arg in [*with_default, *keyword]}


@pytest.mark.parametrize("architecture", BUILTIN_ARCHITECTURES)
def test_every_builtin_default_is_written_once(architecture):
    """The builder and sampler write no default of their own for what the registration declares;
    the one they have is the declared one (a direct ``build()`` builds what ``kreg`` builds)."""
    entry = load_catalogue().get(architecture)
    for part, function, declared in _declared_parts(entry):
        assert not _own_defaults(function) & set(declared), f"{part} repeats a declared default"
        parameters = inspect.signature(function).parameters
        defaults = {name: parameters[name].default for name in declared}
        assert {k: list(v) if isinstance(v, tuple) else v for k, v in defaults.items()} == declared, part


def _repository_paths(text: str) -> list[str]:
    """The words of ``text`` that name a path (``seeds/000.txt``), not a web address (``keras.io/...``)."""
    return [word for word in re.findall(r"[\w.-]+(?:/[\w.-]+)+", text) if "." not in word.split("/")[0]]


def test_a_path_in_a_source_is_told_from_a_web_address():
    assert _repository_paths("seeds/000_0277b79063998d35.txt and 001.txt, 'GAN'") == ["seeds/000_0277b79063998d35.txt"]
    assert _repository_paths("Deep Learning with Python, listings 12.24-12.29, https://keras.io/examples/x/") == []


def test_no_builtin_source_points_at_a_file_kreg_does_not_ship():
    root = Path(__file__).resolve().parents[2]
    missing = {
        entry.name: path
        for entry in _builtin_entries()
        for path in _repository_paths(entry.architecture.source)
        if not (root / path).exists()
    }
    assert missing == {}
    assert all(entry.architecture.source for entry in _builtin_entries())


def test_declared_defaults_become_the_functions_defaults():
    @defaults_from({"units": 4, "layers": ["a", "b"]})
    def build(*, units, layers, data_state=None):
        return units, layers, data_state

    assert build() == (4, ("a", "b"), None)  # a list default is shared by every call: a tuple
    assert build(units=8) == (8, ("a", "b"), None)
    assert str(inspect.signature(build)) == "(*, units=4, layers=('a', 'b'), data_state=None)"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def build(*, units=4):", "parameter 'units' has a default of its own"),
        ("def build(units):", "parameter 'units' must be keyword-only"),
        ("def build(*, width):", "no parameter 'units'"),
        ("def build(*, units, width):", "keyword-only parameter 'width' is not declared and has no default"),
    ],
)
def test_a_builder_that_disagrees_with_its_declaration_fails_at_import(source, problem):
    namespace: dict = {}
    exec(f"{source}\n    pass", namespace)
    with pytest.raises(TypeError, match=re.escape(problem)):
        defaults_from({"units": 4})(namespace["build"])


def test_a_family_names_its_parts_relative_to_its_package_and_shares_its_fields():
    family = Family("kreg_example.family", tags=("generative",), components=("model", "decoder"), batch_size=8)
    architecture = family.architecture(
        name="example",
        summary="An example",
        builder=".model:build",
        sampler="other_package.sampling:grid",
        tags=("vae",),
        batch_size=16,
    )
    assert architecture.builder == "kreg_example.family.model:build"
    assert architecture.sampler == "other_package.sampling:grid"
    assert architecture.tags == ("generative", "vae")
    assert architecture.components == ("model", "decoder")
    assert architecture.batch_size == 16
    assert architecture.problems() == []


WARNING_FILTERS_AFTER_IMPORTS = """
import importlib, warnings
import keras, tensorflow  # their own imports may set filters; the plugins' code must not
import kreg

before = list(warnings.filters)
modules = set()
for entry in kreg.load_catalogue():
    if entry.plugin.builtin:
        parts = entry.architecture
        for reference in (parts.builder, parts.data_adapter, parts.data_state, parts.train_step, parts.sampler):
            if isinstance(reference, str):
                modules.add(reference.split(":")[0])
for module in sorted(modules):
    importlib.import_module(module)
print(len(modules), warnings.filters == before)
"""


def test_importing_the_builtin_plugins_code_leaves_the_warning_filters_alone():
    """A plugin ignores a warning around the call that raises it, never for the whole process."""
    result = subprocess.run([sys.executable, "-c", WARNING_FILTERS_AFTER_IMPORTS], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    count, unchanged = result.stdout.split()
    assert int(count) > 20 and unchanged == "True"
