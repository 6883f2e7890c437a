"""The four consistency rules (勾稽关系) that the national format states, checked on every report.

A failed rule is a warning with the numbers on both sides; the numbers are never "fixed",
because the document is the record and a consumer must see what it says. A rule that touches a
blank (null) cell cannot be checked: that is said too, once per rule, naming what was skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from yingji_parser.mapping import catalogue as cat
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn

_EPS = 1e-6
_SUBROWS = ("other_overdue_correction", "other_unpaid_fee")


def _num(x: Any) -> str:
    return "null" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))


def _equal(a: float, b: float) -> bool:
    return abs(a - b) < _EPS


def _skipped(rule: str, items: list[str], where: str) -> ParseWarning:
    return warn("check_skipped", f"{rule}: not checked for {', '.join(items)} (blank cells)", where)


def check_applications(apps: dict[str, dict[str, Any]], template: str) -> list[ParseWarning]:
    out: list[ParseWarning] = []
    # Rule 1: per column, new + carried_over = handled_total + carried_forward.
    rule = "new + carried_over = handled_total + carried_forward"
    skipped: list[str] = []
    for col in cat.APPLICANT_KEYS:
        a, b = apps["new"][col], apps["carried_over"][col]
        c, d = apps["handled_total"][col], apps["carried_forward"][col]
        if None in (a, b, c, d):
            skipped.append(col)
        elif not _equal(a + b, c + d):
            out.append(
                warn(
                    "check_failed",
                    f"{rule} fails in column {col}: {_num(a)} + {_num(b)} = {_num(a + b)} but "
                    f"{_num(c)} + {_num(d)} = {_num(c + d)}",
                    f"三/{col}",
                )
            )
    if skipped:
        out.append(_skipped(rule, skipped, "三"))
    # Rule 2: per row, the six applicant columns add up to total.
    present = {k: row for k, row in apps.items() if any(v is not None for v in row.values())}
    # (a row the document lacks is all blank: it already has its row_missing warning)
    out += _rows_add_up(present, cat.APPLICANT_KEYS, "six applicant columns = total", "三", "row ")
    # Rule 3: handled_total = sum of the outcome rows, per column.
    outcome: Sequence[str] = cat.OUTCOME_KEYS_2019 if template == "2019" else cat.OUTCOME_KEYS_2021
    if all(v is None for k in _SUBROWS if k in apps for v in apps[k].values()):
        outcome = cat.OUTCOME_KEYS_2019  # （六） given as one row: `other` holds all of it
    outcome = [k for k in outcome if k in apps]
    rule = "handled_total = sum of outcome rows granted … other"
    skipped = []
    for col in cat.APPLICANT_KEYS:
        parts = [apps[k][col] for k in outcome]
        total = apps["handled_total"][col]
        if None in parts or total is None:
            skipped.append(col)
        elif not _equal(sum(parts), total):
            out.append(
                warn(
                    "check_failed",
                    f"{rule} fails in column {col}: outcome rows add up to {_num(sum(parts))} "
                    f"but handled_total is {_num(total)}",
                    f"三/{col}",
                )
            )
    if skipped:
        out.append(_skipped(rule, skipped, "三"))
    return out


def check_review(review: dict[str, dict[str, Any]]) -> list[ParseWarning]:
    rule = "upheld + corrected + other + pending = total"
    return _rows_add_up(review, cat.REVIEW_KEYS, rule, "四", "")


def _rows_add_up(
    rows: dict[str, dict[str, Any]], keys: Sequence[str], rule: str, section: str, what: str
) -> list[ParseWarning]:
    """Per row: the values under ``keys[:-1]`` add up to the one under ``keys[-1]`` (the total)."""
    out: list[ParseWarning] = []
    skipped: list[str] = []
    for name, row in rows.items():
        parts, total = [row[k] for k in keys[:-1]], row[keys[-1]]
        if None in parts or total is None:
            skipped.append(name)
        elif not _equal(sum(parts), total):
            out.append(
                warn(
                    "check_failed",
                    f"{rule} fails in {what}{name}: {' + '.join(_num(p) for p in parts)} = "
                    f"{_num(sum(parts))} but total is {_num(total)}",
                    f"{section}/{name}",
                )
            )
    if skipped:
        out.append(_skipped(rule, skipped, section))
    return out


def check_record(record: dict[str, Any]) -> list[ParseWarning]:
    """All four rules over a record's applications and review_litigation."""
    out: list[ParseWarning] = []
    if record.get("applications"):
        out += check_applications(record["applications"], record.get("template") or "2021")
    if record.get("review_litigation"):
        out += check_review(record["review_litigation"])
    return out
