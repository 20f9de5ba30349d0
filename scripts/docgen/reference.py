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
    listed = list(inspect.signature(function).parameters.values())
    for index, parameter in enumerate(listed):
        if parameter.kind is parameter.KEYWORD_ONLY and (
            index == 0 or listed[index - 1].kind not in (parameter.KEYWORD_ONLY, parameter.VAR_POSITIONAL)
        ):
            parameters.append("*")
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
        if parameter.kind is parameter.POSITIONAL_ONLY and (
            index + 1 == len(listed) or listed[index + 1].kind is not parameter.POSITIONAL_ONLY
        ):
            parameters.append("/")
    returns = inspect.signature(function).return_annotation
    arrow = "" if returns is inspect.Signature.empty else f" -> {_annotation(returns)}"
    return f"def {name or function.__name__}({', '.join(parameters)}){arrow}"


def _annotation(annotation: Any) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def function_section(
    function: Callable[..., Any], level: int = 2, name: str | None = None, heading: str | None = None
) -> str:
    """A heading (``heading``, else the name), the signature and the docstring of a function."""
    doc = parse_docstring(function)
    parts = [
        f"{'#' * level} {heading or name or function.__name__}",
        code(signature(function, name), "python"),
        doc.text,
    ]
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
    parts.extend(
        f"**{name}**\n\n{doc.sections[name]}"
        for name in ("Example", "Examples", "Note", "Notes")
        if name in doc.sections
    )
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
    parts.append(
        table(
            ["hook", "summary"], [(f"[{inline(f.__name__)}](#{f.__name__})", parse_docstring(f).summary) for f in specs]
        )
    )
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
    parts.extend(
        function_section(getattr(Architecture, name), level=3, name=name)
        for name in ("problems", "validate", "describe")
    )
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

    functions = [
        value
        for name, value in vars(validation).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == validation.__name__
    ]
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


API_FUNCTIONS = ("inspect", "plot", "review")
"""The functions of kreg's Python API (``kreg.inspect``...), in the order the page shows them."""

API_CLASSES = (
    (
        "kreg.workflows.reports",
        "InspectionReport",
        ("name", "components", "params", "macs", "to_json", "__str__", "_repr_html_"),
    ),
    ("kreg.workflows.reports", "ModelGraph", ("to_svg", "to_dot", "save", "__str__", "_repr_svg_")),
    ("kreg.workflows.review", "Review", ("name", "to_json", "html", "save", "failure", "__str__", "_repr_html_")),
)
"""What the functions return: (module, class, the members the page documents, in order)."""

API_ERRORS = ("KregError", "KregUsageError", "ArchitectureFailure")
"""The exceptions the functions raise (importable from ``kreg``)."""


def api_headings() -> list[str]:
    """The headings the Python API page must have: each function, class and documented member."""
    names = [f"kreg.{name}" for name in API_FUNCTIONS]
    for _, cls, members in API_CLASSES:
        names.extend([cls, *(f"{cls}.{member}" for member in members)])
    return names + [f"kreg.{name}" for name in API_ERRORS]


def python_api_page() -> str:
    """The reference of ``kreg.inspect``, ``kreg.plot`` and ``kreg.review`` and the reports they return."""
    import importlib

    import kreg
    from kreg import api

    parts = ["# Python API: `kreg.inspect`, `kreg.plot`, `kreg.review`", GENERATED_NOTE, parse_docstring(api).text]
    parts.append(
        "A walkthrough with a keras.applications model: [Any model, from Python or a notebook](../python-api.md)."
    )
    parts.append("## Functions")
    parts.extend(function_section(getattr(api, name), level=3, heading=f"kreg.{name}") for name in API_FUNCTIONS)
    parts.append("## What they return")
    for module, name, members in API_CLASSES:
        parts.append(class_section(getattr(importlib.import_module(module), name), f"{module}.{name}", members))
    parts.append("## Errors")
    parts.append("Importable from `kreg`; each message is one line, shown to the user as it is.")
    parts.extend(f"### kreg.{name}\n\n{parse_docstring(getattr(kreg, name)).text}" for name in API_ERRORS)
    return "\n\n".join(part for part in parts if part) + "\n"


def class_section(cls: type, path: str, members: Iterable[str]) -> str:
    """A class's heading, docstring and attributes, then each member: a property's type and text, a method's section."""
    doc = parse_docstring(cls)
    parts = [f"### {cls.__name__}", f"`{path}`", doc.text]
    rows = [(inline(item), *_typed(text)) for item, text in doc.items.get("Attributes", [])]
    if rows:
        parts.append(table(["attribute", "type", "description"], rows))
    for member in members:
        value = inspect.getattr_static(cls, member)
        heading = f"#### {cls.__name__}.{member}"
        if isinstance(value, property):
            returns = inspect.signature(value.fget).return_annotation
            parts.append(f"{heading}\n\nProperty: {inline(_annotation(returns))}. {parse_docstring(value.fget).text}")
        else:
            parts.append(function_section(value, level=4, name=member, heading=f"{cls.__name__}.{member}"))
    return "\n\n".join(part for part in parts if part)


def pages() -> dict[str, str]:
    """File name -> Markdown of every reference page (committed under ``docs/reference/``)."""
    return {
        "hooks.md": hooks_page(),
        "architecture.md": architecture_page(),
        "testing.md": testing_page(),
        "python-api.md": python_api_page(),
    }


def all_documented(names: Iterable[str], text: str) -> list[str]:
    """The names that do not appear as a heading of ``text``."""
    headings = {line.lstrip("#").strip().strip("`") for line in text.splitlines() if line.startswith("#")}
    return [name for name in names if name not in headings]
