"""Scrapy add-ons: each switches on one bundle of components that only work together.

Listed in the project's ``ADDONS`` (crawler/settings.py). They set their components at the
``addon`` priority, so a project or command-line setting still wins, and they add their
middlewares to whatever dict is in place (a ``-s SPIDER_MIDDLEWARES=…`` no longer drops them).
"""

from __future__ import annotations

from scrapy.settings import BaseSettings


class ResumeJournal:
    """Resume after a kill (crawler/resume.py): scheduler, dupe filter and spider middleware
    share one request journal in ``JOBDIR``; without a job directory they act like Scrapy's
    defaults, so the bundle is always on."""

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        settings.set("SCHEDULER", "crawler.resume.JournalScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "crawler.resume.ResumableDupeFilter", "addon")
        settings["SPIDER_MIDDLEWARES"]["crawler.resume.ResumeMiddleware"] = 10
        # the state the three share, found with crawler.get_extension
        settings["EXTENSIONS"]["crawler.resume.ResumeState"] = 0


class RevalidatingCache:
    """The HTTP cache of scheduled recrawls (crawler/cache.py): every cached page revalidated
    (a 304 when unchanged), and a URL over the size cap asked with HEAD next time.

    The cache itself is on when ``YINGJI_INCREMENTAL`` is (``yingji crawl`` and ``yingji
    cluster schedule`` set it); ``-s HTTPCACHE_ENABLED=False`` still turns it off. The policy
    and the memo are inert while the cache is off.
    """

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        settings.set("HTTPCACHE_POLICY", "crawler.cache.RevalidatingPolicy", "addon")
        if settings.getbool("YINGJI_INCREMENTAL"):
            settings.set("HTTPCACHE_ENABLED", True, "addon")
        settings["DOWNLOADER_MIDDLEWARES"]["crawler.cache.OversizeMemoMiddleware"] = 950
