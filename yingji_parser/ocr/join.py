"""A table that a page break cut in two, put back together from the two page grids.

A scanned report's table goes on at the top of the next page under the same column rules. The
piece on the new page is told by its column x-positions: its outer edges are the table's, and
each of its rules stands where one of the table's stands (a partial grid may lack some: a
lone last row whose label cells are merged, a rule too faded to find). Its cells are then put
on the table's columns, a cell covering several of them as a merged cell. Positions are
compared relative to the table's width, so a page scanned a few pixels further left still
matches. Where the break cut a row (its numbers stayed above, the end of its label went
over), the new page starts with a row that has text only in the label columns: that text is
the rest of the row above. A header repeated on the new page stays (the mapper skips it), as
for every format.
"""

from __future__ import annotations

from collections.abc import Sequence

from yingji_parser.grid import Cell, Table
from yingji_parser.labels import is_number_text

WIDTH_TOLERANCE = 0.03  # the two pieces' widths may differ by this share (scan scale, skew)
RULE_TOLERANCE = 0.015  # of the width: how far a rule may stand from the table's own


def _first_value(row: list[Cell]) -> int | None:
    return next((i for i, c in enumerate(row) if is_number_text(c.text)), None)


def column_map(upper: Sequence[int], lower: Sequence[int]) -> list[int] | None:
    """For each rule of ``lower`` the index of the rule of ``upper`` it continues, or None
    when ``lower``'s rules are not a subset of ``upper``'s (another table)."""
    if len(upper) < 2 or len(lower) < 2:
        return None
    width_u, width_l = upper[-1] - upper[0], lower[-1] - lower[0]
    if width_u <= 0 or abs(width_l - width_u) > WIDTH_TOLERANCE * width_u:
        return None
    rel_u = [(x - upper[0]) / width_u for x in upper]
    out: list[int] = []
    for x in lower:
        rel = (x - lower[0]) / max(width_l, 1)
        best = min(range(len(rel_u)), key=lambda i: abs(rel_u[i] - rel))
        if abs(rel_u[best] - rel) > RULE_TOLERANCE or (out and best <= out[-1]):
            return None
        out.append(best)
    if out[0] != 0 or out[-1] != len(upper) - 1:
        return None
    return out


def continues(
    upper: Table, lower: Table, upper_xs: Sequence[int] = (), lower_xs: Sequence[int] = ()
) -> bool:
    """Whether ``lower`` (first on its page) goes on with ``upper`` (last on the page before):
    by the column rules when both are known, else by the number of columns."""
    if not upper.rows or not lower.rows:
        return False
    if upper_xs and lower_xs:
        return column_map(upper_xs, lower_xs) is not None
    return upper.width == lower.width


def _on_columns(lower: Table, mapping: list[int], width: int) -> list[list[Cell]]:
    """``lower``'s rows spread over the upper table's ``width`` columns."""
    rows = []
    for row in lower.rows:
        out: list[Cell] = []
        for c, cell in enumerate(row):
            span = mapping[c + 1] - mapping[c] if c + 1 < len(mapping) else 1
            out.append(cell)
            out += [Cell(cell.text, True)] * (span - 1)
        rows.append((out + [Cell("")] * width)[:width])
    return rows


def join(
    upper: Table, lower: Table, upper_xs: Sequence[int] = (), lower_xs: Sequence[int] = ()
) -> Table:
    """``upper`` followed by ``lower``, ``lower`` on ``upper``'s columns and the row the break
    cut made whole again."""
    rows = [list(r) for r in upper.rows]
    mapping = column_map(upper_xs, lower_xs) if upper_xs and lower_xs else None
    if mapping is None or len(mapping) != lower.width + 1:
        mapping = list(range(lower.width + 1))
    rest = _on_columns(lower, mapping, upper.width)
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
