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
from itertools import pairwise

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
    valued_line: int | None = None  # the first such line

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
    widest = max(ln.pieces[-1].x1 - ln.pieces[0].x0 for ln in lines)
    outside: list[_Line] = []  # the one-piece lines since the last table line
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


def _leading(before: list[_Line], first: _Line, widest: float, s: PdfSettings) -> list[_Line]:
    """The one-piece lines just above a table's first several-cell line that belong to it.

    The first lines of a label centred down its row (or a header over the value columns)
    stand right above, set as closely as rows are: left of the row's numbers or over them,
    never across both (a heading runs from the text margin over the columns), and narrower
    than the text column.
    """
    numbers = [p.x0 for p in first.pieces if p.numeric]
    if not numbers:
        return []
    values, taken, below = min(numbers), [], first
    for line in reversed(before[-MAX_LEADING_LINES:]):
        (p,) = line.pieces
        if not _close(line, below, s) or p.x1 - p.x0 > 0.6 * widest:
            break
        if not (p.x1 < values or p.x0 >= values - line.size):
            break
        taken.insert(0, line)
        below = line
    return taken


MAX_INNER_LINES = 6  # one-piece lines in a row between two rows of the same table


def _close(upper: _Line, lower: _Line, s: PdfSettings) -> bool:
    """Lines a row pitch apart at most (no paragraph spacing between them)."""
    return lower.top - upper.bottom < s.row_gap * min(upper.size, lower.size)


def _inside(
    lines: list[_Line], i: int, current: list[_Line], widest: float, s: PdfSettings
) -> bool:
    """Is the one-piece line ``i`` a row of the table ``current`` runs through?

    A row of one cell across the table ("第二十条第（五）项"), a label centred down a tall
    cell whose numbers stand on another baseline: one-piece lines, set as closely after the
    table's last line and before its next several-cell line as its rows are, and narrower
    than the page's widest line (a paragraph is as wide as the text column).
    """
    previous = current[-1]
    for line in lines[i : i + MAX_INNER_LINES + 1]:
        if not _close(previous, line, s):
            return False
        if line.multi:
            return True
        (p,) = line.pieces
        if p.x1 - p.x0 > 0.6 * widest:
            return False
        previous = line
    return False


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


def _clusters(values: list[float], tolerance: float) -> list[list[float]]:
    groups: list[list[float]] = []
    for x in sorted(values):
        if groups and x - groups[-1][-1] <= tolerance:
            groups[-1].append(x)
        else:
            groups.append([x])
    return groups


def _label_starts(pieces: list[Piece], limit: float, tolerance: float) -> tuple[list[float], bool]:
    """Where the label columns start, and whether the labels are centred in them.

    Left-aligned labels of one column start at one x; centred ones scatter their starts but
    share their middle. Whichever of the two gathers the labels into clearly fewer columns
    tells how they are set; centred columns are then parted midway between their middles.
    """
    labels = [p for p in pieces if _is_label(p, limit, tolerance)]
    starts = [g[0] for g in _clusters([p.x0 for p in labels], tolerance)]
    middles = [sum(g) / len(g) for g in _clusters([(p.x0 + p.x1) / 2 for p in labels], tolerance)]
    if len(middles) > 1 and CENTRED_FEWER * len(middles) <= len(starts):
        bounds = [min(p.x0 for p in labels)]
        bounds += [(a + b) / 2 for a, b in pairwise(middles)]
        return bounds, True
    return starts, False


CENTRED_FEWER = 1.5  # centred labels: this many times fewer middles than starts


def _place(
    piece: Piece,
    labels: list[float],
    bands: list[tuple[float, float]],
    tol: float,
    centred: bool = False,
) -> None:
    """Set the piece's first and last column (labels first, then the value bands)."""
    n = len(labels)
    if not labels or not _is_label(piece, bands[0][0], tol):
        covered = [i for i, (a, b) in enumerate(bands) if piece.x0 < b + tol and piece.x1 > a - tol]
        if not covered:
            centre = (piece.x0 + piece.x1) / 2
            covered = [min(range(len(bands)), key=lambda i: abs(sum(bands[i]) / 2 - centre))]
        piece.column, piece.last_column = n + covered[0], n + covered[-1]
        return
    at = (piece.x0 + piece.x1) / 2 if centred else piece.x0
    k = max(i for i, x in enumerate(labels) if x <= at + tol) if at >= labels[0] else 0
    piece.column = piece.last_column = k


def _numbers_onto_labels(lines: list[_Line], labels: int) -> list[_Line]:
    """A row's numbers set on its first label line when they stand between two label lines.

    A label wrapped over an even number of lines and centred down its row (WPS's default)
    puts the row's numbers, centred too, midway between two of its lines, on no line of
    their own (or on the line of a merged parent label further left). Read as set on the
    upper of the two, the row is laid out as when the label has an odd number of lines: the
    rules for labels around their numbers then apply.
    """
    out: list[_Line] = []
    for i, line in enumerate(lines):
        after = lines[i + 1] if i + 1 < len(lines) else None
        numbers = [p for p in line.pieces if p.column >= labels]
        if (
            out
            and after is not None
            and numbers
            and all(p.numeric for p in numbers)
            and _labels_only(out[-1], labels)
            and _labels_only(after, labels)
            and _one_cell(out[-1], line, after)
            and abs(2 * _middle(numbers) - _middle(out[-1].pieces) - _middle(after.pieces))
            < 0.5 * line.size
        ):
            upper = out.pop()
            line = _Line(
                upper.pieces + line.pieces,
                min(upper.top, line.top),
                max(upper.bottom, line.bottom),
                upper.size,
            )
        out.append(line)
    return out


def _labels_only(line: _Line, labels: int) -> bool:
    return all(p.column < labels for p in line.pieces)


def _middle(pieces: list[Piece]) -> float:
    return (min(p.top for p in pieces) + max(p.bottom for p in pieces)) / 2


def _one_cell(upper: _Line, numbers: _Line, lower: _Line) -> bool:
    """Do ``upper`` and ``lower`` hold lines of one label, with none of it on the numbers'
    line (a merged parent label further left may stand there)?"""
    leaf = max(p.column for p in upper.pieces)
    return any(p.column == leaf for p in lower.pieces) and all(
        p.column < leaf for p in numbers.pieces if not p.numeric
    )


def _full_widths(
    pieces: list[Piece], labels: list[float], values: float, tol: float
) -> dict[int, float]:
    """Per label column, the widest label inside it: a wrapped label's lines but its last
    fill the column about that wide (cells spanning into the next column left out)."""
    full: dict[int, float] = {}
    for p in pieces:
        k = p.column
        if k < len(labels) and p.x1 <= _limit(k, labels, values) + tol:
            full[k] = max(full.get(k, 0.0), p.x1 - p.x0)
    return full


def _limit(k: int, labels: list[float], values: float) -> float:
    """Where label column ``k`` ends at the latest: the next column's start."""
    return labels[k + 1] if k + 1 < len(labels) else values


def _blocks(
    lines: list[_Line],
    labels: int,
    full: dict[int, float],
    rules: list[Segment],
    s: PdfSettings,
) -> list[_Block]:
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
                and _filled(above.last, full, line.size)
                and not ENUMERATED.match(piece.text)
                and not (valued and piece.column == leaf and above.valued)
            )
            if joins and above is not None:
                above.pieces.append(piece)
                block = above
            else:
                block = _Block([piece])
                blocks.append(block)
            if valued and not block.valued:
                block.valued_line = piece.line
            block.valued = block.valued or valued
            for c in range(piece.column, piece.last_column + 1):
                open_blocks[c] = block
    return blocks


def _row_starts(blocks: list[_Block], labels: int) -> list[int]:
    """The lines where rows start: where cells start, except where a cell starts beside the
    row's own label going on from the line above (the row started there). That is a merged
    parent label centred down its rows, whose first line falls mid-row, or the numbers of a
    label centred on its row, standing by its second or third line."""
    owner = {id(p): b for b in blocks for p in b.pieces}
    by_line: dict[int, list[Piece]] = {}
    for b in blocks:
        for p in b.pieces:
            by_line.setdefault(p.line, []).append(p)
    starts = set()
    for b in blocks:
        first = b.first
        beside = [p for p in by_line[first.line] if p.column < labels and p is not first]
        if first.column < labels:
            beside = [p for p in beside if p.column > first.column]
        else:
            beside = [max(beside, key=lambda p: p.column)] if beside else []
        going_on = [
            owner[id(p)]
            for p in beside
            if owner[id(p)].first.line < first.line and not _valued_before(owner[id(p)], first)
        ]
        if not going_on:
            starts.add(first.line)
    return sorted(starts)


def _valued_before(label: _Block, piece: Piece) -> bool:
    """Whether the label's row already had values on a line above ``piece``'s."""
    return label.valued_line is not None and label.valued_line < piece.line


WRAP_SLACK = 2.5  # font sizes a wrapped line may stop short of its column's widest line


def _filled(above: Piece, full: dict[int, float], size: float) -> bool:
    """Does ``above`` fill its label column, as a line that wrapped does? A short label is a
    cell of its own, whatever stands right below it (the next row's label, in tight rows)."""
    widest = full.get(above.column)
    return widest is None or above.x1 - above.x0 >= widest - WRAP_SLACK * size


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
    labels, centred = _label_starts(pieces, bands[0][0], tol)
    if len(labels) + len(bands) < 2:
        return None
    for p in pieces:
        _place(p, labels, bands, tol, centred)
    lines = _numbers_onto_labels(lines, len(labels))
    for i, line in enumerate(lines):
        for p in line.pieces:
            p.line = i
    full = _full_widths(pieces, labels, bands[0][0], tol)
    blocks = _blocks(lines, len(labels), full, rules, s)
    # Rows start where cells start; a cell whose last line lies in a later row spans down to it.
    starts = _row_starts(blocks, len(labels))
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
