"""Reading back the tables kreg prints with rich, for tests of the text reports."""

from __future__ import annotations


def table_rows(output: str, title: str) -> list[list[str]]:
    """The body rows of the table printed under ``title``, each a list of cell texts.

    A cell rich wrapped over several lines is joined with spaces; a row starts
    where the first column (never wrapped) is not empty.
    """
    lines = output.splitlines()
    start = lines.index(title)
    rows: list[list[str]] = []
    in_body = False
    for line in lines[start + 1 :]:
        if line.startswith(("┡", "├")):
            in_body = True
            continue
        if line.startswith("└"):
            break
        if not in_body or not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if cells[0] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells)]
    return rows
