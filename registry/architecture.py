"""The :class:`Architecture` record: everything kreg knows about an architecture
before building it."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kreg.errors import InvalidArchitecture, abbreviate
from kreg.json_fields import attribute_fields
from kreg.references import Reference, describe_reference, reference_problem

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
"""Architecture names: lower case letters, digits and dashes, starting with a letter."""

NAME_MAX_LENGTH = 64
"""The longest architecture name: names are table keys and command arguments, typed and read."""


@dataclass(frozen=True)
class Architecture:
    """One registered model architecture.

    Args:
        name: str. Unique name matching ``[a-z][a-z0-9-]*``, e.g. ``"tiny-mlp"``.
        summary: str. One line shown by ``kreg list``.
        builder: str or callable. ``"module:attr"`` of a function called as
            ``builder(**hyperparameters)`` that returns a compiled ``keras.Model``,
            or a mapping of component names to models in which ``"model"`` is the
            one trained.
        data_adapter: str, callable or None. Called as
            ``data_adapter(hyperparameters, batch_size, source)``; returns a
            ``tf.data.Dataset`` of training batches. ``source=None`` asks for
            synthetic data; otherwise it is a path to load.
        train_step: str, callable or None. Called as ``train_step(model, batch)``
            for one optimisation step, returning a dict of scalar metrics. None
            uses the model's own ``train_step``.
        hyperparameters: Mapping[str, Any]. Defaults passed to the builder; the
            type of each default is the type ``--set`` parses values to.
            JSON-serialisable values only.
        tags: tuple[str, ...]. Free-form labels ``kreg list --tag`` filters on.
        description: str. Longer text shown by ``kreg info``.
        source: str. Where the architecture comes from (a paper, a listing).
        components: tuple[str, ...]. Names of the models the builder returns,
            ``"model"`` first; known without building, so ``kreg info`` can show them.
        presets: Mapping[str, Mapping[str, Any]]. Named sets of hyperparameter
            overrides, e.g. ``{"smoke": {"embed_dim": 16}}`` for quick checks.
        batch_size: int. Default training batch size.
        sampler: str, callable or None. Called as
            ``sampler(model, hyperparameters, output, **options)`` to produce the
            architecture's artefact (generated text, an image grid); returns a
            mapping with ``"text"`` (a list of str) and/or ``"files"`` (paths written).
            ``model`` is the trained ``"model"`` component, or the model loaded
            from a ``.keras`` file (``kreg sample --model``): read sizes and
            anything learned from data (a vocabulary) from the model itself,
            not from ``hyperparameters``, which are the resolved defaults,
            preset and ``--set`` values. ``output`` is the path given with
            ``kreg sample -o``, or None (a sampler that can only write files
            then picks a name in the working directory). ``options`` are only
            those the user gave, so the sampler's own keyword defaults should
            match ``sample_options``. Other JSON-serialisable keys of the
            mapping are printed by ``kreg sample --json``. Raise
            ``KregUsageError`` for a bad option value (exit 2).
        sample_options: Mapping[str, Any]. Defaults of the sampler's options; their
            types are the types ``kreg sample`` parses command-line values to
            (``--OPTION VALUE``; a list default takes several values).
        data_state: str, callable or None. The optional step that learns from
            the training data what the model must carry (a vocabulary,
            normalisation statistics). Called as
            ``data_state(hyperparameters, source)`` before the model is built,
            with the same ``source`` the data adapter gets (None: synthetic
            data, usually nothing to learn); returns a mapping. kreg passes
            that mapping to the builder and to the data adapter as the keyword
            argument ``data_state=``, so the builder puts it in the model (and
            a saved model keeps it) and the adapter encodes the data with it.
            None: no such step, and neither gets the keyword.
    """

    name: str
    summary: str
    builder: Reference
    data_adapter: Reference | None = None
    train_step: Reference | None = None
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    description: str = ""
    source: str = ""
    components: tuple[str, ...] = ("model",)
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    batch_size: int = 32
    sampler: Reference | None = None
    sample_options: Mapping[str, Any] = field(default_factory=dict)
    data_state: Reference | None = None

    def __post_init__(self) -> None:
        # Accept lists where tuples are documented; copy mappings so a plugin
        # mutating its own dict later cannot change what was registered.
        for name in ("tags", "components"):
            value = getattr(self, name)
            if isinstance(value, (list, set)):
                object.__setattr__(self, name, tuple(value))
        for name in ("hyperparameters", "presets", "sample_options"):
            value = getattr(self, name)
            if isinstance(value, Mapping):
                object.__setattr__(self, name, dict(value))

    def problems(self) -> list[str]:
        """List every way this architecture breaks the plugin contract (empty when valid)."""
        return [
            *_name_problems(self.name),
            *_text_problems(self),
            *_reference_problems(self),
            *_hyperparameter_problems(self.hyperparameters),
            *_preset_problems(self.presets, self.hyperparameters),
            *_sequence_problems(self),
        ]

    def validate(self) -> None:
        """Raise :class:`~kreg.errors.InvalidArchitecture` listing every problem, if any."""
        problems = self.problems()
        if problems:
            label = _short(self.name) if isinstance(self.name, str) and self.name else "'<unnamed>'"
            raise InvalidArchitecture(f"invalid architecture {label}: " + "; ".join(problems))

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready description, with references as text."""
        return {
            **attribute_fields(self, ("name", "summary", "description", "source")),
            "tags": list(self.tags),
            "components": list(self.components),
            "hyperparameters": dict(self.hyperparameters),
            "hyperparameter_types": {k: type_name(v) for k, v in self.hyperparameters.items()},
            "presets": {k: dict(v) for k, v in self.presets.items()},
            "batch_size": self.batch_size,
            "builder": describe_reference(self.builder),
            "data_adapter": describe_reference(self.data_adapter),
            "train_step": describe_reference(self.train_step),
            "sampler": describe_reference(self.sampler),
            "sample_options": dict(self.sample_options),
            "data_state": describe_reference(self.data_state),
        }


def type_name(value: Any) -> str:
    """Name the type ``--set`` parses a hyperparameter with this default to."""
    if value is None:
        return "any (JSON)"
    if isinstance(value, (list, tuple)):
        inner = {type_name(v) for v in value}
        return f"list[{inner.pop()}]" if len(inner) == 1 else "list"
    return type(value).__name__


def _name_problems(name: object) -> list[str]:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return [f"name {_short(name)} must match [a-z][a-z0-9-]* (lower case, digits, dashes)"]
    if len(name) > NAME_MAX_LENGTH:
        return [f"name is {len(name)} characters long; the limit is {NAME_MAX_LENGTH}"]
    return []


def _short(value: object) -> str:
    return abbreviate(repr(value))


def _text_problems(architecture: Architecture) -> list[str]:
    problems = []
    if not isinstance(architecture.summary, str) or not architecture.summary.strip():
        problems.append("summary must be a non-empty string")
    problems.extend(
        f"{name} must be a string"
        for name in ("description", "source")
        if not isinstance(getattr(architecture, name), str)
    )
    return problems


def _reference_problems(architecture: Architecture) -> list[str]:
    problems = []
    fields = {
        "builder": architecture.builder,
        "data_adapter": architecture.data_adapter,
        "train_step": architecture.train_step,
        "sampler": architecture.sampler,
        "data_state": architecture.data_state,
    }
    for name, reference in fields.items():
        if reference is None and name != "builder":
            continue
        problem = reference_problem(reference)
        if problem:
            problems.append(f"{name} {problem}")
    return problems


def _hyperparameter_problems(hyperparameters: object) -> list[str]:
    if not isinstance(hyperparameters, Mapping):
        return ["hyperparameters must be a mapping of names to default values"]
    problems = []
    for key, value in hyperparameters.items():
        if not isinstance(key, str) or not key.isidentifier():
            problems.append(f"hyperparameter name {key!r} must be a Python identifier")
            continue
        if type(value) in _JSON_SCALARS or (type(value) is float and math.isfinite(value)):
            continue  # what json.dumps would accept, known without it (a registry of thousands checks each one)
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            problems.append(f"hyperparameter {key!r} default {value!r} is not JSON-serialisable")
    return problems


_JSON_SCALARS = (str, int, bool, type(None))
"""Types whose every value is JSON (not their subclasses, whose ``__str__`` or ``__repr__`` json may call)."""


def _preset_problems(presets: object, hyperparameters: Mapping[str, Any]) -> list[str]:
    if not isinstance(presets, Mapping):
        return ["presets must be a mapping of preset names to hyperparameter overrides"]
    problems = []
    for preset, overrides in presets.items():
        if not isinstance(overrides, Mapping):
            problems.append(f"preset {preset!r} must be a mapping")
            continue
        unknown = sorted(set(overrides) - set(hyperparameters))
        if unknown:
            problems.append(f"preset {preset!r} sets unknown hyperparameters {unknown}")
    return problems


def _sequence_problems(architecture: Architecture) -> list[str]:
    problems = []
    if not isinstance(architecture.tags, tuple) or not all(isinstance(t, str) and t for t in architecture.tags):
        problems.append("tags must be a tuple of non-empty strings")
    components = architecture.components
    if not isinstance(components, tuple) or not components or not all(isinstance(c, str) for c in components):
        problems.append("components must be a non-empty tuple of strings")
    elif "model" not in components:
        problems.append("components must include 'model', the component that is trained")
    if not isinstance(architecture.batch_size, int) or architecture.batch_size < 1:
        problems.append("batch_size must be a positive integer")
    if not isinstance(architecture.sample_options, Mapping):
        problems.append("sample_options must be a mapping")
    return problems
