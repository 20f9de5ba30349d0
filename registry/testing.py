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

For tests of your own, :func:`build`, :func:`batches` and :func:`train` build,
feed and train an architecture exactly as ``kreg`` does.

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
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Catalogue, Entry
from kreg.errors import KregError
from kreg.hyperparameters import resolve_hyperparameters
from kreg.loading import BUILTIN_DISTRIBUTION, discover_entry_points, load_catalogue
from kreg.phases import Phase
from kreg.plugin_records import PluginRecord
from kreg.workflows.pipeline import (
    SMOKE_BATCH_SIZE,
    SMOKE_PRESET,
    SMOKE_STEPS,
    PipelineOptions,
    PipelineResult,
    run_pipeline,
)

if TYPE_CHECKING:
    from kreg.running.building import BuiltArchitecture
    from kreg.running.training import TrainResult

HEAVY_MODULES = ("tensorflow", "keras")
"""Modules a plugin's entry module (and its registration hook) must not import."""

# The same steps, batch size and preset as `kreg check`, so a plugin whose
# contract tests pass also passes `kreg check`.
CONTRACT_STEPS = SMOKE_STEPS
"""Training steps :func:`check_architecture` runs unless told otherwise."""

CONTRACT_BATCH_SIZE = SMOKE_BATCH_SIZE
"""The largest batch a contract check trains with (smaller when the architecture's own is)."""


class ContractError(AssertionError):
    """A plugin or an architecture breaks the kreg plugin contract.

    Attributes:
        subject: str. The plugin or architecture that failed.
        phase: Phase. What was checked (:class:`kreg.phases.Phase`, a ``str``):
            ``"registration"``, ``"light-import"``, ``"hyperparameters"``,
            ``"build"``, ``"inspect"``, ``"data"``, ``"train"``, ``"save"``,
            ``"load"``, ...
        problems: list[str]. Every problem found, one line each.
    """

    def __init__(self, subject: str, phase: Phase | str, problems: Sequence[str] | str):
        self.subject = subject
        self.phase = Phase(phase)
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        lines = (
            [f"{subject}: {phase} failed: {self.problems[0]}"]
            if len(self.problems) == 1
            else [
                f"{subject}: {phase} failed:",
                *(f"  - {problem}" for problem in self.problems),
            ]
        )
        super().__init__("\n".join(lines))


ArchitectureReport = PipelineResult
"""What :func:`check_architecture` returns: the pipeline's result for one architecture.

Attributes read by contract tests: ``architecture``, ``preset``,
``hyperparameters``, ``params`` (per component ``total``, ``trainable``,
``non_trainable``), ``dense`` (Dense layer calls traced per component),
``metrics`` (each metric's ``first`` and ``last``), ``steps`` and ``saved``
(the ``.keras`` file; gone when the check used a temporary folder).
"""


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
    except Exception as error:  # noqa: BLE001 - a plugin's import raises anything; the failure records the cause
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
        problems.append(
            "it registered no architecture: call register(kreg.Architecture(...)) in kreg_register_architectures"
        )
    for entry in entries:
        problems.extend(_reference_problems(entry))
    if problems:
        raise ContractError(f"plugin {plugin!r}", Phase.REGISTRATION, problems)
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
            problems.append(
                f"architecture {entry.name!r}: {field_name} {reference!r} names module {module!r}, "
                "which cannot be found"
            )
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
        raise ContractError(f"plugin {plugin!r}", Phase.LIGHT_IMPORT, f"the probe process failed: {tail[0]}")
    found: dict[str, str] = json.loads(completed.stdout.strip().splitlines()[-1])
    if found:
        problems = [f"loading it imported {name} ({where})" for name, where in found.items()]
        problems.append("import TensorFlow and Keras only in the modules your 'module:attr' references name")
        raise ContractError(f"plugin {plugin!r}", Phase.LIGHT_IMPORT, problems)


def _probe_light_import(plugin: str, heavy: Sequence[str]) -> None:
    """Run in the child process of :func:`check_light_import`: load, then print JSON."""
    watcher = _ImportWatcher(set(heavy))
    sys.meta_path.insert(0, watcher)
    try:
        load_plugin(plugin)
    finally:
        sys.meta_path.remove(watcher)
    imported = {
        name: watcher.importers.get(name, "imported before the plugin loaded") for name in heavy if name in sys.modules
    }
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
        return


def _importing_frame() -> str:
    import traceback

    skipped = ("<frozen", str(Path(__file__)))
    frames = [
        f for f in traceback.extract_stack() if not f.filename.startswith(skipped) and "importlib" not in f.filename
    ]
    if not frames:
        return "unknown importer"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno}: {(frame.line or '').strip()}"


# -- one architecture ------------------------------------------------------------


def _contract_pipeline(
    steps: int = CONTRACT_STEPS, preset: str | None = SMOKE_PRESET, workdir: str | os.PathLike[str] | None = None
) -> PipelineOptions:
    """The pipeline stages of a contract check: every stage, with the contract's promises checked."""
    return PipelineOptions(
        preset=preset,
        steps=steps,
        batch_size=CONTRACT_BATCH_SIZE,
        save_to=None if workdir is None else Path(workdir),
        save_and_reload=True,
        contract=True,
    )


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
    and loads back with ``safe_mode=True`` holding the same weights). It is
    the pipeline of ``kreg check`` (:mod:`kreg.workflows.pipeline`) with every
    stage on.

    Args:
        architecture: str or Entry. A registered name (looked up among every
            installed plugin) or a catalogue entry.
        steps: int. Training steps.
        preset: str or None. Preset to build with when the architecture has it;
            None builds with the defaults.
        workdir: path or None. Folder for the ``.keras`` file; None uses a
            temporary folder removed afterwards.

    Returns:
        ArchitectureReport. What the pipeline found: ``params``, ``dense``
        (Dense calls per component), ``metrics``, ``steps``, ``saved``, ...

    Raises:
        ContractError: naming the architecture and the phase that failed.
    """
    entry = architecture if isinstance(architecture, Entry) else _lookup(architecture)
    result = run_pipeline(entry, _contract_pipeline(steps, preset, workdir))
    if not result.passed:
        raise ContractError(f"architecture {entry.name!r}", result.phase, result.cause) from result.failure
    return result


def check_hyperparameters(architecture: str | Entry) -> None:
    """Check that the registered hyperparameters agree with the builder's signature.

    Fails when the builder does not accept a registered key (and takes no
    ``**kwargs``), when one of its keyword defaults differs from the
    registered default (so a direct call and ``kreg`` would build different
    models), or when it has a parameter without a default that is not
    registered (``kreg`` never passes it). Imports the builder's module, so
    it imports what that module imports (usually Keras).

    Args:
        architecture: str or Entry. A registered name or a catalogue entry.

    Raises:
        ContractError: phase ``hyperparameters``, listing every disagreement.
    """
    from kreg.errors import ArchitectureFailure
    from kreg.running.signature import builder_signature_problems

    entry = architecture if isinstance(architecture, Entry) else _lookup(architecture)
    try:
        problems = builder_signature_problems(entry)
    except ArchitectureFailure as failure:
        raise ContractError(f"architecture {entry.name!r}", failure.phase, str(failure.cause)) from failure
    if problems:
        raise ContractError(f"architecture {entry.name!r}", Phase.HYPERPARAMETERS, problems)


def _lookup(name: str) -> Entry:
    try:
        return load_catalogue().get(name)
    except KregError as error:
        raise ContractError(f"architecture {name!r}", Phase.LOOKUP, str(error)) from None


def build(
    architecture: str | Entry,
    assignments: Iterable[str] = (),
    preset: str | None = None,
    source: str | None = None,
    seed: int | None = 0,
) -> BuiltArchitecture:
    """Build an architecture exactly as ``kreg`` does, for tests that look at the models.

    The hyperparameters are resolved as ``--preset`` and ``--set`` would; the
    architecture's data-state step (if any) learns from ``source`` first.

    Args:
        architecture: str or Entry. A registered name or a catalogue entry.
        assignments: Iterable[str]. ``key=value`` strings, as ``--set`` takes them.
        preset: str or None. One of the architecture's presets.
        source: str or None. The training data (None: synthetic).
        seed: int or None. Seed of Python, NumPy and TensorFlow before building.

    Returns:
        BuiltArchitecture. ``components``, ``model`` (the trained component),
        ``hyperparameters`` and ``data_state``.

    Raises:
        KregUsageError: an unknown preset or hyperparameter, or the builder
            rejected a value by name (``HyperparameterError``).
        ArchitectureFailure: a phase failed (``build``, ``data-state``, ``resolve``).
    """
    from kreg.running.building import build_fresh

    entry = architecture if isinstance(architecture, Entry) else _lookup(architecture)
    return build_fresh(entry, resolve_hyperparameters(entry, assignments, preset), seed, source)


def batches(built: BuiltArchitecture, batch_size: int | None = None) -> Any:
    """The ``tf.data.Dataset`` the architecture's data adapter returns for a built model.

    Args:
        built: BuiltArchitecture. From :func:`build`; its data source and data
            state go to the adapter.
        batch_size: int or None. None uses the architecture's ``batch_size``.

    Raises:
        ArchitectureFailure: the adapter failed (phase ``data``).
    """
    from kreg.running.data import make_dataset

    size = batch_size or built.entry.architecture.batch_size
    return make_dataset(built.entry, built.hyperparameters, size, built.source, built.data_state)


def train(built: BuiltArchitecture, steps: int = CONTRACT_STEPS, batch_size: int | None = None) -> TrainResult:
    """Smoke-train a built model as ``kreg train`` does: its adapter's batches through its train step in ``fit``.

    Args:
        built: BuiltArchitecture. From :func:`build`; trained in place.
        steps: int. Training steps.
        batch_size: int or None. None uses the architecture's ``batch_size``.

    Returns:
        TrainResult. ``trace.first`` and ``trace.last`` hold each metric's
        first and last value; ``failure()`` says why a run stopped early.

    Raises:
        ArchitectureFailure: a phase failed (``data``, ``train``, ...).
    """
    from kreg.running.training import TrainOptions, train_model

    return train_model(
        built, TrainOptions(steps=steps, batch_size=batch_size, quiet=True, seed=None, source=built.source)
    )


# -- everything at once ----------------------------------------------------------


def check_plugin(
    plugin: str, steps: int = CONTRACT_STEPS, workdir: str | os.PathLike[str] | None = None
) -> list[ArchitectureReport]:
    """Run every check on a plugin: registration, light import, then each architecture's hyperparameters and pipeline.

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
    for entry in entries:
        check_hyperparameters(entry)
    return [check_architecture(entry, steps=steps, workdir=workdir) for entry in entries]


def registered_names(plugin: str) -> list[str]:
    """Names a plugin registers (empty when it fails to load); used to parametrize tests."""
    _catalogue, record = load_plugin(plugin)
    return list(record.architectures)


def contract_tests(plugin: str, steps: int = CONTRACT_STEPS, preset: str | None = SMOKE_PRESET) -> type:
    """Make a pytest test class that checks a plugin against the kreg contract.

    Assign it to a name starting with ``Test`` in a test module::

        TestKregContract = contract_tests("my-plugin")

    pytest then collects ``test_registration``, ``test_light_import``, and one
    ``test_hyperparameters[NAME]`` and one ``test_architecture[NAME]`` per
    registered architecture. The number of
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
        def test_hyperparameters(self, architecture: str) -> None:
            """The registered hyperparameters agree with the builder's signature."""
            check_hyperparameters(architecture)

        @pytest.mark.parametrize("architecture", names)
        def test_architecture(self, architecture: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
            """The architecture builds, inspects, smoke-trains, saves and reloads."""
            chosen_steps = request.config.getoption("kreg_steps", default=None) or steps
            check_architecture(architecture, steps=chosen_steps, preset=preset, workdir=tmp_path)

    KregContract.__name__ = KregContract.__qualname__ = "TestKregContract"
    return KregContract
