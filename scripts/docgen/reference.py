"""API reference pages generated from docstrings: the hooks, Architecture, kreg.testing."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from scripts.docgen.markdown import Docstring, code, inline, parse_docstring, split_type, table

GENERATED_NOTE = "_Generated from the docstrings by `scripts/docgen`: edit the code, not this page._"


def hookspecs(module: ModuleType | None = None) -> list[Callable[..., Any]]:
    """Every hook specification in ``kreg.hookspecs`` (functions marked ``@hookspec``), in source order."""
    if module is None:
        from kreg import hookspecs as module
    marker = f"{module.PROJECT_NAME}_spec"
    found = [value for value in vars(module).values() if inspect.isfunction(value) and hasattr(value, marker)]
    return sorted(found, key=lambda function: function.__code__.co_firstlineno)


def signature(function: Callable[..., Any], name: str | None = None) -> str:
    """``def name(arg: type = default) -> type`` with the annotations as written."""
    parameters = []
    for parameter in inspect.signature(function).parameters.values():
        text = parameter.name
        if parameter.kind is parameter.VAR_POSITIONAL:
            text = "*" + text
        elif parameter.kind is parameter.VAR_KEYWORD:
            text = "**" + text
        if parameter.annotation is not parameter.empty:
            text += f": {_annotation(parameter.annotation)}"
        if parameter.default is not parameter.empty:
            text += f" = {parameter.default!r}"
        parameters.append(text)
    returns = inspect.signature(function).return_annotation
    arrow = "" if returns is inspect.Signature.empty else f" -> {_annotation(returns)}"
    return f"def {name or function.__name__}({', '.join(parameters)}){arrow}"


def _annotation(annotation: Any) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def function_section(function: Callable[..., Any], level: int = 2, name: str | None = None) -> str:
    """A heading, the signature and the docstring of a function."""
    doc = parse_docstring(function)
    parts = [f"{'#' * level} {name or function.__name__}", code(signature(function, name), "python"), doc.text]
    parts.extend(_sections(doc))
    return "\n\n".join(part for part in parts if part)


def _sections(doc: Docstring) -> list[str]:
    parts = []
    if doc.items.get("Args") or doc.items.get("Arguments"):
        rows = [(inline(name), *_typed(text)) for name, text in doc.items.get("Args") or doc.items["Arguments"]]
        parts.append("**Arguments**\n\n" + table(["name", "type", "description"], rows))
    if "Returns" in doc.sections:
        parts.append(f"**Returns**: {doc.sections['Returns']}")
    if doc.items.get("Raises"):
        parts.append("**Raises**\n\n" + table(["exception", "when"], [(inline(n), t) for n, t in doc.items["Raises"]]))
    for name in ("Example", "Examples", "Note", "Notes"):
        if name in doc.sections:
            parts.append(f"**{name}**\n\n{doc.sections[name]}")
    return parts


def _typed(text: str) -> tuple[str, str]:
    kind, description = split_type(text)
    return (inline(kind) if kind else "", description)


def hooks_page() -> str:
    """The reference of every hook a plugin may implement."""
    from kreg import hookspecs as module

    parts = ["# Hook reference", GENERATED_NOTE, parse_docstring(module).text]
    parts.append(
        "Hooks are implemented by functions of the same name decorated with "
        "`kreg.hookimpl` in the module an entry point of the `kreg` group names. "
        "Every hook kreg calls:"
    )
    specs = hookspecs(module)
    parts.append(table(["hook", "summary"], [(f"[{inline(f.__name__)}](#{f.__name__})", parse_docstring(f).summary) for f in specs]))
    parts.extend(function_section(function) for function in specs)
    return "\n\n".join(parts) + "\n"


def architecture_page() -> str:
    """The reference of :class:`kreg.Architecture`: every field with its type, default and meaning."""
    from kreg.architecture import NAME_PATTERN, Architecture

    doc = parse_docstring(Architecture)
    rows = []
    for item in dataclasses.fields(Architecture):
        description = split_type(doc.item("Args", item.name))[1] or doc.item("Args", item.name)
        rows.append((inline(item.name), inline(str(item.type)), _default(item), description))
    parts = [
        "# `kreg.Architecture`",
        GENERATED_NOTE,
        doc.text,
        code("from kreg import Architecture", "python"),
        "## Fields",
        f"Fields without a default are required. Names match {inline(NAME_PATTERN.pattern)}.",
        table(["field", "type", "default", "description"], rows),
        "## Methods",
    ]
    for name in ("problems", "validate", "describe"):
        parts.append(function_section(getattr(Architecture, name), level=3, name=name))
    parts.append(_validation_section())
    return "\n\n".join(part for part in parts if part) + "\n"


def _default(item: dataclasses.Field) -> str:
    if item.default is not dataclasses.MISSING:
        return inline(repr(item.default))
    if item.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return inline(repr(item.default_factory()))  # type: ignore[misc]
    return "required"


def _validation_section() -> str:
    from kreg import validation
    from kreg.errors import HyperparameterError

    functions = [value for name, value in vars(validation).items() if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == validation.__name__]
    parts = [
        "## Rejecting bad hyperparameters",
        "Builders check their arguments with these helpers from `kreg.validation`, or raise "
        "`kreg.errors.HyperparameterError(name, message)`: kreg then exits with status 2 and names the "
        "hyperparameter.",
        parse_docstring(HyperparameterError).text,
    ]
    parts.extend(function_section(function, level=3) for function in functions)
    return "\n\n".join(parts)


TESTING_FUNCTIONS = (
    "contract_tests",
    "check_plugin",
    "check_registration",
    "check_light_import",
    "check_hyperparameters",
    "check_architecture",
    "load_plugin",
    "registered_names",
    "plugin_module",
    "build",
    "batches",
    "train",
)
"""The public functions of kreg.testing, in the order the page shows them."""


def testing_page() -> str:
    """The reference of ``kreg.testing`` and of kreg's pytest plugin."""
    from kreg import testing, testing_plugin

    parts = ["# `kreg.testing`", GENERATED_NOTE, parse_docstring(testing).text, "## Functions"]
    parts.extend(function_section(getattr(testing, name), level=3) for name in TESTING_FUNCTIONS)
    parts.append("## Classes")
    for name in ("ContractError", "ArchitectureReport"):
        doc = parse_docstring(getattr(testing, name))
        rows = [(inline(item), *_typed(text)) for item, text in doc.items.get("Attributes", [])]
        parts.extend([f"### {name}", doc.text, table(["attribute", "type", "description"], rows)])
    parts.extend(["## The pytest plugin", parse_docstring(testing_plugin).text])
    for name in ("kreg_catalogue", "kreg_check"):
        fixture = getattr(testing_plugin, name)
        function = getattr(fixture, "__wrapped__", None) or getattr(fixture, "_fixture_function", fixture)
        parts.extend([f"### fixture `{name}`", parse_docstring(function).text])
    return "\n\n".join(part for part in parts if part) + "\n"


def pages() -> dict[str, str]:
    """File name -> Markdown of every reference page (committed under ``docs/reference/``)."""
    return {
        "hooks.md": hooks_page(),
        "architecture.md": architecture_page(),
        "testing.md": testing_page(),
    }


def all_documented(names: Iterable[str], text: str) -> list[str]:
    """The names that do not appear as a heading of ``text``."""
    headings = {line.lstrip("#").strip().strip("`") for line in text.splitlines() if line.startswith("#")}
    return [name for name in names if name not in headings]
