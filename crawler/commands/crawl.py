"""``scrapy crawl`` with an exit code that does not hide lost data.

Scrapy's own command exits non-zero only when the crawl could not start. A crawl whose
database refused reports after every retry, or whose feed (``-O reports.jsonl``) could not be
written, has lost data for its user: it exits 1, after the run record's closing ERROR line.
The verdict is in the crawl's stats (``yingji/exit_code`` set by crawler/runrecord.py,
``yingji/feed_errors`` by pipelines/feeds.py, Scrapy's ``feedexport/failed_count/*``), so
Scrapyd and monitors read the same thing.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def failed(stats: dict[str, Any]) -> bool:
    """Whether a crawl with these stats lost data: unstored reports or a feed error."""
    if stats.get("yingji/exit_code") or stats.get("yingji/feed_errors"):
        return True
    return any(k.startswith("feedexport/failed_count/") and v for k, v in stats.items())


class Command(ScrapyCrawl):
    def _create_crawler(self, *args: Any, **kwargs: Any) -> Crawler:
        crawler = super()._create_crawler(*args, **kwargs)
        self._yingji_crawler = crawler
        return crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        crawler: Crawler | None = getattr(self, "_yingji_crawler", None)
        if self.exitcode == 0 and crawler is not None and crawler.stats is not None:
            stats = crawler.stats.get_stats()
            if failed(stats):
                if stats.get("yingji/feed_errors"):
                    logger.error("the feed could not be written in full")
                self.exitcode = 1
