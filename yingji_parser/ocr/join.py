"""A table that a page break cut in two, put back together from the two page grids.

A scanned report's table goes on at the top of the next page with the same columns. Where the
break cut a row (its numbers stayed above, the end of its label went over), the new page starts
with a row that has text only in the label columns: that text is the rest of the row above.
A header repeated on the new page stays (the mapper skips it), as for every format.
"""

from __future__ import annotations

from yingji_parser.grid import Cell, Table
from yingji_parser.labels import is_number_text


def _first_value(row: list[Cell]) -> int | None:
    return next((i for i, c in enumerate(row) if is_number_text(c.text)), None)


def continues(upper: Table, lower: Table) -> bool:
    """Whether ``lower`` (first on its page) goes on with ``upper`` (last on the page before)."""
    return upper.width == lower.width and bool(upper.rows) and bool(lower.rows)


def join(upper: Table, lower: Table) -> Table:
    """``upper`` followed by ``lower``, the row the break cut made whole again."""
    rows = [list(r) for r in upper.rows]
    rest = [list(r) for r in lower.rows]
    last, first = rows[-1], rest[0]
    start = _first_value(last)
    if start is not None and _first_value(first) is None:
        tail = [c.text.strip() for c in first]
        if any(tail[:start]) and not any(tail[start:]):
            rows[-1] = [
                Cell(c.text + t, c.merged) if t and not c.merged else c
                for c, t in zip(last, tail, strict=True)
            ]
            rest = rest[1:]
    return Table(rows=rows + rest, page=upper.page)
