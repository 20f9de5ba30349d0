"""``kreg inspect|plot|review FILE.keras --import MODULE``: custom classes from outside kreg (issue 24, part 3).

Each run is a fresh process, as on the command line: the module registering
the class (``keras.saving.register_keras_serializable``) is imported only
where ``--import`` names it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MODULE = """
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="issue24")
class EinsumNet(keras.layers.Layer):
    def build(self, shape):
        self.kernel = self.add_weight(shape=(shape[-1], 6))

    def call(self, x):
        return ops.einsum("bi,ij->bj", x, self.kernel)
"""

SAVE = """
import keras, einsum_layers
inputs = keras.Input((5,))
keras.Model(inputs, einsum_layers.EinsumNet()(inputs)).save("einsum_net.keras")
"""

KREG = [sys.executable, "-c", "import sys; from kreg.cli import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    here = tmp_path_factory.mktemp("import_option")
    (here / "einsum_layers.py").write_text(MODULE)
    subprocess.run([sys.executable, "-c", SAVE], cwd=here, check=True, capture_output=True, timeout=300)
    return here


def _kreg(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KREG, *args], cwd=folder, capture_output=True, text=True, timeout=300)


def test_a_file_with_an_unknown_class_says_to_import_its_module(folder):
    result = _kreg(folder, "inspect", "einsum_net.keras", "--json")
    assert result.returncode == 1
    assert "Could not locate class 'EinsumNet'" in result.stderr and "--import MODULE" in result.stderr


def test_import_registers_the_class_and_the_file_is_inspected(folder):
    import json

    result = _kreg(folder, "inspect", "einsum_net.keras", "--import", "einsum_layers", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    compute = json.loads(result.stdout)["components"]["model"]["compute"]
    assert compute["macs"] == 5 * 6 and compute["by_class"] == {"EinsumNet": 30}


def test_a_missing_module_is_one_line_and_exit_2(folder):
    result = _kreg(folder, "inspect", "einsum_net.keras", "--import", "no_such_module_24")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "kreg: error: --import no_such_module_24: no module named 'no_such_module_24' here or on sys.path"
    )
