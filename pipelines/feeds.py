"""Scrapy's feeds (``-O reports.jsonl``, ``-o x.csv``, ``FEEDS``) as yingji's export.

Why exporters and not the item: the item is the pipeline's working state (the page's bytes,
every parse attempt), not data for people. ``FEED_EXPORTERS`` (crawler/settings.py) maps each
format to an exporter here that writes, for each item, the export records of the reports it
stored (``item.records``, built by storage/export.py exactly as ``yingji export`` builds them):
a page with several reports gives several records, a failed item none. The CSV is the one
``yingji export --format csv`` writes (its columns are the cells of every record, so it is
written when the feed closes). An error while exporting is counted in ``yingji/feed_errors``,
which fails the crawl's exit code (crawler/commands/crawl.py).
"""

from __future__ import annotations

import io
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exporters import (
    BaseItemExporter,
    JsonItemExporter,
    JsonLinesItemExporter,
    XmlItemExporter,
)

from storage.export import write_csv


def records_of(item: Any) -> tuple[dict[str, Any], ...]:
    """The export records an item carries (none for an item that stored nothing)."""
    if isinstance(item, dict):  # an item from another spider: passed through as it is
        return (item,)
    return tuple(getattr(item, "records", None) or ())


class _Records(BaseItemExporter):
    """Export each of an item's records instead of the item; count what goes wrong."""

    stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: Any, **kwargs: Any) -> _Records:
        exporter = cls(file, **kwargs)  # type: ignore[call-arg]
        exporter.stats = crawler.stats
        return exporter

    def export_item(self, item: Any) -> None:
        try:
            for record in records_of(item):
                self.export_record(record)
        except Exception:
            if self.stats is not None:
                self.stats.inc_value("yingji/feed_errors")
            raise

    def export_record(self, record: dict[str, Any]) -> None:
        super().export_item(record)  # type: ignore[safe-super]


class JsonLinesRecordExporter(_Records, JsonLinesItemExporter):
    """One export record a line, as ``yingji export`` writes them."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)


class JsonRecordExporter(_Records, JsonItemExporter):
    """A JSON array of export records."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)


class XmlRecordExporter(_Records, XmlItemExporter):
    """Export records as XML items."""


class CsvRecordExporter(_Records):
    """``yingji export --format csv``: the records are kept and written at the close, since
    the columns are the cells every record holds."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.records: list[dict[str, Any]] = []

    def export_record(self, record: dict[str, Any]) -> None:
        self.records.append(record)

    def finish_exporting(self) -> None:
        try:
            text = io.StringIO()
            write_csv(self.records, text)
            self.file.write(text.getvalue().encode(self.encoding or "utf-8"))
        except Exception:
            if self.stats is not None:
                self.stats.inc_value("yingji/feed_errors")
            raise
