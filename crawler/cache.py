"""The HTTP cache policy of incremental recrawls: keep pages, but always ask the server again.

Why not Scrapy's ``RFC2616Policy`` as it is: for a page without ``Cache-Control`` it derives a
freshness lifetime from ``Last-Modified`` (a tenth of the page's age, Firefox's heuristic), and a
page last changed a year ago would then be served from the cache for weeks without asking the
site. A weekly or monthly recrawl must see a report that changed yesterday, so here every cached
page is stale: the request goes out with ``If-None-Match`` / ``If-Modified-Since`` from the cached
copy, the server answers ``304 Not Modified`` with no body when nothing changed, and the cached
page is used. What a recrawl of unchanged sites costs is then headers only.

Documents (attachments, requests marked with the ``yingji_document`` meta key by the download
pipeline) are not cached here: the file store already keeps their bytes and revalidates them
from its own URL index, and caching them twice would double the disk used by the largest files.

A page the server confirmed unchanged (its 304) carries the response flag :data:`REVALIDATED`.
Why: many download endpoints (Hanweb's ``downfile.jsp`` and the like) send no validator, so
their documents cannot be revalidated themselves; the page that links them can, and an
unchanged report page means unchanged documents (pipelines/download.py then reuses the stored
copies without a request, up to ``YINGJI_DOCUMENT_MAX_AGE``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Headers, Request, Response
from scrapy.utils.project import data_path

logger = logging.getLogger(__name__)

#: the flag of a cached page the server answered ``304 Not Modified`` for in this crawl (not of a
#: cached page served because the server failed: that one says nothing about its documents)
REVALIDATED = "revalidated"


def revalidated(response: Response) -> bool:
    """Whether the server confirmed in this crawl that ``response`` is unchanged (a 304)."""
    return REVALIDATED in response.flags


class RevalidatingPolicy(RFC2616Policy):
    """RFC 2616 caching in which a cached page is never fresh: it is always revalidated."""

    def should_cache_request(self, request: Request) -> bool:
        if request.meta.get("yingji_document"):
            return False
        return super().should_cache_request(request)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        # The parent sets the conditional validators only on its "stale" path; take that path
        # always so that every request carries what lets the server answer 304.
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        valid = super().is_cached_response_valid(cachedresponse, response, request)
        if valid and response.status == 304 and REVALIDATED not in cachedresponse.flags:
            cachedresponse.flags.append(REVALIDATED)
        return valid


class OversizeMemoMiddleware:
    """Remember URLs that were over the size cap; on later crawls ask with HEAD first.

    Why: a file over ``DOWNLOAD_MAXSIZE`` (or the request's ``download_maxsize``) is cut off
    after its headers, but by then the server has pushed what fits in the socket buffers —
    megabytes on a fast link — and the HTTP cache has nothing to revalidate. So the URL and its
    announced size go to ``oversize.json`` in the cache directory, and on a later crawl the
    request is sent as ``HEAD``: still too big -> ignored at the cost of headers; small now ->
    the real request goes out again (``dont_filter``: its fingerprint was already seen).
    Active with the HTTP cache (it lives in ``HTTPCACHE_DIR``).
    """

    MEMO_NAME = "oversize.json"

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("HTTPCACHE_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.path = Path(data_path(settings["HTTPCACHE_DIR"], createdir=True)) / self.MEMO_NAME
        try:
            self.memo: dict[str, int] = dict(json.loads(self.path.read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            self.memo = {}
        crawler.signals.connect(self._headers_received, signal=signals.headers_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OversizeMemoMiddleware:
        return cls(crawler)

    def _cap(self, request: Request) -> int:
        return int(request.meta.get("download_maxsize", self.maxsize) or 0)

    def _headers_received(
        self, headers: Headers, body_length: Any, request: Request, **_: Any
    ) -> None:
        if request.method != "GET" or not isinstance(body_length, int):
            return
        cap = self._cap(request)
        if cap and body_length > cap and self.memo.get(request.url) != body_length:
            self.memo[request.url] = body_length
            self._save()

    def _save(self) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".oversize-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.memo, fh, ensure_ascii=False)
        os.replace(tmp, self.path)

    def process_request(self, request: Request) -> Request | None:
        if request.method == "GET" and request.url in self.memo:
            probe = request.replace(method="HEAD", dont_filter=True)
            probe.meta["yingji_size_probe"] = request
            return probe
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        original = request.meta.get("yingji_size_probe")
        if original is None:
            return response
        try:
            size = int(response.headers.get(b"Content-Length") or -1)
        except ValueError:
            size = -1
        cap = self._cap(original)
        if response.status == 200 and cap and size > cap:
            self._inc("yingji/oversize/skipped")
            raise IgnoreRequest(f"over the size cap ({size} > {cap} bytes), as last time")
        del self.memo[original.url]
        self._save()
        return original.replace(dont_filter=True)

    def _inc(self, key: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(key)
