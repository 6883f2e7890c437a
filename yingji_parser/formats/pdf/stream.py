"""Tables without ruling lines, rebuilt from where the characters stand (a "stream" table).

Reports exported with table borders off (or with only horizontal rules, as many Word table
styles draw) have no lattice to cut the page into cells. Their table is still visible in the
positions of the text:

- lines of glyphs, split into pieces where a column gap parts them, and the runs of lines
  that make a table (:mod:`.streamlines`);
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

from dataclasses import dataclass, field
from itertools import pairwise

from yingji_parser.formats.pdf.content import Char, Segment
from yingji_parser.formats.pdf.lattice import LCell, LTable
from yingji_parser.formats.pdf.settings import PdfSettings
from yingji_parser.formats.pdf.streamlines import (
    Piece,
    TextLine,
    any_table_line,
    carried_over,
    lines_of,
    regions,
)
from yingji_parser.formats.pdf.text import ENUMERATED, join_wrapped, rows_of


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
    share their middle. Whichever of the two gathers the labels into fewer columns (or, as
    many, fuller ones) tells how they are set; centred columns are then parted midway
    between their middles.
    """
    labels = [p for p in pieces if _is_label(p, limit, tolerance)]
    starts = _clusters([p.x0 for p in labels], tolerance)
    middles = _clusters([(p.x0 + p.x1) / 2 for p in labels], tolerance)

    def spread(groups: list[list[float]]) -> tuple[int, int]:  # fewer groups, fuller ones
        return len(groups), -sum(len(g) ** 2 for g in groups)

    if spread(middles) < spread(starts):
        centres = [sum(g) / len(g) for g in middles]
        bounds = [min(p.x0 for p in labels)]
        bounds += [(a + b) / 2 for a, b in pairwise(centres)]
        return bounds, True
    return [g[0] for g in starts], False


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
    at, slack = ((piece.x0 + piece.x1) / 2, 0.0) if centred else (piece.x0, tol)
    k = max(i for i, x in enumerate(labels) if x <= at + slack) if at >= labels[0] else 0
    piece.column = piece.last_column = k


def _numbers_onto_labels(lines: list[TextLine], labels: int) -> list[TextLine]:
    """A row's numbers set on its first label line when they stand between two label lines.

    A label wrapped over an even number of lines and centred down its row (WPS's default)
    puts the row's numbers, centred too, midway between two of its lines, on no line of
    their own (or on the line of a merged parent label further left). Read as set on the
    upper of the two, the row is laid out as when the label has an odd number of lines: the
    rules for labels around their numbers then apply.
    """
    out: list[TextLine] = []
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
            line = TextLine(
                upper.pieces + line.pieces,
                min(upper.top, line.top),
                max(upper.bottom, line.bottom),
                upper.size,
            )
        out.append(line)
    return out


def _labels_only(line: TextLine, labels: int) -> bool:
    return all(p.column < labels for p in line.pieces)


def _middle(pieces: list[Piece]) -> float:
    return (min(p.top for p in pieces) + max(p.bottom for p in pieces)) / 2


def _one_cell(upper: TextLine, numbers: TextLine, lower: TextLine) -> bool:
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
    lines: list[TextLine],
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
        if len(by_line[first.line]) == 1 and _beside_labels(b, by_line):
            continue  # a parent label centred down its rows, its first line between two rows
        beside = [p for p in by_line[first.line] if p.column < labels and p is not first]
        if first.column < labels:
            beside = [p for p in beside if p.column > first.column]
        elif first.numeric:
            beside = [max(beside, key=lambda p: p.column)] if beside else []
        else:
            beside = []  # a header over the values starts its row
        going_on = [
            owner[id(p)]
            for p in beside
            if owner[id(p)].first.line < first.line and not _valued_before(owner[id(p)], first)
        ]
        if not going_on:
            starts.add(first.line)
    return sorted(starts)


def _beside_labels(block: _Block, by_line: dict[int, list[Piece]]) -> bool:
    """Whether the lines of ``block`` after its first stand beside labels of other cells
    further right (the block is a merged parent label, those are its rows' own labels)."""
    return any(
        q.column > p.column and not q.numeric for p in block.pieces[1:] for q in by_line[p.line]
    )


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
    above: Piece, piece: Piece, line: TextLine, rules: list[Segment], s: PdfSettings
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


def _table(lines: list[TextLine], rules: list[Segment], page: int, s: PdfSettings) -> LTable | None:
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


def find_stream_tables(
    chars: list[Char],
    rules: list[Segment],
    page: int,
    s: PdfSettings,
    rows: list[list[Char]] | None = None,
) -> tuple[list[LTable], list[Char]]:
    """The tables among ``chars`` (those outside ruled tables) and the characters left over
    (``chars`` itself when there is no table). ``rows`` is ``rows_of(chars)`` if the caller
    has it (read, not changed), so that the lines are not grouped twice."""
    rows = rows_of(chars) if rows is None else rows
    if not any_table_line(rows, s):
        return [], chars
    lines = lines_of(chars, s, rows)
    tables: list[LTable] = []
    spans: list[tuple[float, float]] = []
    for n, region in enumerate(regions(lines, s)):
        if n == 0:
            region = carried_over(lines, region) + region
        table = _table(region, rules, page, s)
        if table is not None:
            tables.append(table)
            spans.append((table.top - 0.5, table.bottom + 0.5))
    if not tables:
        return [], chars
    free = []
    for ch in chars:
        middle = (ch.top + ch.bottom) / 2
        for top, bottom in spans:
            if top <= middle <= bottom:
                break
        else:
            free.append(ch)
    return tables, free
