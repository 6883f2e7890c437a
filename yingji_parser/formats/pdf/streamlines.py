"""The lines of a page and the runs of them that make a table without ruling lines.

A *line* is the glyphs on one baseline; a big gap inside it (``column_gap`` font sizes)
separates two cells, so a line is a row of *pieces*. Lines with several pieces of which one is
a number are table lines; the one-piece lines between and around them that belong to the same
table (a wrapped label one line-pitch away, a row of one cell across the table, the lines of a
label centred down a tall cell whose numbers stand on another baseline) join them, while a
heading or a paragraph a row-gap away, or as wide as the text column, does not.
:mod:`.stream` builds each run's cells and rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from yingji_parser.formats.pdf.content import Char
from yingji_parser.formats.pdf.settings import PdfSettings
from yingji_parser.formats.pdf.text import rows_of

_NUMBER = re.compile(r"^[\s(（]*[-－]?\d[\d,，.．%]*[)）]?\s*$")


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


@dataclass(slots=True)
class Piece:
    """A run of glyphs on one line with no column gap inside: one cell's line of text."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    line: int = 0
    column: int = -1
    last_column: int = -1
    #: the text is a number (decided once: the table rebuilding asks it of every piece often)
    numeric: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.numeric = is_number(self.text)


@dataclass(slots=True)
class TextLine:
    pieces: list[Piece]
    top: float
    bottom: float
    size: float

    @property
    def multi(self) -> bool:
        return len(self.pieces) >= 2

    @property
    def tabular(self) -> bool:
        return self.multi and any(p.numeric for p in self.pieces)


def _pieces(row: list[Char], gap: float) -> list[Piece]:
    """A line's glyphs split where they stand more than ``gap`` apart."""
    row = sorted(row, key=lambda c: c.x0)
    groups: list[list[Char]] = []
    for ch in row:
        if groups and ch.x0 - groups[-1][-1].x1 <= gap:
            groups[-1].append(ch)
        else:
            groups.append([ch])
    out = []
    for g in groups:
        text = "".join(c.text for c in g).strip()
        if text:
            top, bottom = min(c.top for c in g), max(c.bottom for c in g)
            out.append(Piece(text, g[0].x0, max(c.x1 for c in g), top, bottom))
    return out


def _x0(c: Char) -> float:
    return c.x0


def any_table_line(rows: list[list[Char]], s: PdfSettings) -> bool:
    """Whether a line of ``rows`` is a table line (``TextLine.tabular``), without building
    the lines: most pages have none, and only a line with a column gap in it can be one (the
    gap is what parts a line into pieces in :func:`lines_of`)."""
    for row in rows:
        if len(row) < 2:
            continue
        heights = sorted(c.bottom - c.top for c in row)
        gap = s.column_gap * (heights[len(heights) // 2] or 1.0)
        ordered = sorted(row, key=_x0)
        if any(b.x0 - a.x1 > gap for a, b in pairwise(ordered)):
            pieces = _pieces(row, gap)
            if len(pieces) >= 2 and any(p.numeric for p in pieces):
                return True
    return False


def lines_of(
    chars: list[Char], s: PdfSettings, rows: list[list[Char]] | None = None
) -> list[TextLine]:
    """The lines of ``chars`` split into pieces (``rows`` is ``rows_of(chars)`` if known: it is
    read, not changed)."""
    out = []
    for row in rows_of(chars) if rows is None else rows:
        heights = sorted(c.bottom - c.top for c in row)
        size = heights[len(heights) // 2] or 1.0
        pieces = _pieces(row, s.column_gap * size)
        if pieces:
            top = min(p.top for p in pieces)
            out.append(TextLine(pieces, top, max(p.bottom for p in pieces), size))
    return out


def regions(lines: list[TextLine], s: PdfSettings) -> list[list[TextLine]]:
    """Runs of table lines, with the lines that continue their cells (one line-pitch away)."""
    regions: list[list[TextLine]] = []
    current: list[TextLine] = []
    widest = max(ln.pieces[-1].x1 - ln.pieces[0].x0 for ln in lines)
    outside: list[TextLine] = []  # the one-piece lines since the last table line
    for i, line in enumerate(lines):
        if line.multi or (current and _wraps(line, current[-4:], s)):
            if not current and line.multi:
                current = _leading(outside, line, widest, s)
            current.append(line)
            outside = []
            continue
        if current and _inside(lines, i, current, widest, s):
            current.append(line)
            continue
        if current:
            regions.append(current)
            current = []
        outside.append(line)
    if current:
        regions.append(current)
    return [
        r
        for r in regions
        if sum(1 for ln in r if ln.multi) >= s.min_rows and any(ln.tabular for ln in r)
    ]


MAX_LEADING_LINES = 3  # lines of a label centred on the first row, above its numbers


def _leading(
    before: list[TextLine], first: TextLine, widest: float, s: PdfSettings
) -> list[TextLine]:
    """The one-piece lines just above a table's first several-cell line that belong to it.

    The first lines of a label centred down its row (or a header over the value columns)
    stand right above, set as closely as rows are: left of the row's numbers or over them,
    never across both (a heading runs from the text margin over the columns), and narrower
    than the text column.
    """
    numbers = [p.x0 for p in first.pieces if p.numeric]
    if not numbers:
        return []
    values, below = min(numbers), first
    taken: list[TextLine] = []
    for line in reversed(before[-MAX_LEADING_LINES:]):
        (p,) = line.pieces
        if not close(line, below, s) or p.x1 - p.x0 > 0.6 * widest:
            break
        if not (p.x1 < values or p.x0 >= values - line.size):
            break
        taken.insert(0, line)
        below = line
    return taken


MAX_INNER_LINES = 6  # one-piece lines in a row between two rows of the same table


def close(upper: TextLine, lower: TextLine, s: PdfSettings) -> bool:
    """Lines a row pitch apart at most (no paragraph spacing between them)."""
    return lower.top - upper.bottom < s.row_gap * min(upper.size, lower.size)


def _inside(
    lines: list[TextLine], i: int, current: list[TextLine], widest: float, s: PdfSettings
) -> bool:
    """Is the one-piece line ``i`` a row of the table ``current`` runs through?

    A row of one cell across the table ("第二十条第（五）项"), a label centred down a tall
    cell whose numbers stand on another baseline: one-piece lines, set as closely after the
    table's last line and before its next several-cell line as its rows are, and narrower
    than the page's widest line (a paragraph is as wide as the text column).
    """
    previous = current[-1]
    for line in lines[i : i + MAX_INNER_LINES + 1]:
        if not close(previous, line, s):
            return False
        if line.multi:
            return True
        (p,) = line.pieces
        if p.x1 - p.x0 > 0.6 * widest:
            return False
        previous = line
    return False


def _wraps(line: TextLine, neighbours: list[TextLine], s: PdfSettings) -> bool:
    """Is the one-piece ``line`` a line of a cell on a neighbouring line (a wrapped label)?

    It stands one line-pitch from that cell's piece, starts where it starts (or within it) and
    is no wider: a paragraph after the table is as wide as the text column.
    """
    (p,) = line.pieces
    for other in neighbours:
        for q in other.pieces:
            gap = p.top - q.bottom if p.top >= q.top else q.top - p.bottom
            if gap >= s.row_gap * line.size:
                continue
            if q.x0 - line.size <= p.x0 <= q.x1 and p.x1 <= q.x1 + 2 * line.size:
                return True
    return False


MAX_CARRIED_LINES = 12  # a label in a narrow column, cut by the break, two characters a line


def carried_over(lines: list[TextLine], region: list[TextLine]) -> list[TextLine]:
    """The page's first lines, when they are the end of a label the page break cut off.

    A row that breaks across pages leaves the rest of its label alone at the top of the next
    page, above the table's next row: one-piece lines, left of the values. They go into the
    table, so that joining it with the part above puts the label back together.
    """
    k = lines.index(region[0])
    if not 0 < k <= MAX_CARRIED_LINES or any(ln.multi for ln in lines[:k]):
        return []
    values = [p.x0 for ln in region for p in ln.pieces if p.numeric]
    first_value = min(values, default=0.0)
    if all(ln.pieces[0].x1 < first_value for ln in lines[:k]):
        return lines[:k]
    return []
