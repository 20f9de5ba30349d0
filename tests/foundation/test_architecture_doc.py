"""ARCHITECTURE.md's map of the layers and the contracts `make lint` checks (pyproject.toml) agree."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

REPOSITORY = Path(__file__).resolve().parents[2]
CORE = "the core"
"""How the diagram names the bottom layer; the table below it lists the core's modules."""


def contract_layers() -> list[set[str]]:
    """The layers of the layers contract, top first, each the set of its modules' import names."""
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    (container,) = contract["containers"]
    return [{f"{container}.{name.strip(' ()')}" for name in re.split(r"[|:]", layer)} for layer in contract["layers"]]


def layers_section() -> str:
    text = (REPOSITORY / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return text.split("## The layers", 1)[1].split("\n## ", 1)[0]


def documented_layers() -> list[set[str]]:
    """The diagram's layers, top first: each line's modules (left of the description), `|` between them."""
    diagram = layers_section().split("```", 2)[1]
    lines = [line for line in diagram.splitlines() if line.strip() and line.strip() != "|"]
    return [{name.strip() for name in re.split(r"\s{3,}", line.strip())[0].split("|")} for line in lines]


def documented_core() -> set[str]:
    """The modules of the table of the core's modules."""
    return set(re.findall(r"^\| `(kreg\.[a-z_]+)` \|", layers_section(), flags=re.MULTILINE))


def test_the_diagram_shows_the_contracts_layers_in_their_order():
    documented, contracted = documented_layers(), contract_layers()
    assert documented[-1] == {CORE}
    assert documented[:-1] == contracted[:-1]


def test_the_core_table_lists_the_core_layer_of_the_contracts():
    assert documented_core() == contract_layers()[-1]
