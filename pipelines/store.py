"""Pipeline 3 of 3: store what the parse step chose, through the storage layer (storage.store).

The plain function :func:`store_parsed` does the work; the pipeline only runs it in a single
writer thread (database calls block, and one writer per process keeps SQLite's lock queue
short) and sets ``item.outcome`` (insert / noop / new_version / failed). ``yingji reparse``
calls the same function, so a re-parse stores exactly as a crawl does.

What it does for one item:

- every downloaded document is registered (metadata, where it was found, its latest parse
  status and reason) — so a broken file keeps its reason and ``yingji reparse`` finds it;
- an agency name that names no place (区应急管理局) is completed from the seed's region
  (河南省新乡市红旗区 -> 红旗区应急管理局) and the record says so with the parser's documented
  warning ``agency_incomplete``;
- agency and year that the document does not state come from the listing's title
  (``title_from_hint``);
- the record is stored with its agency's region (the division, else the seed's region) and
  every source URL; identity is the agency's division, so a city portal republishing a
  district's report adds a source to that report instead of making a second one.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import sys
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler

from crawler.items import ReportItem
from pipelines.offload import run_in
from storage import config

logger = logging.getLogger(__name__)

COMPLETED_CODE = "agency_incomplete"  # documented by the parser: "complete it from the site"


@dataclass(frozen=True, slots=True)
class Found:
    """Where an item's documents were found: the seed's site."""

    region: str | None
    site_name: str | None = None
    title: str | None = None
    run_id: int | None = None


def complete_record(
    record: dict[str, Any], region: str | None
) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The record with its agency completed from ``region`` when the name names no place.

    Returns the (copied) record and the warning to add, or ``None`` when nothing changed.
    """
    from storage.identity import complete_agency

    agency = record.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        return record, None
    completed, changed = complete_agency(agency, region)
    if not changed:
        return record, None
    warning = {
        "code": COMPLETED_CODE,
        "message": f"the title says {agency}; completed from the site's region {region} "
        f"as {completed}",
        "where": "agency",
    }
    return {**record, "agency": completed}, warning


def fill_from_title(
    record: dict[str, Any], title: str | None
) -> tuple[dict[str, Any], dict[str, str] | None]:
    """Agency and year the document does not state, taken from the listing's title.

    An article body often starts with the tables, its title being in the page chrome the
    parser leaves out; the list the spider read it from names the report. Only missing values
    are filled, and the record says so with the parser's documented ``title_from_hint``.
    """
    if not title or (record.get("agency") and record.get("year")):
        return record, None
    from yingji_parser.metadata import split_title

    agency, year = split_title(title)
    filled: dict[str, Any] = {}
    if not record.get("agency") and agency:
        filled["agency"] = agency
    if not record.get("year") and year:
        filled["year"] = year
    if not filled:
        return record, None
    warning = {
        "code": "title_from_hint",
        "message": f"{', '.join(filled)} taken from the listing title {title!r}",
        "where": "title",
    }
    return {**record, **filled, "title": record.get("title") or title}, warning


def report_region(agency: str | None, seed_region: str | None) -> str | None:
    """The region of the report: its agency's division when known, else the seed's region.

    A city portal republishing a district's report is found on a site of the city; the report
    is still the district's (河南省洛阳市 + 孟津区应急管理局 -> 河南省洛阳市孟津区).
    """
    if not agency:
        return seed_region
    from storage.identity import agency_identity, division_table

    division = agency_identity(agency, seed_region).division
    return division_table().full_name(division) if division is not None else seed_region


def document_status(candidate: dict[str, Any]) -> tuple[str, str | None]:
    """A document's latest parse status and reason, as the documents table keeps it."""
    if candidate.get("report"):
        return str(candidate["status"]), None
    if candidate.get("error"):
        return "failed", str(candidate["error"])
    status = candidate.get("status")
    return (
        "failed",
        f"no report in this document (parser status {status}, {candidate.get('cells', 0)} cells)",
    )


def store_parsed(
    store: Any, parsed: dict[str, Any], documents: list[dict[str, Any]], found: Found
) -> tuple[str, str | None]:
    """Store one item's parse; returns ``(outcome, reason)`` with outcome insert / noop /
    new_version / failed (reason set for failed). More reports the page carried
    (``parsed["others"]``) are stored too, each getting its own ``outcome`` and ``error``."""

    candidates = {c.get("sha256"): c for c in parsed.get("candidates") or [] if c.get("sha256")}
    for doc in documents:
        if "sha256" not in doc:
            continue
        cand = candidates.get(doc["sha256"], {})
        store.add_document(
            doc["sha256"],
            doc_type=cand.get("doc_type"),
            size=doc.get("size"),
            path=doc.get("path"),
            original_name=doc.get("name"),
            content_type=doc.get("content_type"),
            url=doc.get("url"),
            region=found.region,
            site_name=found.site_name,
            title=found.title,
        )
        if cand:
            status, reason = document_status(cand)
            store.set_document_status(doc["sha256"], status, reason, cand.get("parser_version"))

    source = parsed.get("source") or {}
    if parsed.get("status") == "failed" or not parsed.get("record"):
        reason = parsed.get("error") or "no report found"
        return _failed(store, source, documents, reason, found, parsed)
    result = _store_report(store, parsed, documents, found)
    for other in parsed.get("others") or []:  # more reports on the same page (other years)
        other["outcome"], other["error"] = _store_report(store, other, documents, found)
    return result


def _store_report(
    store: Any, parsed: dict[str, Any], documents: list[dict[str, Any]], found: Found
) -> tuple[str, str | None]:
    """Complete one chosen record and store it with all its sources."""
    from storage.reports import UnstorableRecord

    source = parsed.get("source") or {}
    warnings = list(parsed.get("warnings") or [])
    record, hint = fill_from_title(parsed["record"], found.title)
    if hint is not None:
        was = parsed["record"]
        resolved = {f"{k}_missing" for k in ("title", "agency", "year") if not was.get(k)}
        resolved -= {f"{k}_missing" for k in ("title", "agency", "year") if not record.get(k)}
        warnings = [w for w in warnings if w.get("code") not in resolved] + [hint]
    record, warning = complete_record(record, found.region)
    if warning is not None:
        warnings = [w for w in warnings if w.get("code") != COMPLETED_CODE] + [warning]
    primary = source.get("url") or (parsed.get("sources") or [None])[0]
    region = report_region(record.get("agency"), found.region)
    version = {
        "region": region,
        "raw_sha256": source["sha256"],
        "raw_type": parsed.get("doc_type") or "unknown",
        "status": parsed["status"],
        "warnings": warnings,
        "parser_version": parsed.get("parser_version") or "",
    }
    try:
        outcome = store.store_report(record, source_url=primary, run_id=found.run_id, **version)
    except UnstorableRecord as exc:
        return _failed(store, source, documents, f"not storable: {exc}", found, parsed)
    for url in parsed.get("sources") or []:
        if url != primary:  # the same content again: adds the URL as a source of that version
            store.store_report(record, source_url=url, **version)
    return outcome.action, None


def _failed(
    store: Any,
    source: dict[str, Any],
    documents: list[dict[str, Any]],
    reason: str,
    found: Found,
    parsed: dict[str, Any],
) -> tuple[str, str]:
    """Record the failure on the document to blame (counted once in the run): the source, or,
    when that one never downloaded, the item's page, which carries the reason instead."""
    blame = source if source.get("sha256") else next((d for d in documents if "sha256" in d), {})
    if blame.get("sha256"):
        store.set_document_status(
            blame["sha256"], "failed", reason, parsed.get("parser_version"), run_id=found.run_id
        )
    return "failed", reason


class StorePipeline:
    """Set ``item.outcome`` by storing ``item.parsed``."""

    def __init__(self, crawler: Crawler, url: str) -> None:
        self.crawler = crawler
        self.url = url
        self.store: Any = None
        self._writer = cf.ThreadPoolExecutor(1, thread_name_prefix="yingji-store")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        from storage import Store
        from storage.errors import UserError

        pipeline = cls(crawler, config.database_url(crawler.settings.get("DATABASE_URL") or None))
        try:
            # migrates a fresh database; a bad URL, an unreachable server or a newer schema
            # stops the crawl here, before any request, with one line instead of a traceback
            pipeline.store = Store(pipeline.url)
        except UserError as exc:
            print(f"scrapy crawl: error: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        return pipeline

    def close_spider(self) -> None:
        self._writer.shutdown(wait=True)
        if self.store is not None:
            self.store.close()

    async def process_item(self, item: ReportItem) -> ReportItem:
        stats = self.crawler.stats
        run_id = stats.get_value("yingji/run_id") if stats else None
        found = Found(item.region, item.site_name, item.title, run_id)
        parsed = item.parsed or {"status": "failed", "error": "not parsed"}
        try:
            outcome, reason = await run_in(
                self._writer, store_parsed, self.store, parsed, item.documents, found
            )
        except Exception as exc:  # a database error costs this item, not the crawl
            logger.exception("could not store %s", item.url)
            outcome, reason = "failed", f"store error: {type(exc).__name__}: {exc}"
        item.outcome = outcome
        if reason and item.parsed is not None:
            item.parsed["error"] = reason
        if stats:
            stats.inc_value(f"yingji/outcome/{outcome}")
        return item
