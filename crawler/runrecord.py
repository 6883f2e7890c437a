"""The run record: what every crawl did, per site, kept in the database and printed at the end.

Why an extension of its own: silent empty runs are the commonest failure of civic scrapers. The
spider knows how a site behaved (``spider.sites``: pages fetched, blocked, unreachable, robots);
the store pipeline knows what became of each report (``item.outcomes``). This extension joins the
two by ``item.site_url`` into one status per site —

- ``reports found``: at least one report stored (insert, noop or new version);
- ``store failed``: no report stored, and the database refused at least one after its
  retries (the items are kept for a resumed crawl: pipelines/store.py) — never "failed to parse";
- ``failed to parse``: candidate reports were found, none could be stored;
- ``blocked`` / ``unreachable`` / ``robots denied`` / ``none found``: as the spider saw it —

with what the spider tried and refused there (``SiteState.detail``: columns, years,
fallbacks, refused requests by reason) kept in ``run_sites.detail`` and shown in the note
(storage/runtable.py),

logs a progress line every ``YINGJI_PROGRESS_INTERVAL`` seconds (default 30: sites done of
total, reports found), and at the close prints a per-site table and writes the run and its
per-site rows (``crawl_runs``, ``run_sites``). The crawl's stats carry the same counts
(``yingji/inserted``, ``yingji/noop``, ``yingji/new_version``, ``yingji/failed``,
``yingji/store_failed``, ``yingji/sites/<status>``) for Scrapyd, monitors and the log; a store
failure ends with an ERROR line and ``yingji/exit_code`` (crawler/commands/crawl.py). A crawl
resumed after a kill continues the killed crawl's run, with its counts (crawler/runresume.py).
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.internet import task

from crawler.runresume import Entry, RunContinuation, item_entries, site_of
from models.vocabulary import STORED_OUTCOMES, SiteStatus

logger = logging.getLogger(__name__)

STORED = tuple(o.value for o in STORED_OUTCOMES)
STATUS_FAILED_TO_PARSE = SiteStatus.PARSE_FAILED.label
#: the short codes of ``run_sites.status``, by the label the table prints
STATUS_CODES = {s.label: s.value for s in SiteStatus}


@dataclass
class SiteTally:
    """The pipelines' outcomes at one site."""

    insert: int = 0
    noop: int = 0
    new_version: int = 0
    failed: int = 0
    store_failed: int = 0  # of ``failed``: the database's refusals, not the documents'
    errors: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.insert + self.noop + self.new_version

    def add(
        self, outcome: str | None, error: str | None = None, store_failed: bool = False
    ) -> None:
        if outcome in STORED:
            setattr(self, outcome, getattr(self, outcome) + 1)
        else:
            self.failed += 1
            self.store_failed += int(store_failed)
            if error and len(self.errors) < 5:
                self.errors.append(error)


@dataclass
class SiteRow:
    """One line of the final table, one row of ``run_sites``."""

    site_url: str
    site_name: str | None
    region: str | None
    status: str
    tally: SiteTally
    error: str | None = None
    #: what was tried and refused at the site (``SiteState.detail``), for ``run_sites.detail``
    detail: dict[str, Any] | None = None

    @property
    def status_code(self) -> str:
        return STATUS_CODES.get(self.status, self.status.replace(" ", "_"))


def site_status(spider_status: str | None, tally: SiteTally) -> str:
    """Join the spider's view and the pipelines' outcomes into one status."""
    if tally.stored:
        return SiteStatus.REPORTS_FOUND.label
    if tally.store_failed:
        return SiteStatus.STORE_FAILED.label
    if tally.failed:
        return STATUS_FAILED_TO_PARSE
    if spider_status in (None, SiteStatus.REPORTS_FOUND.label):
        # the spider yielded candidates but none reached the store: they were dropped or lost
        return SiteStatus.NONE_FOUND.label if spider_status is None else STATUS_FAILED_TO_PARSE
    return spider_status


def build_rows(sites: Mapping[str, Any], tallies: Mapping[str, SiteTally]) -> list[SiteRow]:
    """One row per seed site (and per stray ``site_url`` an item named), in seed order."""
    rows = []
    for url, state in sites.items():
        tally = tallies.get(url, SiteTally())
        status = site_status(getattr(state, "status", None), tally)
        error = tally.errors[0] if tally.errors else None
        if (
            error is None and status != SiteStatus.REPORTS_FOUND.label
        ):  # a stray 404 on a good site is noise
            error = getattr(state, "last_error", None)
        detail = state.detail() if callable(getattr(state, "detail", None)) else None
        rows.append(
            SiteRow(
                url,
                getattr(state, "name", None),
                getattr(state, "region", None),
                status,
                tally,
                error,
                detail,
            )
        )
    for url, tally in tallies.items():
        if url not in sites:
            rows.append(SiteRow(url, None, None, site_status(None, tally), tally))
    return rows


def format_table(rows: Iterable[SiteRow]) -> str:
    """The per-site table, laid out as ``yingji runs`` lays it out (storage/runtable.py)."""
    from storage.runtable import SiteLine, site_table

    return site_table(
        SiteLine(
            r.site_name or r.site_url,
            r.status,
            r.tally.stored,
            r.tally.insert,
            r.tally.noop,
            r.tally.new_version,
            r.tally.failed,
            r.error,
            r.detail,
        )
        for r in rows
    )


def progress_line(done: int, total: int, tallies: Mapping[str, SiteTally]) -> str:
    reports = sum(t.stored for t in tallies.values())
    failed = sum(t.failed for t in tallies.values())
    return f"progress: {done} of {total} sites done, {reports} reports found, {failed} failed"


class SiteActivity:
    """Which sites still have work: requests scheduled and not yet finished, per seed.

    Scrapy has no per-site queue, so this counts the engine's signals by ``meta["seed_url"]``:
    +1 when a request is scheduled, -1 when it leaves the downloader or the scheduler drops it.
    A response's callback schedules the next requests just after its request left, so a site
    counts as done only once nothing is pending and ``settle`` seconds passed without an event.
    A request a middleware refuses (robots.txt, a cap) never leaves the downloader, so a site
    with nothing in the downloader and no event for ``quiet`` seconds also counts as done.
    """

    def __init__(self, quiet: float, settle: float = 1.0) -> None:
        self.quiet = quiet
        self.settle = settle
        self.pending: Counter[str] = Counter()
        self.last_event: dict[str, float] = {}

    def scheduled(self, site: str | None, now: float) -> None:
        if site:
            self.pending[site] += 1
            self.last_event[site] = now

    def finished(self, site: str | None, now: float) -> None:
        if site:
            self.pending[site] -= 1
            self.last_event[site] = now

    def done(self, sites: Iterable[str], active: set[str], now: float) -> int:
        """How many of ``sites`` are done; ``active``: sites with a request in the downloader."""
        count = 0
        for site in sites:
            if site not in self.last_event or site in active:
                continue  # not started, or still downloading
            idle = now - self.last_event[site]
            if (self.pending[site] <= 0 and idle >= self.settle) or idle >= self.quiet:
                count += 1
        return count


class RunRecord:
    """Scrapy extension (``EXTENSIONS = {"crawler.runrecord.RunRecord": 0}``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("YINGJI_PROGRESS_INTERVAL", 30.0)
        self.print_table = crawler.settings.getbool("YINGJI_PRINT_TABLE", True)
        self.tallies: dict[str, SiteTally] = {}
        self.started_at = datetime.now(UTC)
        self.rows: list[SiteRow] = []
        self.run_id: int | None = None
        self._loop: task.LoopingCall | None = None
        self._spider: Spider | None = None
        self.record_in_db = crawler.settings.getbool("YINGJI_RECORD_RUNS", True)
        self.store: Any = None
        self.alerts: list[str] = []
        self.activity = SiteActivity(quiet=max(self.interval, 5.0))
        self.continuation: RunContinuation | None = None  # with a job directory

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecord:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.request_finished, signal=signals.request_left_downloader)
        crawler.signals.connect(ext.request_finished, signal=signals.request_dropped)
        return ext

    # --- signals --------------------------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        self._spider = spider
        self.started_at = datetime.now(UTC)
        self.continuation = RunContinuation.attach(self.crawler, self._sites(spider))
        self.run_id = self._continue_run(spider) or self._start_run(spider)
        self._loop = task.LoopingCall(self.log_progress)
        self._loop.start(self.interval, now=False)

    def request_scheduled(self, request: Any, spider: Spider) -> None:
        self.activity.scheduled(request.meta.get("seed_url"), time.monotonic())

    def request_finished(self, request: Any, spider: Spider) -> None:
        self.activity.finished(request.meta.get("seed_url"), time.monotonic())

    def item_scraped(self, item: Any, spider: Spider) -> None:
        """Count each report the item stored or failed (``item.outcomes``, one per report)."""
        self._count(item, item_entries(item))

    def item_dropped(self, item: Any, spider: Spider, exception: BaseException) -> None:
        self._count(item, item_entries(item, exception=exception))

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        self._count(item, item_entries(item, failure=failure))

    def _count(self, item: Any, entries: Iterable[Entry]) -> None:
        tally = self._tally(item)
        for outcome, error, store_failed in entries:
            tally.add(outcome, error, store_failed)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.rows = build_rows(self._sites(spider), self.tallies)
        self._finish_run(spider, reason)
        text = format_table(self.rows)
        run = f" {self.run_id}" if self.run_id is not None else ""
        if self.print_table:
            print(f"\nyingji run{run} finished ({reason}):\n{text}", file=sys.stdout, flush=True)
        logger.info("per-site results of run%s:\n%s", run, text)
        for alert in self.alerts:  # `yingji crawl` prints these and sets its exit status
            logger.warning(alert)
        self._set_stats()

    def _set_stats(self) -> None:
        """The run's counts in the crawl's stats; a store failure also fails the exit code."""
        stats = self.crawler.stats
        if stats is None:
            return
        if self.alerts:
            stats.set_value("yingji/alerts", len(self.alerts))
        for row in self.rows:
            stats.inc_value(f"yingji/sites/{row.status_code}")
        unstored = sum(t.store_failed for t in self.tallies.values())
        if unstored:
            logger.error(
                "%d reports could not be stored (the database failed after its retries); "
                "a resumed crawl with the same JOBDIR stores them",
                unstored,
            )
            stats.set_value("yingji/exit_code", 1)

    # --- helpers ----------------------------------------------------------------------------
    def log_progress(self) -> None:
        if self._spider is None:
            return
        sites = self._sites(self._spider)
        engine = self.crawler.engine
        active_requests = engine.downloader.active if engine is not None else set()
        active = {r.meta.get("seed_url") for r in active_requests}
        done = self.activity.done(sites, active, time.monotonic())  # type: ignore[arg-type]
        logger.info(progress_line(done, len(sites), self.tallies))

    def _tally(self, item: Any) -> SiteTally:
        return self._site_tally(site_of(item))

    def _site_tally(self, site: str) -> SiteTally:
        return self.tallies.setdefault(site, SiteTally())

    @staticmethod
    def _sites(spider: Spider) -> Mapping[str, Any]:
        return getattr(spider, "sites", None) or {}

    def open_store(self) -> Any:
        """The crawl's one Store, opened (and a fresh database migrated) on first use: the store
        pipeline asks for it when the crawl is set up, so a bad URL, an unreachable server or a
        newer schema stops the crawl before any request, with one line instead of a traceback."""
        if self.store is None:
            from storage import Store, config
            from storage.errors import UserError

            settings = self.crawler.settings
            url = config.database_url(settings.get("DATABASE_URL") or None)
            window = settings.getfloat("YINGJI_STORE_RETRY_SECONDS")
            try:
                # a write is retried for the whole window (each wait is at most 2 s, so the
                # attempts never run out first)
                self.store = Store(url, max_delay=window, max_attempts=max(10, int(window * 4)))
                # a read-only file or directory, a read-only file system or a full disk stops
                # the crawl here, before any request, not after every report is lost
                files = config.files_store(settings.get("YINGJI_FILES_STORE") or None, url)
                self.store.check_writable(files)
            except UserError as exc:
                print(f"scrapy crawl: error: {exc}", file=sys.stderr, flush=True)
                raise SystemExit(2) from None
        return self.store

    def _start_run(self, spider: Spider) -> int | None:
        """Open the run in the database; the store pipeline reads its id from the stats."""
        if not self.record_in_db:
            return None
        self.open_store()
        shard = getattr(spider, "shard", None)
        run_id = self.store.start_run(
            shard=str(shard) if shard else None,
            seeds_count=len(self._sites(spider)) or None,
            note=f"scrapy crawl {spider.name}",
            started_at=self.started_at,
        )
        if self.continuation is not None:  # a resume after a kill continues this run
            self.continuation.record_run(run_id, self.started_at)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("yingji/run_id", run_id)
        return run_id

    def _continue_run(self, spider: Spider) -> int | None:
        """The interrupted crawl's run, reopened with what its process counted
        (crawler/runresume.py); None: this is a new run."""
        if self.continuation is None or not self.record_in_db:
            return None
        run_id = self.continuation.reopen(self.open_store(), self._site_tally)
        if run_id is not None and self.crawler.stats is not None:
            self.crawler.stats.set_value("yingji/run_id", run_id)
        return run_id

    def _finish_run(self, spider: Spider, reason: str) -> None:
        if self.store is None or self.run_id is None:
            self._close_store()
            return
        try:
            self._write_run(reason)
        except Exception as exc:  # the database is down past its retries: say so, exit non-zero
            logger.error("could not record run %s: %s: %s", self.run_id, type(exc).__name__, exc)
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("yingji/exit_code", 1)
        finally:
            self._close_store()

    def _write_run(self, reason: str) -> None:
        """The per-site rows, the run's end and the health check, in the database."""
        from storage.runs import SITE_STATUSES

        for row in self.rows:
            code = row.status_code if row.status_code in SITE_STATUSES else "blocked"
            self.store.record_site(
                self.run_id,
                site_url=row.site_url,
                status=code,
                site_name=row.site_name,
                region=row.region,
                reports_found=row.tally.stored,
                inserted=row.tally.insert,
                noop=row.tally.noop,
                new_versions=row.tally.new_version,
                failed=row.tally.failed,
                error=row.error if code == row.status_code else f"{row.status}: {row.error or ''}",
                detail=row.detail,
            )
        status = "finished" if reason == "finished" else reason[:20]
        self.store.finish_run(self.run_id, status=status)
        from storage.health import check_run

        assert self.run_id is not None
        self.alerts = [a.line() for a in check_run(self.store, self.run_id)]

    def _close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
