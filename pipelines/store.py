"""Pipeline 3 of 3: store what the parse step chose (ingest.storing.store_parsed).

The work is ingest/'s — one transaction per item: its documents, their statuses, its report(s)
and every source. This adapter runs it in a single writer thread (database calls block, and one
writer per process keeps SQLite's lock queue short) and sets ``item.outcomes`` (one per report)
and, when the crawl writes feeds (``-O reports.jsonl``, ``FEEDS``), ``item.records``: the
export record of each stored report, built by storage/export.py as ``yingji export`` does. The
database is the crawl's one Store, owned by the run record (crawler.runrecord.RunRecord), which
opened it before any request with the retry window of ``YINGJI_STORE_RETRY_SECONDS``.

A store that fails once its retries are spent (the database down for longer than a restart)
is an outcome ``failed`` with ``store_failed`` set — never a parse failure — and ends the
crawl with the close reason ``store_failed`` (every further store would only wait as long).
With a job directory (``-s JOBDIR=…``) the item is kept there (``unstored.pickle``) and a
resumed crawl stores it first, from the files store, without fetching its pages again; the
requests not yet done are issued again by the journal (crawler/dupefilter.py).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import logging
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from crawler.items import ReportItem
from crawler.runrecord import RunRecord
from ingest.storing import store_parsed
from ingest.types import NOT_PARSED, Choice, Found, Outcome, StoredDocument
from models.vocabulary import Outcome as Action
from pipelines.offload import run_in
from storage import Store
from storage.export import iter_reports

logger = logging.getLogger(__name__)


class _Stopping(Exception):
    """A store not tried: the crawl is stopping after an earlier store failed."""


UNSTORED_NAME = "unstored.pickle"
STOP_REASON = "store_failed"  # the close reason of a crawl the database stopped
#: the crawl stats that count each outcome (Scrapyd and the log show them)
STAT_KEYS = {
    Action.INSERT: "yingji/inserted",
    Action.NOOP: "yingji/noop",
    Action.NEW_VERSION: "yingji/new_version",
    Action.FAILED: "yingji/failed",
}


class StorePipeline:
    """Set ``item.outcomes`` (and ``item.records`` for feeds) by storing ``item.parsed``."""

    def __init__(self, crawler: Crawler, store: Store) -> None:
        self.crawler = crawler
        self.store = store
        self._writer = cf.ThreadPoolExecutor(1, thread_name_prefix="yingji-store")
        self.with_records = bool(crawler.settings.getdict("FEEDS"))
        jobdir = crawler.settings.get("JOBDIR")
        self.unstored = Path(jobdir) / UNSTORED_NAME if jobdir else None
        self._stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        record = crawler.get_extension(RunRecord)
        if record is None:
            raise RuntimeError(
                "pipelines.store.StorePipeline stores through the crawl's one Store, which the "
                "crawler.runrecord.RunRecord extension owns: enable it in EXTENSIONS"
            )
        pipeline = cls(crawler, record.open_store())
        # after the run record's own handler (connected first): the run is open, its id known
        crawler.signals.connect(pipeline.store_kept, signal=signals.spider_opened)
        return pipeline

    async def store_kept(self) -> None:
        """Store the items an earlier run of this job could not store, as the crawl opens."""
        if self.unstored is None or not self.unstored.exists():
            return
        kept = _load(self.unstored)
        self.unstored.unlink()
        logger.info("storing %d items kept by the interrupted run", len(kept))
        for item in kept:
            stored = await self.process_item(item)
            self.crawler.signals.send_catch_log(
                signals.item_scraped, item=stored, response=None, spider=self.crawler.spider
            )

    def close_spider(self) -> None:
        self._writer.shutdown(wait=True)

    async def process_item(self, item: ReportItem) -> ReportItem:
        stats = self.crawler.stats
        run_id = stats.get_value("yingji/run_id") if stats else None
        found = Found(item.region, item.site_name, item.title, run_id)
        choice = item.parsed or NOT_PARSED
        try:
            outcomes = await run_in(self._writer, self._write, choice, item.documents, found)
        except Exception as exc:  # the database, after its retries: this item, not the crawl
            if not isinstance(exc, _Stopping):
                logger.error("store failed for %s: %s: %s", item.url, type(exc).__name__, exc)
            reason = f"store failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            outcomes = (Outcome(Action.FAILED, reason, store_failed=True),)
            self._keep(item)
            self._stop()
        records = await self._records(item, outcomes)
        self._count(outcomes)
        return dataclasses.replace(item, outcomes=outcomes, records=records)

    def _count(self, outcomes: tuple[Outcome, ...]) -> None:
        stats = self.crawler.stats
        if stats is None:
            return
        for outcome in outcomes:
            stats.inc_value(STAT_KEYS[outcome.action])
            if outcome.store_failed:
                stats.inc_value("yingji/store_failed")

    def _write(
        self, choice: Choice, docs: Sequence[StoredDocument], found: Found
    ) -> tuple[Outcome, ...]:
        """One item's store, in the writer thread; once the crawl stops for a failed store,
        items still queued fail at once instead of each waiting out the retry window."""
        if self._stopping:
            raise _Stopping("the crawl stops: the database refused an earlier store")
        return store_parsed(self.store, choice, docs, found)

    async def _records(self, item: ReportItem, outcomes: tuple[Outcome, ...]) -> tuple[dict, ...]:
        """The export records of what the item stored, for the crawl's feeds."""
        ids = [o.version_id for o in outcomes if o.version_id is not None]
        if not self.with_records or not ids:
            return ()

        def read() -> tuple[dict, ...]:
            return tuple(iter_reports(self.store, all_versions=True, version_ids=ids))

        try:
            return await run_in(self._writer, read)
        except Exception as exc:  # stored, but the feed misses it: the exit code says so
            logger.error("feed record of %s not read: %s: %s", item.url, type(exc).__name__, exc)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("yingji/feed_errors")
            return ()

    def _stop(self) -> None:
        """End the crawl (reason ``store_failed``) once the database stayed down past its
        retry window: every further item would only wait as long and fail. Items in flight
        still finish (and are kept); the journal stays unfinished, so ``-s JOBDIR=…`` resumes."""
        engine = self.crawler.engine
        if self._stopping or engine is None or engine.spider is None:
            return
        self._stopping = True
        logger.error("the database refused a store past its retries: stopping the crawl")
        deferred_from_coro(engine.close_spider_async(reason=STOP_REASON))

    def _keep(self, item: ReportItem) -> None:
        """Append the item (its documents are in the files store already) to the job's list."""
        if self.unstored is None:
            return
        self.unstored.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(dataclasses.replace(item, body=None, outcomes=(), records=()))
        with self.unstored.open("ab") as fh:
            fh.write(len(data).to_bytes(8, "big") + data)
            fh.flush()
            os.fsync(fh.fileno())


def _load(path: Path) -> list[ReportItem]:
    """The kept items; a torn last one (a kill while writing) is dropped."""
    raw, items, at = path.read_bytes(), [], 0
    while at + 8 <= len(raw):
        size = int.from_bytes(raw[at : at + 8], "big")
        if at + 8 + size > len(raw):
            break
        items.append(pickle.loads(raw[at + 8 : at + 8 + size]))
        at += 8 + size
    return items
