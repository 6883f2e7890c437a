"""The four consistency rules: failures are warnings with both sides, blanks are skipped."""

from __future__ import annotations

import copy
from typing import Any

from yingji_parser.checks import check_applications, check_record, check_review
from yingji_parser.mapping.rules import BALANCE, OUTCOMES, ROW_SUM, application_checks

from .conftest import expected

SYNTH0 = expected("synth0")


def apps() -> dict[str, Any]:
    return copy.deepcopy(SYNTH0["applications"])


def test_a_consistent_report_passes_every_rule() -> None:
    assert check_record(SYNTH0) == []


def test_column_balance_failure_names_column_and_both_sides() -> None:
    a = apps()
    a["carried_forward"]["research"] += 2
    a["carried_forward"]["total"] += 2
    a["carried_forward"]["natural_person"] -= 0
    (w, *rest) = [w for w in check_applications(a, "2021") if "carried_over" in w.message]
    assert w.code == "check_failed" and w.where == "三/research"
    new, old = SYNTH0["applications"]["new"]["research"], SYNTH0["applications"]["carried_over"]
    assert f"{new} + {old['research']}" in w.message
    assert [x.where for x in rest] == ["三/total"]


def test_row_sum_failure_and_numbers_are_not_fixed() -> None:
    a = apps()
    a["granted"]["total"] += 1
    before = copy.deepcopy(a)
    failed = [w for w in check_applications(a, "2021") if w.where == "三/granted"]
    assert len(failed) == 1 and "total is" in failed[0].message
    assert a == before


def test_handled_total_is_the_sum_of_outcome_rows() -> None:
    a = apps()
    a["denied_third_party"]["legal_service"] += 1
    a["denied_third_party"]["total"] += 1
    wheres = {w.where for w in check_applications(a, "2021") if "outcome rows" in w.message}
    assert wheres == {"三/legal_service", "三/total"}


def test_blank_cells_skip_a_rule_once_and_say_which() -> None:
    a = apps()
    a["new"]["commercial"] = None
    warnings = check_applications(a, "2021")
    skipped = [w for w in warnings if w.code == "check_skipped"]
    assert len(skipped) == 2  # the column rule for commercial, the row rule for `new`
    assert all("blank" in w.message for w in skipped)
    assert not [w for w in warnings if w.code == "check_failed"]


def test_review_group_must_add_up() -> None:
    r = copy.deepcopy(SYNTH0["review_litigation"])
    r["litigation_direct"]["pending"] += 5
    (w,) = check_review(r)
    assert w.code == "check_failed" and w.where == "四/litigation_direct"
    assert "but total is 9" in w.message


def test_decimal_numbers_compare_without_float_noise() -> None:
    r = {"review": {"upheld": 0.1, "corrected": 0.2, "other": 0, "pending": 0, "total": 0.3}}
    assert check_review(r) == []


def test_each_rule_instance_holds_fails_or_cannot_be_made() -> None:
    # the mapper asks these when it chooses how to read a row a cell off: a blank is "cannot
    # be made" (None), never a failure
    a = apps()
    a["granted"]["total"] += 1
    a["new"]["commercial"] = None
    states = {c.key: c.holds for c in application_checks(a, "2021")}
    assert states[(ROW_SUM, "granted")] is False
    assert states[(ROW_SUM, "new")] is None and states[(BALANCE, "commercial")] is None
    assert states[(OUTCOMES, "total")] is False and states[(OUTCOMES, "research")] is True
