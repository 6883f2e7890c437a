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
    plain = [(s.row, s.col, s.text, s.rows, s.cols, s.key) for s in spans]
    return expand_plain(plain, nrows, ncols)


#: a span as a plain tuple: row, col, text, rows, cols, key (the fields of :class:`Span`)
PlainSpan = tuple[int, int, str, int, int, Hashable | None]


def expand_plain(
    spans: list[PlainSpan], nrows: int | None = None, ncols: int | None = None
) -> list[list[Cell]]:
    """:func:`expand` of spans given as tuples, for a reader with thousands of cells (a frozen
    :class:`Span` costs more to build than its position in the grid)."""
    if nrows is None:
        nrows = max((row + rows for row, _, _, rows, _, _ in spans), default=0)
    if ncols is None:
        ncols = max((col + cols for _, col, _, _, cols, _ in spans), default=0)
    grid: list[list[Cell | None]] = [[None] * ncols for _ in range(nrows)]
    owner: list[list[int]] = [[-1] * ncols for _ in range(nrows)]
    for index, (row, col, text, rows, cols, key) in enumerate(spans):
        if rows == 1 and cols == 1 and key is None:  # most cells: no span
            if 0 <= row < nrows and 0 <= col < ncols and owner[row][col] < 0:
                owner[row][col] = index
                grid[row][col] = Cell(text)
            continue
        for r in range(max(row, 0), min(row + rows, nrows)):
            for c in range(max(col, 0), min(col + cols, ncols)):
                if owner[r][c] < 0:
                    owner[r][c] = index
    # Text and merged flags in reading order: the first position of a cell (or of a key) is its own.
    seen: set[object] = set()
    blank = Cell("")
    for r in range(nrows):
        cells = grid[r]
        for c in range(ncols):
            index = owner[r][c]
            if index < 0:
                cells[c] = blank
                continue
            if cells[c] is not None:
                continue
            _, _, text, _, _, key = spans[index]
            identity = ("key", key) if key is not None else index
            cells[c] = Cell(text, merged=identity in seen)
            seen.add(identity)
    return [[c if c is not None else blank for c in row] for row in grid]


def table_from_texts(rows: list[list[str]], page: int | None = None) -> Table:
    """Build a table from rows of strings, padding short rows with empty cells."""
    width = max((len(r) for r in rows), default=0)
    return Table(
        rows=[[Cell(t) for t in r] + [Cell("")] * (width - len(r)) for r in rows],
        page=page,
    )
