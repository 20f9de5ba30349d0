"""Print ``kreg inspect NAME --json`` for each NAME given, one per line, in one process.

Run by tests/inspect/test_golden_json.py in a fresh interpreter, so Keras's
auto-generated layer names (``dense_4``) start from zero as in a fresh
``kreg inspect``; ``keras.backend.clear_session()`` resets them between names.
``python tests/inspect/golden_inspect.py --write NAME...`` rewrites the golden
files (only when the JSON contract changes on purpose: say so in the commit).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

GOLDEN = Path(__file__).with_name("golden")


def inspect_json(name: str) -> str:
    """The stdout of ``kreg inspect NAME --json`` run in this process after a fresh Keras session."""
    import keras

    from kreg.cli import main

    keras.backend.clear_session()
    result = CliRunner().invoke(main, ["inspect", name, "--json"], catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"kreg inspect {name} --json exited {result.exit_code}: {result.output}")
    return result.stdout


if __name__ == "__main__":
    args = sys.argv[1:]
    write = args[:1] == ["--write"]
    for name in args[1:] if write else args:
        text = inspect_json(name)
        if write:
            (GOLDEN / f"{name}.json").write_text(text)
        else:
            print(json.dumps({"name": name, "stdout": text}))
