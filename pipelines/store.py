"""Pipeline 3 of 3: store what the parse step chose (ingest.storing.store_parsed).

The work is ingest/'s — one transaction per item: its documents, their statuses, its report(s)
and every source. This adapter runs it in a single writer thread (database calls block, and one
writer per process keeps SQLite's lock queue short) and sets ``item.outcome`` (insert / noop /
new_version / failed). The database is the crawl's one Store, owned by the run record
(crawler.runrecord.RunRecord), which opened it before any request.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import logging

from scrapy.crawler import Crawler

from crawler.items import ReportItem
from crawler.runrecord import RunRecord
from ingest.storing import store_parsed
from ingest.types import Found
from models.vocabulary import Outcome
from pipelines.offload import run_in
from storage import Store

logger = logging.getLogger(__name__)


class StorePipeline:
    """Set ``item.outcome`` by storing ``item.parsed``."""

    def __init__(self, crawler: Crawler, store: Store) -> None:
        self.crawler = crawler
        self.store = store
        self._writer = cf.ThreadPoolExecutor(1, thread_name_prefix="yingji-store")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        record = crawler.get_extension(RunRecord)
        if record is None:
            raise RuntimeError(
                "pipelines.store.StorePipeline stores through the crawl's one Store, which the "
                "crawler.runrecord.RunRecord extension owns: enable it in EXTENSIONS"
            )
        return cls(crawler, record.open_store())

    def close_spider(self) -> None:
        self._writer.shutdown(wait=True)

    async def process_item(self, item: ReportItem) -> ReportItem:
        stats = self.crawler.stats
        run_id = stats.get_value("yingji/run_id") if stats else None
        found = Found(item.region, item.site_name, item.title, run_id)
        # a copy: storing records each further report's outcome on it, not on the parse's dicts
        given = item.parsed or {"status": "failed", "error": "not parsed"}
        parsed = {**given, "others": [dict(o) for o in given.get("others") or []]}
        if "others" not in given:
            del parsed["others"]
        try:
            outcome, reason = await run_in(
                self._writer,
                store_parsed,
                self.store,
                parsed,
                [d.as_dict() for d in item.documents],
                found,
            )
        except Exception as exc:  # a database error costs this item, not the crawl
            logger.exception("could not store %s", item.url)
            outcome, reason = Outcome.FAILED, f"store error: {type(exc).__name__}: {exc}"
        if stats:
            stats.inc_value(f"yingji/outcome/{outcome}")
        if reason and item.parsed is not None:
            parsed["error"] = reason
        return dataclasses.replace(
            item, parsed=parsed if item.parsed is not None else None, outcome=str(outcome)
        )
