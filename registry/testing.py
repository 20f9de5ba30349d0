"""Contract checks a plugin author runs in their own test suite: ``kreg.testing``.

Each check raises :class:`ContractError` (an ``AssertionError``, so pytest
shows it as a plain test failure) whose message names the plugin or the
architecture, the phase that failed and why. With pytest, one line gives a
test per check and per architecture::

    from kreg.testing import contract_tests

    TestKregContract = contract_tests("my-plugin")

Without pytest, or to pick checks one by one::

    from kreg import testing

    testing.check_registration("my-plugin")      # registers, validly, without failures
    testing.check_light_import("my-plugin")      # importing it loads no TensorFlow/Keras
    testing.check_architecture("my-arch")        # builds, inspects, trains, saves, reloads

A plugin is named by its entry-point name in the ``kreg`` group, or by the
module the entry point points at. Importing this module imports neither
TensorFlow nor Keras; :func:`check_architecture` does.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Catalogue, Entry
from kreg.errors import ArchitectureFailure, KregError, describe_exception
from kreg.workflows.checking import CHECK_BATCH_SIZE, CHECK_STEPS, SMOKE_PRESET
from kreg.loading import BUILTIN_DISTRIBUTION, discover_entry_points, load_catalogue
from kreg.plugin_records import PluginRecord

if TYPE_CHECKING:
    import keras

HEAVY_MODULES = ("tensorflow", "keras")
"""Modules a plugin's entry module (and its registration hook) must not import."""

# The same steps, batch size and preset as `kreg check`, so a plugin whose
# contract tests pass also passes `kreg check`.
CONTRACT_STEPS = CHECK_STEPS
"""Training steps :func:`check_architecture` runs unless told otherwise."""

CONTRACT_BATCH_SIZE = CHECK_BATCH_SIZE
"""The largest batch a contract check trains with (smaller when the architecture's own is)."""


class ContractError(AssertionError):
    """A plugin or an architecture breaks the kreg plugin contract.

    Attributes:
        subject: str. The plugin or architecture that failed.
        phase: str. What was checked: ``"registration"``, ``"light-import"``,
            ``"hyperparameters"``, ``"build"``, ``"inspect"``, ``"data"``,
            ``"train"``, ``"save"``, ``"load"``, ...
        problems: list[str]. Every problem found, one line each.
    """

    def __init__(self, subject: str, phase: str, problems: Sequence[str] | str):
        self.subject = subject
        self.phase = phase
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        lines = [f"{subject}: {phase} failed: {self.problems[0]}"] if len(self.problems) == 1 else [
            f"{subject}: {phase} failed:",
            *(f"  - {problem}" for problem in self.problems),
        ]
        super().__init__("\n".join(lines))


@dataclass
class ArchitectureReport:
    """What :func:`check_architecture` found for one architecture.

    Attributes:
        architecture: str. Its name.
        preset: str or None. The preset it was built with.
        hyperparameters: dict[str, Any]. The values it was built with.
        params: dict[str, dict[str, int]]. Per component: ``total``,
            ``trainable`` and ``non_trainable`` parameters.
        dense: dict[str, int]. Per component, how many Dense layer calls the
            inspection traced.
        metrics: dict[str, dict[str, Any]]. Each training metric's first and
            last value; empty when the architecture has no data adapter.
        steps: int. Training steps run.
        saved: str or None. The ``.keras`` file written (gone when the check
            used a temporary folder).
    """

    architecture: str
    preset: str | None
    hyperparameters: dict[str, Any]
    params: dict[str, dict[str, int]] = field(default_factory=dict)
    dense: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: int = 0
    saved: str | None = None


# -- finding and loading a plugin ---------------------------------------------


def load_plugin(plugin: str) -> tuple[Catalogue, PluginRecord]:
    """Load kreg's built-in plugins, then ``plugin`` alone, as ``kreg`` would.

    Built-ins load first, so a plugin taking a built-in name fails here as it
    would for its users. Other third-party plugins are left out, so their
    faults never fail this plugin's tests.

    Args:
        plugin: str. An entry-point name in the ``kreg`` group, or the module
            an entry point names, or the name of a module that is not
            installed as a plugin yet (it is imported and registered as one).

    Returns:
        tuple[Catalogue, PluginRecord]. The catalogue and the plugin's record.
    """
    points = discover_entry_points()
    builtin = [ep for ep in points if _distribution(ep) == BUILTIN_DISTRIBUTION]
    chosen = _entry_point_for(plugin, points)
    if chosen is not None:
        catalogue = load_catalogue(entry_points=[*[ep for ep in builtin if ep.name != chosen.name], chosen])
        return catalogue, catalogue.plugins[chosen.name]
    catalogue = load_catalogue(entry_points=builtin)
    record = PluginRecord(name=plugin, module=plugin)
    try:
        module = importlib.import_module(plugin)
    except Exception as error:
        catalogue.record_failure(record, "import", error)
        return catalogue, record
    catalogue.add_plugin(module, record)
    return catalogue, record


def plugin_module(plugin: str) -> str:
    """The module an entry-point name points at (``plugin`` itself when it is a module name)."""
    chosen = _entry_point_for(plugin, discover_entry_points())
    return chosen.module if chosen is not None else plugin


def _entry_point_for(plugin: str, points: Iterable[metadata.EntryPoint]) -> metadata.EntryPoint | None:
    points = list(points)
    by_name = [ep for ep in points if ep.name == plugin]
    by_module = [ep for ep in points if ep.value == plugin or ep.module == plugin]
    found = by_name or by_module
    return found[0] if found else None


def _distribution(entry_point: metadata.EntryPoint) -> str | None:
    dist = getattr(entry_point, "dist", None)
    return dist.metadata["Name"] if dist is not None else None


# -- registration --------------------------------------------------------------


def check_registration(plugin: str) -> list[Entry]:
    """Check that a plugin loads and registers valid architectures without failures.

    Fails when the entry module cannot be imported, its hook raises, an
    architecture is invalid or takes a name already registered (built-in
    names included), it registers nothing, or a ``"module:attr"`` reference
    names a module that cannot be found.

    Args:
        plugin: str. Entry-point name or module (see :func:`load_plugin`).

    Returns:
        list[Entry]. The architectures it registered.

    Raises:
        ContractError: phase ``"registration"``, listing every problem.
    """
    catalogue, record = load_plugin(plugin)
    problems = [failure.message().removeprefix("kreg: ") for failure in record.failures]
    entries = [catalogue.get(name) for name in record.architectures]
    if not entries and not problems:
        problems.append("it registered no architecture: call register(kreg.Architecture(...)) in kreg_register_architectures")
    for entry in entries:
        problems.extend(_reference_problems(entry))
    if problems:
        raise ContractError(f"plugin {plugin!r}", "registration", problems)
    return entries


def _reference_problems(entry: Entry) -> list[str]:
    problems = []
    for field_name in ("builder", "data_adapter", "train_step", "sampler"):
        reference = getattr(entry.architecture, field_name)
        if not isinstance(reference, str):
            continue
        module = reference.partition(":")[0]
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            problems.append(f"architecture {entry.name!r}: {field_name} {reference!r} names module {module!r}, which cannot be found")
    return problems


# -- light import ----------------------------------------------------------------


def check_light_import(plugin: str, heavy: Sequence[str] = HEAVY_MODULES, timeout: float = 120) -> None:
    """Check, in a fresh interpreter, that loading the plugin imports no TensorFlow or Keras.

    The child process imports the entry module and runs its registration hook,
    as ``kreg list`` does, then looks for ``heavy`` in ``sys.modules``. When one
    was imported, the message names the plugin's line that imported it.

    Args:
        plugin: str. Entry-point name or module (see :func:`load_plugin`).
        heavy: Sequence[str]. Top-level modules that must stay unimported.
        timeout: float. Seconds to wait for the child process.

    Raises:
        ContractError: phase ``"light-import"``.
    """
    code = "import sys; from kreg.testing import _probe_light_import; _probe_light_import(sys.argv[1], sys.argv[2:])"
    environment = dict(os.environ)
    # Whatever this interpreter can import, the child can too (a src/ layout
    # put on sys.path by the test run, say).
    environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
    completed = subprocess.run(
        [sys.executable, "-c", code, plugin, *heavy], capture_output=True, text=True, env=environment, timeout=timeout
    )
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ContractError(f"plugin {plugin!r}", "light-import", f"the probe process failed: {tail[0]}")
    found: dict[str, str] = json.loads(completed.stdout.strip().splitlines()[-1])
    if found:
        problems = [f"loading it imported {name} ({where})" for name, where in found.items()]
        problems.append("import TensorFlow and Keras only in the modules your 'module:attr' references name")
        raise ContractError(f"plugin {plugin!r}", "light-import", problems)


def _probe_light_import(plugin: str, heavy: Sequence[str]) -> None:
    """Run in the child process of :func:`check_light_import`: load, then print JSON."""
    watcher = _ImportWatcher(set(heavy))
    sys.meta_path.insert(0, watcher)
    try:
        load_plugin(plugin)
    finally:
        sys.meta_path.remove(watcher)
    imported = {name: watcher.importers.get(name, "imported before the plugin loaded") for name in heavy if name in sys.modules}
    print(json.dumps(imported))


class _ImportWatcher:
    """A meta-path finder that finds nothing but remembers who first imported each watched module."""

    def __init__(self, names: set[str]):
        self.names = names
        self.importers: dict[str, str] = {}

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        """Record the first non-import-machinery frame importing a watched module."""
        top = name.partition(".")[0]
        if top in self.names and top not in self.importers:
            self.importers[top] = _importing_frame()
        return None


def _importing_frame() -> str:
    import traceback

    skipped = ("<frozen", str(Path(__file__)))
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(skipped) and "importlib" not in f.filename]
    if not frames:
        return "unknown importer"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno}: {(frame.line or '').strip()}"


# -- one architecture ------------------------------------------------------------


def check_architecture(
    architecture: str | Entry,
    steps: int = CONTRACT_STEPS,
    preset: str | None = SMOKE_PRESET,
    workdir: str | os.PathLike[str] | None = None,
) -> ArchitectureReport:
    """Build, inspect, smoke-train, save and reload one architecture.

    Phases, each failing with its own name: ``hyperparameters`` (the preset
    resolves), ``build`` (the builder returns compiled models, with the
    components the Architecture declares), ``inspect`` (kreg's report traces
    every component), ``data`` and ``train`` (``steps`` steps of its adapter's
    synthetic batches through its train step inside ``fit``, every metric
    finite), ``save`` and ``load`` (the trained ``"model"`` saves as ``.keras``
    and loads back with ``safe_mode=True`` holding the same weights).

    Args:
        architecture: str or Entry. A registered name (looked up among every
            installed plugin) or a catalogue entry.
        steps: int. Training steps.
        preset: str or None. Preset to build with when the architecture has it;
            None builds with the defaults.
        workdir: path or None. Folder for the ``.keras`` file; None uses a
            temporary folder removed afterwards.

    Returns:
        ArchitectureReport.

    Raises:
        ContractError: naming the architecture and the phase that failed.
    """
    entry = architecture if isinstance(architecture, Entry) else _lookup(architecture)
    chosen = preset if preset is not None and preset in entry.architecture.presets else None
    with _phase(entry.name, "hyperparameters"):
        from kreg.running.building import resolve_hyperparameters

        hyperparameters = resolve_hyperparameters(entry, (), chosen)
    report = ArchitectureReport(entry.name, chosen, hyperparameters)
    components = _build(entry, hyperparameters)
    _inspect(entry, hyperparameters, components, report)
    if entry.architecture.data_adapter is not None:
        _train(entry, components["model"], hyperparameters, steps, report)
    with _workdir(workdir) as folder:
        _save_and_reload(entry, components["model"], folder / f"{entry.name}.keras", report)
    return report


def _lookup(name: str) -> Entry:
    try:
        return load_catalogue().get(name)
    except KregError as error:
        raise ContractError(f"architecture {name!r}", "lookup", str(error)) from None


class _phase:
    """Turn any exception in a block into a :class:`ContractError` for that phase."""

    def __init__(self, name: str, phase: str):
        self.name, self.phase = name, phase

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> bool:
        if error is None or isinstance(error, ContractError):
            return False
        if isinstance(error, ArchitectureFailure):
            raise ContractError(f"architecture {self.name!r}", error.phase, describe_exception(error.cause)) from error
        raise ContractError(f"architecture {self.name!r}", self.phase, describe_exception(error)) from error


def _build(entry: Entry, hyperparameters: dict[str, Any]) -> dict[str, keras.Model]:
    with _phase(entry.name, "build"):
        from kreg.running.building import build_fresh

        components = build_fresh(entry, hyperparameters).components
    declared, returned = list(entry.architecture.components), list(components)
    if sorted(declared) != sorted(returned):
        raise ContractError(
            f"architecture {entry.name!r}",
            "build",
            f"the builder returned components {returned}, but the Architecture declares components={tuple(declared)}",
        )
    if not components["model"].compiled:
        raise ContractError(
            f"architecture {entry.name!r}", "build", "the 'model' component is not compiled; call model.compile(optimizer=...) in the builder"
        )
    return components


def _inspect(entry: Entry, hyperparameters: dict[str, Any], components: dict[str, Any], report: ArchitectureReport) -> None:
    with _phase(entry.name, "inspect"):
        from kreg.inspect_tools.report import architecture_report

        inspected = architecture_report(entry.name, hyperparameters, components)
    for name, component in inspected["components"].items():
        report.params[name] = component["params"]
        report.dense[name] = len(component["dense"])
        if "note" in component:
            raise ContractError(f"architecture {entry.name!r}", "inspect", f"component {name!r} could not be traced: {component['note']}")
        if not component["layers"]:
            raise ContractError(f"architecture {entry.name!r}", "inspect", f"component {name!r} has no layers kreg can trace")


def _train(entry: Entry, model: keras.Model, hyperparameters: dict[str, Any], steps: int, report: ArchitectureReport) -> None:
    from kreg.running.training import TrainOptions, train_model

    batch_size = min(entry.architecture.batch_size, CONTRACT_BATCH_SIZE)
    with _phase(entry.name, "train"):
        result = train_model(entry, model, hyperparameters, TrainOptions(steps=steps, batch_size=batch_size, quiet=True))
    failure = result.failure()
    if failure is not None:
        raise ContractError(f"architecture {entry.name!r}", "train", describe_exception(failure.cause))
    report.steps = result.trace.steps
    report.metrics = result.to_json()["metrics"]
    if not report.metrics:
        raise ContractError(f"architecture {entry.name!r}", "train", "the train step returned no metrics; return a dict such as {'loss': loss}")


def _save_and_reload(entry: Entry, model: keras.Model, path: Path, report: ArchitectureReport) -> None:
    import numpy as np

    from kreg.running.building import load_saved_model

    with _phase(entry.name, "save"):
        model.save(path)
    with _phase(entry.name, "load"):
        loaded = load_saved_model(entry, str(path))
    before, after = model.get_weights(), loaded.get_weights()
    shapes = [w.shape for w in before], [w.shape for w in after]
    if shapes[0] != shapes[1]:
        raise ContractError(
            f"architecture {entry.name!r}", "load", f"the reloaded model's weights have shapes {shapes[1]}, the saved one's {shapes[0]}: check get_config()"
        )
    if not all(np.allclose(a, b, equal_nan=True) for a, b in zip(before, after)):
        raise ContractError(f"architecture {entry.name!r}", "load", "the reloaded model's weights differ from the saved ones")
    report.saved = str(path)


class _workdir:
    """A folder to save into: the one given, or a temporary one removed afterwards."""

    def __init__(self, folder: str | os.PathLike[str] | None):
        self._given = Path(folder) if folder is not None else None
        self._temporary: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path:
        if self._given is not None:
            self._given.mkdir(parents=True, exist_ok=True)
            return self._given
        self._temporary = tempfile.TemporaryDirectory(prefix="kreg-contract-")
        return Path(self._temporary.name)

    def __exit__(self, *exc_info: Any) -> None:
        if self._temporary is not None:
            self._temporary.cleanup()


# -- everything at once ----------------------------------------------------------


def check_plugin(plugin: str, steps: int = CONTRACT_STEPS, workdir: str | os.PathLike[str] | None = None) -> list[ArchitectureReport]:
    """Run every check on a plugin: registration, light import, then each architecture.

    Args:
        plugin: str. Entry-point name or module (see :func:`load_plugin`).
        steps: int. Training steps per architecture.
        workdir: path or None. Folder for the ``.keras`` files.

    Returns:
        list[ArchitectureReport]. One per registered architecture.

    Raises:
        ContractError: the first check that fails.
    """
    entries = check_registration(plugin)
    check_light_import(plugin)
    return [check_architecture(entry, steps=steps, workdir=workdir) for entry in entries]


def registered_names(plugin: str) -> list[str]:
    """Names a plugin registers (empty when it fails to load); used to parametrize tests."""
    catalogue, record = load_plugin(plugin)
    return list(record.architectures)


def contract_tests(plugin: str, steps: int = CONTRACT_STEPS, preset: str | None = SMOKE_PRESET) -> type:
    """Make a pytest test class that checks a plugin against the kreg contract.

    Assign it to a name starting with ``Test`` in a test module::

        TestKregContract = contract_tests("my-plugin")

    pytest then collects ``test_registration``, ``test_light_import`` and one
    ``test_architecture[NAME]`` per registered architecture. The number of
    training steps can be changed from the command line with ``--kreg-steps N``.

    Args:
        plugin: str. Entry-point name or module (see :func:`load_plugin`).
        steps: int. Training steps per architecture.
        preset: str or None. Preset to build with when an architecture has it.

    Returns:
        type. The test class.
    """
    import pytest

    names = registered_names(plugin)

    class KregContract:
        """kreg's plugin contract, checked for one plugin."""

        def test_registration(self) -> None:
            """The plugin loads and registers valid architectures."""
            check_registration(plugin)

        def test_light_import(self) -> None:
            """Loading the plugin imports neither TensorFlow nor Keras."""
            check_light_import(plugin)

        @pytest.mark.parametrize("architecture", names)
        def test_architecture(self, architecture: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
            """The architecture builds, inspects, smoke-trains, saves and reloads."""
            chosen_steps = request.config.getoption("kreg_steps", default=None) or steps
            check_architecture(architecture, steps=chosen_steps, preset=preset, workdir=tmp_path)

    KregContract.__name__ = KregContract.__qualname__ = "TestKregContract"
    return KregContract
