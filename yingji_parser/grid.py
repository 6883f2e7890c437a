"""The one table-grid model that every document format is read into.

Every reader (HTML, DOCX, DOC/WPS via DOCX, XLS/XLSX, PDF, plain text) turns its input into a
:class:`Document`: the report's blocks in reading order, each a :class:`Paragraph` or a
:class:`Table`. A table is a plain rectangle of :class:`Cell` s with merged cells already
expanded, so the mapper that finds rows and columns by their labels never needs to know which
format a table came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DocType = Literal["html", "docx", "doc", "wps", "pdf", "xlsx", "xls", "text"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One position of the expanded grid.

    ``text`` is the cell's text with runs joined and whitespace kept as published (the mapper
    normalises). A merged cell is expanded into every position it covers: the top-left position
    has ``merged=False``, the others carry the same text with ``merged=True``, so label lookups
    see the label everywhere while a value is never counted twice.
    """

    text: str
    merged: bool = False


@dataclass(slots=True)
class Table:
    """A rectangle of cells (rows of equal length after expansion; readers pad short rows)."""

    rows: list[list[Cell]]
    page: int | None = None  # first page the table is on, for PDF warnings

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def texts(self) -> list[list[str]]:
        """The grid as plain strings, handy in tests and debugging."""
        return [[c.text for c in row] for row in self.rows]


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


Block = Paragraph | Table


@dataclass(slots=True)
class Document:
    """What a format reader returns: blocks in reading order plus hints about the title."""

    doc_type: DocType
    blocks: list[Block] = field(default_factory=list)
    title_hints: list[str] = field(default_factory=list)  # <title>, meta ArticleTitle, PDF Title…
    pages: int | None = None
    has_text_layer: bool = True  # False for an image-only (scanned) PDF
    notes: list[tuple[str, str]] = field(
        default_factory=list
    )  # (warning code, message) from the reader

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]


def table_from_texts(rows: list[list[str]], page: int | None = None) -> Table:
    """Build a table from rows of strings, padding short rows with empty cells."""
    width = max((len(r) for r in rows), default=0)
    return Table(
        rows=[[Cell(t) for t in r] + [Cell("")] * (width - len(r)) for r in rows],
        page=page,
    )
