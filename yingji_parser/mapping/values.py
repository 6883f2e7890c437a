"""Reading a row's value cells into a fixed list of columns.

Two ways, tried in order: by the positions the column headers occupy (exact in rectangular
grids from HTML, DOCX and spreadsheets, and the only way to keep a blank cell in its column), and
otherwise by the row's own value cells in the format's column order (text layers and Word text
exports shift cells left or right, so positions there mean nothing, but the count does). A row
with one value more or fewer than the format is repaired as the format's sums confirm
(yingji_parser.mapping.repairs), with a warning that says what was done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from yingji_parser.labels import Number, Unreadable, parse_number
from yingji_parser.mapping.repairs import Repair, Verdicts, decide_alone, fit
from yingji_parser.mapping.rows import Row
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn


def by_positions(row: Row, positions: Sequence[int]) -> list[str] | None:
    """Cell texts at the header positions, or None when the row does not fit them."""
    if not positions or min(positions) <= row.label_end or max(positions) >= len(row.cells):
        return None
    wanted = set(positions)
    for i, cell in enumerate(row.cells):
        if i > row.label_end and i not in wanted and cell.text.strip() and not cell.merged:
            return None  # a value outside the header columns: the grid is not aligned
    return [row.cells[p].text if not row.cells[p].merged else "" for p in positions]


def by_order(
    row: Row,
    keys: Sequence[str],
    what: str,
    warnings: list[ParseWarning],
    rules: Callable[[list[Number | None]], Verdicts] | None = None,
) -> list[str]:
    """The row's value cells in the format's order, one per key; a row a cell too long or too
    short is repaired by its own sums (``rules``: the format's rules inside one row, None for a
    table without sums) with a warning saying how (yingji_parser.mapping.repairs)."""
    texts = [c.text for c in row.value_cells if not c.merged]
    fitted = fit(texts, keys, what, row.where)
    if not isinstance(fitted, Repair):
        return fitted
    decision = decide_alone(fitted, rules)
    warnings.append(decision.warning(fitted))
    return list(decision.reading.texts)


def numbers(
    texts: Sequence[str], keys: Sequence[str], what: str, row: Row, warnings: list[ParseWarning]
) -> dict[str, Number | None]:
    """Texts → numbers per key; an unreadable cell becomes null with a warning."""
    out: dict[str, Number | None] = {}
    for key, text in zip(keys, texts, strict=True):
        value = parse_number(text)
        if isinstance(value, Unreadable):
            warnings.append(
                warn(
                    "number_unreadable", f"{what}.{key}: {value.text!r} is not a number", row.where
                )
            )
            value = None
        out[key] = value
    return out
