"""kreg.rendering draws what it is given: importing it loads no Keras, TensorFlow, running or workflows module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RENDERING = Path(__file__).resolve().parents[2] / "registry" / "rendering"


def test_every_rendering_module_imports_without_keras_running_or_workflows():
    modules = [f"kreg.rendering.{path.stem}" for path in sorted(RENDERING.glob("*.py")) if path.stem != "__init__"]
    assert "kreg.rendering.review_page" in modules and "kreg.rendering.junit" in modules
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    forbidden = [
        name
        for name in loaded
        if name.split(".")[0] in ("keras", "tensorflow") or name.startswith(("kreg.running", "kreg.workflows"))
    ]
    assert forbidden == []
