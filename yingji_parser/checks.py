"""The four consistency rules (勾稽关系) that the national format states, checked on every report.

A failed rule is a warning with the numbers on both sides; the numbers are never "fixed",
because the document is the record and a consumer must see what it says. A rule that touches a
blank (null) cell cannot be checked: that is said too, once per rule, naming what was skipped.
The rules themselves are evaluated in yingji_parser.mapping.rules, which the mapper also asks
which reading of a row with a cell too many or too few the format's sums confirm.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from yingji_parser.mapping.rules import Check, application_checks, review_checks
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn

__all__ = ["Check", "check_applications", "check_record", "check_review"]


def as_warnings(checks: Sequence[Check]) -> list[ParseWarning]:
    """Failures as ``check_failed``; the checks a blank kept from being made as one
    ``check_skipped`` per rule (after that rule's failures), naming what was skipped."""
    out: list[ParseWarning] = []
    rules = list(dict.fromkeys(c.rule for c in checks))
    for rule in rules:
        of_rule = [c for c in checks if c.rule == rule]
        out += [warn("check_failed", c.failure, c.where) for c in of_rule if c.holds is False]
        skipped = [c for c in of_rule if c.holds is None]
        if skipped:
            section = skipped[0].where.split("/")[0]
            items = ", ".join(c.item for c in skipped)
            out.append(
                warn("check_skipped", f"{rule}: not checked for {items} (blank cells)", section)
            )
    return out


def check_applications(apps: dict[str, dict[str, Any]], template: str) -> list[ParseWarning]:
    return as_warnings(application_checks(apps, template))


def check_review(review: dict[str, dict[str, Any]]) -> list[ParseWarning]:
    return as_warnings(review_checks(review))


def check_record(record: dict[str, Any]) -> list[ParseWarning]:
    """All four rules over a record's applications and review_litigation."""
    out: list[ParseWarning] = []
    if record.get("applications"):
        out += check_applications(record["applications"], record.get("template") or "2021")
    if record.get("review_litigation"):
        out += check_review(record["review_litigation"])
    return out
