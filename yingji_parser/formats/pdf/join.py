"""One table from the two parts a page break cut it into (columns aligned by position).

Where the break cut a row in two (its label goes on over the break while its numbers stayed
above), the halves become one row again; where it cut a merged label cell (“（四）无” / “法提供”),
the pieces become one cell; a header repeated at the top of the new page stays (the mapper
skips it).
"""

from __future__ import annotations

import bisect
import re

from yingji_parser.formats.pdf.lattice import LCell, LTable, cluster_positions
from yingji_parser.formats.pdf.settings import DEFAULT_SETTINGS, PdfSettings
from yingji_parser.formats.pdf.text import ENUMERATED, join_wrapped

_NUMERIC = re.compile(r"^[\s\d,，.．%\-－]*\d[\s\d,，.．%\-－]*$")
_ENUMERATED = ENUMERATED


def _numeric(text: str) -> bool:
    return bool(_NUMERIC.match(text))


def _label_like(text: str) -> bool:
    return bool(text.strip()) and not _numeric(text)


def join_tables(upper: LTable, lower: LTable, s: PdfSettings = DEFAULT_SETTINGS) -> LTable:
    """One table from two page parts: columns aligned by position, rows appended (the parts'
    cells are reused: the parts are consumed).

    Where the page break cut a row in two (its label goes on over the break while its numbers
    stayed above), the two halves are put back into one row; where it cut a merged label cell
    (“（四）无” / “法提供”), the two pieces become one cell again.
    """
    if not (upper.ruled and lower.ruled):
        # Text positions give no right edge: the widest number decides it, page by page.
        upper.xs[-1] = lower.xs[-1] = max(upper.xs[-1], lower.xs[-1])
    xs = cluster_positions(upper.xs + lower.xs, s.edge_tolerance / 2)

    def remap(cells: list[LCell], old: list[float], row_offset: int) -> list[LCell]:
        """The part's cells in the joined table's rows and columns (the parts are consumed)."""
        index = [_nearest(xs, x) for x in old]  # old column boundary -> joined boundary
        same = index == list(range(len(old)))
        for c in cells:
            c.r0 += row_offset
            c.r1 += row_offset
            if not same:
                c.c0, c.c1 = index[c.c0], max(index[c.c1], index[c.c0] + 1)
        return cells

    a_cells = remap(upper.cells, upper.xs, 0)
    b_cells = remap(lower.cells, lower.xs, upper.nrows)
    boundary = upper.nrows
    nrows = upper.nrows + lower.nrows
    # A header repeated at the top of the new page stays (the mapper skips it); a row that the
    # break cut in two continues under it.
    header = _repeated_header_rows(a_cells, b_cells, boundary, s.max_header_rows)
    cut = boundary + header
    a_last = {(c.c0, c.c1): c for c in a_cells if c.r1 == boundary}
    b_first = [c for c in b_cells if c.r0 == cut]

    if _row_was_split(a_last, b_first):
        for b in b_first:
            a = a_last.get((b.c0, b.c1))
            if a is not None:
                a.text = join_wrapped([a.text, b.text])
                if not header:
                    if b.r1 - b.r0 > 1:
                        a.r1 = b.r1  # a merged cell that goes on below: one cell again
                    b.r0 = b.r1 = -1  # absorbed
                elif b.r1 - b.r0 == 1:
                    b.r0 = b.r1 = -1
                elif _label_like(a.text):
                    b.text = a.text  # the header stands between: both pieces carry the label
            elif not b.text and b.r1 - b.r0 == 1:
                b.r0 = b.r1 = -1
        _delete_row(a_cells + b_cells, cut)
        nrows -= 1
    else:
        for b in b_first:
            a = a_last.get((b.c0, b.c1))
            if a is not None and _same_cell_over_break(a, b):
                a.text = join_wrapped([a.text, b.text])
                if header:
                    b.text = a.text  # the header stands between: both pieces carry the label
                else:
                    a.r1 = b.r1
                    b.r0 = b.r1 = -1
    cells = [c for c in a_cells + b_cells if c.r1 > c.r0 >= 0]
    return LTable(
        xs=xs,
        nrows=nrows,
        cells=cells,
        page=upper.page,
        top=upper.top,
        bottom=lower.bottom,
        last_page=lower.last_page,
        ruled=upper.ruled and lower.ruled,
    )


def _repeated_header_rows(
    a_cells: list[LCell], b_cells: list[LCell], boundary: int, max_rows: int
) -> int:
    """How many rows at the top of the lower part repeat the table's first rows (0 if none)."""

    def band(cells: list[LCell], start: int, k: int) -> list[tuple[int, int, int, int, str]] | None:
        inside = []
        for c in cells:
            if c.r0 < start + k < c.r1:
                return None  # a cell straddles the band's lower edge: not a header band
            if start <= c.r0 and c.r1 <= start + k:
                inside.append((c.r0 - start, c.r1 - start, c.c0, c.c1, c.text.replace(" ", "")))
        return sorted(inside)

    found = 0
    for k in range(1, max_rows + 1):
        top, below = band(a_cells, 0, k), band(b_cells, boundary, k)
        if top and top == below and any(text for *_, text in top):
            found = k
    return found


def _delete_row(cells: list[LCell], row: int) -> None:
    """Remove one row from the cells' spans (cells marked absorbed, r0 == -1, are left alone)."""
    for c in cells:
        if c.r0 < 0:
            continue
        if c.r0 > row:
            c.r0 -= 1
            c.r1 -= 1
        elif c.r0 <= row < c.r1:
            c.r1 -= 1
            if c.r1 <= c.r0:
                c.r0 = c.r1 = -1


def _row_was_split(a_last: dict[tuple[int, int], LCell], b_first: list[LCell]) -> bool:
    """Is the first row below the break the rest of the last row above it?

    Word, WPS and LibreOffice lay a row that breaks across pages from the top: its numbers
    stay above and only the rest of its longer labels goes on below. So: every label piece
    below goes on a label above in the same column and does not start a new item ("2.",
    "（三）"), and where the row above has numbers the row below has nothing.
    """
    numbers_above = False
    labels_below = False
    for b in b_first:
        a = a_last.get((b.c0, b.c1))
        if b.text.strip():
            if _numeric(b.text) or a is None or not _label_like(a.text):
                return False
            if _ENUMERATED.match(b.text):
                return False
            labels_below = True
        elif a is not None and _numeric(a.text):
            numbers_above = True
    return labels_below and numbers_above


def _same_cell_over_break(a: LCell, b: LCell) -> bool:
    """A merged label cell that the page break cut (one of the pieces spans several rows)."""
    if not _label_like(a.text) or _numeric(b.text):
        return False
    if not b.text.strip():
        return b.r1 - b.r0 > 1 or a.r1 - a.r0 > 1
    return not _ENUMERATED.match(b.text) and (a.r1 - a.r0 > 1 or b.r1 - b.r0 > 1)


def _nearest(xs: list[float], x: float) -> int:
    """Index of the value of sorted ``xs`` closest to ``x``."""
    i = bisect.bisect_left(xs, x)
    if i == 0:
        return 0
    if i == len(xs):
        return len(xs) - 1
    return i if xs[i] - x < x - xs[i - 1] else i - 1
