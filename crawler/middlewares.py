"""Politeness and safety that hold whatever a page links to.

- :class:`SiteGuardMiddleware`: every request belongs to one seed (``meta["seed_url"]``) and is
  dropped when it leaves that seed's site (spam mirrors), when the site was found blocked, or
  when it would pass the per-site page cap or the per-URL-template cap that bounds
  calendar-style traps. One download slot per site keeps one request at a time per site even
  when the site spans subdomains.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import tldextract
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest

from crawler.discovery import url_template

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# The public-suffix snapshot bundled with tldextract; never fetched over the network.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def site_key(url: str) -> str:
    """What "the same site" means: the registrable domain (mengjin.gov.cn covers www. and
    yjglj.), or the host itself for bare IP addresses and names without a public suffix."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    ext = _EXTRACT(host)
    domain = getattr(ext, "top_domain_under_public_suffix", None) or ext.registered_domain
    return domain or host


def same_site(url: str, seed_url: str) -> bool:
    return site_key(url) == site_key(seed_url)


class SiteGuardMiddleware:
    """Downloader middleware: the per-site rules every request of the spider passes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # defaults as in crawler/settings.py, for crawlers built without the project settings
        self.max_pages = crawler.settings.getint("YINGJI_MAX_PAGES_PER_SITE")
        self.max_per_template = crawler.settings.getint("YINGJI_MAX_PER_TEMPLATE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        seed_url = request.meta.get("seed_url")
        sites = getattr(spider or self.crawler.spider, "sites", None)
        if seed_url is None or sites is None or seed_url not in sites:
            return None  # robots.txt and other engine-made requests
        site = sites[seed_url]
        if request.meta.get("start") and request.meta.get("redirect_urls"):
            # the portal moved (http://old.gov.cn/ -> https://new.gov.cn/): the new domain is
            # the site now
            site.domains.add(site_key(request.url))
        if not same_site(request.url, seed_url) and site_key(request.url) not in site.domains:
            site.requests_dropped += 1
            logger.debug("off-site, dropped: %s (seed %s)", request.url, seed_url)
            raise IgnoreRequest(f"off-site: {request.url}")
        if site.blocked:
            raise IgnoreRequest(f"site blocked: {request.url}")
        request.meta.setdefault("download_slot", f"site:{site_key(seed_url)}")
        if request.meta.get("retry_times") or request.meta.get("redirect_times"):
            return None  # counted when first issued
        if site.pages_requested >= self.max_pages:
            site.capped = True
            site.requests_dropped += 1
            raise IgnoreRequest(f"page cap ({self.max_pages}) reached for {seed_url}")
        template = url_template(request.url)
        if site.templates[template] >= self.max_per_template:
            site.capped = True
            site.requests_dropped += 1
            raise IgnoreRequest(f"URL template cap ({self.max_per_template}): {template}")
        site.templates[template] += 1
        site.pages_requested += 1
        return None
