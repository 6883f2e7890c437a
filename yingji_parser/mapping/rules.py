"""The format's consistency rules (勾稽关系), evaluated: one :class:`Check` per column or row.

The rules are the format's own knowledge, like the labels in the catalogue, and are used twice:
by the mapper, to tell which reading of a row with a cell too many or too few makes them hold
(yingji_parser.mapping.repairs), and by yingji_parser.checks, which turns every failure into a
warning. Nothing here changes a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from yingji_parser.mapping import catalogue as cat

_EPS = 1e-6
_SUBROWS = ("other_overdue_correction", "other_unpaid_fee")

BALANCE = "new + carried_over = handled_total + carried_forward"
ROW_SUM = "six applicant columns = total"
OUTCOMES = "handled_total = sum of outcome rows granted … other"
REVIEW_SUM = "upheld + corrected + other + pending = total"


@dataclass(frozen=True, slots=True)
class Check:
    """One instance of a rule: a column of a column rule, a row of a row rule.

    ``holds`` is None when a blank cell keeps it from being made; ``failure`` is the message
    (both sides' numbers) when it does not hold, "" when it does (the checks run for every
    reading a repair weighs: a message nobody reads is not built). ``possible`` is False when
    one blank cell would have to hold a negative count for the rule to hold: no count is
    negative, so a reading of a row that puts the blank there cannot be right (the checks
    report blanks as skipped all the same; only the repairs use this).
    """

    rule: str
    item: str  # the column (column rules) or row key (row rules)
    where: str
    holds: bool | None
    failure: str = ""
    possible: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return self.rule, self.item


def _possible(left: Sequence[Any], right: Sequence[Any]) -> bool:
    """sum(left) = sum(right) with one blank: can the blank be a count (not negative)?"""
    blanks = [x for x in (*left, *right) if x is None]
    if len(blanks) != 1:
        return True
    side, other = (left, right) if None in left else (right, left)
    need = sum(other) - sum(x for x in side if x is not None)
    return need > -_EPS


def verdicts(checks: Sequence[Check]) -> dict[tuple[str, str], bool]:
    """The checks as a repair weighs a reading: made ones as they hold, a blank that would
    have to be negative as a failure, other blanks left out."""
    return {c.key: bool(c.holds) for c in checks if c.holds is not None or not c.possible}


def _num(x: Any) -> str:
    return "null" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))


def _equal(a: float, b: float) -> bool:
    return abs(a - b) < _EPS


def balance_checks(apps: Mapping[str, Mapping[str, Any]]) -> list[Check]:
    """Rule 1, per column: new + carried_over = handled_total + carried_forward."""
    out: list[Check] = []
    for col in cat.APPLICANT_KEYS:
        a, b = apps["new"][col], apps["carried_over"][col]
        c, d = apps["handled_total"][col], apps["carried_forward"][col]
        if None in (a, b, c, d):
            possible = _possible([a, b], [c, d])
            out.append(Check(BALANCE, col, f"三/{col}", None, possible=possible))
            continue
        holds = _equal(a + b, c + d)
        failure = (
            ""
            if holds
            else (
                f"{BALANCE} fails in column {col}: {_num(a)} + {_num(b)} = {_num(a + b)} but "
                f"{_num(c)} + {_num(d)} = {_num(c + d)}"
            )
        )
        out.append(Check(BALANCE, col, f"三/{col}", holds, failure))
    return out


def row_sum_checks(
    rows: Mapping[str, Mapping[str, Any]],
    keys: Sequence[str] = cat.APPLICANT_KEYS,
    rule: str = ROW_SUM,
    section: str = "三",
    what: str = "row ",
) -> list[Check]:
    """Rule 2 (and 4): per row, the values under ``keys[:-1]`` add up to the one under
    ``keys[-1]`` (the total)."""
    out: list[Check] = []
    for name, row in rows.items():
        parts, total = [row[k] for k in keys[:-1]], row[keys[-1]]
        if None in parts or total is None:
            possible = _possible(parts, [total])
            out.append(Check(rule, name, f"{section}/{name}", None, possible=possible))
            continue
        holds = _equal(sum(parts), total)
        failure = (
            ""
            if holds
            else (
                f"{rule} fails in {what}{name}: {' + '.join(_num(p) for p in parts)} = "
                f"{_num(sum(parts))} but total is {_num(total)}"
            )
        )
        out.append(Check(rule, name, f"{section}/{name}", holds, failure))
    return out


def outcome_keys(apps: Mapping[str, Any], template: str) -> list[str]:
    """The rows whose sum is handled_total in this table (（六） as one row: `other` alone)."""
    outcome: Sequence[str] = cat.OUTCOME_KEYS_2019 if template == "2019" else cat.OUTCOME_KEYS_2021
    if all(v is None for k in _SUBROWS if k in apps for v in apps[k].values()):
        outcome = cat.OUTCOME_KEYS_2019  # （六） given as one row: `other` holds all of it
    return [k for k in outcome if k in apps]


def outcome_checks(apps: Mapping[str, Mapping[str, Any]], template: str) -> list[Check]:
    """Rule 3, per column: handled_total = the sum of the outcome rows."""
    outcome = outcome_keys(apps, template)
    out: list[Check] = []
    for col in cat.APPLICANT_KEYS:
        parts = [apps[k][col] for k in outcome]
        total = apps["handled_total"][col]
        if None in parts or total is None:
            possible = _possible(parts, [total])
            out.append(Check(OUTCOMES, col, f"三/{col}", None, possible=possible))
            continue
        holds = _equal(sum(parts), total)
        failure = (
            ""
            if holds
            else (
                f"{OUTCOMES} fails in column {col}: outcome rows add up to {_num(sum(parts))} "
                f"but handled_total is {_num(total)}"
            )
        )
        out.append(Check(OUTCOMES, col, f"三/{col}", holds, failure))
    return out


def application_checks(apps: Mapping[str, Mapping[str, Any]], template: str) -> list[Check]:
    """Every instance of rules 1–3 over table 三, in the order the warnings give them."""
    # a row the document lacks is all blank: it already has its row_missing warning
    present = {k: row for k, row in apps.items() if any(v is not None for v in row.values())}
    return [*balance_checks(apps), *row_sum_checks(present), *outcome_checks(apps, template)]


def review_checks(review: Mapping[str, Mapping[str, Any]]) -> list[Check]:
    """Rule 4, per group of 四."""
    return row_sum_checks(review, cat.REVIEW_KEYS, REVIEW_SUM, "四", "")
