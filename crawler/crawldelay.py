"""Politeness from robots.txt: a site's ``Crawl-delay`` becomes the delay of its download slot.

Scrapy's RobotsTxtMiddleware obeys Allow/Disallow but ignores ``Crawl-delay``; many county sites
set one (``Crawl-delay: 5``) and throttle or ban clients that do not wait. Every request of a
site shares one slot (``site:<domain>``, set by the site guard), so the delay is kept per site
and applied to the slot before each request; AutoThrottle does not adjust such a site's slot
(it would lower the delay after a fast answer, below what the site asked for). A delay over
``YINGJI_MAX_CRAWL_DELAY`` is capped there (a ``Crawl-delay: 3600`` would stall the crawl, not
make it polite).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.http import Response

from crawler.middlewares import site_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def crawl_delay(robots_txt: str, user_agent: str) -> float | None:
    """The ``Crawl-delay`` robots.txt asks of ``user_agent`` (its own group, else ``*``)."""
    try:
        delay = Protego.parse(robots_txt).crawl_delay(user_agent)
    except Exception:  # a robots.txt is whatever the server sends; unreadable means none
        return None
    return float(delay) if delay and delay > 0 else None


def is_robots_url(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"


class CrawlDelayMiddleware:
    """Downloader middleware after RobotsTxtMiddleware: reads each site's robots.txt answer as
    it passes and holds the site's slot to its Crawl-delay."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT") or ""
        self.cap = crawler.settings.getfloat("YINGJI_MAX_CRAWL_DELAY")
        self.delays: dict[str, float] = {}  # site key -> seconds

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        delay = self.delays.get(site_key(request.url))
        engine = self.crawler.engine
        if delay is None or engine is None:
            return
        # AutoThrottle adjusts a slot after each answer, between this request's queueing and
        # its sending; a site that asked for a delay keeps it, so the throttle leaves it be
        request.meta["autothrottle_dont_adjust_delay"] = True
        downloader = engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and slot.delay < delay:
            slot.delay = delay

    def process_response(self, request: Request, response: Response) -> Response:
        if is_robots_url(request.url) and response.status == 200:
            text = response.body.decode("utf-8", "replace")
            delay = crawl_delay(text, self.user_agent)
            if delay:
                key = site_key(request.url)
                asked = min(delay, self.cap) if self.cap > 0 else delay
                # hosts of one site share its slot: the slowest robots.txt of them wins
                self.delays[key] = max(self.delays.get(key, 0.0), asked)
                logger.info("%s: robots.txt asks a crawl delay of %.1fs", key, delay)
        return response
