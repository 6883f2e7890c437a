"""A resumed crawl continues the killed crawl's run (crawler/runresume.py).

The journal is a real file in a job directory and the notes go through the real resume state:
a page's response goes through ``output_started`` / ``output_finished`` and its item through
Scrapy's ``item_scraped`` signal, as in a crawl; a second resume state over the same directory
is the resumed process.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scrapy import Request, Spider, signals
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import ReportItem
from crawler.resume import ResumeState
from crawler.runrecord import SiteTally
from crawler.runresume import (
    RunContinuation,
    item_entries,
    merge_fields,
    site_snapshot,
    snapshot_signature,
)
from crawler.sitestate import SiteState
from ingest.types import Outcome
from models.vocabulary import Outcome as Action

A, B = "http://a/", "http://b/"


def _sites() -> dict[str, SiteState]:
    return {u: SiteState(f"{u}区人民政府", "河南省", u) for u in (A, B)}


class _Process:
    """One crawl process of a job directory: its resume state, run continuation and sites."""

    def __init__(self, jobdir: Path) -> None:
        self.crawler = get_crawler(Spider, {"JOBDIR": str(jobdir)})
        self.state = ResumeState(self.crawler)
        self.sites = _sites()
        self.continuation = RunContinuation(self.state, self.sites)
        self.tallies: dict[str, SiteTally] = {}

    def page(self, site: str, path: str, *outcomes: Outcome, done: bool = True) -> None:
        """A page of ``site`` read, with one item storing ``outcomes``; ``done``: its item left
        the pipelines (else the process was killed first)."""
        request = Request(site + path, meta={"seed_url": site})
        response = HtmlResponse(request.url, body=b"<html></html>", request=request)
        self.sites[site].pages_fetched += 1
        fp = self.state.output_started(response)
        item = ReportItem("甲", "r", site, request.url, "t", outcomes=outcomes)
        self.state.item_started(fp)
        self.state.output_finished(fp)
        if done:
            self.crawler.signals.send_catch_log(
                signals.item_scraped, item=item, response=response, spider=None
            )

    def resume(self) -> int:
        return self.continuation.restore(lambda s: self.tallies.setdefault(s, SiteTally()))


def test_a_resumed_process_counts_what_the_killed_one_did_once(tmp_path: Path) -> None:
    killed = _Process(tmp_path)
    killed.continuation.record_run(3, datetime(2026, 3, 2, tzinfo=UTC))
    killed.page(A, "t1.html", Outcome(Action.INSERT))
    killed.sites[B].blocked = True
    killed.sites[B].note_error("block page (访问过于频繁) at http://b/")
    killed.page(B, "", Outcome(Action.FAILED, "no tables"))
    killed.page(A, "t2.html", Outcome(Action.INSERT), done=False)  # in flight at the kill
    assert killed.state.journal is not None
    killed.state.journal.close()

    resumed = _Process(tmp_path)
    assert resumed.continuation.run_to_continue() == (3, datetime(2026, 3, 2, tzinfo=UTC))
    assert resumed.resume() == 4  # two items' outcomes, two sites' states
    a, b = resumed.tallies[A], resumed.tallies[B]
    assert (a.insert, a.failed, b.failed, b.errors) == (1, 0, 1, ["no tables"])
    assert resumed.sites[B].blocked and resumed.sites[B].status == "blocked"
    assert resumed.sites[B].last_error == "block page (访问过于频繁) at http://b/"
    assert resumed.sites[A].pages_fetched == 1  # the page in flight is processed again
    # the page in flight, processed again by the resumed process, then a second kill
    resumed.page(A, "t2.html", Outcome(Action.NOOP))
    assert resumed.state.journal is not None
    resumed.state.journal.close()
    again = _Process(tmp_path)
    again.resume()
    assert (again.tallies[A].insert, again.tallies[A].noop) == (1, 1)
    assert again.sites[A].pages_fetched == 2 and again.sites[B].blocked


def test_reports_the_database_refused_are_not_carried_over(tmp_path: Path) -> None:
    killed = _Process(tmp_path)
    killed.page(A, "t1.html", Outcome(Action.FAILED, "store failed: down", store_failed=True))
    assert killed.state.journal is not None
    killed.state.journal.close()
    resumed = _Process(tmp_path)
    resumed.resume()  # the item is kept in the job directory and stored again, counted then
    assert resumed.tallies.get(A, SiteTally()).failed == 0


def _walked() -> SiteState:
    site = SiteState("丁区人民政府", "河南省洛阳市丁区", "http://d/", pages_fetched=9)
    site.enter_column("http://d/xxgk/ndbg/2024/", 2024)
    site.fallback("sitemap").fetched = 2
    site.fallback("search").note = "no form"
    site.refuse("page cap")
    site.templates["http://d/xxgk/*.html"] += 3
    site.years.add(2024)
    site.robots_denied = True
    return site


def test_a_site_state_survives_the_journal_whole() -> None:
    import json

    saved = json.loads(json.dumps(site_snapshot(_walked())))
    fresh = SiteState("丁区人民政府", "河南省洛阳市丁区", "http://d/")
    merge_fields(fresh, saved)
    assert fresh == _walked()
    assert fresh.detail() == _walked().detail()


def test_a_site_state_signature_ignores_its_counters_only() -> None:
    site = _walked()
    before = snapshot_signature(site_snapshot(site))
    site.pages_fetched += 5
    site.refused["page cap"] += 1
    assert snapshot_signature(site_snapshot(site)) == before
    site.blocked = True
    assert snapshot_signature(site_snapshot(site)) != before


def test_what_an_item_counts_as_it_leaves_the_pipelines() -> None:
    item = ReportItem("甲", "r", A, A + "t.html", "t", outcomes=(Outcome(Action.NEW_VERSION),))
    assert item_entries(item) == [("new_version", None, False)]
    assert item_entries(ReportItem("甲", "r", A, A, "t")) == [("failed", "not stored", False)]
    assert item_entries(item, exception=ValueError("dup")) == [("failed", "dropped: dup", False)]


def test_unreadable_notes_and_sites_no_longer_seeded_are_skipped(tmp_path: Path) -> None:
    killed = _Process(tmp_path)
    assert killed.state.journal is not None
    killed.state.journal.note("", "", b"{not json")
    killed.state.journal.note("", "", b'{"entries": []}')  # no site
    killed.state.journal.note("", "site http://gone/", b'{"blocked": true}')
    killed.page(A, "t1.html", Outcome(Action.NOOP))
    killed.state.journal.close()
    resumed = _Process(tmp_path)
    assert resumed.resume() == 2  # A's outcome and A's state
    assert resumed.tallies[A].noop == 1 and resumed.state.notes == []
