"""A minimal spider for the resume tests: a tree of pages, one item per leaf, kept in SQLite.

It is run with ``scrapy runspider`` in a subprocess so that it can be killed. Its pipeline
inserts every item it receives without de-duplication, so a page processed twice shows up
twice and a page lost does not show up at all: the tests see exactly what the journal did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response


class TreeSpider(scrapy.Spider):
    name = "tree"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ITEM_PIPELINES": {f"{__name__}.SQLitePipeline": 300}
    }

    def __init__(self, root: str = "", db: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = root
        self.db = db

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.root, callback=self.parse_index)

    def parse_index(self, response: Response) -> Any:
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_list, cb_kwargs={"depth": 1})

    def parse_list(self, response: Response, depth: int) -> Any:
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_leaf, cb_kwargs={"depth": depth + 1})

    def parse_leaf(self, response: Response, depth: int) -> Any:
        yield {"url": response.url, "title": response.css("title::text").get(), "depth": depth}


class SQLitePipeline:
    def open_spider(self, spider: TreeSpider) -> None:
        self.conn = sqlite3.connect(spider.db, isolation_level=None)
        self.conn.execute("CREATE TABLE IF NOT EXISTS items (url TEXT, title TEXT)")

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        self.conn.execute("INSERT INTO items VALUES (?, ?)", (item["url"], item["title"]))
        return item

    def close_spider(self, spider: TreeSpider) -> None:
        self.conn.close()
