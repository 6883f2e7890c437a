"""One spelling of each outcome and site status: what is stored and what is shown."""

from __future__ import annotations

from models.vocabulary import STORED_OUTCOMES, Outcome, SiteStatus


def test_outcomes_are_the_words_items_and_counts_use() -> None:
    assert [o.value for o in Outcome] == ["insert", "noop", "new_version", "failed"]
    assert [o.counter for o in Outcome] == ["inserted", "noop", "new_versions", "failed"]
    assert STORED_OUTCOMES == (Outcome.INSERT, Outcome.NOOP, Outcome.NEW_VERSION)
    assert not Outcome.FAILED.stored and all(o.stored for o in STORED_OUTCOMES)


def test_a_site_status_is_stored_with_underscores_and_shown_in_words() -> None:
    shown = {s.value: s.label for s in SiteStatus}
    assert shown == {
        "reports_found": "reports found",
        "none_found": "none found",
        "blocked": "blocked",
        "unreachable": "unreachable",
        "robots_denied": "robots denied",
        "parse_failed": "failed to parse",
        "store_failed": "store failed",
    }
    assert all(SiteStatus.from_label(label) is SiteStatus(code) for code, label in shown.items())
    assert SiteStatus.from_label("on fire") is None
