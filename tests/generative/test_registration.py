"""Registration: light imports, the declared components, presets and sampler options."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

FAMILIES = {
    "vae": ("vae", "vae-mlp"),
    "autoencoder": ("autoencoder",),
    "gan": ("dcgan", "wgan-gp"),
}
COMPONENTS = {
    "vae": ("model", "encoder", "decoder"),
    "vae-mlp": ("model", "encoder", "decoder"),
    "autoencoder": ("model", "encoder", "decoder"),
    "dcgan": ("model", "generator", "discriminator"),
    "wgan-gp": ("model", "generator", "discriminator"),
}


def test_importing_the_families_imports_neither_tensorflow_nor_keras():
    code = (
        "import json, sys\n"
        + "".join(f"import kreg.plugins.{family}\n" for family in FAMILIES)
        + "print(json.dumps(sorted(m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_registers_its_architectures(generative_catalogue, family):
    registered = {entry.name for entry in generative_catalogue if entry.plugin.name == family}
    assert registered == set(FAMILIES[family])


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_architecture_declarations(generative_catalogue, name):
    architecture = generative_catalogue.get(name).architecture
    assert architecture.problems() == []
    assert architecture.components == COMPONENTS[name]
    assert "smoke" in architecture.presets
    assert architecture.sampler is not None and architecture.sample_options


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_builders_return_the_declared_components_compiled(build_architecture, name):
    built = build_architecture(name, preset="smoke")
    assert tuple(built.components) == COMPONENTS[name]
    assert built.model.compiled and built.model.built
    for attribute in ("d_optimizer", "g_optimizer"):  # Keras pre-builds only `optimizer` itself
        optimizer = getattr(built.model, attribute, None)
        assert optimizer is None or optimizer.built, attribute  # built in the caller's distribution scope
