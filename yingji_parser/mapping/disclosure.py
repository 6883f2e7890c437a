"""Section 二 (主动公开政府信息情况) → ``record["active_disclosure"]``.

Section 二 is a stack of small tables, one per article of the regulation (第二十条第（一）项 …),
each with a header row (信息内容 | column labels) and rows labelled 规章, 行政许可 …. A row's
values are paired with the header row above it by label; when the header is missing or does not
fit, the format's column order is used with a warning.
"""

from __future__ import annotations

from typing import Any

from yingji_parser.labels import core
from yingji_parser.mapping import catalogue as cat
from yingji_parser.mapping.match import EXACT, best_match
from yingji_parser.mapping.rows import Row
from yingji_parser.mapping.values import by_order, numbers
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn


def _specs(template: str) -> tuple[cat.DisclosureRow, ...]:
    return cat.DISCLOSURE_ROWS_2019 if template == "2019" else cat.DISCLOSURE_ROWS_2021


def empty(template: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in _specs(template):
        out[spec.key] = None if spec.scalar else dict.fromkeys(k for k, _ in spec.columns)
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
) -> dict[str, Any]:
    keys = [k for k, _ in spec.columns]
    what = f"二/{spec.key}"
    texts = [c.text for c in row.value_cells if not c.merged]
    if header is not None:
        cols = tuple((k, tuple(core(x) for x in labels)) for k, labels in spec.columns)
        mapped = [best_match(h, cols, threshold=80) for h in header]
        while len(texts) > len(header) and not texts[-1].strip():
            texts.pop()
        if all(m is not None for m in mapped) and len(texts) == len(header):
            order = [cols[m[0]][0] for m in mapped if m is not None]
            if len(set(order)) == len(order):
                got = numbers(texts, order, what, row, warnings)
                return {k: got.get(k) for k in keys}
    if header is not None and len(keys) > 1:
        warnings.append(
            warn(
                "columns_assumed",
                f"{what}: header {header!r} does not match the format's columns; values read "
                "in the format's order",
                row.where,
            )
        )
    got_texts = by_order(row, len(keys), what, warnings, total_last=False)
    return numbers(got_texts, keys, what, row, warnings)


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
        values = _assign(spec, header, row, warnings)
        result[spec.key] = next(iter(values.values())) if spec.scalar else values
        found.add(spec.key)
        last = index
    return result, found
