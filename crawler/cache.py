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
"""

from __future__ import annotations

from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Request, Response


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


#: What a scheduled crawl (``yingji crawl``, ``yingji cluster schedule``) sets on top of the
#: project settings: the HTTP cache under this policy.
INCREMENTAL_SETTINGS: dict[str, str] = {
    "HTTPCACHE_ENABLED": "True",
    "HTTPCACHE_POLICY": f"{__name__}.RevalidatingPolicy",
}
