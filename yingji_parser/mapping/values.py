"""Reading a row's value cells into a fixed list of columns.

Two ways, tried in order: by the positions the column headers occupy (exact in rectangular
grids from HTML, DOCX and spreadsheets, and the only way to keep a blank cell in its column), and
otherwise by the row's own value cells in the format's column order (text layers and Word text
exports shift cells left or right, so positions there mean nothing, but the count does). A row
with more or fewer values than the format gets a warning that says what was done.
"""

from __future__ import annotations

from collections.abc import Sequence

from yingji_parser.labels import Number, Unreadable, parse_number
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


def _sum_ok(values: list[Number | Unreadable | None]) -> bool:
    nums = [v for v in values if isinstance(v, int | float)]
    return len(nums) == len(values) and abs(sum(nums[:-1]) - nums[-1]) < 1e-9


def by_order(
    row: Row, n: int, what: str, warnings: list[ParseWarning], total_last: bool = True
) -> list[str]:
    """The row's value cells in the format's order, repaired to ``n`` with a warning."""
    texts = [c.text for c in row.value_cells if not c.merged]
    while len(texts) > n and not texts[-1].strip():
        texts.pop()
    while len(texts) > n and not texts[0].strip():
        texts.pop(0)
    if len(texts) == n:
        return texts
    if len(texts) > n:
        parsed = [parse_number(t) for t in texts]
        if total_last:  # drop the one extra cell whose removal makes the applicant sum right
            for drop in range(len(texts)):
                trial = parsed[:drop] + parsed[drop + 1 :]
                if len(trial) == n and _sum_ok(trial):
                    warnings.append(
                        warn(
                            "row_too_long",
                            f"{what}: {len(texts)} value cells for {n} columns; dropped the "
                            f"extra cell {texts[drop]!r} (position {drop + 1}), the rest add up",
                            row.where,
                        )
                    )
                    return texts[:drop] + texts[drop + 1 :]
        warnings.append(
            warn(
                "row_too_long",
                f"{what}: {len(texts)} value cells for {n} columns; kept the first {n}, "
                f"dropped {texts[n:]!r}",
                row.where,
            )
        )
        return texts[:n]
    warnings.append(
        warn(
            "row_too_short",
            f"{what}: {len(texts)} value cells for {n} columns; filled from the left, "
            f"the last {n - len(texts)} column(s) left null",
            row.where,
        )
    )
    return texts + [""] * (n - len(texts))


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
