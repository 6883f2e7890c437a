"""The request fingerprinter: URLs that differ only in tracking parameters are one request.

The dupe filter, the HTTP cache and the resume journal all key requests by this fingerprint,
so a ``?from=…&_t=…`` variant of a page is fetched, cached and journaled once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.utils.request import fingerprint

from crawler.discovery import canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class CanonicalRequestFingerprinter:
    """Scrapy's fingerprint, computed on the canonical URL (see discovery.canonical_url)."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalRequestFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        if request not in self._cache:
            canon = request.replace(url=canonical_url(request.url))
            self._cache[request] = fingerprint(canon)
        return self._cache[request]
