"""A minimal spider for the cache tests: fetch ``/file`` from ``root`` and record its size.

Run with ``scrapy runspider`` in a subprocess; each item is a row in SQLite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response


class SizeSpider(scrapy.Spider):
    name = "size"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ITEM_PIPELINES": {f"{__name__}.SQLitePipeline": 300}
    }

    def __init__(self, root: str = "", db: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = root
        self.db = db

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.root + "file", callback=self.parse_file)

    def parse_file(self, response: Response) -> Any:
        yield {"url": response.url, "size": len(response.body)}


class SQLitePipeline:
    def open_spider(self, spider: SizeSpider) -> None:
        self.conn = sqlite3.connect(spider.db, isolation_level=None)
        self.conn.execute("CREATE TABLE IF NOT EXISTS items (url TEXT, size INTEGER)")

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        self.conn.execute("INSERT INTO items VALUES (?, ?)", (item["url"], item["size"]))
        return item

    def close_spider(self, spider: SizeSpider) -> None:
        self.conn.close()
