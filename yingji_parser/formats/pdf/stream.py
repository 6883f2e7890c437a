"""Tables without ruling lines, rebuilt from where the characters stand (a "stream" table).

Reports exported with table borders off (or with only horizontal rules, as many Word table
styles draw) have no lattice to cut the page into cells. Their table is still visible in the
positions of the text:

- a *line* is the glyphs on one baseline; a big gap inside it (``column_gap`` font sizes)
  separates two cells, so a line is a row of *segments*;
- lines with several segments of which one is a number are table lines; the lines between
  and around them that continue a cell (a wrapped label, one line-pitch away) belong to the
  same table, while a heading or a paragraph a row-gap away does not;
- the value columns are where the numbers stand (numbers of one column overlap each other
  horizontally, whatever their alignment); the label columns, left of them, are where labels
  start; a header over several value columns spans them;
- in each column, a segment one line-pitch below another continues its cell (a wrapped label),
  unless a horizontal rule lies between them or it is a second number; each cell starts a row
  where it starts, and a cell reaching down into later rows spans them (a merged label).

The result is a :class:`LTable` like the lattice's, so a table that runs over a page break is
joined the same way and the grid is built by the one merged-cell expansion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yingji_parser.formats.pdf.content import Char, Segment
from yingji_parser.formats.pdf.lattice import LCell, LTable
from yingji_parser.formats.pdf.settings import PdfSettings
from yingji_parser.formats.pdf.text import ENUMERATED, join_wrapped, rows_of

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

    @property
    def numeric(self) -> bool:
        return is_number(self.text)


@dataclass(slots=True)
class _Line:
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


@dataclass(slots=True)
class _Block:
    """The pieces of one cell, top to bottom."""

    pieces: list[Piece] = field(default_factory=list)
    valued: bool = False  # one of its lines has something in the value columns

    @property
    def first(self) -> Piece:
        return self.pieces[0]

    @property
    def last(self) -> Piece:
        return self.pieces[-1]


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


def _lines(chars: list[Char], s: PdfSettings) -> list[_Line]:
    out = []
    for row in rows_of(chars):
        heights = sorted(c.bottom - c.top for c in row)
        size = heights[len(heights) // 2] or 1.0
        pieces = _pieces(row, s.column_gap * size)
        if pieces:
            top = min(p.top for p in pieces)
            out.append(_Line(pieces, top, max(p.bottom for p in pieces), size))
    return out


def _regions(lines: list[_Line], s: PdfSettings) -> list[list[_Line]]:
    """Runs of table lines, with the lines that continue their cells (one line-pitch away)."""
    regions: list[list[_Line]] = []
    current: list[_Line] = []
    for i, line in enumerate(lines):
        if line.multi or (current and _wraps(line, current[-4:], s)):
            current.append(line)
            continue
        if current:
            regions.append(current)
            current = []
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is not None and nxt.multi and _wraps(line, [nxt], s):
            current = [line]  # the first line of a label centred on the row below
    if current:
        regions.append(current)
    return [
        r
        for r in regions
        if sum(1 for ln in r if ln.multi) >= s.min_rows and any(ln.tabular for ln in r)
    ]


def _wraps(line: _Line, neighbours: list[_Line], s: PdfSettings) -> bool:
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


def _bands(pieces: list[Piece]) -> list[tuple[float, float]]:
    """Value columns: the x-ranges where overlapping numbers stand."""
    spans = sorted((p.x0, p.x1) for p in pieces if p.numeric)
    bands: list[list[float]] = []
    for x0, x1 in spans:
        if bands and x0 <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    return [(a, b) for a, b in bands]


def _is_label(piece: Piece, limit: float, tolerance: float) -> bool:
    """Text left of the values: it ends before the first value column starts (a header over
    that column, however wide or aligned, reaches into it)."""
    return not piece.numeric and piece.x1 < limit + tolerance


def _label_starts(pieces: list[Piece], limit: float, tolerance: float) -> list[float]:
    starts: list[float] = []
    for x in sorted(p.x0 for p in pieces if _is_label(p, limit, tolerance)):
        if not starts or x - starts[-1] > tolerance:
            starts.append(x)
    return starts


def _place(piece: Piece, labels: list[float], bands: list[tuple[float, float]], tol: float) -> None:
    """Set the piece's first and last column (labels first, then the value bands)."""
    n = len(labels)
    if not labels or not _is_label(piece, bands[0][0], tol):
        covered = [i for i, (a, b) in enumerate(bands) if piece.x0 < b + tol and piece.x1 > a - tol]
        if not covered:
            centre = (piece.x0 + piece.x1) / 2
            covered = [min(range(len(bands)), key=lambda i: abs(sum(bands[i]) / 2 - centre))]
        piece.column, piece.last_column = n + covered[0], n + covered[-1]
        return
    k = max(i for i, x in enumerate(labels) if x <= piece.x0 + tol) if piece.x0 >= labels[0] else 0
    piece.column = piece.last_column = k


def _blocks(lines: list[_Line], labels: int, rules: list[Segment], s: PdfSettings) -> list[_Block]:
    """Pieces joined into cells, column by column (see the module docstring).

    Rows set without space between them (Word's default cell margins) put a label's wrapped
    line as close to the line above as to the next row's label; the values tell them apart. A
    line with something in the value columns is a row's line: there the rightmost label on it
    (the row's own label) starts a new cell unless the cell above has had no values yet (a
    label centred on its row, its first lines above the numbers), while a label further left
    (a merged parent label) may go on. A label that opens a list item always starts a cell.
    """
    open_blocks: dict[int, _Block] = {}
    blocks: list[_Block] = []
    for line in lines:
        valued = any(p.column >= labels for p in line.pieces)
        leaf = max((p.column for p in line.pieces if p.column < labels), default=-1)
        for piece in sorted(line.pieces, key=lambda p: p.column):
            above = open_blocks.get(piece.column)
            joins = (
                above is not None
                and _continues(above.last, piece, line, rules, s)
                and not ENUMERATED.match(piece.text)
                and not (valued and piece.column == leaf and above.valued)
            )
            if joins and above is not None:
                above.pieces.append(piece)
                block = above
            else:
                block = _Block([piece])
                blocks.append(block)
            block.valued = block.valued or valued
            for c in range(piece.column, piece.last_column + 1):
                open_blocks[c] = block
    return blocks


def _continues(
    above: Piece, piece: Piece, line: _Line, rules: list[Segment], s: PdfSettings
) -> bool:
    """Could ``piece`` be the next line of the cell whose last line is ``above``?"""
    if piece.numeric or above.numeric or above.last_column != piece.last_column:
        return False
    if piece.top - above.bottom >= s.row_gap * line.size:
        return False
    tol = 0.5 * line.size
    aligned = abs(piece.x0 - above.x0) <= tol or abs(piece.x1 - above.x1) <= tol
    centred = abs((piece.x0 + piece.x1) - (above.x0 + above.x1)) <= 2 * tol
    if not (aligned or centred):
        return False
    return not any(
        above.bottom - 1 <= r.pos <= piece.top + 1 and r.a < piece.x1 and r.b > piece.x0
        for r in rules
    )


def _table(lines: list[_Line], rules: list[Segment], page: int, s: PdfSettings) -> LTable | None:
    pieces = [p for ln in lines for p in ln.pieces]
    bands = _bands(pieces)
    if len(bands) < 1:
        return None
    tol = 0.5 * sorted(ln.size for ln in lines)[len(lines) // 2]
    labels = _label_starts(pieces, bands[0][0], tol)
    if len(labels) + len(bands) < 2:
        return None
    for i, line in enumerate(lines):
        for p in line.pieces:
            p.line = i
            _place(p, labels, bands, tol)
    blocks = _blocks(lines, len(labels), rules, s)
    # Rows start where cells start; a cell whose last line lies in a later row spans down to it.
    starts = sorted({b.first.line for b in blocks})
    row_of = {}
    r = -1
    for i in range(len(lines)):
        if r + 1 < len(starts) and starts[r + 1] == i:
            r += 1
        row_of[i] = max(r, 0)
    cells = [
        LCell(
            row_of[b.first.line],
            row_of[b.last.line] + 1,
            b.first.column,
            b.first.last_column + 1,
            join_wrapped([p.text for p in b.pieces]),
        )
        for b in blocks
    ]
    # Positions no cell covers are empty cells, as a lattice has them: joining the parts of a
    # table over a page break looks at what the row's other cells hold.
    covered = {
        (r, c) for cell in cells for r in range(cell.r0, cell.r1) for c in range(cell.c0, cell.c1)
    }
    ncols = len(labels) + len(bands)
    cells += [
        LCell(r, r + 1, c, c + 1)
        for r in range(len(starts))
        for c in range(ncols)
        if (r, c) not in covered
    ]
    xs = labels + [a for a, _ in bands] + [max(p.x1 for p in pieces)]
    return LTable(
        xs=xs,
        nrows=len(starts),
        cells=cells,
        page=page,
        top=lines[0].top,
        bottom=lines[-1].bottom,
        last_page=page,
        ruled=False,
    )


MAX_CARRIED_LINES = 12  # a label in a narrow column, cut by the break, two characters a line


def _carried_over(lines: list[_Line], region: list[_Line]) -> list[_Line]:
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


def find_stream_tables(
    chars: list[Char], rules: list[Segment], page: int, s: PdfSettings
) -> tuple[list[LTable], list[Char]]:
    """The tables among ``chars`` (those outside ruled tables) and the characters left over."""
    lines = _lines(chars, s)
    if not any(ln.tabular for ln in lines):
        return [], chars
    tables: list[LTable] = []
    spans: list[tuple[float, float]] = []
    for n, region in enumerate(_regions(lines, s)):
        if n == 0:
            region = _carried_over(lines, region) + region
        table = _table(region, rules, page, s)
        if table is not None:
            tables.append(table)
            spans.append((table.top - 0.5, table.bottom + 0.5))
    if not tables:
        return [], chars
    free = [
        ch
        for ch in chars
        if not any(top <= (ch.top + ch.bottom) / 2 <= bottom for top, bottom in spans)
    ]
    return tables, free
