"""The run's heartbeat: a running crawl writes ``crawl_runs.alive_at`` every minute.

Why: a crawl killed and never resumed cannot close its run, which would then read ``running``
for ever. Whether its process is gone cannot be asked of the machine that ran it — with Scrapyd
that is another node, perhaps the one that died — but every crawl writes to the one database,
so a run whose last sign of life is older than ``storage.runs.QUIET_LIMIT`` was killed:
``yingji runs`` shows it as interrupted (until a resumed crawl continues it, crawler/runresume.py).

An extension next to the run record (``EXTENSIONS``), using the record's Store and run id. The
write is one ``UPDATE`` in a thread of the reactor's pool, tried once: a database that is down
delays nothing and only misses a beat (the store's own retries say what is wrong).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.internet import task, threads

from crawler.runrecord import RunRecord

logger = logging.getLogger(__name__)


class RunHeartbeat:
    """Scrapy extension: ``alive_at`` of the crawl's run, every ``storage.runs.HEARTBEAT``."""

    def __init__(self, crawler: Crawler) -> None:
        from storage.runs import HEARTBEAT

        self.crawler = crawler
        self.interval = HEARTBEAT.total_seconds()
        self._loop: task.LoopingCall | None = None
        self._record: RunRecord | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunHeartbeat:
        ext = cls(crawler)
        # connected after the run record's own handler: the run is open when this one runs
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self._record = self.crawler.get_extension(RunRecord)
        if self._record is None or self._record.run_id is None:
            return
        self._loop = task.LoopingCall(self.beat)
        self._loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def beat(self) -> Any:
        """Write the sign of life in a thread; a failure is logged, never raised."""
        record = self._record
        if record is None or record.store is None or record.run_id is None:
            return None
        store, run_id = record.store, record.run_id
        d = threads.deferToThread(write_alive, store, run_id, datetime.now(UTC))
        d.addErrback(lambda f: logger.debug("heartbeat of run %s missed: %s", run_id, f.value))
        return None


def write_alive(store: Any, run_id: int, when: datetime) -> None:
    """One attempt, no retries: the next beat is the retry."""
    from storage import runs

    with store.engine.begin() as conn:
        runs.alive(conn, run_id, when)
