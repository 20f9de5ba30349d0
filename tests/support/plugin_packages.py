"""Real plugin packages, written to disk and pip-installed into a temporary venv.

The venv sees the test interpreter's site-packages (kreg, TensorFlow, ...) through
a ``.pth`` file, so creating it costs no download; only the plugin packages are
installed into it, by the real pip, which writes real entry-point metadata.
"""

from __future__ import annotations

import importlib.util
import json
import os
import site
import subprocess
import sys
import textwrap
import venv
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType


def write_plugin_package(
    root: Path,
    distribution: str,
    source: str,
    entry_point: str | None = None,
    version: str = "1.0.0",
    extra_modules: dict[str, str] | None = None,
) -> Path:
    """Write a plugin distribution (its entry module, and any other modules) and return its folder.

    Args:
        root: Path. Folder to create the package folder in.
        distribution: str. Distribution name, e.g. ``"kreg-test-good"``; the module
            is the same with underscores.
        source: str. The module's Python source (dedented here).
        entry_point: str or None. Entry-point name in the ``kreg`` group
            (default: the distribution name without a ``kreg-test-`` prefix).
        version: str. The distribution's version.
        extra_modules: dict or None. More top-level modules, ``{module name: source}``
            (a builder module that imports Keras, beside an entry module that does not).

    Returns:
        Path. The package folder, ready for ``pip install``.
    """
    module = distribution.replace("-", "_")
    entry_point = entry_point or distribution.removeprefix("kreg-test-")
    folder = root / distribution
    folder.mkdir(parents=True)
    modules = {module: source, **(extra_modules or {})}
    for name, text in modules.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(text))
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "{distribution}"
            version = "{version}"

            [project.entry-points.kreg]
            {entry_point} = "{module}"

            [tool.setuptools]
            py-modules = {json.dumps(list(modules))}
            """
        )
    )
    return folder


@dataclass
class PluginEnvironment:
    """A temporary virtual environment with plugin packages pip-installed into it."""

    path: Path

    @property
    def python(self) -> Path:
        """The environment's interpreter."""
        return self.path / "bin" / "python"

    def install(self, *package_folders: Path) -> None:
        """pip-install plugin packages (no network: no dependencies, no build isolation)."""
        command = [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(self.python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            *map(str, package_folders),
        ]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def kreg(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300, cwd: Path | None = None
    ) -> subprocess.CompletedProcess:
        """Run ``python -m kreg ARGS`` in the environment and return the finished process."""
        return subprocess.run(
            [str(self.python), "-m", "kreg", *args],
            capture_output=True,
            text=True,
            env=self._environment(env),
            timeout=timeout,
            cwd=cwd,
        )

    def start_kreg(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
        """Start ``python -m kreg ARGS`` without waiting (to send it signals); stdout and stderr are pipes."""
        return subprocess.Popen(
            [str(self.python), "-m", "kreg", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self._environment(env),
            cwd=cwd,
        )

    def kreg_script(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300, cwd: Path | None = None
    ) -> subprocess.CompletedProcess:
        """Run ``kreg ARGS`` through a console script, as pip installs it, and return the finished process.

        Unlike ``python -m kreg``, which puts the working folder first on
        ``sys.path``, a console script puts its own folder there: what a user
        typing ``kreg`` runs.
        """
        script = self.path / "bin" / "kreg"
        if not script.exists():
            script.write_text(
                f"#!{self.python}\nimport sys\nfrom kreg.cli import main\nif __name__ == '__main__':\n"
                "    sys.exit(main())\n"
            )
            script.chmod(0o755)
        return subprocess.run(
            [str(script), *args], capture_output=True, text=True, env=self._environment(env), timeout=timeout, cwd=cwd
        )

    @staticmethod
    def _environment(extra: dict[str, str] | None) -> dict[str, str]:
        """This process's environment without kreg's own variables, plus ``extra``."""
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KREG_")}
        environment.update(extra or {})
        return environment


def make_plugin_environment(path: Path) -> PluginEnvironment:
    """Create a venv at ``path`` that sees this interpreter's packages, kreg included."""
    venv.EnvBuilder(with_pip=False).create(path)
    site_packages = next((path / "lib").glob("python3*/site-packages"))
    # An "import" line, not a plain path: addsitedir also runs the parent's own
    # .pth files, which is how an editable install of kreg is found.
    lines = [f"import site; site.addsitedir({directory!r})" for directory in site.getsitepackages()]
    (site_packages / "_kreg_test_parent.pth").write_text("\n".join(lines) + "\n")
    return PluginEnvironment(path)


def import_source(module_name: str, source: str) -> ModuleType:
    """Import ``source`` as the module ``module_name`` of this process (once) and return it.

    The module gets the name pip would install it under, so an Architecture's
    ``"module:attr"`` strings resolve exactly as they do after a real install.
    """
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_loader(module_name, loader=None)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            exec(compile(textwrap.dedent(source), f"<{module_name}>", "exec"), module.__dict__)
        except BaseException:
            del sys.modules[module_name]
            raise
    return module
