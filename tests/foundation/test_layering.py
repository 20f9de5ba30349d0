"""The layering check (`make lint` runs `python -m scripts.layering`) sees every module and fails on each violation.

The rules are the contracts in pyproject.toml, and only there: these tests run the
same check on the repository, and on copies of it with one violation planted in
each, and read the contracts' names from pyproject.toml.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomllib

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCE_FOLDERS = {"registry": "kreg", "inspect_tools": "kreg.inspect_tools", "plugins": "kreg.plugins"}
"""Each source folder and the import name pyproject's package-dir gives it."""


def contract_names() -> dict[str, str]:
    """Each contract's id and name, from pyproject.toml."""
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["id"]: contract["name"] for contract in config["tool"]["importlinter"]["contracts"]}


@dataclass(frozen=True)
class Violation:
    """One planted violation: ``code`` added to ``path`` (of a copy of the tree) must break ``contract``."""

    id: str
    path: str
    code: str
    contract: str
    function_level: bool = False

    def plant(self, root: Path) -> None:
        """Add the code at the top of the module (after its imports' ``from __future__``), or in a new function."""
        target = root / self.path
        if self.function_level:
            target.write_text(target.read_text(encoding="utf-8") + f"\n\ndef _planted():\n    {self.code}\n")
            return
        text = target.read_text(encoding="utf-8") if target.exists() else "from __future__ import annotations\n"
        head, marker, rest = text.partition("from __future__ import annotations\n")
        assert marker, f"{self.path} has no `from __future__ import annotations` to plant after"
        target.write_text(f"{head}{marker}{self.code}\n{rest}")


VIOLATIONS = [
    # The nine of issue 21 (`make lint` failed on four of them).
    Violation("workflow-imports-keras", "registry/workflows/sampling.py", "import keras", "keras-at-import"),
    Violation("sharding-imports-tensorflow", "registry/sharding.py", "import tensorflow as tf", "keras-at-import"),
    Violation("inspect-tools-import-cluster", "inspect_tools/shapes.py", "import kreg.cluster", "inspect-tools"),
    Violation(
        "inspect-tools-import-processes",
        "inspect_tools/dense.py",
        "from kreg.processes import Interrupted",
        "inspect-tools",
        function_level=True,
    ),
    Violation("plugin-imports-loading", "plugins/mlp/model.py", "from kreg.loading import load_catalogue", "plugins"),
    Violation(
        "plugin-imports-tracing",
        "plugins/vae/model.py",
        "from kreg.inspect_tools.tracing import trace_calls",
        "plugins",
        function_level=True,
    ),
    Violation(
        "cli-calls-plugin-code",
        "registry/cli/listing.py",
        "from kreg.running.calls import call_plugin",
        "running-importers",
        function_level=True,
    ),
    Violation("cluster-imports-keras", "registry/cluster.py", "import keras", "keras-at-import"),
    Violation(
        "core-calls-a-workflow",
        "registry/catalogue.py",
        "from kreg.workflows.pipeline import run_pipeline",
        "layers",
        function_level=True,
    ),
    # One more of each other rule.
    Violation(
        "cli-loads-a-workflow", "registry/cli/listing.py", "from kreg.workflows.checking import check_all", "light-cli"
    ),
    Violation("running-calls-a-workflow", "registry/running/data.py", "import kreg.workflows.junit", "layers"),
    Violation("module-in-no-layer", "registry/new_module.py", "import os", "layers"),
    Violation(
        "core-cycle",
        "registry/errors.py",
        "from kreg.validation import require_positive_int",
        "acyclic",
        function_level=True,
    ),
    Violation("workflow-starts-a-process", "registry/workflows/sampling.py", "import subprocess", "one-supervisor"),
    Violation(
        "testing-plugin-loads-keras-through-running",
        "registry/testing_plugin.py",
        "import kreg.running.metrics_log",
        "light-imports",
    ),
]


def _copy_tree(destination: Path) -> Path:
    for folder in SOURCE_FOLDERS:
        shutil.copytree(REPOSITORY / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return destination


def _start_lint(source: Path, stage: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.layering", "--source", str(source), "--stage", str(stage)],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "400"},  # one line per contract in the summary
    )


@pytest.fixture(scope="module")
def lint_outputs(tmp_path_factory) -> dict[str, tuple[int, str]]:
    """The exit status and output of the lint on the tree, and on a copy with each violation (run side by side)."""
    root = tmp_path_factory.mktemp("layering")
    runs = {"tree": _start_lint(REPOSITORY, root / "tree-stage")}
    for violation in VIOLATIONS:
        copy = _copy_tree(root / violation.id)
        violation.plant(copy)
        runs[violation.id] = _start_lint(copy, root / f"{violation.id}-stage")
    outputs = {}
    for name, process in runs.items():
        output, _ = process.communicate(timeout=120)
        outputs[name] = (process.returncode, output)
    return outputs


def _summary_line(output: str, name: str) -> str:
    return next((line for line in output.splitlines() if line.startswith(name + " ")), f"{name}: not in the output")


def test_the_tree_keeps_every_contract(lint_outputs):
    status, output = lint_outputs["tree"]
    assert status == 0, output[-3000:]
    for name in contract_names().values():
        assert _summary_line(output, name).startswith(f"{name} KEPT"), output[-3000:]


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda violation: violation.id)
def test_the_lint_fails_on_a_planted_violation(lint_outputs, violation):
    status, output = lint_outputs[violation.id]
    name = contract_names()[violation.contract]
    assert status == 1, output[-3000:]
    assert _summary_line(output, name).startswith(f"{name} BROKEN"), output[-3000:]


def test_the_check_sees_every_module_under_its_real_name(tmp_path):
    stage = tmp_path / "stage"
    code = (
        "import json, sys; from pathlib import Path; from scripts.layering.stage import stage_layout; "
        "stage_layout(Path(sys.argv[1]), Path(sys.argv[2])); sys.path.insert(0, sys.argv[2]); "
        "import grimp; print(json.dumps(sorted(grimp.build_graph('kreg').modules)))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, str(REPOSITORY), str(stage)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    modules = set(json.loads(completed.stdout))
    for folder, package in SOURCE_FOLDERS.items():
        for path in (REPOSITORY / folder).rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            relative = path.relative_to(REPOSITORY / folder).with_suffix("")
            module = ".".join([package, *relative.parts]).removesuffix(".__init__")
            assert module in modules, f"{folder}/{relative}.py is not in the checked graph as {module}"


def test_a_stale_file_does_not_outlive_its_source(tmp_path):
    """The stage is rebuilt each time: a module deleted from the tree is gone from the check."""
    from scripts.layering.stage import stage_layout

    source = tmp_path / "tree"
    for folder in SOURCE_FOLDERS:
        (source / folder).mkdir(parents=True)
        (source / folder / "__init__.py").write_text("")
    (source / "registry" / "gone.py").write_text("")
    stage_layout(source, tmp_path / "stage")
    (source / "registry" / "gone.py").unlink()
    package = stage_layout(source, tmp_path / "stage")
    assert sorted(str(path.relative_to(package)) for path in package.rglob("*.py")) == [
        "__init__.py",
        "inspect_tools/__init__.py",
        "plugins/__init__.py",
    ]
