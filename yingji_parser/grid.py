"""The one table-grid model that every document format is read into.

Every reader (HTML, DOCX, DOC/WPS via DOCX, XLS/XLSX, PDF, plain text) turns its input into a
:class:`Document`: the report's blocks in reading order, each a :class:`Paragraph` or a
:class:`Table`. A table is a plain rectangle of :class:`Cell` s with merged cells already
expanded, so the mapper that finds rows and columns by their labels never needs to know which
format a table came from.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Literal

DocType = Literal["html", "docx", "doc", "wps", "pdf", "xlsx", "xls", "text", "image"]


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


@dataclass(frozen=True, slots=True)
class Span:
    """One cell as a format publishes it: its top-left position, its text and how far it spans.

    ``key`` ties pieces of one logical cell together when the format's merge is not a
    rectangle (a DOCX vertical merge under cells of another width): every piece sharing a key
    is one cell, so only the first position of all of them counts as the cell's own.
    """

    row: int
    col: int
    text: str
    rows: int = 1
    cols: int = 1
    key: Hashable | None = None


def expand(
    spans: Iterable[Span], nrows: int | None = None, ncols: int | None = None
) -> list[list[Cell]]:
    """The one merged-cell expansion: spans -> a rectangle of ``nrows`` x ``ncols`` cells.

    Every format reader lists its cells as :class:`Span` s and lets this build the grid, so a
    merged cell means the same in HTML, DOCX, PDF and spreadsheets: every position it covers
    carries its text, the first (row-major) one with ``merged=False`` and the others with
    ``merged=True``. Where two spans claim a position the one listed first keeps it (damaged
    or overlapping spans must not count a value twice). Spans reaching past ``nrows`` /
    ``ncols`` are cut there (both default to the extent of the spans); positions no span
    covers are empty cells.
    """
    spans = list(spans)
    if nrows is None:
        nrows = max((s.row + s.rows for s in spans), default=0)
    if ncols is None:
        ncols = max((s.col + s.cols for s in spans), default=0)
    grid: list[list[Cell | None]] = [[None] * ncols for _ in range(nrows)]
    owner: list[list[int]] = [[-1] * ncols for _ in range(nrows)]
    for index, span in enumerate(spans):
        if span.rows == 1 and span.cols == 1 and span.key is None:  # most cells: no span
            if 0 <= span.row < nrows and 0 <= span.col < ncols and owner[span.row][span.col] < 0:
                owner[span.row][span.col] = index
                grid[span.row][span.col] = Cell(span.text)
            continue
        for r in range(max(span.row, 0), min(span.row + span.rows, nrows)):
            for c in range(max(span.col, 0), min(span.col + span.cols, ncols)):
                if owner[r][c] < 0:
                    owner[r][c] = index
    # Text and merged flags in reading order: the first position of a cell (or of a key) is its own.
    seen: set[object] = set()
    blank = Cell("")
    for r in range(nrows):
        row = grid[r]
        for c in range(ncols):
            index = owner[r][c]
            if index < 0:
                row[c] = blank
                continue
            if row[c] is not None:
                continue
            span = spans[index]
            identity = ("key", span.key) if span.key is not None else index
            row[c] = Cell(span.text, merged=identity in seen)
            seen.add(identity)
    return [[c if c is not None else blank for c in row] for row in grid]


def table_from_texts(rows: list[list[str]], page: int | None = None) -> Table:
    """Build a table from rows of strings, padding short rows with empty cells."""
    width = max((len(r) for r in rows), default=0)
    return Table(
        rows=[[Cell(t) for t in r] + [Cell("")] * (width - len(r)) for r in rows],
        page=page,
    )
