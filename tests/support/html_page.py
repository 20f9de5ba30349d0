"""Reading back a review page with an HTML parser: its tags, sections and tables."""

from __future__ import annotations

from html.parser import HTMLParser


class PageReader(HTMLParser):
    """Collect every tag with its attributes, and the tables of each section as cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, list[list[list[str]]]] = {}
        self.sections: dict[str, str] = {}
        self._section: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section":
            self._section = attributes.get("id")
            self.sections[self._section] = ""
        elif tag == "table" and self._section:
            self.tables.setdefault(self._section, []).append([])
        elif tag == "tr" and self._section:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._section][-1].append(self._row)
            self._row = None
        elif tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._section:
            self.sections[self._section] += data


def read_page(text: str) -> PageReader:
    reader = PageReader()
    reader.feed(text)
    reader.close()
    return reader


def without_own_scripts(text: str) -> str:
    """The page without kreg's own scripts (the graph view's code, its JSON rows and diff): what is left
    must hold no ``<script`` at all, whatever text plugins put in it."""
    import re

    from kreg.rendering.graph_view import script_tag

    text = text.replace(script_tag(), "")
    return re.sub(r'<script type="application/json" class="graph-(rows|diff-data)">[^<]*</script>', "", text)
