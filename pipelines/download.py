"""Pipeline 1 of 3: put the article page and its attachments into the file store.

Why Scrapy's own downloader (``engine.download_async``) and not an HTTP client of our own: the
attachment requests then go through the same middlewares as the crawl — robots.txt, retries of
5xx and timeouts, redirects, AutoThrottle's per-site slot, the size cap (``DOWNLOAD_MAXSIZE`` or
the request's ``download_maxsize`` meta, which aborts a 60 MB decoy before its body arrives) and
the HTTP cache when enabled.

Each item gets ``item.documents``: one frozen ingest.types.StoredDocument per document, in order
article (and its further pages) / document / attachments, with ``kind, url, name, sha256, path,
size, content_type`` — or ``kind, url, name, error`` when the download failed (the parse step
records that failure with its reason).

An article over several pages has its pages 2…N (``item.pages``) stored as documents of kind
``page``, each under its own URL, next to the joined body (kind ``article``) that the parse step
reads: every page a report was made of stays in the file store and the documents table.

An attachment URL is fetched once per run (a city portal and a district portal may link the
same file, and two list entries may point at one article); across runs the file store's URL
index turns a re-download into a conditional request (``If-None-Match`` /
``If-Modified-Since``), and a ``304 Not Modified`` reuses the stored bytes. Many download
endpoints send no validator at all (Hanweb's ``downfile.jsp``), so when the item's page itself
revalidated unchanged (``item.revalidated``, crawler/cache.py) its attachments are taken as
unchanged and not requested: the stored copy from the URL index is reused (``not_modified``),
unless it was fetched more than ``YINGJI_DOCUMENT_MAX_AGE`` days ago. A report revised in
place changes its page, and then every document of it is fetched again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.items import ReportItem
from crawler.middlewares import site_key
from ingest.types import StoredDocument
from storage import config
from storage.files import FileStore, UrlEntry, filename_from_content_disposition, original_filename

logger = logging.getLogger(__name__)


def _header(response: Response, name: str) -> str | None:
    raw = response.headers.get(name)
    if raw is None:
        return None
    return raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)


def describe_error(exc: BaseException) -> str:
    """A reason a person can read, for the failed-document record."""
    if isinstance(exc, IgnoreRequest):
        return f"not downloaded: {exc or 'request ignored'}"
    if type(exc).__name__ == "DownloadCancelledError":
        return f"not downloaded: over the size cap ({exc})"
    text = str(exc).strip() or repr(exc)
    return f"download failed: {type(exc).__name__}: {text}"


class DownloadPipeline:
    """Fill ``item.documents`` from ``item.body`` and the item's attachment URLs."""

    def __init__(self, crawler: Crawler, store: FileStore) -> None:
        self.crawler = crawler
        self.store = store
        self.max_attachments = crawler.settings.getint("YINGJI_MAX_ATTACHMENTS", 10)
        # a cap for documents alone (0: DOWNLOAD_MAXSIZE applies, as to every request)
        self.maxsize = crawler.settings.getint("YINGJI_DOCUMENT_MAXSIZE", 0)
        # seconds a stored document is reused for an unchanged page (0: never)
        self.max_age = crawler.settings.getfloat("YINGJI_DOCUMENT_MAX_AGE") * 86400
        self._done: dict[str, dict[str, Any]] = {}
        self._waiting: dict[str, list[Deferred[dict[str, Any]]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DownloadPipeline:
        settings = crawler.settings
        root = config.files_store(
            settings.get("YINGJI_FILES_STORE") or None, settings.get("DATABASE_URL") or None
        )
        return cls(crawler, FileStore(root))

    async def process_item(self, item: ReportItem) -> ReportItem:
        docs: list[StoredDocument] = []
        if item.body is not None:
            docs.append(self._page("article", item.url, item.body, item.body_encoding))
            docs += [self._page("page", p.url, p.body, p.encoding) for p in item.pages]
        else:
            docs.append(await self._document(item.url, None, "document", item.site_url))
        seen = {item.url}
        for att in item.attachments[: self.max_attachments]:
            if att.url in seen:
                continue
            seen.add(att.url)
            reused = self._reused(att.url, att.name) if item.revalidated else None
            docs.append(
                reused or await self._document(att.url, att.name, "attachment", item.site_url)
            )
        return dataclasses.replace(item, documents=tuple(docs))

    def _page(self, kind: str, url: str, body: bytes, encoding: str | None) -> StoredDocument:
        """An article page received by the spider (the joined body, or one of its pages)."""
        stored = self.store.put(body)
        return StoredDocument(
            kind=kind,
            url=url,
            name=original_filename(None, None, url),
            sha256=stored.sha256,
            path=stored.path,
            size=stored.size,
            content_type="text/html" + (f"; charset={encoding}" if encoding else ""),
        )

    def _reused(self, url: str, link_text: str | None) -> StoredDocument | None:
        """The stored copy of an attachment of an unchanged page, when it is young enough;
        None: fetch it. A download of this run (another page linked it) is fresher still."""
        if url in self._done or self.max_age <= 0:
            return None
        known = self.store.lookup_url(url)
        if known is None or known.fetched is None or time.time() - known.fetched > self.max_age:
            return None
        if self.crawler.stats:
            self.crawler.stats.inc_value("yingji/documents/reused")
        return StoredDocument(
            kind="attachment",
            url=url,
            name=known.name or original_filename(None, link_text, url),
            sha256=known.sha256,
            path=self._relative(known.sha256),
            size=known.size,
            content_type=known.content_type,
            not_modified=True,
        )

    def _relative(self, sha256: str) -> str:
        return self.store.path_of(sha256).relative_to(self.store.root).as_posix()

    async def _document(
        self, url: str, link_text: str | None, kind: str, site_url: str
    ) -> StoredDocument:
        fetched = await self._fetch_once(url, site_url)
        return StoredDocument(
            kind=kind,
            url=fetched["url"],
            name=fetched.get("header_name") or original_filename(None, link_text, url),
            sha256=fetched.get("sha256"),
            path=fetched.get("path"),
            size=fetched.get("size"),
            content_type=fetched.get("content_type"),
            not_modified=bool(fetched.get("not_modified")),
            error=fetched.get("error"),
        )

    async def _fetch_once(self, url: str, site_url: str) -> dict[str, Any]:
        """Download ``url`` at most once per run; concurrent callers wait for the first."""
        if url in self._done:
            return self._done[url]
        if url in self._waiting:
            waiter: Deferred[dict[str, Any]] = Deferred()
            self._waiting[url].append(waiter)
            return await maybe_deferred_to_future(waiter)
        self._waiting[url] = []
        try:
            result = await self._fetch(url, site_url)
        except Exception as exc:  # any failure is a recorded reason, never a lost crawl
            logger.warning("attachment %s: %s", url, describe_error(exc))
            result = {"url": url, "error": describe_error(exc)}
        self._done[url] = result
        for waiter in self._waiting.pop(url):
            waiter.callback(result)
        return result

    async def _fetch(self, url: str, site_url: str) -> dict[str, Any]:
        known = self.store.lookup_url(url)
        headers: dict[str, str] = {}
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        request = Request(
            url,
            headers=headers,
            dont_filter=True,
            # the site's download slot: one request at a time per site, attachments included;
            # no ``seed_url``, so the spider's page caps do not cut off a report's files
            meta={
                "yingji_document": True,
                "yingji_site": site_url,  # a refused address is counted on the site
                "download_slot": f"site:{site_key(site_url)}",
            },
        )
        if self.maxsize:
            request.meta["download_maxsize"] = self.maxsize
        assert self.crawler.engine is not None
        response: Response = await self.crawler.engine.download_async(request)
        stats = self.crawler.stats
        if response.status == 304 and known is not None:
            if stats:
                stats.inc_value("yingji/documents/not_modified")
            self.store.remember_url(dataclasses.replace(known, fetched=time.time()))
            return {
                "url": url,
                "header_name": known.name,
                "sha256": known.sha256,
                "path": self._relative(known.sha256),
                "size": known.size,
                "content_type": known.content_type,
                "not_modified": True,
            }
        if response.status != 200:
            return {"url": url, "error": f"download failed: HTTP {response.status}"}
        stored = self.store.put(response.body)
        header_name = filename_from_content_disposition(response.headers.get("Content-Disposition"))
        content_type = _header(response, "Content-Type")
        self.store.remember_url(
            UrlEntry(
                url=url,
                sha256=stored.sha256,
                size=stored.size,
                name=header_name,
                content_type=content_type,
                etag=_header(response, "ETag"),
                last_modified=_header(response, "Last-Modified"),
                fetched=time.time(),
            )
        )
        if stats:
            stats.inc_value("yingji/documents/downloaded")
            stats.inc_value("yingji/documents/bytes", len(response.body))
        return {
            "url": url,
            "header_name": header_name,
            "sha256": stored.sha256,
            "path": stored.path,
            "size": stored.size,
            "content_type": content_type,
        }
