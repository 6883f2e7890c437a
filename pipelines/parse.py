"""Pipeline 2 of 3: run the shared parser over the item's documents, off the reactor thread.

The work and its policy are ingest/'s: :func:`ingest.parsing.parse_stored` per document, in an
:class:`ingest.parsing.ParsePool` (bounded workers, ``YINGJI_PARSE_TIMEOUT`` per parse, a dead
or hung pool replaced), then :func:`ingest.choice.choose` picks the item's report. This adapter
only awaits the pool from the reactor (at most one job per worker in flight, so the time limit
measures the parse itself, never the wait behind a burst of other items' documents).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer

from crawler.items import ReportItem
from ingest.choice import choose
from ingest.parsing import DEFAULT_TIMEOUT, ParsePool, default_workers, parse_stored
from ingest.types import ParseAttempt
from ingest.workerguard import MemoryLimits
from pipelines.offload import run_in
from storage import config

logger = logging.getLogger(__name__)


def memory_limits(s: Settings) -> MemoryLimits:
    """The parse workers' memory limits: a Scrapy setting wins over the environment variable of
    the same name (which ``yingji reparse`` reads too), which wins over the default."""
    env = MemoryLimits.from_env()
    rss, vm = s.get("YINGJI_PARSE_MEMORY_MB"), s.get("YINGJI_PARSE_MAX_VM_MB")
    return dataclasses.replace(
        env,
        rss_mb=env.rss_mb if rss is None else float(rss),
        vm_mb=env.vm_mb if vm is None else float(vm),
    )


class ReactorParsePool:
    """An :class:`ingest.parsing.ParsePool` whose jobs the reactor awaits without blocking."""

    def __init__(
        self, kind: str, workers: int, timeout: float, memory: MemoryLimits | None = None
    ) -> None:
        self.policy = ParsePool(kind, workers, timeout, memory)
        self._slots = defer.DeferredSemaphore(self.policy.workers)

    async def run(self, fn: Callable[..., ParseAttempt], *args: Any) -> ParseAttempt:
        await maybe_deferred_to_future(self._slots.acquire())
        try:
            for attempt in (1, 2):
                executor = self.policy.executor()
                try:
                    return await run_in(executor, fn, *args, timeout=self.policy.timeout)
                except defer.TimeoutError:
                    exc: BaseException = TimeoutError()
                except Exception as error:
                    exc = error
                out = self.policy.failure(exc, executor, attempt)
                if out is not None:
                    return out
            raise AssertionError("unreachable")
        finally:
            self._slots.release()

    def close(self) -> None:
        self.policy.close()


class ParsePipeline:
    """Fill ``item.parsed`` from ``item.documents``."""

    def __init__(self, root: str, pool: ReactorParsePool) -> None:
        self.root = root
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        s = crawler.settings
        root = config.files_store(
            s.get("YINGJI_FILES_STORE") or None, s.get("DATABASE_URL") or None
        )
        workers = s.getint("YINGJI_PARSE_WORKERS", 0) or default_workers()
        pool = ReactorParsePool(
            s.get("YINGJI_PARSE_POOL", "process"),
            workers,
            s.getfloat("YINGJI_PARSE_TIMEOUT", DEFAULT_TIMEOUT),
            memory_limits(s),
        )
        return cls(str(root), pool)

    def close_spider(self) -> None:
        self.pool.close()

    async def process_item(self, item: ReportItem) -> ReportItem:
        candidates = []
        for doc in item.documents:
            if doc.error is not None or doc.sha256 is None:
                att = ParseAttempt.failed(doc.error or "not downloaded", "download")
            else:
                att = await self.pool.run(
                    parse_stored, self.root, doc.sha256, doc.name, doc.content_type
                )
            candidates.append((doc, att))
        parsed = choose(item.url, candidates, item.title)
        if parsed.result is None:
            logger.info("no report in %s: %s", item.url, parsed.error)
        return dataclasses.replace(item, parsed=parsed)
