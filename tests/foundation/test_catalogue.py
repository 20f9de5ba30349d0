"""The catalogue: registration through plugins, faults, lookups (fresh catalogue per test)."""

from __future__ import annotations

import pytest

import kreg
from kreg.errors import UnknownArchitecture


def architecture(name: str, **changes) -> kreg.Architecture:
    return kreg.Architecture(**{"name": name, "summary": f"the {name}", "builder": "pkg:build", **changes})


class Plugin:
    """A plugin object registering the given architectures, then optionally raising."""

    def __init__(self, *architectures, error: Exception | None = None):
        self.architectures, self.error = architectures, error

    @kreg.hookimpl
    def kreg_register_architectures(self, register):
        for item in self.architectures:
            register(item)
        if self.error:
            raise self.error


def add(catalogue: kreg.Catalogue, name: str, plugin: object) -> kreg.PluginRecord:
    return catalogue.add_plugin(plugin, kreg.PluginRecord(name=name))


def test_registered_architectures_are_found_by_name(catalogue):
    record = add(catalogue, "demo", Plugin(architecture("tiny-mlp"), architecture("tiny-cnn", tags=("vision",))))
    assert catalogue.names() == ["tiny-cnn", "tiny-mlp"]
    assert catalogue.get("tiny-mlp").plugin is record
    assert record.architectures == ["tiny-mlp", "tiny-cnn"]
    assert record.hooks == ["kreg_register_architectures"]
    assert record.failures == [] and record.status == "loaded"


def test_select_by_patterns_and_tags(catalogue):
    add(
        catalogue,
        "demo",
        Plugin(
            architecture("vae", tags=("generative",)),
            architecture("vae-mlp", tags=("generative", "mlp")),
            architecture("dcgan", tags=("generative",)),
        ),
    )
    assert [e.name for e in catalogue.select(["vae*"])] == ["vae", "vae-mlp"]
    assert [e.name for e in catalogue.select(["*gan", "vae"])] == ["dcgan", "vae"]
    assert [e.name for e in catalogue.select(tags=["generative", "mlp"])] == ["vae-mlp"]
    assert [e.name for e in catalogue.select(exclude_tags=["mlp"])] == ["dcgan", "vae"]
    assert [e.name for e in catalogue.select(["vae*"], ["generative"], ["mlp"])] == ["vae"]
    assert catalogue.select(["nothing*"]) == []


def test_unknown_names_suggest_close_matches(catalogue):
    add(catalogue, "demo", Plugin(architecture("transformer"), architecture("transformer-lm")))
    with pytest.raises(UnknownArchitecture, match=r"did you mean 'transformer'"):
        catalogue.get("transfomer")
    with pytest.raises(UnknownArchitecture, match="kreg list"):
        catalogue.get("zzz")


def test_a_raising_hook_keeps_what_it_registered_and_the_next_plugin(catalogue):
    add(catalogue, "crashes", Plugin(architecture("first"), error=RuntimeError("boom")))
    add(catalogue, "fine", Plugin(architecture("second")))
    assert catalogue.names() == ["first", "second"]
    (failure,) = catalogue.failures
    assert (failure.plugin, failure.phase, failure.cause) == ("crashes", "hook", "RuntimeError: boom")
    assert failure.message() == "kreg: plugin 'crashes' raised in kreg_register_architectures: RuntimeError: boom"


def test_invalid_and_duplicate_architectures_fail_alone(catalogue):
    add(catalogue, "first", Plugin(architecture("taken")))
    add(catalogue, "second", Plugin(architecture("taken"), architecture("BAD"), {"name": "dict"}, architecture("kept")))
    assert catalogue.names() == ["kept", "taken"]
    assert catalogue.get("taken").plugin.name == "first"
    causes = [(f.architecture, f.cause) for f in catalogue.failures]
    assert causes[0] == ("taken", "name 'taken' is already registered by plugin 'first'")
    assert causes[1][0] == "BAD" and "must match" in causes[1][1]
    assert "register() takes a kreg.Architecture, not dict" in causes[2][1]


def test_unknown_hooks_are_reported(catalogue):
    class Typo:
        @kreg.hookimpl
        def kreg_register_architecture(self, register):  # missing "s"
            """A misspelt hook."""

    record = add(catalogue, "typo", Typo())
    assert [f.cause for f in record.failures] == ["unknown hook 'kreg_register_architecture'"]


def test_catalogues_share_no_state():
    first, second = kreg.Catalogue(), kreg.Catalogue()
    add(first, "demo", Plugin(architecture("only-here")))
    assert "only-here" in first and "only-here" not in second and len(second) == 0
