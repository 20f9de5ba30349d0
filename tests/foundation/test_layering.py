"""The layering of ARCHITECTURE.md: cli -> workflows -> running -> {core, inspect_tools} -> keras.

`lint-imports` (run by `make test`) checks it with the contracts in
pyproject.toml. These tests make sure that check sees every module, and check
the same rules once more on a graph of the installed layout, where every
module has its real name (kreg.inspect_tools.report, not inspect_tools.report).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")

FOLDERS = {"registry": "kreg", "inspect_tools": "kreg.inspect_tools", "plugins": "kreg.plugins"}
"""Each source folder and the import name pyproject's package-dir gives it."""

CORE = [
    "kreg.architecture",
    "kreg.catalogue",
    "kreg.errors",
    "kreg.hookspecs",
    "kreg.hyperparameters",
    "kreg.loading",
    "kreg.phases",
    "kreg.plugin_records",
    "kreg.plugin_template",
    "kreg.references",
    "kreg.scaffolding",
    "kreg.terminal",
    "kreg.validation",
]
ABOVE_CORE = ["kreg.cli", "kreg.testing", "kreg.testing_plugin", "kreg.workflows", "kreg.running", "kreg.inspect_tools"]
RULES = [
    *((core, upper) for core in CORE for upper in ABOVE_CORE),
    *(
        ("kreg.inspect_tools", other)
        for other in [*ABOVE_CORE[:-1], *(m for m in CORE if m not in ("kreg.errors", "kreg.phases"))]
    ),
    ("kreg.running", "kreg.workflows"),
    ("kreg.running", "kreg.cli"),
    ("kreg.running", "kreg.testing"),
    ("kreg.workflows", "kreg.cli"),
    ("kreg.workflows", "kreg.testing"),
    ("kreg.plugins", "kreg.running"),
    ("kreg.plugins", "kreg.workflows"),
    ("kreg.plugins", "kreg.cli"),
]
"""(importer, imported): no chain of imports may lead from the first to the second."""


def _python_files(root: Path, folder: str) -> list[str]:
    return sorted(
        str(p.relative_to(root / folder)) for p in (root / folder).rglob("*.py") if "__pycache__" not in p.parts
    )


def test_lint_imports_scans_every_module(repository_root, monkeypatch):
    monkeypatch.syspath_prepend(str(repository_root))
    graph = grimp.build_graph("kreg", "inspect_tools", "plugins")
    for folder, package in (("registry", "kreg"), ("inspect_tools", "inspect_tools"), ("plugins", "plugins")):
        for relative in _python_files(repository_root, folder):
            module = ".".join([package, *Path(relative).with_suffix("").parts]).removesuffix(".__init__")
            assert module in graph.modules, f"{folder}/{relative} is not in lint-imports' graph as {module}"


def test_the_installed_layout_keeps_the_layers(repository_root, tmp_path):
    tree = tmp_path / "layout"
    for folder, package in FOLDERS.items():
        shutil.copytree(
            repository_root / folder,
            tree / package.replace(".", "/"),
            ignore=shutil.ignore_patterns("__pycache__"),
            dirs_exist_ok=True,
        )
    code = textwrap.dedent(
        """
        import json, sys
        import grimp
        graph = grimp.build_graph("kreg")
        # kreg.api imports the workflows only when kreg.inspect/plot/review are called (pyproject.toml says why).
        graph.remove_import(importer="kreg", imported="kreg.api")
        rules = json.loads(sys.argv[1])
        print(json.dumps(sorted(graph.modules)))
        print(json.dumps([[a, b, graph.find_shortest_chain(a, b, as_packages=True)] for a, b in rules if graph.chain_exists(a, b, as_packages=True)]))
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, json.dumps(RULES)],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    modules_line, broken_line = completed.stdout.strip().splitlines()[-2:]
    modules = set(json.loads(modules_line))
    assert {
        "kreg.inspect_tools.report",
        "kreg.plugins.transformer.model",
        "kreg.running.calls",
        "kreg.workflows.pipeline",
    } <= modules
    assert json.loads(broken_line) == []
