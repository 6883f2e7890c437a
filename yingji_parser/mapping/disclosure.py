"""Section 二 (主动公开政府信息情况) → ``record["active_disclosure"]``.

Section 二 is a stack of small tables, one per article of the regulation (第二十条第（一）项 …),
each with a header row (信息内容 | column labels) and rows labelled 规章, 行政许可 …. A row's
values are paired with the header row above it by label; when the header is missing or does not
fit, the format's column order is used with a warning. One printed row can fill several record
keys (catalogue.DisclosureColumn): the 2019 行政许可 row gives `licensing`, its decisions as a
number as in 2021, and `licensing_items`, the trial format's item counts.
"""

from __future__ import annotations

from typing import Any

from yingji_parser.labels import Number, core
from yingji_parser.mapping import catalogue as cat
from yingji_parser.mapping.match import EXACT, best_match
from yingji_parser.mapping.rows import Row
from yingji_parser.mapping.values import by_order, numbers
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn


def _specs(template: str) -> tuple[cat.DisclosureRow, ...]:
    return cat.DISCLOSURE_ROWS_2019 if template == "2019" else cat.DISCLOSURE_ROWS_2021


def empty(template: str) -> dict[str, Any]:
    """Every record key of 二 in this format, null (an object of nulls for a row of columns)."""
    out: dict[str, Any] = {}
    for spec in _specs(template):
        for key in spec.record_keys:
            fields = [c.field for c in spec.columns if c.key == key and c.field is not None]
            out[key] = dict.fromkeys(fields) if fields else None
    return out


def _header_columns(row: Row) -> list[str] | None:
    """Column labels of a header row (信息内容 | 本年制发件数 | …), or None if it is not one."""
    if row.has_numbers:
        return None
    texts = [core(c.text) for c in row.cells if not c.merged]
    if not texts or texts[0] != "信息内容":
        return None
    return [t for t in texts[1:] if t]


def _assign(
    spec: cat.DisclosureRow, header: list[str] | None, row: Row, warnings: list[ParseWarning]
) -> list[Number | None]:
    """The row's numbers in the order of ``spec.columns``: by the header's labels when they
    name every value cell, else in the format's order (with a warning)."""
    names = [str(i) for i in range(len(spec.columns))]
    what = f"二/{spec.key}"
    texts = [c.text for c in row.value_cells if not c.merged]
    if header is not None:
        pairs = zip(names, spec.columns, strict=True)
        cols = tuple((n, tuple(core(x) for x in c.labels)) for n, c in pairs)
        mapped = [best_match(h, cols, threshold=80) for h in header]
        while len(texts) > len(header) and not texts[-1].strip():
            texts.pop()
        if all(m is not None for m in mapped) and len(texts) == len(header):
            order = [cols[m[0]][0] for m in mapped if m is not None]
            if len(set(order)) == len(order):
                got = numbers(texts, order, what, row, warnings)
                return [got.get(n) for n in names]
    if header is not None and len(names) > 1:
        warnings.append(
            warn(
                "columns_assumed",
                f"{what}: header {header!r} does not match the format's columns; values read "
                "in the format's order",
                row.where,
            )
        )
    got_texts = by_order(row, names, what, warnings)
    return list(numbers(got_texts, names, what, row, warnings).values())


def _place(spec: cat.DisclosureRow, values: list[Number | None], result: dict[str, Any]) -> None:
    """Put a row's numbers under their record keys (a bare number, or a field of an object)."""
    for column, value in zip(spec.columns, values, strict=True):
        if column.field is None:
            result[column.key] = value
        else:
            result[column.key][column.field] = value


def map_disclosure(
    rows: list[Row], template: str, warnings: list[ParseWarning]
) -> tuple[dict[str, Any], set[str]]:
    """The active_disclosure object (null where missing) and the row keys found."""
    specs = _specs(template)
    candidates = tuple((s.key, tuple(core(x) for x in s.labels)) for s in specs)
    result = empty(template)
    found: set[str] = set()
    header: list[str] | None = None
    last = -1
    for row in rows:
        cols = _header_columns(row)
        if cols is not None:
            header = cols
            continue
        if not row.leaf or core(row.cells[0].text).startswith("第二十条"):
            continue
        hit = best_match(row.leaf, candidates, after=last)
        for alt in row.alternatives() if hit is None else ():
            hit = best_match(alt.leaf, candidates, after=last)
            if hit is not None:
                row = alt
                break
        if hit is None:
            continue
        index, s = hit
        spec = specs[index]
        if s < EXACT:
            warnings.append(
                warn("label_fuzzy", f"row label {row.leaf!r} read as {spec.labels[0]!r}", row.where)
            )
        if spec.key in found:
            warnings.append(
                warn("row_duplicate", f"二/{spec.key} appears again; kept the first", row.where)
            )
            continue
        _place(spec, _assign(spec, header, row, warnings), result)
        found.add(spec.key)
        last = index
    return result, found
