"""Listing must never import TensorFlow or Keras (the plugin contract's promise), nor kreg's running or workflows."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK = (
    "import sys; {code}; leaked = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
    "print(leaked); sys.exit(1 if leaked else 0)"
)
LAYERS = (
    "import sys; {code}; "
    "loaded = sorted(m for m in sys.modules if m.startswith(('kreg.running', 'kreg.workflows'))); "
    "print(loaded, file=sys.stderr); sys.exit(1 if loaded else 0)"
)


@pytest.mark.parametrize(
    "code",
    [
        "import kreg",
        "import kreg; kreg.load_catalogue()",
        "from kreg.cli import main",
        "from kreg.cli import main; main(['list'], standalone_mode=False)",
        "from kreg.cli import main; main(['plugins', '--json'], standalone_mode=False)",
        "from kreg.cli import main; main(['info', 'risk-factor-autoencoder'], standalone_mode=False)",
        "from kreg.cli import main; main(['list', '--tag', 'keras-applications'], standalone_mode=False)",
        "from kreg.cli import main; main(['info', 'resnet50'], standalone_mode=False)",
    ],
)
def test_listing_leaves_tensorflow_and_keras_unimported(code):
    result = subprocess.run([sys.executable, "-c", CHECK.format(code=code)], capture_output=True, text=True)
    assert result.returncode == 0, f"{code!r} imported {result.stdout.strip()}: {result.stderr[-500:]}"


@pytest.mark.parametrize("arguments", [["list"], ["list", "--json"], ["info", "transformer"]])
def test_listing_loads_no_running_or_workflow_module(arguments):
    # The CLI's option defaults come from kreg.defaults; the commands import workflows inside their functions.
    code = f"from kreg.cli import main; main({arguments!r}, standalone_mode=False)"
    result = subprocess.run([sys.executable, "-c", LAYERS.format(code=code)], capture_output=True, text=True)
    assert result.returncode == 0, f"kreg {' '.join(arguments)} imported {result.stderr[-1000:]}"


def test_every_builtin_plugin_module_is_light():
    code = (
        "from importlib import metadata\n"
        "[ep.load() for ep in metadata.entry_points(group='kreg') if ep.dist.metadata['Name'] == 'kreg']"
    )
    result = subprocess.run([sys.executable, "-c", CHECK.format(code=code)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_python_api_loads_no_workflow_until_called():
    # kreg/__init__.py exports kreg.inspect, kreg.plot and kreg.review; the layering check ignores the
    # import kreg -> kreg.api because kreg.api imports the workflows only inside those functions.
    code = (
        "import sys, kreg; assert callable(kreg.inspect) and callable(kreg.plot) and callable(kreg.review); "
        "print([m for m in sys.modules if m.startswith("
        "('kreg.workflows', 'kreg.running', 'kreg.inspect_tools', 'tensorflow', 'keras'))])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "[]"


def test_the_list_command_imports_only_what_it_draws_with():
    # kreg list (the table and --json) is light: no rich (the table is drawn by kreg.table_layout), no
    # importlib.metadata (entry points read by kreg.loading.scan_entry_points), no other command's module.
    code = (
        "import sys; from kreg.cli import main; main(['list'], standalone_mode=False); "
        "main(['list', '--json'], standalone_mode=False); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich' or m == 'importlib.metadata' "
        "or m.startswith('kreg.cli.') and m not in ('kreg.cli.app', 'kreg.cli.listing', 'kreg.cli.options', "
        "'kreg.cli.session', 'kreg.cli.working_child')), file=sys.stderr)"
    )
    piped = {**os.environ, "COLUMNS": "120"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=piped)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stderr.strip().splitlines()[-1] == "[]"
