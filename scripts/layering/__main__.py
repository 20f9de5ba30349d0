"""``python -m scripts.layering``: stage the installed layout, then check the contracts in pyproject.toml.

Options:
    --source ROOT  the tree to check (default: this repository)
    --stage DIR    where to stage it (default: build/layering under the repository)

Exit status: 0 when every contract is kept, 1 otherwise (lint-imports' own).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.layering.stage import STAGE, stage_layout

REPOSITORY = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    """Stage ``--source`` in ``--stage`` and run lint-imports on it, with pyproject.toml's contracts."""
    parser = argparse.ArgumentParser(prog="python -m scripts.layering", description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REPOSITORY, help="the tree to check")
    parser.add_argument("--stage", type=Path, default=REPOSITORY / STAGE, help="where to stage it")
    arguments = parser.parse_args(argv)
    stage_layout(arguments.source, arguments.stage)
    # grimp finds the root package `kreg` as Python would: the staged copy must come before the
    # editable install's finder, which maps only kreg itself to registry/.
    sys.path.insert(0, str(arguments.stage.resolve()))
    from importlinter.cli import lint_imports

    return lint_imports(config_filename=str(REPOSITORY / "pyproject.toml"), no_cache=True, no_logo=True)


if __name__ == "__main__":
    sys.exit(main())
