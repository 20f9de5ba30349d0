"""``make`` installs graphviz and chromium only after saying what apt-get will install and why.

The scripts run for real; only the installing ``apt-get install`` is replaced by a
stub on PATH that records its call (a test must not change the machine). The
stub hands ``apt-get install -s`` (the simulation the script reads its figures
from) to the real apt-get, so the figures checked are apt-get's own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REAL_APT_GET = shutil.which("apt-get")
PACKAGE = "cowsay"  # small, in every Debian release, and not something kreg needs
MISSING_COMMAND = "kreg-test-command-that-is-missing"

pytestmark = pytest.mark.skipif(REAL_APT_GET is None, reason="needs Debian's apt-get")


@pytest.fixture(scope="module")
def real_summary() -> str:
    """apt-get's own summary line for installing PACKAGE, read independently of the script."""
    result = subprocess.run([REAL_APT_GET, "install", "-s", "-y", PACKAGE], capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if " newly installed" in line]
    if result.returncode != 0 or not lines:
        pytest.skip(f"apt-get cannot simulate installing {PACKAGE} here (no package lists?)")
    return lines[0]


@pytest.fixture
def stub_path(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose apt-get simulates for real and only records real installs."""
    bin_dir, log = tmp_path / "bin", tmp_path / "apt-calls.log"
    bin_dir.mkdir()
    stub = bin_dir / "apt-get"
    stub.write_text(
        "#!/bin/sh\n"
        f'for arg in "$@"; do [ "$arg" = -s ] && exec {REAL_APT_GET} "$@"; done\n'
        f'echo "$*" >> {log}\n'
        'echo "STUB apt-get $*" >&2\n'
    )
    stub.chmod(0o755)
    sudo = bin_dir / "sudo"
    sudo.write_text('#!/bin/sh\nexec "$@"\n')
    sudo.chmod(0o755)
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    environment.pop("KREG_NO_SYSTEM_INSTALL", None)
    return environment, log


def run_installer(
    repository_root: Path, environment: dict[str, str], command: str, need: str
) -> subprocess.CompletedProcess:
    script = repository_root / "scripts" / "install-system-package.sh"
    arguments = ["sh", str(script), command, PACKAGE, need, "kreg needs it for a test of the installer"]
    return subprocess.run(arguments, capture_output=True, text=True, env=environment, timeout=120)


def test_says_what_and_why_with_apt_gets_figures_before_installing(repository_root, stub_path, real_summary):
    environment, log = stub_path
    summary = real_summary
    result = run_installer(repository_root, environment, MISSING_COMMAND, "optional")
    lines = result.stderr.splitlines()
    why = lines.index("kreg: kreg needs it for a test of the installer")
    figures = lines.index(f"kreg: apt-get install {PACKAGE}: {summary}")
    install = next(i for i, line in enumerate(lines) if line.startswith("STUB apt-get") and "install" in line)
    assert why < figures < install, result.stderr
    assert f"'{MISSING_COMMAND}' is missing, so make installs Debian's {PACKAGE} now" in result.stderr
    assert "KREG_NO_SYSTEM_INSTALL=1" in result.stderr
    assert log.read_text().split() == ["install", "-y", "-qq", PACKAGE]
    # The stub installed nothing, so the command is still missing: said, and an optional need still passes.
    assert result.returncode == 0 and "still not on PATH" in result.stderr


@pytest.mark.slow  # apt-get's simulation takes seconds; the test above covers the default path
@pytest.mark.parametrize(("need", "status"), [("optional", 0), ("required", 1)])
def test_no_system_install_says_what_it_would_install_and_installs_nothing(
    repository_root, stub_path, real_summary, need, status
):
    environment, log = stub_path
    result = run_installer(repository_root, {**environment, "KREG_NO_SYSTEM_INSTALL": "1"}, MISSING_COMMAND, need)
    assert result.returncode == status, result.stderr
    assert real_summary in result.stderr and "not installing" in result.stderr
    assert not log.exists()


def test_a_command_already_there_is_left_alone_silently(repository_root, stub_path):
    environment, log = stub_path
    result = run_installer(repository_root, environment, "sh", "required")
    assert (result.returncode, result.stderr) == (0, "")
    assert not log.exists()


@pytest.mark.parametrize(("script", "command"), [("install-graphviz.sh", "dot"), ("install-chromium.sh", "chromium")])
def test_make_targets_scripts_name_their_command_and_reason(repository_root, script, command):
    text = (repository_root / "scripts" / script).read_text()
    assert f'install-system-package.sh" {command} ' in text
    makefile = (repository_root / "Makefile").read_text()
    assert f"sh scripts/{script}" in makefile


SIMULATION = """NOTE: This is only a simulation!
Inst libnew1 (1.0-1 Debian:12.5/stable [amd64])
Inst libold2 [2.0-1] (2.0-2 Debian:12.5/stable [amd64]) []
Inst cowsay (3.03+dfsg2-8 Debian:12.5/stable [all])
Conf libnew1 (1.0-1 Debian:12.5/stable [amd64])
1 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.
"""


def test_only_packages_installed_before_are_listed_as_upgrades(repository_root, tmp_path):
    """The issue: every new package was listed as an upgrade (the filter matched ``[amd64]``)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "simulation.txt").write_text(SIMULATION)
    stub = bin_dir / "apt-get"
    stub.write_text(f"#!/bin/sh\ncat {bin_dir / 'simulation.txt'}\n")
    stub.chmod(0o755)
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "KREG_NO_SYSTEM_INSTALL": "1"}
    result = run_installer(repository_root, environment, MISSING_COMMAND, "optional")
    upgrades = [line for line in result.stderr.splitlines() if "packages it upgrades" in line]
    assert upgrades == ["kreg: packages it upgrades: libold2"], result.stderr
