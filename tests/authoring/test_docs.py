"""The generated documentation: every hook, command, option and Architecture field is documented,
the nav has every page, and a strict mkdocs build of the site passes."""

from __future__ import annotations

import dataclasses
import inspect
import re
import shutil
import subprocess
import sys

import click

import kreg
from kreg import testing
from kreg.architecture import Architecture
from kreg.cli import main
from scripts.docgen import commands, reference
from scripts.docgen.__main__ import write_pages
from scripts.docgen.markdown import parse_docstring


def test_every_hook_is_found_and_documented_with_its_arguments():
    specs = reference.hookspecs()
    # What pluggy knows is the truth: the generator must find every hook it has a spec for.
    known = {name for name in dir(kreg.Catalogue().plugin_manager.hook) if name.startswith("kreg_")}
    assert {spec.__name__ for spec in specs} == known
    page = reference.hooks_page()
    assert reference.all_documented([spec.__name__ for spec in specs], page) == []
    for spec in specs:
        doc = parse_docstring(spec)
        assert doc.summary, f"hook {spec.__name__} has no docstring"
        assert doc.summary in page
        for argument in inspect.signature(spec).parameters:
            assert doc.item("Args", argument), f"hook {spec.__name__}: argument {argument!r} is not documented"
            assert f"| `{argument}` |" in page


def test_every_command_and_option_is_in_the_command_reference():
    page = commands.command_page()
    shared = {option.name for option in main.params}
    for name, command in main.commands.items():
        assert f"## kreg {name}\n" in page, f"command {name!r} missing"
        assert command.get_short_help_str(limit=200) in page
        for option in command.params:
            # Hidden options (a protocol between kreg processes) are left out of the reference, as of --help.
            if (
                isinstance(option, click.Option)
                and option.name not in shared
                and not option.hidden
                and not {"-h", "--help"} & set(option.opts)
            ):
                assert f"`{', '.join([*option.opts, *option.secondary_opts])}`" in page, f"kreg {name} {option.opts}"
    for option in main.params:
        if isinstance(option, click.Option) and not {"-h", "--help"} & set(option.opts):
            assert f"`{', '.join([*option.opts, *option.secondary_opts])}`" in page


def test_every_architecture_field_has_a_type_default_and_description():
    page = reference.architecture_page()
    doc = parse_docstring(Architecture)
    for item in dataclasses.fields(Architecture):
        assert doc.item("Args", item.name), f"Architecture.{item.name} is not in the class docstring's Args"
        assert f"| `{item.name}` |" in page


def test_the_testing_reference_covers_the_public_api():
    public = {
        name
        for name, value in vars(testing).items()
        if inspect.isfunction(value) and value.__module__ == testing.__name__ and not name.startswith("_")
    }
    assert public == set(reference.TESTING_FUNCTIONS)
    page = reference.testing_page()
    assert reference.all_documented([*reference.TESTING_FUNCTIONS, "ContractError", "ArchitectureReport"], page) == []
    assert "fixture `kreg_check`" in page


def test_the_python_api_reference_covers_the_public_api():
    import importlib

    from kreg import api

    functions = {
        name
        for name, value in vars(api).items()
        if inspect.isfunction(value) and value.__module__ == api.__name__ and not name.startswith("_")
    }
    assert functions == set(reference.API_FUNCTIONS) and functions <= set(kreg.__all__)
    page = reference.python_api_page()
    assert reference.all_documented(reference.api_headings(), page) == []
    for name in reference.API_FUNCTIONS:
        function = getattr(api, name)
        doc = parse_docstring(function)
        for argument in inspect.signature(function).parameters:
            assert doc.item("Args", argument) or doc.item("Args", f"**{argument}"), (
                f"kreg.{name}: {argument!r} is not in its docstring's Args"
            )
            assert re.search(rf"\| `(\*\*)?{argument}` \|", page), f"kreg.{name}: {argument!r} is not on the page"
    for module, name, members in reference.API_CLASSES:
        cls = getattr(importlib.import_module(module), name)
        fields = {item.name for item in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
        public = {
            member
            for member, value in vars(cls).items()
            if not member.startswith("_")
            and member not in fields
            and (inspect.isfunction(value) or isinstance(value, property))
        }
        assert public <= set(members), f"{name}: {sorted(public - set(members))} are not on the page"
        for member in members:
            value = inspect.getattr_static(cls, member)
            own = (value.fget if isinstance(value, property) else value).__doc__
            assert own and own.strip(), f"{name}.{member} has no docstring of its own"
    assert all(f"### kreg.{error}" in page for error in reference.API_ERRORS)


def test_docstring_markup_becomes_markdown():
    page = reference.hooks_page()
    assert ":class:" not in page and "``" not in page.replace("```", "")
    assert "```python\nimport kreg\n\n@kreg.hookimpl" in page


def _nav_paths(nav) -> list[str]:
    paths = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        paths.extend(_nav_paths(value) if isinstance(value, list) else [value])
    return paths


def test_the_nav_has_every_page_and_every_page_exists(repository_root, tmp_path):
    import yaml

    config = yaml.safe_load((repository_root / "mkdocs.yml").read_text())
    nav = _nav_paths(config["nav"])
    docs = repository_root / "docs"
    written = {str(p.relative_to(tmp_path)) for p in write_pages(tmp_path / "generated", gallery=False)}
    committed = {str(p.relative_to(docs)) for p in [*docs.glob("*.md"), *docs.glob("reference/*.md")]}
    missing = [p for p in nav if p not in committed and p not in written and p != "generated/gallery/index.md"]
    assert missing == []
    assert committed - set(nav) == set(), "pages not in mkdocs.yml's nav"


def test_a_gallery_page_shows_params_graph_and_threaded_dense(tmp_path):
    from scripts.docgen.gallery import write_gallery

    index, page = write_gallery(tmp_path, ["risk-factor-autoencoder"])
    text = page.read_text()
    assert "Parameters: **530** (514 trainable, 16 non-trainable)" in text
    assert (
        "| hidden_layer | (None, 100, 20) -> (None, 100, 8) | 168 | 16,000 "
        "| applies kernel (20, 8) at each of 100 positions |" in text
    )
    svg = tmp_path / "gallery" / "risk-factor-autoencoder-model.svg"
    assert "](risk-factor-autoencoder-model.svg)" in text and "<svg" in svg.read_text()
    assert "hidden_layer" in svg.read_text()
    # Browsers crop an SVG whose drawing is scaled past its viewBox (graphviz at dpi != 72).
    width, _height, box = re.search(
        r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg.read_text()
    ).groups()
    assert abs(float(width) - float(box)) <= 1 and 'transform="scale(1 1)' in svg.read_text()
    assert "[risk-factor-autoencoder](risk-factor-autoencoder.md)" in index.read_text()
    assert "### Compute and memory" in text
    assert "| MACs per example | 19,000 (19 k; FLOPs = 2 x MACs) |" in text
    assert "| Dense 18.7 k (98.4 %), Dot 300 (1.6 %) |" in text
    assert "| 19,000 |" in index.read_text()  # the index's MACs column


def test_the_site_builds_with_mkdocs_strict(repository_root, tmp_path):
    # A copy of the docs with a one-architecture gallery: the real build (make docs) has them all.
    shutil.copy(repository_root / "mkdocs.yml", tmp_path)
    shutil.copytree(repository_root / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("generated"))
    shutil.copytree(
        repository_root / "scripts" / "docgen",
        tmp_path / "scripts" / "docgen",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    write_pages(tmp_path / "docs" / "generated", gallery=True, patterns=["risk-factor-autoencoder"])
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    gallery = (tmp_path / "site" / "generated" / "gallery" / "risk-factor-autoencoder.html").read_text()
    assert "risk-factor-autoencoder-model.svg" in gallery and "at each of 100 positions" in gallery
    commands_html = (tmp_path / "site" / "generated" / "commands.html").read_text()
    assert all(f"kreg {name}" in commands_html for name in main.commands)


def test_generating_the_command_reference_leaves_the_cli_working(kreg_cli):
    commands.command_page()
    for args in (["-h"], ["list", "-h"], ["new-plugin", "-h"]):
        result = kreg_cli(*args)
        assert result.exit_code == 0 and "Usage:" in result.output, (args, result.output)
