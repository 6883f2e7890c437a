"""Section 四 (行政复议、行政诉讼情况) → ``record["review_litigation"]``.

The format has one row of fifteen numbers under a three-level header: 行政复议 / 行政诉讼 →
未经复议直接起诉 / 复议后起诉 → 结果维持 … 总计. Each value column is identified by its own
header stack (group words found above it, a blank group cell taking the one to its left as a
merged cell would); when the header cannot be aligned with the numbers (text exports) the
fifteen values are read in the format's order. Some reports lay the three groups out as rows
labelled with the group name: those are read by their labels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from yingji_parser.labels import Number, core
from yingji_parser.mapping import catalogue as cat
from yingji_parser.mapping.match import best_match
from yingji_parser.mapping.repairs import Verdicts
from yingji_parser.mapping.rows import Row
from yingji_parser.mapping.rules import review_checks, verdicts
from yingji_parser.mapping.values import by_order, by_positions, numbers
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn

Cells = dict[str, int | float | None]
MAX_HEADER_ROWS = 6  # the format's header has three rows; more is text, not header
_COLUMNS = tuple((k, tuple(core(x) for x in labels)) for k, labels in cat.REVIEW_COLUMNS)
_DOTTED = [f"{g}.{k}" for g in cat.REVIEW_GROUP_ORDER for k in cat.REVIEW_KEYS]
_N = len(_DOTTED)


def _group_of(text: str) -> str | None:
    for key, labels in cat.REVIEW_GROUPS:
        if any(lab in text for lab in labels):
            return key
    return None


def column_positions(header: list[Row]) -> list[int] | None:
    """Positions of the fifteen columns in format order, or None if the header does not align."""
    width = max(len(r.cells) for r in header)
    filled: list[list[str]] = []
    for r in header:  # forward-fill blanks like merged cells, for the group levels
        line, last = [], ""
        for pos in range(width):
            text = r.cores[pos] if pos < len(r.cells) else ""
            last = text or last
            line.append(last)
        filled.append(line)
    found: dict[tuple[str, str], int] = {}
    for pos in range(width):
        leaf_key, leaf_level = None, -1
        for level in range(len(header) - 1, -1, -1):
            text = header[level].cores[pos] if pos < len(header[level].cells) else ""
            if text:
                hit = best_match(text, _COLUMNS, allow_contain=False, threshold=80)
                if hit is not None:
                    leaf_key, leaf_level = _COLUMNS[hit[0]][0], level
                break
        if leaf_key is None:
            continue
        group = None
        for level in range(leaf_level - 1, -1, -1):
            group = _group_of(filled[level][pos])
            if group:
                break
        if group:
            found.setdefault((group, leaf_key), pos)
    order = [(g, k) for g in cat.REVIEW_GROUP_ORDER for k in cat.REVIEW_KEYS]
    if any(key not in found for key in order):
        return None
    return [found[key] for key in order]


def _group_rules(groups: Sequence[str]) -> Callable[[list[Number | None]], Verdicts]:
    """Rule 4 over a row holding ``groups`` side by side, for choosing how to repair it."""
    n = len(cat.REVIEW_KEYS)

    def rules(vals: list[Number | None]) -> Verdicts:
        table = {g: dict(zip(cat.REVIEW_KEYS, vals[i * n : (i + 1) * n], strict=True))
                 for i, g in enumerate(groups)}  # fmt: skip
        return verdicts(review_checks(table))

    return rules


def _empty() -> dict[str, Cells]:
    return {g: dict.fromkeys(cat.REVIEW_KEYS) for g in cat.REVIEW_GROUP_ORDER}


def map_review(rows: list[Row], warnings: list[ParseWarning]) -> tuple[dict[str, Cells], bool]:
    """The review_litigation object (null where missing) and whether its numbers were found."""
    result = _empty()
    header: list[Row] = []
    positions: list[int] | None = None
    by_group: dict[str, Row] = {}
    for row in rows:
        if not row.has_numbers:
            if any(row.cores):
                header = [*header[-(MAX_HEADER_ROWS - 1) :], row]
                positions = column_positions(header)
            continue
        group = _group_of(row.leaf) if row.leaf else None
        if group and group not in by_group:
            by_group[group] = row  # the groups laid out as rows
            continue
        if by_group:
            continue
        texts = by_positions(row, positions) if positions else None
        if texts is None:
            texts = by_order(row, _DOTTED, "四", warnings, _group_rules(cat.REVIEW_GROUP_ORDER))
            names = {c for r in header for c in r.cores if c}
            if not all(any(lab in names for lab in labels) for _, labels in _COLUMNS):
                warnings.append(
                    warn(
                        "columns_assumed",
                        "the header of 四 does not name its columns; the fifteen values read in "
                        "the format's order",
                        row.where,
                    )
                )
        values = numbers(texts, _DOTTED, "四", row, warnings)
        for dotted, value in values.items():
            g, k = dotted.split(".")
            result[g][k] = value
        return result, True
    if by_group:
        for g, row in by_group.items():
            texts = by_order(row, cat.REVIEW_KEYS, f"四/{g}", warnings, _group_rules((g,)))
            result[g] = numbers(texts, cat.REVIEW_KEYS, f"四/{g}", row, warnings)
        for g in cat.REVIEW_GROUP_ORDER:
            if g not in by_group:
                warnings.append(warn("row_missing", f"四/{g} is not in the document; null", ""))
        return result, True
    # a header of the format with blank cells under it: found, and blank is null
    return result, positions is not None
