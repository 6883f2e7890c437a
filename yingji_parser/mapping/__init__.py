"""From the grid of any format to sections 二, 三 and 四 of the record.

The mapper never looks at the format a document came in: it reads :func:`logical_rows` (label,
values, section of every table row) and finds each row and column of the national format by its
label. Everything repaired or missing is reported as a warning (yingji_parser.warnings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yingji_parser.grid import Document
from yingji_parser.mapping import catalogue as cat
from yingji_parser.mapping.applications import map_applications
from yingji_parser.mapping.disclosure import map_disclosure
from yingji_parser.mapping.review import map_review
from yingji_parser.mapping.rows import Row, logical_rows
from yingji_parser.result import ParseWarning
from yingji_parser.vocabulary import TableSection
from yingji_parser.warnings import warn

__all__ = ["Mapped", "Row", "logical_rows", "map_document"]

_SECTION_NAMES = {s.numeral: f"{s} ({s.heading})" for s in TableSection}


@dataclass(slots=True)
class Mapped:
    active_disclosure: dict[str, Any]
    applications: dict[str, Any]
    review_litigation: dict[str, Any]
    found: dict[str, bool]  # section → any of its rows found
    complete: bool  # every row of the format found
    warnings: list[ParseWarning] = field(default_factory=list)


def map_document(doc: Document, template: str) -> Mapped:
    """Map a document's tables; ``template`` is "2021" or "2019" (see metadata.detect_template)."""
    warnings: list[ParseWarning] = []
    rows = logical_rows(doc)
    by_section: dict[str, list[Row]] = {"二": [], "三": [], "四": []}
    for row in rows:
        if row.section in by_section:
            by_section[row.section].append(row)
    disclosure, found2 = map_disclosure(by_section["二"], template, warnings)
    applications, found3 = map_applications(by_section["三"], template, warnings)
    review, found4 = map_review(by_section["四"], warnings)
    found = {"二": bool(found2), "三": bool(found3), "四": found4}
    complete = all(found.values())
    for section, ok in found.items():
        if not ok:
            warnings.append(
                warn("section_missing", f"section {section} {_SECTION_NAMES[section]} not found")
            )
    if found["二"]:
        specs = cat.DISCLOSURE_ROWS_2019 if template == "2019" else cat.DISCLOSURE_ROWS_2021
        for spec in specs:
            if spec.key not in found2:
                complete = False
                warnings.append(
                    warn("row_missing", f"二/{spec.key} ({spec.labels[0]}) not found; null")
                )
    if found["三"]:
        not_split = any(w.code == "other_not_split" for w in warnings)
        specs3 = cat.APPLICATION_ROWS_2019 if template == "2019" else cat.APPLICATION_ROWS_2021
        for spec3 in specs3:
            if spec3.key in found3:
                continue
            if not_split and spec3.key in ("other_overdue_correction", "other_unpaid_fee"):
                continue
            complete = False
            warnings.append(
                warn("row_missing", f"三/{spec3.key} ({spec3.labels[0]}) not found; null")
            )
    return Mapped(disclosure, applications, review, found, complete, warnings)
