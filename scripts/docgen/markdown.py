"""Small helpers turning docstrings and tables into Markdown."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_ROLE = re.compile(r":(?:class|func|data|meth|attr|mod|exc|obj):`~?([^`]+)`")
_SECTION = re.compile(r"^(Args|Arguments|Attributes|Returns|Raises|Yields|Example|Examples|Note|Notes):\s*$")
_ITEM = re.compile(r"^([\w.*]+)(?: \(([^)]*)\))?:\s*(.*)$")
ITEM_SECTIONS = {"Args", "Arguments", "Attributes", "Raises"}


@dataclass
class Docstring:
    """A Google-style docstring, split up.

    Attributes:
        text: str. The summary and paragraphs before the first section, as Markdown.
        items: dict[str, list[tuple[str, str]]]. Per item section (Args,
            Attributes, Raises): ``(name, description)`` pairs.
        sections: dict[str, str]. Other sections (Returns, Examples): their text.
    """

    text: str = ""
    items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """The first paragraph."""
        return self.text.split("\n\n")[0].replace("\n", " ")

    def item(self, section: str, name: str) -> str:
        """The description of one item, or an empty string."""
        return dict(self.items.get(section, [])).get(name, "")


def parse_docstring(obj: Any) -> Docstring:
    """Split the docstring of ``obj`` into text, item sections and other sections."""
    lines = inspect.cleandoc(inspect.getdoc(obj) or "").splitlines()
    parsed = Docstring()
    body: list[str] = []
    current: str | None = None
    block: list[str] = []

    def close() -> None:
        if current is None:
            return
        text = "\n".join(block)
        if current in ITEM_SECTIONS:
            parsed.items[current] = _items(block)
        else:
            parsed.sections[current] = rst_to_markdown(_dedent(text)).strip()

    for line in lines:
        header = _SECTION.match(line)
        if header:
            close()
            current, block = header.group(1), []
        elif current is None:
            body.append(line)
        else:
            block.append(line)
    close()
    parsed.text = rst_to_markdown("\n".join(body)).strip()
    return parsed


def _dedent(text: str) -> str:
    return inspect.cleandoc("\n" + text) if text.strip() else ""


def _items(block: Sequence[str]) -> list[tuple[str, str]]:
    items: list[tuple[str, list[str]]] = []
    indent = min((len(line) - len(line.lstrip()) for line in block if line.strip()), default=0)
    for line in block:
        if not line.strip():
            continue
        stripped = line[indent:]
        match = _ITEM.match(stripped) if not stripped[:1].isspace() else None
        if match:
            name, kind, rest = match.groups()
            items.append((name, [f"{kind}. {rest}" if kind else rest]))
        elif items:
            items[-1][1].append(line.strip())
    return [(name, rst_to_markdown(" ".join(parts))) for name, parts in items]


def split_type(description: str) -> tuple[str, str]:
    """Split ``"str or None. Where it comes from."`` into the type and the rest.

    Keras-style docstrings state an argument's type first, ending with a
    period; a description without such a prefix has an empty type.
    """
    head, separator, rest = description.partition(". ")
    if separator and len(head) <= 60 and not head.endswith(("e.g", "i.e")):
        return head, rest
    if description.endswith(".") and "." not in description[:-1] and len(description) <= 60:
        return description[:-1], ""
    return "", description


def rst_to_markdown(text: str) -> str:
    """Turn the reStructuredText bits kreg's docstrings use into Markdown.

    ``:class:`x``` becomes `` `x` ``, double backticks become single ones, and a
    paragraph ending in ``::`` followed by an indented block becomes a fenced
    Python block.
    """
    text = _ROLE.sub(r"`\1`", text).replace("``", "`")
    return _literal_blocks(text)


def _literal_blocks(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.rstrip().endswith("::"):
            out.append(line.rstrip()[:-1])
            index += 1
            block: list[str] = []
            while index < len(lines) and (not lines[index].strip() or lines[index].startswith((" ", "\t"))):
                block.append(lines[index])
                index += 1
            code = inspect.cleandoc("\n".join(block))
            out.extend(["", "```python", code, "```", ""])
            continue
        out.append(line)
        index += 1
    return "\n".join(out)


def cell(value: Any) -> str:
    """One table cell: text on one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows)
    return "\n".join(lines)


def code(text: str, language: str = "") -> str:
    """A fenced code block."""
    return f"```{language}\n{text}\n```"


def inline(value: str) -> str:
    """Inline code, safe for values holding backticks."""
    return f"`` {value} ``" if "`" in value else f"`{value}`"
