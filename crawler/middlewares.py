"""Politeness and safety that hold whatever a page links to.

- :class:`SiteGuardMiddleware`: every request belongs to one seed (``meta["seed_url"]``) and is
  dropped when it leaves that seed's site (spam mirrors), when the site was found blocked, or
  when it would pass the per-site page cap or the per-URL-template cap that bounds
  calendar-style traps (each drop counted on the site by its reason: ``SiteState.refused``).
  One download slot per site keeps one request at a time per site even
  when the site spans subdomains.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import tldextract
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.response import get_meta_refresh

from crawler.discovery import canonical_url, url_template

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
    return ext.top_domain_under_public_suffix or host


def same_site(url: str, seed_url: str) -> bool:
    return site_key(url) == site_key(seed_url)


class SiteRuleDrop(IgnoreRequest):
    """A request the site's own rules drop (off-site, a cap, a blocked site): deliberate, so the
    spider's failure rules note nothing, unlike a fetch that failed (crawler/spiders/outcomes.py).
    """


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
            site.refuse("off-site")
            logger.debug("off-site, dropped: %s (seed %s)", request.url, seed_url)
            raise SiteRuleDrop(f"off-site: {request.url}")
        if site.blocked:
            site.refuse("site blocked", dropped=False)
            raise SiteRuleDrop(f"site blocked: {request.url}")
        request.meta.setdefault("download_slot", f"site:{site_key(seed_url)}")
        if request.meta.get("retry_times") or request.meta.get("redirect_times"):
            return None  # counted when first issued
        if site.pages_requested >= self.max_pages:
            site.capped = True
            site.refuse("page cap")
            raise SiteRuleDrop(f"page cap ({self.max_pages}) reached for {seed_url}")
        template = url_template(request.url)
        if site.templates[template] >= self.max_per_template:
            site.capped = True
            site.refuse("URL template cap")
            raise SiteRuleDrop(f"URL template cap ({self.max_per_template}): {template}")
        site.templates[template] += 1
        site.pages_requested += 1
        return None


class RedirectLoopMiddleware:
    """Downloader middleware, before Redirect- and MetaRefreshMiddleware on responses: a 3xx or
    a prompt ``<meta http-equiv="refresh">`` whose target is already in the request's redirect
    chain raises IgnoreRequest naming the loop, so the failure reaches the spider's errback
    (the site is noted unreachable, not "none found")."""

    REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.meta_refresh = settings.getbool("METAREFRESH_ENABLED")
        self.max_delay = settings.getfloat("METAREFRESH_MAXDELAY")
        self.ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopMiddleware:
        return cls(crawler)

    def _target(self, request: Request, response: Response) -> str | None:
        """Where the response sends the crawler next, as Scrapy's redirect middlewares read it."""
        location = response.headers.get("Location")
        if response.status in self.REDIRECT_STATUSES and location:
            return urljoin(request.url, location.decode("latin-1"))
        if self.meta_refresh and isinstance(response, HtmlResponse):
            interval, url = get_meta_refresh(response, ignore_tags=self.ignore_tags)
            if url and interval is not None and interval < self.max_delay:
                return url
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if request.meta.get("dont_redirect"):
            return response
        target = self._target(request, response)
        if target is None:
            return response
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        if canonical_url(target) in {canonical_url(url) for url in chain}:
            hops = " -> ".join([*chain, target])
            raise IgnoreRequest(f"redirect loop: {hops}")
        return response
