"""How the run record joins the spider's view of a site with what the pipelines stored."""

from __future__ import annotations

from crawler.runrecord import (
    SiteActivity,
    SiteTally,
    build_rows,
    format_table,
    progress_line,
    site_status,
)
from crawler.sitestate import SiteState


def _tally(*outcomes: str) -> SiteTally:
    t = SiteTally()
    for o in outcomes:
        t.add(o, "bad file" if o == "failed" else None)
    return t


def test_one_stored_report_makes_reports_found_even_after_failures() -> None:
    assert site_status("reports found", _tally("failed", "noop")) == "reports found"


def test_candidates_that_all_failed_are_failed_to_parse() -> None:
    assert site_status("reports found", _tally("failed", "failed")) == "failed to parse"


def test_reports_the_database_refused_are_a_store_failure_never_a_parse_failure() -> None:
    tally = _tally("failed")
    tally.add("failed", "store failed: OperationalError: server closed", store_failed=True)
    assert (tally.failed, tally.store_failed) == (2, 1)
    assert site_status("reports found", tally) == "store failed"
    assert build_rows({}, {"http://a/": tally})[0].status_code == "store_failed"
    tally.add("noop")  # one report stored: the site found reports
    assert site_status("reports found", tally) == "reports found"


def test_spider_statuses_stand_when_nothing_reached_the_pipelines() -> None:
    for status in ("blocked", "unreachable", "none found", "robots denied"):
        assert site_status(status, SiteTally()) == status


def test_rows_follow_the_seed_order_and_carry_the_first_reason() -> None:
    sites = {
        "http://a/": SiteState("甲区人民政府", "河南省洛阳市甲区", "http://a/", items_yielded=2),
        "http://b/": SiteState("乙区人民政府", "河南省洛阳市乙区", "http://b/", blocked=True),
        "http://c/": SiteState("丙区人民政府", "河南省洛阳市丙区", "http://c/", items_yielded=1),
    }
    tallies = {"http://a/": _tally("insert", "new_version"), "http://c/": _tally("failed")}
    rows = build_rows(sites, tallies)
    assert [(r.site_name, r.status, r.status_code) for r in rows] == [
        ("甲区人民政府", "reports found", "reports_found"),
        ("乙区人民政府", "blocked", "blocked"),
        ("丙区人民政府", "failed to parse", "parse_failed"),
    ]
    assert rows[2].error == "bad file"
    table = format_table(rows).splitlines()
    assert table[0].split() == [
        "site",
        "status",
        "reports",
        "insert",
        "noop",
        "new",
        "failed",
        "note",
    ]
    # columns line up although the names are double-width characters
    assert len({line.index("  ") for line in table[2:]}) == 1
    assert table[2].split()[:4] == ["甲区人民政府", "reports", "found", "2"]


def test_progress_counts_sites_done_and_reports() -> None:
    line = progress_line(1, 2, {"http://a/": _tally("insert", "noop", "failed")})
    assert line == "progress: 1 of 2 sites done, 2 reports found, 1 failed"


def test_a_site_is_done_when_its_requests_are_finished_or_it_went_quiet() -> None:
    act = SiteActivity(quiet=30, settle=1)
    sites = ["http://a/", "http://b/", "http://c/", "http://d/"]
    act.scheduled("http://a/", 0)
    act.finished("http://a/", 1)  # all its requests answered …
    act.scheduled("http://b/", 0)  # one still pending …
    act.scheduled("http://c/", 0)  # … one refused by a middleware long ago, never left
    # d has not started
    assert act.done(sites, active=set(), now=1.5) == 0  # … a's callback may still schedule more
    assert act.done(sites, active={"http://b/"}, now=10) == 1
    assert act.done(sites, active={"http://b/"}, now=40) == 2  # c went quiet, b is downloading


def test_every_report_an_item_stored_is_counted_for_its_site() -> None:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.items import ReportItem
    from crawler.runrecord import RunRecord
    from ingest.types import Outcome
    from models.vocabulary import Outcome as Action

    ext = RunRecord(get_crawler(Spider, {"YINGJI_RECORD_RUNS": False}))
    outcomes = (
        Outcome(Action.INSERT), Outcome(Action.NOOP), Outcome(Action.FAILED, "not storable"),
    )  # fmt: skip
    item = ReportItem(
        "甲区人民政府", "r", "http://a/", "http://a/t1.html", "t", outcomes=outcomes
    )  # fmt: skip
    ext.item_scraped(item, Spider("x"))
    tally = ext.tallies["http://a/"]
    assert (tally.insert, tally.noop, tally.failed, tally.errors) == (1, 1, 1, ["not storable"])


def _none_found() -> SiteState:
    site = SiteState("丁区人民政府", "河南省洛阳市丁区", "http://d/", pages_fetched=9)
    site.enter_column("http://d/xxgk/")
    site.enter_column("http://d/xxgk/ndbg/2024/", 2024)
    site.enter_column("http://d/xxgk/ndbg/2023/", 2023)
    site.fallback("sitemap").fetched = 1
    site.fallback("search").note = "no form"
    return site


def test_a_none_found_site_says_which_columns_years_and_fallbacks_were_tried() -> None:
    rows = build_rows({"http://d/": _none_found()}, {})
    assert rows[0].status == "none found"
    assert rows[0].detail == {
        "pages": 9,
        "columns": 3,
        "column_urls": ["http://d/xxgk/", "http://d/xxgk/ndbg/2023/", "http://d/xxgk/ndbg/2024/"],
        "years_walked": [2023, 2024],
        "years_found": [],
        "fallbacks": {
            "sitemap": {"fetched": 1, "links": 0, "note": None},
            "search": {"fetched": 0, "links": 0, "note": "no form"},
        },
        "refused": {},
    }
    row = format_table(rows).splitlines()[2]
    assert row.endswith(
        "none found  0        0       0     0    0       "
        "tried 3 columns (2 years: 2023, 2024), sitemap (0 links), search (no form)"
    )


def test_refused_requests_are_counted_by_reason_on_any_site() -> None:
    site = _none_found()
    for reason in ("private address", "off-site", "private address"):
        site.refuse(reason, dropped=reason == "off-site")
    found = SiteState("甲区人民政府", "r", "http://a/", items_yielded=1)
    found.refuse("page cap")
    rows = build_rows({"http://d/": site, "http://a/": found}, {"http://a/": _tally("insert")})
    table = format_table(rows).splitlines()
    assert table[2].endswith("; refused 3: private address 2, off-site 1")
    assert table[3].endswith(
        "reports found  1        1       0     0    0       refused 1: page cap 1"
    )
    assert (site.requests_dropped, found.requests_dropped) == (1, 1)


def test_a_site_whose_fallbacks_were_never_asked_says_so() -> None:
    site = SiteState("戊区人民政府", "r", "http://e/", pages_fetched=1)
    site.note_error("HTTP 404 at http://e/xxgk/")
    note = format_table(build_rows({"http://e/": site}, {})).splitlines()[2]
    assert note.endswith("tried no column, no fallback asked; HTTP 404 at http://e/xxgk/")
